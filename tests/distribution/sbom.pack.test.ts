import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { checkSboms, schemaErrors, writeSboms } from '../../scripts/sbom';
import { disallowed, expressionAllowed, type BomComponent } from '../../scripts/licence-policy';

// What `pnpm run sbom` writes: the services' production dependencies as CycloneDX, each licence
// on the allow-list. A dependency under another licence fails this test.
let dir: string;
let files: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outband-sbom-'));
  files = writeSboms(resolve(__dirname, '../..'), dir);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the SBOM of the services', () => {
  it('is one valid CycloneDX 1.6 document per service, listing its production dependencies', async () => {
    expect(files.map((f) => basename(f)).sort()).toEqual([
      'outband-data-server.cdx.json',
      'outband-information-server.cdx.json',
      'outband-message-server.cdx.json',
    ]);
    for (const file of files) {
      const json = await readFile(file, 'utf8');
      expect({ file, errors: await schemaErrors(json) }).toEqual({ file, errors: [] });
      const bom = JSON.parse(json) as { bomFormat: string; specVersion: string; components: BomComponent[] };
      expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
      const names = bom.components.map((c) => (c.group ? `${c.group}/${c.name}` : c.name));
      expect(names).toEqual(expect.arrayContaining(['@outband/contracts', 'zod']));
      // Production only: the test tools are not shipped.
      expect(names).not.toContain('jest');
      expect(names).not.toContain('typescript');
    }
    expect(
      JSON.parse(
        await readFile(
          files.find((f) => f.includes('data-server'))!,
          'utf8',
        ),
      ),
    ).toMatchObject({
      components: expect.arrayContaining([
        expect.objectContaining({ name: 'knex' }),
        expect.objectContaining({ name: 'qrcode' }),
      ]) as unknown,
    });
  });

  it("has every production dependency's licence on the allow-list", async () => {
    expect(await checkSboms(files)).toEqual([]);
  });

  it('refuses a licence off the list, a missing one, and an expression that needs one', () => {
    const c = (licenses: BomComponent['licenses'], name = 'left-pad') => ({ name, version: '1.0.0', ...(licenses ? { licenses } : {}) });
    expect(
      disallowed([
        c([{ license: { id: 'GPL-3.0-only' } }], 'copyleft'),
        c(undefined, 'unnamed'),
        c([{ expression: '(MIT AND GPL-3.0-only)' }], 'both'),
        c([{ expression: '(GPL-3.0-only OR MIT)' }], 'either'),
        c([{ license: { id: 'MIT' } }], 'fine'),
        c(undefined, 'decko'),
        c([{ license: { name: 'BSD' } }], 'vague'),
        c([{ license: { name: 'BSD' } }, { license: { id: 'BSD-3-Clause', acknowledgement: 'concluded' } }], 'reviewed'),
      ]).map((d) => d.component),
    ).toEqual(['copyleft@1.0.0', 'unnamed@1.0.0', 'both@1.0.0', 'decko@1.0.0', 'vague@1.0.0']);
    expect(expressionAllowed('(MPL-2.0 OR Apache-2.0)')).toBe(true);
    expect(expressionAllowed('AGPL-3.0-only')).toBe(false);
  });
});
