import type { AuthorizationCodes } from './authorization-codes';
import { deviceTokenLifetimeSeconds, type DeviceTokens } from './device-tokens';

/**
 * `POST /oauth2/token` with `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5), for a
 * client already authenticated: a code and its PKCE verifier buy one three-legged token.
 */
export function exchangeCode(
  form: URLSearchParams,
  clientId: string,
  codes: AuthorizationCodes,
  tokens: DeviceTokens,
  now: number,
): { status: number; body: unknown } {
  const code = form.get('code');
  const redirectUri = form.get('redirect_uri');
  const codeVerifier = form.get('code_verifier');
  if (!code || !redirectUri || !codeVerifier) {
    return { status: 400, body: { error: 'invalid_request', error_description: 'code, redirect_uri and code_verifier are required' } };
  }
  const r = codes.redeem(code, { clientId, redirectUri, codeVerifier }, now);
  if (!r.ok) {
    if (r.replayed) {
      tokens.revokeFromCode(code);
    }
    return { status: 400, body: { error: 'invalid_grant', error_description: r.reason } };
  }
  return {
    status: 200,
    body: {
      access_token: tokens.issue(r.grant, code, now),
      token_type: 'Bearer',
      expires_in: deviceTokenLifetimeSeconds,
      scope: r.grant.scope.join(' '),
    },
  };
}
