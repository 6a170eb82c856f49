import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import jwt from 'jsonwebtoken';
import { eventually } from '../support/http';
import { browserArtifacts, launchChromium } from '../support/browser';

// `pnpm start` as a person meets it (the built launcher, as launcher-listeners.int.test.ts runs
// it): the banner first, with everything needed to try the suite; a second start that says why
// it cannot; `/ops` with the printed credentials; and a restart that says what it lost.
const launcher = resolve(__dirname, '../../packages/launcher/dist/start.js');
const merchantSecret = randomBytes(32).toString('base64');
let dir: string;
const running = new Set<ChildProcess>();

interface Launched {
  proc: ChildProcess;
  /** Everything written to stdout so far. */
  stdout: () => string;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'outband-launcher-'));
});
afterAll(async () => {
  await Promise.all([...running].map(stop));
  rmSync(dir, { recursive: true, force: true });
});

function envOf(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'pretty',
    DATABASE_URL: `sqlite:${join(dir, 'outband.db')}`,
    DEMO_MERCHANT_SECRET: merchantSecret,
    SMSC_SMPP_PORT: '0',
    SMSC_HTTP_PORT: '0',
    BANK_HTTP_PORT: '0',
    NETWORK_SIM_HTTP_PORT: '0',
    DEMO_SHOP_PORT: '0',
    HTTP_PORT: '0',
    OPS_PORT: '0',
    ...extra,
  };
}

/** Starts the launcher; resolves once its banner is printed whole. */
function launch(extra: Record<string, string>): Promise<Launched> {
  const proc = spawn(process.execPath, [launcher], { env: envOf(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  let out = '';
  let err = '';
  return new Promise((done, fail) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (/ {2}logs below .*\n/.test(out)) {
        done({ proc, stdout: () => out });
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    proc.once('exit', (code) => fail(new Error(`the launcher exited (${String(code)}) before its banner:\n${out}\n${err}`)));
  });
}

/** Runs a launcher that is expected to give up: its exit code and what it wrote. */
function runToExit(extra: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [launcher], { env: envOf(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((done) =>
    proc.once('close', (code) => {
      running.delete(proc);
      done({ code, stdout, stderr });
    }),
  );
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return;
  }
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

function listenOn(port: number): Promise<ReturnType<typeof createServer> | undefined> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(undefined));
    server.listen(port, '127.0.0.1', () => done(server));
  });
}

/** A port with `count` free ports from it on (the ops ports are OPS_PORT, +1 and +2). */
async function freePorts(count: number): Promise<number> {
  for (;;) {
    const first = await listenOn(0);
    const port = (first?.address() as { port: number } | undefined)?.port ?? 0;
    const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => listenOn(port + i + 1)));
    await Promise.all([first, ...rest].map((s) => new Promise((r) => (s ? s.close(r) : r(undefined)))));
    if (port !== 0 && port + count <= 65535 && rest.every((s) => s !== undefined)) {
      return port;
    }
  }
}

function bannerValue(stdout: string, pattern: RegExp): RegExpExecArray {
  const m = pattern.exec(stdout);
  if (!m) {
    throw new Error(`the banner has no ${String(pattern)}:\n${stdout}`);
  }
  return m;
}

function merchantToken(): string {
  return jwt.sign({}, Buffer.from(merchantSecret, 'base64'), {
    algorithm: 'HS256',
    issuer: 'demo-shop',
    audience: 'outband',
    expiresIn: 300,
    keyid: 'demo-1',
    jwtid: randomUUID(),
  });
}

async function merchantCall(base: string, path: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${merchantToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The code in the newest text of a simulated handset, once it has `count` texts. */
async function codeSentTo(inboxBase: string, address: string, count = 1): Promise<string> {
  return eventually(async () => {
    const res = await fetch(`${inboxBase}/inbox/${encodeURIComponent(address)}`);
    const { messages } = (await res.json()) as { messages: Array<{ text: string }> };
    return messages.length >= count ? /(\d{6,10})/.exec(messages[messages.length - 1]?.text ?? '')?.[1] : undefined;
  });
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('pnpm start (the embedded default)', () => {
  let first: Launched;
  let httpPort: number;
  let opsPort: number;
  let api: string;

  beforeAll(async () => {
    httpPort = await freePorts(1);
    opsPort = await freePorts(3);
    first = await launch({ HTTP_PORT: String(httpPort), OPS_PORT: String(opsPort) });
    api = `http://127.0.0.1:${httpPort}`;
  });

  it('prints its banner first: /docs, /ops with its credentials, each subscriber with a phone number', async () => {
    const out = first.stdout();
    expect(out.startsWith('\nOutband is running in one process')).toBe(true);
    expect(out).toContain(`  API docs         ${api}/docs\n`);
    expect(out).toMatch(new RegExp(`  ops page {9}${api}/ops {3}\\(.*user ops, password \\S{32,}\\)\n`));
    for (const [name, phone] of [
      ['alice', '+33612345678'],
      ['bob', '+4915112345678'],
      ['claire', '+33611223344'],
      ['carol', '+33698765432'],
      ['pager-1', '+33756000001'],
    ]) {
      expect(out).toMatch(new RegExp(`\n {2}(subscribers)? +${name} +\\${phone}`));
    }
    // Three services in one process, three ops ports: OPS_PORT and the two after it.
    expect(out).toContain(`/metrics on :${opsPort}, data server :${opsPort + 1}, message server :${opsPort + 2}`);
    expect((await fetch(`${api}/docs`)).status).toBe(200);
  });

  it('writes its logs after the banner, one readable line each', async () => {
    const line = /\n\d\d:\d\d:\d\d INFO {2}data-server +verification started {2}correlationId=\S+ {2}verificationId=(\S+)/;
    const logged = new Promise<string>((done, fail) => {
      const onData = () => {
        const m = line.exec(first.stdout());
        if (m) {
          first.proc.stdout?.off('data', onData);
          done(m[1] ?? '');
        }
      };
      first.proc.stdout?.on('data', onData);
      first.proc.once('exit', () => fail(new Error(`the launcher exited:\n${first.stdout()}`)));
    });
    const started = await merchantCall(api, '/v1/verifications', { identifier: 'claire' });
    expect(await logged).toBe(started.body.id);
    expect(first.stdout()).not.toContain('{"level"');
  });

  it('opens /ops with the printed credentials and shows the in-process queues of all three services', async () => {
    const [, user = '', password = ''] = bannerValue(first.stdout(), /user (\S+), password (\S+)\)/);
    expect((await fetch(`${api}/ops`)).status).toBe(401);
    expect((await fetch(`${api}/ops`, { headers: { authorization: basic(user, `${password}x`) } })).status).toBe(401);
    const page = await fetch(`${api}/ops`, { headers: { authorization: basic(user, password) } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Queue depth');
    const res = await fetch(`${api}/ops/data`, { headers: { authorization: basic(user, password) } });
    expect(res.status).toBe(200);
    const data = (await res.json()) as { sources: number; series: Array<{ name: string; labels: Record<string, string>; value: number }> };
    expect(data.sources).toBe(3);
    const ready = new Set(data.series.filter((s) => s.name === 'outband_queue_messages_ready').map((s) => s.labels.queue));
    expect(ready).toEqual(
      new Set([
        'data.rpc',
        'data.rpc.dead',
        'data.message-status',
        'data.message-status.dead',
        'data.inbound',
        'data.inbound.dead',
        'message.send',
        'message.send.dead',
      ]),
    );
    const consumers = (queue: string) => data.series.find((s) => s.name === 'outband_queue_consumers' && s.labels.queue === queue)?.value;
    expect(consumers('data.rpc')).toBeGreaterThan(0);
    expect(consumers('message.send')).toBeGreaterThan(0);
  });

  // The rates legend waits for the page's second poll (5 s apart), at two widths.
  it('draws the ops charts with legends that fit their cards, on a phone-sized screen too', async () => {
    const [, user = '', password = ''] = bannerValue(first.stdout(), /user (\S+), password (\S+)\)/);
    const browser = await launchChromium();
    try {
      for (const width of [1280, 360]) {
        const page = await browser.newPage({ viewport: { width, height: 800 }, httpCredentials: { username: user, password } });
        await page.goto(`${api}/ops`);
        // The queue legend after the first poll, the rates' after the second (they are rates).
        await page.locator('#queues-legend span').nth(7).waitFor({ timeout: 15_000 });
        await page.locator('#rates-legend span').nth(3).waitFor({ timeout: 15_000 });
        // Every card within the screen, every legend entry within its card.
        const outside: string[] = [];
        for (const card of await page.locator('.card').all()) {
          const c = (await card.boundingBox())!;
          if (c.x + c.width > width) {
            outside.push(`card at ${c.x}+${c.width}`);
          }
          for (const span of await card.locator('.legend span').all()) {
            const b = (await span.boundingBox())!;
            if (b.x < c.x || b.x + b.width > c.x + c.width) {
              outside.push((await span.textContent()) ?? '');
            }
          }
        }
        expect([width, outside]).toEqual([width, []]);
        await page.screenshot({ path: resolve(browserArtifacts, `ops-${width}.png`), fullPage: true });
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('says a second start finds Outband running, naming the port and its variable', async () => {
    const api2 = await runToExit({ HTTP_PORT: String(httpPort) });
    expect(api2.code).toBe(1);
    expect(api2.stderr).toBe(`Outband is already running on port ${httpPort} (set HTTP_PORT to change it)\n`);
    expect(api2.stdout).toBe('');
    const ops2 = await runToExit({ OPS_PORT: String(opsPort + 1) });
    expect(ops2.code).toBe(1);
    const [firstLine, others] = ops2.stderr.split('\n');
    expect(firstLine).toBe(`Outband is already running on port ${opsPort + 1} (set OPS_PORT to change it)`);
    // OPS_PORT+3 was never reserved: any other socket on the machine may hold it meanwhile.
    expect(others).toMatch(new RegExp(`^\\(ports? ${opsPort + 2}(, ${opsPort + 3})? taken too\\)$`));
    // The first one runs on.
    expect((await fetch(`${api}/readyz`)).status).toBe(200);
  });

  it('answers LAPTOP_STORE_RESET for a code sent before a restart, and works as usual after it', async () => {
    const inbox = `http://127.0.0.1:${bannerValue(first.stdout(), /phones +http:\/\/127\.0\.0\.1:(\d+)\/phone/)[1]}`;
    const started = await merchantCall(api, '/v1/verifications', { identifier: 'bob' });
    expect(started.status).toBe(201);
    const code = await codeSentTo(inbox, '+4915112345678');
    await stop(first.proc);

    // The same SQLite file, the same keys: the verification is on record, its code was in memory.
    first = await launch({ HTTP_PORT: String(httpPort), OPS_PORT: String(opsPort) });
    const lost = await merchantCall(api, `/v1/verifications/${String(started.body.id)}/check`, { code });
    expect([lost.status, lost.body.code]).toEqual([409, 'LAPTOP_STORE_RESET']);
    expect(String(lost.body.detail)).toMatch(/laptop store was reset.*start a new verification/);
    // Again: the answer stays until the verification would have expired anyway.
    expect((await merchantCall(api, `/v1/verifications/${String(started.body.id)}/check`, { code })).body.code).toBe('LAPTOP_STORE_RESET');

    const inbox2 = `http://127.0.0.1:${bannerValue(first.stdout(), /phones +http:\/\/127\.0\.0\.1:(\d+)\/phone/)[1]}`;
    const fresh = await merchantCall(api, '/v1/verifications', { identifier: 'bob' });
    const approved = await merchantCall(api, `/v1/verifications/${String(fresh.body.id)}/check`, {
      code: await codeSentTo(inbox2, '+4915112345678'),
    });
    expect([approved.status, approved.body.status]).toEqual([200, 'approved']);
  });
});
