import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { disallowed, type BomComponent } from './licence-policy';

/**
 * `pnpm run sbom [dir]`: a CycloneDX 1.6 SBOM of each service's production dependencies, made by
 * pnpm's own generator from the lockfile and the installed packages, into `dir` (`sbom/`). Each is
 * checked against the CycloneDX schema, and its licences against the allow-list; any failure
 * fails the command.
 */
const root = resolve(__dirname, '../../..');

/** Writes one SBOM per service into `dir`; answers their paths. */
export function writeSboms(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const args = ['sbom', '--sbom-format', 'cyclonedx', '--sbom-spec-version', '1.6', '--sbom-type', 'application', '--prod'];
  execFileSync('pnpm', [...args, '--filter', './services/*', '--out', join(dir, '%s.cdx.json')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cdx.json'))
    .map((f) => join(dir, f));
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
  const files = writeSboms(resolve(process.argv[2] ?? join(root, 'sbom')));
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
