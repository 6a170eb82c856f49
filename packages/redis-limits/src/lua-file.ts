import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

// A line `--- @include "name"` stands for the text of `name.lua` in the same folder, as in BullMQ.
const include = /^--- @include "([\w-]+)"$/gm;

/** The `src/` folder that `dir` was built from, when `dir` is inside a `dist/` (innermost one). */
function sourceTwin(dir: string): string | undefined {
  const parts = dir.split(sep);
  const at = parts.lastIndexOf('dist');
  if (at < 0) {
    return undefined;
  }
  parts[at] = 'src';
  return parts.join(sep);
}

/**
 * The text of the Lua script `<name>.lua` beside the caller (pass its `__dirname`), with its
 * includes spliced in. `tsc` copies no `.lua` file, so code run from `dist/` reads the one in the
 * matching `src/` folder. Throws when the file is missing: scripts are read once, at load.
 */
export function readLuaFile(dir: string, name: string): string {
  const folder = existsSync(join(dir, `${name}.lua`)) ? dir : (sourceTwin(dir) ?? dir);
  const text = readFileSync(join(folder, `${name}.lua`), 'utf8');
  return text.replace(include, (_line, other: string) => readLuaFile(folder, other).replace(/\n$/, ''));
}
