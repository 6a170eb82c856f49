import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { WebhookSender, vettingLookup } from './webhook-sender';

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

const sender = (allowedHosts: string[], timeoutMs = 5000) =>
  new WebhookSender({ policy: { allowHttp: true, allowedHosts: new Set(allowedHosts) }, timeoutMs });

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
});
