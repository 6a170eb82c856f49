import { z } from 'zod';

/** A whole number read from an env string, within bounds. */
export function envInt(min: number, max: number) {
  return z.coerce.number().int().min(min).max(max);
}

/** "true"/"false"/"1"/"0" read from an env string. */
export const envBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Broker (RabbitMQ) user names, comma-separated: `outband-information,outband-admin`. */
export const envBrokerUsers = z.string().transform((v, ctx) => {
  const users = v
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (users.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must name at least one broker user' });
    return z.NEVER;
  }
  return users;
});

/** A URL whose scheme is one of `schemes`. */
export function envUrl(...schemes: string[]) {
  return z.string().refine(
    (v) => {
      try {
        return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    `must be a URL with scheme ${schemes.join(' or ')}`,
  );
}

/** A secret key with a key id, so keys can rotate: the bytes and the id that names them. */
export interface KeyEntry {
  id: string;
  key: Buffer;
}

/**
 * A key ring in one env value: `id1:base64,id2:base64`. The first entry is the active key
 * (used for new work); the others stay valid for work already in flight.
 */
export function envKeyRing(minBytes: number) {
  return z.string().transform((value, ctx): KeyEntry[] => {
    const entries: KeyEntry[] = [];
    for (const part of value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const sep = part.indexOf(':');
      const id = part.slice(0, sep);
      const key = Buffer.from(part.slice(sep + 1), 'base64');
      if (sep <= 0 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
        ctx.addIssue({ code: 'custom', message: 'each key must be written id:base64 (id of 1-32 letters, digits, _ or -)' });
        return z.NEVER;
      }
      if (key.length < minBytes) {
        ctx.addIssue({ code: 'custom', message: `key "${id}" must have at least ${minBytes} bytes` });
        return z.NEVER;
      }
      if (entries.some((e) => e.id === id)) {
        ctx.addIssue({ code: 'custom', message: `key id "${id}" appears twice` });
        return z.NEVER;
      }
      entries.push({ id, key });
    }
    if (entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'at least one key is required (id:base64)' });
      return z.NEVER;
    }
    return entries;
  });
}
