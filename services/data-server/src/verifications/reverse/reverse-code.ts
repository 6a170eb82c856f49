/**
 * The code in a text sent from a handset on the reverse channel. People type it as they like:
 * `482913`, `482 913`, `ok 482913`, `OK: 482-913`. A leading keyword (letters) is skipped; what
 * follows must be the code's digits, with spaces, dots or dashes between them at most.
 */
export function reverseCodeOf(text: string): string | undefined {
  const rest = text
    .trim()
    .replace(/^[\p{L}]+[\s:,.!-]*/u, '')
    .replace(/[\s.-]/g, '');
  return /^\d{4,10}$/.test(rest) ? rest : undefined;
}
