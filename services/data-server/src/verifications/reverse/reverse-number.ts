/**
 * The number a phone texts a reverse-channel code to: the one whose address prefix is the
 * longest match (`REVERSE_NUMBERS`, e.g. `+33:38123,+:+447700900123`), or none.
 */
export function reverseNumberFor(numbers: ReadonlyArray<readonly [prefix: string, number: string]>): (address: string) => string {
  const longestFirst = [...numbers].sort(([a], [b]) => b.length - a.length);
  return (address) => longestFirst.find(([prefix]) => address.startsWith(prefix))?.[1] ?? '';
}
