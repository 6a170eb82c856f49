import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Development keys, made once per checkout and kept in a git-ignored file, so a restart keeps
 * codes in flight valid. Production never uses this: the services have no key defaults.
 */
export function loadDevEnv(path: string): Record<string, string> {
  const key = () => `dev1:${randomBytes(32).toString('base64')}`;
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '# Development keys for `pnpm start`, made on first start. Never use them in production.\n', { mode: 0o600 });
  }
  const env = parse(readFileSync(path, 'utf8'));
  // Keys a newer version needs are added to an older file, the others kept.
  const wanted: Record<string, () => string> = {
    CODE_KEYS: key,
    CODE_MAC_KEYS: key,
    BUS_SEAL_KEYS: key,
    CONTENT_KEYS: key,
    DEMO_MERCHANT_SECRET: () => randomBytes(32).toString('base64'),
    // The operator of `/ops` and `/admin/v1` on this laptop: user `ops`, the token as the password.
    ADMIN_TOKENS: () => `ops:${randomBytes(24).toString('base64url')}`,
  };
  const missing = Object.entries(wanted).filter(([name]) => env[name] === undefined);
  if (missing.length > 0) {
    const lines = missing.map(([name, make]) => `${name}=${make()}`);
    appendFileSync(path, `${lines.join('\n')}\n`);
    Object.assign(env, parse(lines.join('\n')));
  }
  return env;
}

function parse(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) {
      env[m[1]] = m[2];
    }
  }
  return env;
}
