import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { errorCodes } from '@outband/errors';
import { findEnvSchemas, undocumentedVariables } from '../../scripts/config-docs';
import { generatedDocs } from '../../scripts/docs';
import { thrownErrorCodes } from '../../scripts/error-docs';

const root = resolve(__dirname, '../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const markdown = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The relative targets of the markdown links and images of a file (code blocks aside). */
function relativeLinks(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'));
}

describe('README and docs/', () => {
  it('keeps README.md a five-minute read (at most 10 KB)', () => {
    expect(statSync(join(root, 'README.md')).size).toBeLessThanOrEqual(10_240);
  });

  it('finds relative links (the check itself)', () => {
    expect(relativeLinks('[a](docs/x.md) [b](https://x.y) [c](#top) `[d](no.md)` [e](../y.md#part)')).toEqual([
      'docs/x.md',
      '../y.md#part',
    ]);
  });

  it.each(markdown)('%s links only to files that exist', (file) => {
    const broken = relativeLinks(read(file)).filter((target) => {
      const path = decodeURIComponent(target.split('#')[0] ?? '');
      return path !== '' && !existsSync(join(root, dirname(file), path));
    });
    expect(broken).toEqual([]);
  });
});

describe('docs/configuration.md', () => {
  const schemas = findEnvSchemas(root);

  it('reads every environment schema, shared groups expanded', () => {
    const files = schemas.map((s) => s.file);
    expect(files).toEqual(
      expect.arrayContaining([
        'services/information-server/src/config.ts',
        'services/data-server/src/config.ts',
        'services/message-server/src/config.ts',
        'packages/smsc-simulator/src/main.ts',
        'packages/bank-simulator/src/main.ts',
      ]),
    );
    const data = schemas.find((s) => s.file === 'services/data-server/src/config.ts');
    expect(data?.variables.find((v) => v.name === 'OPS_PORT')?.defaultValue).toBe('`9102`');
    expect(data?.variables.find((v) => v.name === 'CODE_KEYS')?.defaultValue).toBe('**required**');
    expect(data?.variables.find((v) => v.name === 'BANK_URL')?.defaultValue).toBe('none');
  });

  it('documents every variable (a /** … */ comment on each key)', () => {
    expect(undocumentedVariables(schemas)).toEqual([]);
  });

  it('catches an undocumented variable', () => {
    const fake = [
      { file: 'x/config.ts', schema: 'env', variables: [{ name: 'NEW_KEY', description: '', defaultValue: 'none', accepts: '' }] },
    ];
    expect(undocumentedVariables(fake)).toEqual(['x/config.ts: NEW_KEY']);
  });
});

describe('generated docs', () => {
  const docs = generatedDocs(root);

  it.each(Object.keys(docs))('%s is up to date (run `pnpm gen-docs`)', (file) => {
    expect(read(file)).toBe(docs[file]);
  });
});

describe('docs/errors.md', () => {
  const thrown = thrownErrorCodes(root);

  it('finds the codes the code base throws (the scan itself)', () => {
    for (const code of [
      'TOKEN_EXPIRED',
      'INVALID_JSON',
      'CODE_MISMATCH',
      'VERIFICATION_EXPIRED',
      'UNSAFE_TEXT',
      'SMPP_SUBMIT_REFUSED',
      'BANK_DECLINED',
    ]) {
      expect([code, thrown.has(code)]).toEqual([code, true]);
    }
    expect(thrown.size).toBeGreaterThan(80);
  });

  it('lists every thrown code in the errorCodes registry', () => {
    const missing = [...thrown].filter(([code]) => !(code in errorCodes)).map(([code, files]) => `${code} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });
});
