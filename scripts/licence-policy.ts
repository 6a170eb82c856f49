/**
 * The licences a production dependency of the services may carry (SPDX ids): permissive ones,
 * which ask for a notice at most. Anything else is a decision for the maintainers, not a build.
 */
export const allowedLicences = new Set([
  'MIT',
  'MIT-0',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
  'CC0-1.0',
  'Unlicense',
  // argparse (js-yaml's): the PSF licence, permissive.
  'Python-2.0',
]);

/**
 * Packages whose manifest names no SPDX licence, read from their LICENSE file by hand. Keyed by
 * version: a new version is read again.
 */
export const reviewedLicences: Record<string, string> = {
  // Redoc's, in the information server's /docs page.
  'decko@1.2.0': 'MIT',
  'stickyfill@1.1.1': 'MIT',
  // Its manifest says "BSD"; its LICENSE has the three clauses.
  'url-template@2.0.8': 'BSD-3-Clause',
};

export interface BomComponent {
  name: string;
  group?: string;
  version: string;
  licenses?: Array<{ license?: { id?: string; name?: string }; expression?: string }>;
}

/** Whether an SPDX expression is satisfied by allowed licences (an OR needs one side, an AND both). */
export function expressionAllowed(expression: string): boolean {
  const ors = expression.replace(/[()]/g, ' ').split(/\s+OR\s+/);
  return ors.some((branch) =>
    branch
      .split(/\s+AND\s+/)
      .map((id) => id.trim())
      .every((id) => allowedLicences.has(id)),
  );
}

/** The components whose licence is not on the allow-list, with what they carry. */
export function disallowed(components: BomComponent[]): Array<{ component: string; licence: string }> {
  const refused: Array<{ component: string; licence: string }> = [];
  for (const c of components) {
    const name = c.group ? `${c.group}/${c.name}` : c.name;
    const ids = (c.licenses ?? []).map((l) => l.expression ?? l.license?.id ?? l.license?.name ?? '');
    const reviewed = reviewedLicences[`${name}@${c.version}`];
    const licences = ids.length > 0 ? ids : reviewed ? [reviewed] : [];
    if (licences.length === 0 || !licences.every(expressionAllowed)) {
      refused.push({ component: `${name}@${c.version}`, licence: licences.join(', ') || 'none named' });
    }
  }
  return refused;
}
