import { NetworkApiError } from './network-signals';

/**
 * A number portability (HLR/MNP) lookup over HTTP: `POST {url} {msisdn}` with an API key →
 * `{ported, portedAt}`. Providers differ; one with another shape gets an adapter like this one.
 */
export async function mnpPortedAt(
  o: { url: string; apiKey: string },
  phoneNumber: string,
  signal: AbortSignal,
): Promise<Date | null | undefined> {
  const res = await fetch(o.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ msisdn: phoneNumber }),
    signal,
  });
  const body = (await res.json().catch(() => ({}))) as { ported?: unknown; portedAt?: unknown };
  if (res.status === 400 || res.status === 404) {
    return undefined;
  }
  if (!res.ok || typeof body.ported !== 'boolean') {
    throw new NetworkApiError('mnp', res.status, 'UNEXPECTED_ANSWER');
  }
  if (!body.ported) {
    return null;
  }
  // Ported, with no date: the lookup cannot say whether recently (read as "cannot tell", not as "now",
  // which would refuse the number forever).
  const at = typeof body.portedAt === 'string' ? new Date(body.portedAt) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : undefined;
}
