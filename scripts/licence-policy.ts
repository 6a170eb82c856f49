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

export interface BomLicence {
  license?: { id?: string; name?: string; acknowledgement?: 'declared' | 'concluded' };
  expression?: string;
}

export interface BomComponent {
  name: string;
  group?: string;
  version: string;
  licenses?: BomLicence[];
}

/** A component's name as npm knows it (`@scope/name`). */
export const packageName = (c: BomComponent) => (c.group ? `${c.group}/${c.name}` : c.name);

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

/**
 * The licences a component is under: the one concluded by review when there is one, else those its
 * manifest declares (a name that is no SPDX id, such as "BSD", is on no list).
 */
function licencesOf(c: BomComponent): string[] {
  const all = c.licenses ?? [];
  const concluded = all.filter((l) => l.license?.acknowledgement === 'concluded');
  return (concluded.length > 0 ? concluded : all).map((l) => l.expression ?? l.license?.id ?? `"${l.license?.name ?? ''}"`);
}

/** The components whose licence is not on the allow-list, with what they carry. */
export function disallowed(components: BomComponent[]): Array<{ component: string; licence: string }> {
  const refused: Array<{ component: string; licence: string }> = [];
  for (const c of components) {
    const licences = licencesOf(c);
    if (licences.length === 0 || !licences.every(expressionAllowed)) {
      refused.push({ component: `${packageName(c)}@${c.version}`, licence: licences.join(', ') || 'none named' });
    }
  }
  return refused;
}

/**
 * What the SBOM says of a component's licence, made valid CycloneDX and completed by review: a
 * declared name that is no SPDX id stays as a name, and a reviewed package gets its licence as
 * `concluded` beside what it declares.
 */
export function reviewedLicencesOf(c: BomComponent, isSpdxId: (id: string) => boolean): BomLicence[] {
  const declared = (c.licenses ?? []).map((l) =>
    l.license?.id !== undefined && !isSpdxId(l.license.id) ? { license: { name: l.license.id, acknowledgement: 'declared' as const } } : l,
  );
  const reviewed = reviewedLicences[`${packageName(c)}@${c.version}`];
  return reviewed ? [...declared, { license: { id: reviewed, acknowledgement: 'concluded' } }] : declared;
}
