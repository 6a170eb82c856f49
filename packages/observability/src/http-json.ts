import type { IncomingMessage, ServerResponse } from 'node:http';

/** JSON in and out of the plain `node:http` servers (ops endpoints, simulators). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(status === 204 ? undefined : JSON.stringify(body));
}

/** Reads a JSON body of at most `maxBytes`; throws on a larger or malformed one. */
export async function readJson(req: IncomingMessage, maxBytes = 65_536): Promise<unknown> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > maxBytes) {
      throw new Error('body too large');
    }
  }
  return JSON.parse(body || '{}');
}
