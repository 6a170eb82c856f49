/** Shows only the country code and the last two digits: `+33612345678` → `+33•••••••78`. */
export function maskAddress(address: string): string {
  const digits = address.replace(/^\+/, '');
  if (digits.length < 6) {
    return '•'.repeat(digits.length);
  }
  const head = digits.slice(0, 2);
  const tail = digits.slice(-2);
  return `+${head}${'•'.repeat(digits.length - 4)}${tail}`;
}
