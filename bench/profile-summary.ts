import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads the CPU profiles a bench wrote (`BENCH_CPU_PROF=dir`) and prints, for each service
 * process, where its busy time went: by package (the nearest frame in a dependency or in our own
 * code), and socket writes by the client that made them. `node …/profile-summary.js dir`.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const dependency = /node_modules\/\.pnpm\/(@[^+]+\+[^@]+|[^@/]+)@/;
const ours = /(packages\/[a-z-]+|services\/[a-z-]+\/dist\/[a-z-]+)/;
const writes = /^(writeBuffer|writeUtf8String|writev)$/;

function ownerOf(url: string): string | undefined {
  const m = dependency.exec(url) ?? ours.exec(url);
  return m?.[1]?.replace('+', '/');
}

function summarise(p: Profile): { service: string; busyMs: number; byOwner: Map<string, number>; writesBy: Map<string, number> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    for (const c of n.children ?? []) {
      parent.set(c, n.id);
    }
  }
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byOwner = new Map<string, number>();
  const writesBy = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') {
      continue;
    }
    busy += us;
    let owner: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !owner; at = parent.get(at)) {
      owner = ownerOf(byId.get(at)?.callFrame.url ?? '');
    }
    const who = owner ?? node.callFrame.functionName;
    byOwner.set(who, (byOwner.get(who) ?? 0) + us);
    if (writes.test(node.callFrame.functionName)) {
      writesBy.set(who, (writesBy.get(who) ?? 0) + us);
    }
  }
  const main = p.nodes.map((n) => /services\/([a-z-]+)\/dist\/main\.js/.exec(n.callFrame.url)?.[1]).find(Boolean);
  return { service: main ?? 'other', busyMs: busy / 1000, byOwner, writesBy };
}

const share = (m: Map<string, number>, busyUs: number, top: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => `${k} ${((us / busyUs) * 100).toFixed(0)}%`)
    .join(', ');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: profile-summary <dir written by BENCH_CPU_PROF>');
  process.exit(2);
}
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const s = summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile);
  if (s.service === 'other') {
    continue;
  }
  const busyUs = s.busyMs * 1000;
  console.log(`${s.service} (${file}), busy ${s.busyMs.toFixed(0)} ms`);
  console.log(`  by package: ${share(s.byOwner, busyUs, 8)}`);
  console.log(`  socket writes by: ${share(s.writesBy, busyUs, 4)}`);
}
