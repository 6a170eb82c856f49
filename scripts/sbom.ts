import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SPDX, Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { disallowed, reviewedLicencesOf, type BomComponent } from './licence-policy';

/**
 * `pnpm run sbom [dir]`: a CycloneDX 1.6 SBOM of each service's production dependencies, made by
 * pnpm's own generator from the lockfile and the installed packages, into `dir` (`sbom/`). A
 * declared licence that is no SPDX id is kept as a name (pnpm writes it as an id, which the schema
 * refuses), and a package reviewed by hand gets its licence as concluded. Each document is checked
 * against the CycloneDX schema, and its licences against the allow-list; any failure fails the
 * command.
 */
/** Writes one SBOM per service of the workspace at `root` into `dir`; answers their paths. */
export function writeSboms(root: string, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const args = ['sbom', '--sbom-format', 'cyclonedx', '--sbom-spec-version', '1.6', '--sbom-type', 'application', '--prod'];
  execFileSync('pnpm', [...args, '--filter', './services/*', '--out', join(dir, '%s.cdx.json')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cdx.json'))
    .map((f) => join(dir, f));
  for (const file of files) {
    const bom = JSON.parse(readFileSync(file, 'utf8')) as { components?: BomComponent[] };
    for (const c of bom.components ?? []) {
      const licenses = reviewedLicencesOf(c, (id) => SPDX.isSupportedSpdxId(id));
      if (licenses.length > 0) {
        c.licenses = licenses;
      }
    }
    writeFileSync(file, `${JSON.stringify(bom, null, 2)}\n`);
  }
  return files;
}

/** What the CycloneDX 1.6 JSON schema finds wrong in `json` (nothing: an empty list). */
export async function schemaErrors(json: string): Promise<string[]> {
  const errors: unknown = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json);
  return errors === null ? [] : [JSON.stringify(errors)];
}

/** Checks every SBOM of `dir`: answers the problems found, one line each. */
export async function checkSboms(files: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const file of files) {
    const json = readFileSync(file, 'utf8');
    problems.push(...(await schemaErrors(json)).map((e) => `${file}: not valid CycloneDX 1.6: ${e}`));
    const bom = JSON.parse(json) as { components?: BomComponent[] };
    problems.push(
      ...disallowed(bom.components ?? []).map((d) => `${file}: ${d.component} is licensed ${d.licence}, not on the allow-list`),
    );
  }
  return problems;
}

async function main(): Promise<void> {
  // `pnpm run sbom` runs in the workspace's root.
  const root = process.cwd();
  const files = writeSboms(root, resolve(process.argv[2] ?? join(root, 'sbom')));
  const problems = await checkSboms(files);
  for (const p of problems) {
    console.error(p);
  }
  console.log(`${files.length} SBOMs written (CycloneDX 1.6): ${files.join(', ')}; ${problems.length} problems`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

if (require.main === module) {
  void main();
}
