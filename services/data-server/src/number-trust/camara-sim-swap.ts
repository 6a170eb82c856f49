import { randomUUID } from 'node:crypto';
import type { ClientCredentials } from './client-credentials';
import { NetworkApiError } from './network-signals';

/**
 * CAMARA SIM Swap 2.1.0 (release r3.3, Fall25): `POST {apiRoot}/sim-swap/v2/check
 * {phoneNumber, maxAge}` → `{swapped}`, with a two-legged token (client credentials), so the
 * number is in the body. A refused token is fetched again once.
 */
export async function camaraSimSwapped(
  o: { apiRoot: string; tokens: ClientCredentials },
  phoneNumber: string,
  maxAgeHours: number,
  signal: AbortSignal,
): Promise<boolean | undefined> {
  for (let attempt = 1; ; attempt++) {
    const token = await o.tokens.get(signal);
    const res = await fetch(`${o.apiRoot}/sim-swap/v2/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-correlator': randomUUID() },
      body: JSON.stringify({ phoneNumber, maxAge: Math.min(2400, Math.max(1, Math.round(maxAgeHours))) }),
      signal,
    });
    const body = (await res.json().catch(() => ({}))) as { swapped?: unknown; code?: unknown };
    if (res.status === 401 && attempt === 1) {
      o.tokens.forget(token);
      continue;
    }
    // A number the operator cannot answer for (404 IDENTIFIER_NOT_FOUND, 422 SERVICE_NOT_APPLICABLE …)
    // says nothing of the API's health: not a failure the circuit breaker counts.
    if ([400, 403, 404, 422].includes(res.status)) {
      return undefined;
    }
    if (!res.ok || typeof body.swapped !== 'boolean') {
      throw new NetworkApiError('sim-swap', res.status, typeof body.code === 'string' ? body.code : 'UNEXPECTED_ANSWER');
    }
    return body.swapped;
  }
}
