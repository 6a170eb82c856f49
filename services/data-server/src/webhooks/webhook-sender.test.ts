import { pbkdf2 } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { promises as dnsPromises, type LookupAddress } from 'node:dns';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, isIPv4, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { WebhookSender, vettingLookup, type WebhookResolverOptions } from './webhook-sender';

/** A loopback HTTP server that records each request and answers with `answer`. */
async function receiver(answer: (req: IncomingMessage) => [number, Record<string, string>?]) {
  const seen: Array<{ url: string; host: string; body: string }> = [];
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', host: req.headers.host ?? '', body });
      const [status, headers] = answer(req);
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { seen, port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(r)) };
}

/** A name's records on the test DNS server; `hold`: queries wait until `release()`. */
type Zone = Record<string, { a?: string[]; aaaa?: string[] } | 'hold'>;

/**
 * A loopback DNS server (UDP) that answers A and AAAA queries from `zone`: NXDOMAIN for names
 * it does not hold, no records (NODATA) for a family the name lacks.
 */
async function dnsServer(zone: Zone) {
  const socket = createSocket('udp4');
  const held: Array<() => void> = [];
  let queries = 0;
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    let end = 12;
    const labels: string[] = [];
    for (let len = msg[end] ?? 0; len > 0; len = msg[end] ?? 0) {
      labels.push(msg.subarray(end + 1, end + 1 + len).toString('latin1'));
      end += len + 1;
    }
    const question = msg.subarray(12, end + 5);
    const qtype = msg.readUInt16BE(end + 1);
    const records = zone[labels.join('.').toLowerCase()];
    const reply = () => {
      const addresses = records === 'hold' || !records ? [] : ((qtype === 1 ? records.a : qtype === 28 ? records.aaaa : []) ?? []);
      const header = Buffer.alloc(12);
      msg.copy(header, 0, 0, 2);
      header.writeUInt16BE(records && records !== 'hold' ? 0x8180 : 0x8183, 2);
      header.writeUInt16BE(1, 4);
      header.writeUInt16BE(addresses.length, 6);
      const answers = addresses.map((a) => {
        const rdata = isIPv4(a) ? Buffer.from(a.split('.').map(Number)) : ipv6Bytes(a);
        const rr = Buffer.alloc(12);
        rr.writeUInt16BE(0xc00c, 0);
        rr.writeUInt16BE(qtype, 2);
        rr.writeUInt16BE(1, 4);
        rr.writeUInt32BE(60, 6);
        rr.writeUInt16BE(rdata.length, 10);
        return Buffer.concat([rr, rdata]);
      });
      socket.send(Buffer.concat([header, question, ...answers]), from.port, from.address);
    };
    queries++;
    waiting.filter((w) => queries >= w.n).forEach((w) => w.resolve());
    if (records === 'hold') {
      held.push(reply);
    } else {
      reply();
    }
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    /** Resolves once `n` queries in all have arrived. */
    received: (n: number) => new Promise<void>((resolve) => (queries >= n ? resolve() : waiting.push({ n, resolve }))),
    /** Answers the held queries (NXDOMAIN). */
    release: () => held.splice(0).forEach((reply) => reply()),
    close: () => new Promise<void>((r) => socket.close(r)),
  };
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

const sender = (allowedHosts: string[], timeoutMs = 5000, dns?: WebhookResolverOptions) =>
  new WebhookSender({ policy: { allowHttp: true, allowedHosts: new Set(allowedHosts) }, timeoutMs, dns });

describe('WebhookSender', () => {
  it('POSTs to an allowed host, and to an allowed name through the vetting lookup', async () => {
    const r = await receiver(() => [204]);
    try {
      const direct = await sender(['127.0.0.1']).post(`http://127.0.0.1:${r.port}/hooks?a=1`, { 'x-test': '1' }, '{"n":1}');
      expect(direct).toEqual({ kind: 'answered', statusCode: 204 });
      const named = await sender(['localhost']).post(`http://localhost:${r.port}/hooks`, {}, '{"n":2}');
      expect(named).toEqual({ kind: 'answered', statusCode: 204 });
      expect(r.seen).toEqual([
        { url: '/hooks?a=1', host: `127.0.0.1:${r.port}`, body: '{"n":1}' },
        { url: '/hooks', host: `localhost:${r.port}`, body: '{"n":2}' },
      ]);
    } finally {
      await r.close();
    }
  });

  it('refuses a name that resolves to a forbidden address, open port or closed, without connecting', async () => {
    const r = await receiver(() => [200]);
    const closed = createTcpServer();
    await new Promise<void>((res) => closed.listen(0, '127.0.0.1', res));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((res) => closed.close(res));
    try {
      // 127.0.0.1 being allowed lets no name that points at it through.
      const s = sender(['127.0.0.1']);
      expect(await s.post(`http://localhost:${r.port}/`, {}, '{}')).toEqual({ kind: 'refused' });
      expect(await s.post(`http://localhost:${closedPort}/`, {}, '{}')).toEqual({ kind: 'refused' });
      expect(await s.post(`http://[::ffff:127.0.0.1]:${r.port}/`, {}, '{}')).toEqual({ kind: 'refused' });
      expect(r.seen).toHaveLength(0);
    } finally {
      await r.close();
    }
  });

  it('follows no redirect', async () => {
    const target = await receiver(() => [200]);
    const redirecting = await receiver(() => [307, { location: `http://127.0.0.1:${target.port}/internal` }]);
    try {
      expect(await sender(['127.0.0.1']).post(`http://127.0.0.1:${redirecting.port}/`, {}, '{}')).toEqual({
        kind: 'answered',
        statusCode: 307,
      });
      expect(redirecting.seen).toHaveLength(1);
      expect(target.seen).toHaveLength(0);
    } finally {
      await Promise.all([target.close(), redirecting.close()]);
    }
  });

  it('gives up on a tar pit after its timeout, and on a closed port, as failed', async () => {
    const held: Socket[] = [];
    const tarPit: TcpServer = createTcpServer((socket) => held.push(socket));
    await new Promise<void>((r) => tarPit.listen(0, '127.0.0.1', r));
    const port = (tarPit.address() as AddressInfo).port;
    try {
      const outcome = await sender(['127.0.0.1'], 200).post(`http://127.0.0.1:${port}/`, {}, '{}');
      expect(outcome).toMatchObject({ kind: 'failed' });
      expect(held).toHaveLength(1);
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise((r) => tarPit.close(r));
    }
    expect(await sender(['127.0.0.1']).post(`http://127.0.0.1:${port}/`, {}, '{}')).toEqual({ kind: 'failed', cause: 'ECONNREFUSED' });
  });

  it('vets every address a name resolves to, in both lookup forms a socket asks for', async () => {
    const ask = (allowed: string[], all: boolean) =>
      new Promise<{ err: Error | null; address: string | LookupAddress[] }>((resolve) => {
        vettingLookup({ allowHttp: true, allowedHosts: new Set(allowed) })('localhost', { all }, (err, address) =>
          resolve({ err, address }),
        );
      });
    expect((await ask([], false)).err?.message).toBe('destination not allowed');
    expect((await ask(['127.0.0.1'], true)).err?.message).toBe('destination not allowed');
    expect((await ask(['localhost'], false)).address).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect((await ask(['localhost'], true)).address).toEqual(
      expect.arrayContaining([expect.objectContaining({ family: expect.any(Number) })]),
    );
  });

  it('resolves names with DNS queries, every address of both families vetted', async () => {
    const dns = await dnsServer({
      'public.test': { a: ['93.184.216.34'], aaaa: ['2606:2800:220:1:248:1893:25c8:1946'] },
      'v4only.test': { a: ['93.184.216.34'] },
      'mixed.test': { a: ['93.184.216.34', '10.0.0.1'] },
      'mixed6.test': { a: ['93.184.216.34'], aaaa: ['::ffff:127.0.0.1'] },
      'loopback.test': { a: ['127.0.0.1'] },
    });
    const r = await receiver(() => [204]);
    try {
      const lookup = vettingLookup({ allowHttp: true, allowedHosts: new Set(['127.0.0.1']) }, { servers: [dns.server] });
      const ask = (host: string, options: { all: boolean; family?: number }) =>
        new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((resolve) =>
          lookup(host, options, (err, address, family) => resolve({ err, address, family })),
        );
      expect(await ask('public.test', { all: true })).toEqual({
        err: null,
        address: [
          { address: '93.184.216.34', family: 4 },
          { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
        ],
      });
      expect(await ask('public.test', { all: false })).toEqual({ err: null, address: '93.184.216.34', family: 4 });
      expect(await ask('public.test', { all: false, family: 6 })).toMatchObject({
        address: '2606:2800:220:1:248:1893:25c8:1946',
        family: 6,
      });
      expect(await ask('v4only.test', { all: true })).toMatchObject({ address: [{ address: '93.184.216.34', family: 4 }] });
      expect((await ask('mixed.test', { all: true })).err?.message).toBe('destination not allowed');
      expect((await ask('mixed6.test', { all: false })).err?.message).toBe('destination not allowed');
      expect((await ask('nowhere.test', { all: true })).err?.code).toBe('ENOTFOUND');
      // Through a request: a name for a loopback address is refused before any connection.
      const s = sender(['127.0.0.1'], 5000, { servers: [dns.server] });
      expect(await s.post(`http://loopback.test:${r.port}/`, {}, '{}')).toEqual({ kind: 'refused' });
      expect(await s.post(`http://nowhere.test:${r.port}/`, {}, '{}')).toEqual({ kind: 'failed', cause: 'ENOTFOUND' });
      expect(r.seen).toHaveLength(0);
    } finally {
      await Promise.all([r.close(), dns.close()]);
    }
  });

  it("keeps libuv's threadpool free while a slow DNS server holds every lookup, and bounds each query", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `slow-${i}.test`);
    const dns = await dnsServer(Object.fromEntries(names.map((n) => [n, 'hold' as const])));
    try {
      const s = sender([], 30_000, { servers: [dns.server], timeoutMs: 20_000, tries: 1 });
      let settled = 0;
      const posts = names.map((n) =>
        s.post(`http://${n}/`, {}, '{}').finally(() => {
          settled++;
        }),
      );
      // Twice the four threads' worth of lookups (A and AAAA each) are held by the server …
      await dns.received(names.length * 2);
      // … and work that needs the threadpool still runs.
      await Promise.all([
        dnsPromises.lookup('localhost'),
        ...Array.from(
          { length: 4 },
          () => new Promise((resolve, reject) => pbkdf2('pw', 'salt', 1, 32, 'sha256', (e, k) => (e ? reject(e) : resolve(k)))),
        ),
      ]);
      expect(settled).toBe(0);
      dns.release();
      expect(await Promise.all(posts)).toEqual(names.map(() => ({ kind: 'failed', cause: 'ENOTFOUND' })));
      // A server that never answers: the query gives up after its timeout.
      const quick = sender([], 30_000, { servers: [dns.server], timeoutMs: 50, tries: 1 });
      expect(await quick.post('http://slow-0.test/', {}, '{}')).toEqual({ kind: 'failed', cause: 'ETIMEOUT' });
    } finally {
      dns.release();
      await dns.close();
    }
  });

  it('closes the connection once the status is known, however slowly the body drips', async () => {
    let serverSocketClosed!: Promise<void>;
    const server = createHttpServer((req, res) => {
      req.resume();
      serverSocketClosed = new Promise((resolve) => req.socket.once('close', () => resolve()));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('a');
      const drip = setInterval(() => res.write('a'), 20);
      res.once('close', () => clearInterval(drip));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      expect(await sender(['127.0.0.1'], 60_000).post(`http://127.0.0.1:${port}/`, {}, '{}')).toEqual({
        kind: 'answered',
        statusCode: 200,
      });
      // Well before the 60 s bound on the exchange (the test's own timeout is 5 s).
      await serverSocketClosed;
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }, 5000);
});
