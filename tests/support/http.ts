import type { Suite } from './suite';

export interface Answer {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
  headers: Headers;
}

/** A request to the information server; the body is parsed whatever the status. */
export async function api(
  suite: Suite,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? suite.token() : options.token;
  if (token !== null) {
    headers.authorization = `Bearer ${token}`;
  }
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
  }
  if (body !== undefined && headers['content-type'] === undefined) {
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${suite.baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed, headers: res.headers };
}

/** Waits until the simulated handset at `address` holds `count` messages; returns them. */
export async function waitForInbox(
  suite: Suite,
  address: string,
  count = 1,
  timeoutMs = 15_000,
): Promise<Array<{ text: string; messageId: string; receipt?: string; parts: number; dataCoding: number }>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${suite.sim.httpPort}/inbox/${encodeURIComponent(address)}`);
    const body = (await res.json()) as {
      messages: Array<{ text: string; messageId: string; receipt?: string; parts: number; dataCoding: number }>;
    };
    if (body.messages.length >= count) {
      return body.messages;
    }
    if (Date.now() > deadline) {
      throw new Error(`inbox of ${address} has ${body.messages.length} messages, expected ${count}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The code in the newest message of a handset's inbox. */
export async function readCode(suite: Suite, address: string, count = 1): Promise<string> {
  const messages = await waitForInbox(suite, address, count);
  const code = /(\d{6,10})/.exec(messages[messages.length - 1]?.text ?? '')?.[1];
  if (!code) {
    throw new Error('no code in the message');
  }
  return code;
}

/** Polls until `probe` returns a value that is not undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
