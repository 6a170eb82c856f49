import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the merchant's endpoint got, in the order they came. */
export interface WebhookCall {
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  /** What the endpoint answered. */
  status: number;
  /** The process that sent it, when it was still running as the call came; undefined otherwise. */
  sender: number | undefined;
}

export interface WebhookReceiver {
  url: string;
  calls: WebhookCall[];
  close(): Promise<void>;
}

/**
 * A merchant's webhook endpoint. It fails the first try of one event in five (retries cross
 * replicas too) and answers every other call at once; it notes which of `senders()` sent each.
 */
export async function startWebhookReceiver(senders: () => number[]): Promise<WebhookReceiver> {
  const calls: WebhookCall[] = [];
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    // Looked up at once: the sender's socket is open while it waits for the answer.
    const sender = processOf(req, senders());
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const eventId = String(req.headers['outband-event-id']);
      const event = JSON.parse(body || '{}') as { type?: string; data?: Record<string, unknown> };
      const first = !seen.has(eventId);
      seen.add(eventId);
      const status = first && seen.size % 5 === 0 ? 503 : 200;
      calls.push({ eventId, type: event.type ?? '', data: event.data ?? {}, status, sender });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Which of `pids` holds the other end of the request's connection (Linux: /proc), if any. */
function processOf(req: IncomingMessage, pids: number[]): number | undefined {
  const { remotePort, localPort } = req.socket;
  if (remotePort === undefined || localPort === undefined) {
    return undefined;
  }
  // The sender's socket: its local end is our remote one, and the other way round.
  const end = (port: number) => `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const row = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((cols) => cols[1] === end(remotePort) && cols[2] === end(localPort));
  const socket = `socket:[${row?.[9] ?? ''}]`;
  return pids.find((pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`) === socket;
        } catch {
          return false; // closed meanwhile
        }
      });
    } catch {
      return false; // the process is gone
    }
  });
}
