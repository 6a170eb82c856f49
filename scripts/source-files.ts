import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The TypeScript sources of every service and package (no tests, no declarations), relative to `root`. */
export function sourceFiles(root: string, skip: ReadonlySet<string> = new Set()): string[] {
  const files: string[] = [];
  for (const top of ['services', 'packages']) {
    for (const name of readdirSync(join(root, top))) {
      const src = join(root, top, name, 'src');
      if (!skip.has(`${top}/${name}`) && existsSync(src)) {
        walk(src, files);
      }
    }
  }
  return files.map((f) => relative(root, f)).sort();
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      walk(p, out);
    } else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts')) {
      out.push(p);
    }
  }
}
