import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '@outband/errors';

/** A key of the ring that seals secrets on the bus (the first key of a ring seals, all open). */
export interface SealKey {
  id: string;
  key: Buffer;
}

/**
 * Seals a secret (a code) for the bus with AES-256-GCM, so that a broker that writes persistent
 * messages to disk never holds it in clear. `context` (the message id) is authenticated, so a
 * sealed value cannot be moved into another message. Format: `kid.iv.tag.ciphertext`, base64url.
 */
export function seal(ring: readonly SealKey[], plaintext: string, context: string): string {
  const active = ring[0];
  if (!active) {
    throw new AppError('internal', 'SEAL_KEY_MISSING', 'no seal key configured');
  }
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(active.key), iv);
  cipher.setAAD(Buffer.from(context));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [active.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

/** Opens a sealed value; a wrong key, context or tampering is a non-retryable error. */
export function unseal(ring: readonly SealKey[], sealed: string, context: string): string {
  const [kid, iv, tag, ct] = sealed.split('.');
  const entry = ring.find((k) => k.id === kid);
  if (!entry || iv === undefined || tag === undefined || ct === undefined) {
    throw new AppError('invalid_input', 'SEALED_FIELD_INVALID', 'sealed field has an unknown key id or a bad format');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(entry.key), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new AppError('invalid_input', 'SEALED_FIELD_INVALID', 'sealed field failed authentication', { cause });
  }
}

// Keys of any length ≥ 16 bytes are accepted in config; AES-256 needs exactly 32.
function deriveKey(key: Buffer): Buffer {
  return key.length === 32 ? key : Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'outband-bus-seal', 32));
}
