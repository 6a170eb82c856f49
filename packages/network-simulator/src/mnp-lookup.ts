import { e164, type Lines } from './lines';

/**
 * A number portability (HLR/MNP) lookup as such providers serve it over HTTP (no standard
 * exists; this shape follows the common ones): `POST /mnp/v1/lookup {msisdn}` →
 * `{msisdn, ported, portedAt, originalNetwork, currentNetwork}`.
 */
export function mnpLookup(lines: Lines, body: unknown): { status: number; body: unknown } {
  const msisdn = (body as { msisdn?: unknown } | null)?.msisdn;
  if (typeof msisdn !== 'string' || !e164.test(msisdn)) {
    return { status: 400, body: { error: 'bad_request', detail: 'send {msisdn} as an E.164 number with its +' } };
  }
  if (!lines.serves(msisdn)) {
    return { status: 404, body: { error: 'not_found', detail: 'no such number in the portability database' } };
  }
  const line = lines.get(msisdn);
  return {
    status: 200,
    body: {
      msisdn,
      ported: line.portedAt !== null,
      portedAt: line.portedAt?.toISOString() ?? null,
      originalNetwork: { name: 'Outband Mobile', mccmnc: '20899' },
      currentNetwork: line.network,
    },
  };
}
