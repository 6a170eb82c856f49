import { camaraError, type CamaraAnswer } from './camara-error';
import { e164, type Lines } from './lines';

/** How far back this operator keeps SIM changes, days (`monitoredPeriod`). */
export const monitoredDays = 120;

/**
 * CAMARA SIM Swap 2.1.0 (release r3.3, Fall25 meta-release), as an operator serves it under
 * `/sim-swap/v2`: `POST /check {phoneNumber, maxAge}` → `{swapped}`, `POST /retrieve-date
 * {phoneNumber}` → `{latestSimChange, monitoredPeriod}`. Errors are CAMARA's `{status, code, message}`.
 */
export function simSwap(lines: Lines, operation: string, body: unknown, now: Date): CamaraAnswer {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return camaraError(400, 'INVALID_ARGUMENT', 'Client specified an invalid argument, request body or query param.');
  }
  const b = body as { phoneNumber?: unknown; maxAge?: unknown };
  // A two-legged token (client credentials) names no device: the number must be in the body.
  if (b.phoneNumber === undefined) {
    return camaraError(422, 'MISSING_IDENTIFIER', 'The device cannot be identified.');
  }
  if (typeof b.phoneNumber !== 'string' || !e164.test(b.phoneNumber)) {
    return camaraError(400, 'INVALID_ARGUMENT', 'phoneNumber must be an E.164 number with its +.');
  }
  if (!lines.serves(b.phoneNumber)) {
    return camaraError(404, 'IDENTIFIER_NOT_FOUND', 'Device identifier not found.');
  }
  const line = lines.get(b.phoneNumber);
  switch (operation) {
    case 'check': {
      const maxAge = b.maxAge ?? 240;
      if (typeof maxAge !== 'number' || !Number.isInteger(maxAge)) {
        return camaraError(400, 'INVALID_ARGUMENT', 'maxAge must be an integer number of hours.');
      }
      if (maxAge < 1 || maxAge > 2400) {
        return camaraError(400, 'OUT_OF_RANGE', 'maxAge must be between 1 and 2400 hours.');
      }
      const since = now.getTime() - maxAge * 3600 * 1000;
      return { status: 200, body: { swapped: line.swapped && line.simActivatedAt.getTime() >= since } };
    }
    case 'retrieve-date': {
      const monitoredFrom = now.getTime() - monitoredDays * 24 * 3600 * 1000;
      // Older than the monitored period, the change is not known: null, with the period said.
      const known = line.simActivatedAt.getTime() >= monitoredFrom;
      return {
        status: 200,
        body: { latestSimChange: known ? line.simActivatedAt.toISOString() : null, monitoredPeriod: monitoredDays },
      };
    }
    default:
      return camaraError(404, 'NOT_FOUND', 'The specified resource is not found.');
  }
}
