import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sdk from './index';

// The ESM entry names the CommonJS build's exports one by one: a new export must be added there too.
describe('the ESM entry', () => {
  it('exports every value the package exports', () => {
    const text = readFileSync(join(__dirname, '../esm/index.mjs'), 'utf8');
    const named =
      /export const \{([^}]+)\} = sdk;/
        .exec(text)?.[1]
        ?.split(',')
        .map((s) => s.trim()) ?? [];
    expect(named.sort()).toEqual(
      Object.keys(sdk)
        .filter((k) => k !== 'default')
        .sort(),
    );
  });
});
