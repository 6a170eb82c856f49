import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Development keys, made once per checkout and kept in a git-ignored file, so a restart keeps
 * codes in flight valid. Production never uses this: the services have no key defaults.
 */
export function loadDevEnv(path: string): Record<string, string> {
  if (!existsSync(path)) {
    const key = () => `dev1:${randomBytes(32).toString('base64')}`;
    const lines = [
      '# Development keys for `pnpm start`, made on first start. Never use them in production.',
      `CODE_KEYS=${key()}`,
      `CODE_MAC_KEYS=${key()}`,
      `BUS_SEAL_KEYS=${key()}`,
      `DEMO_MERCHANT_SECRET=${randomBytes(32).toString('base64')}`,
      '',
    ];
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, lines.join('\n'), { mode: 0o600 });
  }
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) {
      env[m[1]] = m[2];
    }
  }
  return env;
}
