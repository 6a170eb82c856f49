import { dataServerEnv } from '../config';
import { webhookUrlProblem, type WebhookDestinationPolicy } from './webhook-destination';

const production: WebhookDestinationPolicy = { allowHttp: false, allowedHosts: new Set() };
const development: WebhookDestinationPolicy = { allowHttp: true, allowedHosts: new Set(['127.0.0.1', 'localhost']) };

describe('webhookUrlProblem', () => {
  it.each([
    'https://127.0.0.1/hooks',
    'https://localhost:8443/hooks',
    'https://LOCALHOST./hooks',
    'https://shop.localhost/hooks',
    'https://[::1]/hooks',
    'https://169.254.169.254/latest/meta-data/',
    'https://2130706433/',
    'https://0x7f000001/',
    'https://0177.0.0.1/',
    'https://127.1/',
    'https://0.0.0.0/',
    'https://[::]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://10.0.0.1/',
    'https://172.16.0.1/',
    'https://192.168.0.10/',
    'https://100.64.0.1/',
    'https://[fc00::1]/',
    'https://[fe80::1]/',
    'https://224.0.0.1/',
    'https://[ff02::1]/',
    'https://255.255.255.255/',
    'https://intranet/hooks', // a single label: search domains, /etc/hosts
    'https://printer.local/',
    'https://db.internal/',
    'https://router.home.arpa/',
  ])('refuses %s in production', (url) => {
    expect(webhookUrlProblem(production, url)).toMatch(/public host/);
  });

  it('requires https unless plain http is allowed', () => {
    expect(webhookUrlProblem(production, 'http://hooks.example.com/outband')).toMatch(/must use https/);
    expect(webhookUrlProblem(production, 'ftp://hooks.example.com/outband')).toMatch(/must use https/);
    expect(webhookUrlProblem(development, 'http://hooks.example.com/outband')).toBeUndefined();
    expect(webhookUrlProblem(production, 'not a url')).toMatch(/not a valid URL/);
  });

  it('accepts public hosts (names are vetted again once resolved, at delivery)', () => {
    expect(webhookUrlProblem(production, 'https://hooks.example.com/outband?x=1')).toBeUndefined();
    expect(webhookUrlProblem(production, 'https://8.8.8.8/')).toBeUndefined();
    expect(webhookUrlProblem(production, 'https://[2606:4700:4700::1111]/')).toBeUndefined();
  });

  it('lets the allow-list through, by the host as the URL parser writes it, and nothing more', () => {
    expect(webhookUrlProblem(development, 'http://127.0.0.1:8080/hooks')).toBeUndefined();
    expect(webhookUrlProblem(development, 'http://2130706433:8080/hooks')).toBeUndefined(); // the same address
    expect(webhookUrlProblem(development, 'http://localhost./hooks')).toBeUndefined();
    expect(webhookUrlProblem(development, 'http://127.0.0.2/hooks')).toMatch(/public host/);
    expect(webhookUrlProblem(development, 'http://[::1]/hooks')).toMatch(/public host/);
    expect(webhookUrlProblem(development, 'http://169.254.169.254/')).toMatch(/public host/);
  });
});

describe('WEBHOOK_ALLOWED_HOSTS', () => {
  const parse = (value: string) => dataServerEnv.shape.WEBHOOK_ALLOWED_HOSTS.safeParse(value);

  it('reads hosts as the URL parser writes them', () => {
    expect([...(parse(' 127.0.0.1, LocalHost ,::1,[fd00::2],0x7f.2 ').data ?? [])]).toEqual([
      '127.0.0.1',
      'localhost',
      '::1',
      'fd00::2',
      '127.0.0.2',
    ]);
    expect(parse('').data?.size).toBe(0);
  });

  it.each(['http://127.0.0.1', '127.0.0.1:8080', 'host/path', 'user@host', 'a b'])('refuses %s', (value) => {
    expect(parse(value).success).toBe(false);
  });
});
