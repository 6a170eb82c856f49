import { createHash } from 'node:crypto';
import { camaraError, unauthenticated, type CamaraAnswer } from './camara-error';
import type { ClientTokens } from './client-tokens';
import type { DeviceTokens } from './device-tokens';
import { e164 } from './lines';

/** One call to the API: `operation` is the path below `/number-verification/v2/`. */
export interface NumberVerificationCall {
  method: string;
  operation: string;
  authorization: string | undefined;
  body: unknown;
}

interface Operation {
  scope: string;
  answer: (msisdn: string, body: unknown) => CamaraAnswer;
}

const operations: Record<string, Operation | undefined> = {
  'POST verify': { scope: 'number-verification:verify', answer: verify },
  'GET device-phone-number': {
    scope: 'number-verification:device-phone-number:read',
    answer: (msisdn) => ({ status: 200, body: { devicePhoneNumber: msisdn } }),
  },
};

/**
 * CAMARA Number Verification v2 under `/number-verification/v2`: `POST /verify {phoneNumber} |
 * {hashedPhoneNumber}` → `{devicePhoneNumberVerified}`, `GET /device-phone-number` →
 * `{devicePhoneNumber}`. Only a three-legged token names the device; any call it authenticates,
 * a refused one too, spends it.
 */
export function numberVerification(
  call: NumberVerificationCall,
  tokens: { device: DeviceTokens; client: ClientTokens },
  now: number,
): CamaraAnswer {
  const op = operations[`${call.method} ${call.operation}`];
  if (!op) {
    return camaraError(404, 'NOT_FOUND', 'The specified resource is not found.');
  }
  const grant = tokens.device.consume(call.authorization, now);
  if (!grant) {
    return tokens.client.valid(call.authorization, now)
      ? camaraError(
          403,
          'NUMBER_VERIFICATION.USER_NOT_AUTHENTICATED_BY_MOBILE_NETWORK',
          'Client must authenticate via the mobile network to use this service.',
        )
      : unauthenticated();
  }
  if (!grant.scope.includes(op.scope)) {
    return camaraError(403, 'PERMISSION_DENIED', `Client does not have sufficient permissions: the token lacks ${op.scope}.`);
  }
  return op.answer(grant.msisdn, call.body);
}

function verify(msisdn: string, body: unknown): CamaraAnswer {
  const b = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const keys = Object.keys(b);
  if (keys.length !== 1 || (keys[0] !== 'phoneNumber' && keys[0] !== 'hashedPhoneNumber')) {
    return invalid('The body must hold exactly one of phoneNumber or hashedPhoneNumber.');
  }
  if (keys[0] === 'phoneNumber') {
    return typeof b.phoneNumber === 'string' && e164.test(b.phoneNumber)
      ? verified(b.phoneNumber === msisdn)
      : invalid('phoneNumber must be an E.164 number with its +.');
  }
  return typeof b.hashedPhoneNumber === 'string' && /^[a-fA-F0-9]{64}$/.test(b.hashedPhoneNumber)
    ? verified(b.hashedPhoneNumber.toLowerCase() === createHash('sha256').update(msisdn).digest('hex'))
    : invalid('hashedPhoneNumber must be the SHA-256 of the E.164 number, in 64 hex digits.');
}

function verified(match: boolean): CamaraAnswer {
  return { status: 200, body: { devicePhoneNumberVerified: match } };
}

function invalid(message: string): CamaraAnswer {
  return camaraError(400, 'INVALID_ARGUMENT', message);
}
