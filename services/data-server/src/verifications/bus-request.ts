/**
 * The bus request a piece of work answers. A redelivered one reached a server that died before
 * answering: what that server did is found again by the id instead of being done twice.
 */
export interface BusRequest {
  id: string;
  redelivered: boolean;
}

/**
 * How far back a request id is looked for: an idempotency key is kept a day, and the same key
 * used again after that starts anew.
 */
export function requestWindowStart(now: Date): Date {
  return new Date(now.getTime() - 86_400_000);
}
