import type { IncomingHttpHeaders } from 'node:http';
import type { AuthorizationCodes } from './authorization-codes';
import { e164, type Lines } from './lines';

/** A JSON error, or a redirect back to the client (`location`). */
export interface AuthorizeAnswer {
  status: number;
  body?: unknown;
  location?: string;
}

export interface AuthorizeOptions {
  clientId: string;
  /** Exact redirect URIs accepted; undefined: any absolute http(s) URL. */
  redirectUris?: readonly string[];
}

const requiredScopes = ['openid', 'number-verification:verify'];
const knownScopes = new Set([...requiredScopes, 'number-verification:device-phone-number:read']);
/** CAMARA Identity & Consent Management names the purpose as a scope, one per request. */
const purposeScope = /^dpv:[A-Za-z]+$/;
/** base64url of a SHA-256 digest, unpadded. */
const challengeFormat = /^[A-Za-z0-9_-]{43}$/;

/**
 * The line a request comes from: the number the operator's gateway injects on the mobile data
 * path (`x-msisdn`), else the demo's data session; null when the network cannot tell (Wi-Fi).
 */
export function deviceLine(headers: IncomingHttpHeaders, dataSession: string | null, lines: Lines): string | null {
  const enriched = headers['x-msisdn'];
  const line = typeof enriched === 'string' ? enriched : dataSession;
  return line !== null && e164.test(line) && lines.serves(line) ? line : null;
}

/**
 * `GET /authorize` of the OIDC code flow with `prompt=none` (CAMARA Identity & Consent
 * Management): no user is asked; the network's knowledge of the line is the authentication.
 */
export function authorize(
  query: URLSearchParams,
  msisdn: string | null,
  o: AuthorizeOptions,
  codes: AuthorizationCodes,
  now: number,
): AuthorizeAnswer {
  // A parameter given twice is as good as missing (RFC 6749 §3.1).
  const one = (name: string): string | undefined => {
    const all = query.getAll(name);
    return all.length === 1 ? all[0] : undefined;
  };
  const clientId = one('client_id');
  if (clientId !== o.clientId) {
    return refuse('client_id is missing or unknown');
  }
  const redirectUri = one('redirect_uri');
  if (redirectUri === undefined || !acceptable(redirectUri, o.redirectUris)) {
    return refuse('redirect_uri is missing, not an absolute http(s) URL without fragment, or not registered');
  }
  // From here the redirect URI is trusted: errors go back to the client (RFC 6749 §4.1.2.1).
  const state = one('state');
  const back = (params: Record<string, string>): AuthorizeAnswer => {
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries({ ...params, ...(state === undefined ? {} : { state }) })) {
      target.searchParams.set(k, v);
    }
    return { status: 302, location: target.href };
  };
  const fail = (error: string, description: string) => back({ error, error_description: description });
  if (one('response_type') !== 'code') {
    return fail('unsupported_response_type', 'response_type must be code');
  }
  if (state === undefined || state === '') {
    return fail('invalid_request', 'state is required');
  }
  const codeChallenge = one('code_challenge');
  if (one('code_challenge_method') !== 'S256' || codeChallenge === undefined || !challengeFormat.test(codeChallenge)) {
    return fail('invalid_request', 'PKCE is required: code_challenge (base64url SHA-256) with code_challenge_method=S256');
  }
  const scope = [...new Set((one('scope') ?? '').split(' ').filter(Boolean))];
  const purposes = scope.filter((s) => purposeScope.test(s));
  if (
    !requiredScopes.every((s) => scope.includes(s)) ||
    scope.some((s) => !knownScopes.has(s) && !purposeScope.test(s)) ||
    purposes.length > 1
  ) {
    const known = [...knownScopes].join(', ');
    return fail('invalid_scope', `scope must hold ${requiredScopes.join(' and ')}, else only ${known} and one dpv: purpose`);
  }
  const prompt = (one('prompt') ?? '').split(' ').filter(Boolean);
  if (prompt.includes('none') && prompt.length > 1) {
    return fail('invalid_request', 'prompt=none cannot be combined with other values');
  }
  if (msisdn === null) {
    return fail('login_required', "the device is not on this operator's mobile data: its line cannot be identified");
  }
  return back({ code: codes.issue({ msisdn, clientId, scope, redirectUri, codeChallenge }, now) });
}

function refuse(description: string): AuthorizeAnswer {
  return { status: 400, body: { error: 'invalid_request', error_description: description } };
}

function acceptable(uri: string, registered: readonly string[] | undefined): boolean {
  if (registered) {
    return registered.includes(uri);
  }
  try {
    const u = new URL(uri);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !uri.includes('#');
  } catch {
    return false;
  }
}
