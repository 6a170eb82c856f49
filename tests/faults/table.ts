/** The rows as a plain-text table: the first column left-aligned, the others right-aligned. */
export function table<T extends object>(rows: T[], cols: Array<keyof T>): string {
  const cell = (r: T, c: keyof T) => String(r[c]);
  const width = cols.map((c) => Math.max(String(c).length, ...rows.map((r) => cell(r, c).length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(width[i] ?? 0) : v.padStart(width[i] ?? 0))).join('  ');
  return [line(cols.map(String)), ...rows.map((r) => line(cols.map((c) => cell(r, c))))].join('\n');
}
