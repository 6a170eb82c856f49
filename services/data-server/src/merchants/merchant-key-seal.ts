import { seal, unseal, type SealKey } from '@outband/contracts';

// HS256 secrets are shared: whoever reads one signs as the merchant. At rest they are sealed
// with CONTENT_KEYS; the row's merchant and key id are the authenticated context, so a sealed
// secret cannot be moved to another merchant. Public keys (RS256, ES256) stay as they are.
const prefix = 'sealed:';

const context = (merchantId: string, kid: string) => `merchant-key:${merchantId}:${kid}`;

/** What `key_material` holds for this key: sealed when it is a secret and a ring is configured. */
export function keyMaterialToStore(
  ring: readonly SealKey[] | undefined,
  merchantId: string,
  kid: string,
  alg: string,
  key: string,
): string {
  return alg === 'HS256' && ring && ring.length > 0 ? prefix + seal(ring, key, context(merchantId, kid)) : key;
}

/**
 * The key as tokens are verified with it; rows written before sealing are still read. Throws
 * `SEALED_FIELD_INVALID` when the ring does not hold the key it was sealed with (or it was altered).
 */
export function keyMaterialOf(ring: readonly SealKey[] | undefined, merchantId: string, kid: string, stored: string): string {
  if (!stored.startsWith(prefix)) {
    return stored;
  }
  return unseal(ring ?? [], stored.slice(prefix.length), context(merchantId, kid));
}

/** The id of the ring key a stored value is sealed with; undefined when it is in clear. */
export function sealedWith(stored: string): string | undefined {
  return stored.startsWith(prefix) ? stored.slice(prefix.length).split('.')[0] : undefined;
}
