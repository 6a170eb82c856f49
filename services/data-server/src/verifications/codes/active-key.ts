import { AppError } from '@outband/errors';
import type { KeyEntry } from '@outband/config';

/** The key that makes new codes and MACs: the first of its ring (all of the ring still open). */
export function activeKey(ring: KeyEntry[]): KeyEntry {
  const k = ring[0];
  if (!k) {
    throw new AppError('internal', 'KEY_MISSING', 'no active key configured');
  }
  return k;
}
