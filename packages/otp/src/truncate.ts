/**
 * Dynamic truncation (RFC 4226 §5.3), shared by HOTP, TOTP and OCRA: four bytes at the offset the
 * MAC's last nibble names, reduced to `digits` decimal digits. Zero digits (OCRA's "no
 * truncation") gives the whole MAC in hex.
 */
export function truncate(mac: Buffer, digits: number): string {
  if (digits === 0) {
    return mac.toString('hex');
  }
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** A counter or time step as the 8-byte big-endian block HOTP and OCRA hash. */
export function uint64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(value);
  return b;
}
