import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLuaFile } from './lua-file';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lua-file-'));
  mkdirSync(join(root, 'pkg', 'src', 'feature'), { recursive: true });
  mkdirSync(join(root, 'pkg', 'dist', 'feature'), { recursive: true });
  writeFileSync(join(root, 'pkg', 'src', 'feature', 'helper.lua'), 'local function one() return 1 end\n');
  writeFileSync(join(root, 'pkg', 'src', 'feature', 'main.lua'), '-- header\n--- @include "helper"\nreturn one()\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('reads the script beside the caller, its includes spliced in', () => {
  expect(readLuaFile(join(root, 'pkg', 'src', 'feature'), 'main')).toBe('-- header\nlocal function one() return 1 end\nreturn one()\n');
});

it('reads the script in src/ for code built into dist/, which holds no .lua file', () => {
  expect(readLuaFile(join(root, 'pkg', 'dist', 'feature'), 'main')).toBe(readLuaFile(join(root, 'pkg', 'src', 'feature'), 'main'));
});

it('prefers a script that sits in dist/ itself', () => {
  writeFileSync(join(root, 'pkg', 'dist', 'feature', 'main.lua'), 'return 2\n');
  expect(readLuaFile(join(root, 'pkg', 'dist', 'feature'), 'main')).toBe('return 2\n');
});

it('throws when the script is missing', () => {
  expect(() => readLuaFile(join(root, 'pkg', 'dist', 'feature'), 'absent')).toThrow(/absent\.lua/);
});
