import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// `pnpm start` (the built launcher, as cli.int.test.ts runs the built CLI): a development suite
// with demo keys, so nothing listens beyond loopback unless told, and the SQLite file holding
// subscribers and merchant keys is the owner's alone.
const launcher = resolve(__dirname, '../../packages/launcher/dist/start.js');
let dir: string;
let child: ChildProcess | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'outband-launcher-'));
});
afterAll(async () => {
  if (child?.exitCode === null) {
    const exited = new Promise((r) => child?.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the launcher on free ports and resolves once it prints its summary. */
function start(extra: Record<string, string> = {}): Promise<ChildProcess> {
  const ports = ['SMSC_SMPP_PORT', 'SMSC_HTTP_PORT', 'BANK_HTTP_PORT', 'NETWORK_SIM_HTTP_PORT', 'DEMO_SHOP_PORT', 'HTTP_PORT', 'OPS_PORT'];
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    LOG_LEVEL: 'warn',
    DATABASE_URL: `sqlite:${join(dir, 'outband.db')}`,
    ...Object.fromEntries(ports.map((p) => [p, '0'])),
    ...extra,
  };
  const proc = spawn(process.execPath, [launcher], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((done, fail) => {
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('Outband is running')) {
        done(proc);
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    proc.once('exit', (code) => fail(new Error(`the launcher exited (${String(code)}) before it was ready:\n${out}`)));
  });
}

/** The local addresses the process listens on (TCP), read from /proc: its sockets in LISTEN state. */
function listeners(pid: number): string[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined; // closed meanwhile
        }
      })
      .filter((inode): inode is string => inode !== undefined),
  );
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local_address rem_address st … inode (the 10th); 0A is LISTEN.
      if (cols[3] === '0A' && inodes.has(cols[9] ?? '')) {
        found.push(addressOf(cols[1] ?? ''));
      }
    }
  }
  return found;
}

/** `0100007F:1F90` as `127.0.0.1:8080`; an IPv6 address as its hex words. */
function addressOf(hex: string): string {
  const [ip = '', port = '0'] = hex.split(':');
  const host = ip.length === 8 ? [6, 4, 2, 0].map((i) => parseInt(ip.slice(i, i + 2), 16)).join('.') : `[${ip}]`;
  return `${host}:${parseInt(port, 16)}`;
}

describe('the embedded default (pnpm start)', () => {
  it('binds every listener to 127.0.0.1 and keeps the SQLite files 0600', async () => {
    child = await start();
    const addresses = listeners(child.pid ?? -1);
    // SMPP and HTTP of the SMSC simulator, the bank, the shop, the API, and three ops ports.
    expect(addresses.length).toBeGreaterThanOrEqual(8);
    expect(addresses.filter((a) => !a.startsWith('127.0.0.1:'))).toEqual([]);
    const file = join(dir, 'outband.db');
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      expect([path, statSync(path).mode & 0o777]).toEqual([path, 0o600]);
    }
  });
});
