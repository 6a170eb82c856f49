import { randomUUID } from 'node:crypto';
import { basicAuthOf } from './client-credentials';
import { NetworkApiError } from './network-signals';

/** Where the operator's OIDC authorization code flow and its Number Verification API live, and who Outband is there. */
export interface NumberVerificationEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  apiRoot: string;
  clientId: string;
  clientSecret: string;
  /** Outband's callback, registered at the operator as the client's redirect URI. */
  redirectUri: string;
}

/**
 * CAMARA Number Verification 2.1 (`/number-verification/v2`): the device's browser, on its mobile
 * data, goes through the operator's OIDC authorization endpoint (`prompt=none`: the network
 * identifies the line, nobody types anything); the code it brings back buys a single-use
 * three-legged token, and `POST /verify {phoneNumber}` answers whether that device holds the number.
 */
export class CamaraNumberVerification {
  constructor(private readonly o: NumberVerificationEndpoints) {}

  /**
   * The URL the device's browser opens; PKCE (RFC 7636, S256) ties the code to this server. No
   * `nonce`: no ID token is read, only the access token the code buys.
   */
  authorizeUrl(p: { state: string; codeChallenge: string }): string {
    const url = new URL(this.o.authorizeUrl);
    const q = url.searchParams;
    q.set('response_type', 'code');
    q.set('client_id', this.o.clientId);
    q.set('redirect_uri', this.o.redirectUri);
    q.set('scope', 'openid dpv:FraudPreventionAndDetection number-verification:verify');
    q.set('state', p.state);
    q.set('code_challenge', p.codeChallenge);
    q.set('code_challenge_method', 'S256');
    q.set('prompt', 'none');
    return url.toString();
  }

  /** Whether the device that brought `code` back holds `phoneNumber`; throws when the operator fails to say. */
  async verified(code: string, codeVerifier: string, phoneNumber: string, signal: AbortSignal): Promise<boolean> {
    const tokenRes = await fetch(this.o.tokenUrl, {
      method: 'POST',
      headers: { authorization: basicAuthOf(this.o.clientId, this.o.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.o.redirectUri,
        code_verifier: codeVerifier,
      }).toString(),
      signal,
    });
    const token = (await tokenRes.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown };
    if (!tokenRes.ok || typeof token.access_token !== 'string') {
      throw new NetworkApiError('token', tokenRes.status, typeof token.error === 'string' ? token.error : 'NO_TOKEN');
    }
    const res = await fetch(`${this.o.apiRoot}/number-verification/v2/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json', 'x-correlator': randomUUID() },
      body: JSON.stringify({ phoneNumber }),
      signal,
    });
    const body = (await res.json().catch(() => ({}))) as { devicePhoneNumberVerified?: unknown; code?: unknown };
    if (!res.ok || typeof body.devicePhoneNumberVerified !== 'boolean') {
      throw new NetworkApiError('number-verification', res.status, typeof body.code === 'string' ? body.code : 'UNEXPECTED_ANSWER');
    }
    return body.devicePhoneNumberVerified;
  }
}
