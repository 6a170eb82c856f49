import { isIPv4, isIPv6 } from 'node:net';

/**
 * IPv4 ranges a webhook may never reach (IANA special-purpose registry, RFC 6890 and its
 * updates): this host, private networks, loopback, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, documentation, benchmarking, multicast and reserved.
 */
const forbiddenV4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/** Inside global unicast (2000::/3), the blocks that are not the public internet. */
const forbiddenV6: ReadonlyArray<readonly [string, number]> = [
  ['2001::', 23], // IETF protocol assignments: Teredo, ORCHID, benchmarking …
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
];

const v4Ranges = forbiddenV4.map(([base, bits]) => ({ base: v4ToInt(base), mask: v4Mask(bits) }));
const v6Ranges = forbiddenV6.map(([base, bits]) => ({ bytes: v6ToBytes(base) ?? new Uint8Array(16), bits }));

/**
 * Whether a webhook must not be sent to this IP address (as written by `dns.lookup` or the
 * WHATWG URL parser; brackets allowed). Anything that is not a plain IP address is forbidden,
 * so a caller can never pass a name by mistake.
 */
export function isForbiddenAddress(address: string): boolean {
  const ip = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIPv4(ip)) {
    const n = v4ToInt(ip);
    return v4Ranges.some((r) => (n & r.mask) >>> 0 === r.base);
  }
  if (!isIPv6(ip) || ip.includes('%')) {
    return true; // not an address, or a zone index (link-local by definition)
  }
  const bytes = v6ToBytes(ip);
  if (!bytes) {
    return true;
  }
  const embedded = embeddedV4(bytes);
  if (embedded !== undefined) {
    return isForbiddenAddress(embedded);
  }
  // Only global unicast can be public: this drops ::, ::1, fc00::/7, fe80::/10, ff00::/8, NAT64 …
  if ((bytes[0]! & 0xe0) !== 0x20) {
    return true;
  }
  return v6Ranges.some((r) => prefixMatches(bytes, r.bytes, r.bits));
}

/**
 * The IPv4 address carried inside an IPv6 one where the packet would really go to that IPv4
 * host: IPv4-mapped (::ffff:a.b.c.d), the deprecated IPv4-compatible form and 6to4 (2002::/16).
 */
function embeddedV4(b: Uint8Array): string | undefined {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) {
    return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  if (zeros(0, 12) && !zeros(12, 16)) {
    return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  if (b[0] === 0x20 && b[1] === 0x02) {
    return `${b[2]}.${b[3]}.${b[4]}.${b[5]}`;
  }
  return undefined;
}

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);
}

function v4Mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** The 16 bytes of an IPv6 address (with `::` and a dotted IPv4 tail), or undefined. */
function v6ToBytes(ip: string): Uint8Array | undefined {
  let text = ip;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tail) {
    const n = v4ToInt(tail);
    text = `${text.slice(0, -tail.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? left.length !== 8 : missing < 1) {
    return undefined;
  }
  const groups = [...left, ...Array<string>(rest === undefined ? 0 : missing).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 0xff;
  });
  return bytes;
}

function prefixMatches(bytes: Uint8Array, base: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const bit = 7 - (i % 8);
    if (((bytes[i >> 3]! >> bit) & 1) !== ((base[i >> 3]! >> bit) & 1)) {
      return false;
    }
  }
  return true;
}
