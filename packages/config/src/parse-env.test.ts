import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { parseEnv } from './parse-env';
import { envInt, envKeyRing, envUrl } from './env-types';
import { AppError } from '@outband/errors';

const schema = z.object({
  PORT: envInt(1, 65535),
  AMQP_URL: envUrl('amqp', 'amqps'),
  KEYS: envKeyRing(16),
});

describe('parseEnv', () => {
  it('parses a valid environment into typed values', () => {
    const key = Buffer.alloc(16, 7).toString('base64');
    const cfg = parseEnv(schema, { PORT: '8080', AMQP_URL: 'amqp://localhost', KEYS: `k2:${key},k1:${key}` });
    expect(cfg.PORT).toBe(8080);
    expect(cfg.KEYS.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(cfg.KEYS[0]?.key.length).toBe(16);
  });

  it('lists every bad key in one error', () => {
    let caught: unknown;
    try {
      parseEnv(schema, { PORT: 'abc', AMQP_URL: 'http://x', KEYS: 'k1:c2hvcnQ=' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppError);
    const err = caught as AppError;
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.fieldErrors?.map((f) => f.field).sort()).toEqual(['AMQP_URL', 'KEYS', 'PORT']);
  });

  it('refuses a missing key ring instead of defaulting it', () => {
    expect(() => parseEnv(schema, { PORT: '1', AMQP_URL: 'amqp://x' })).toThrow(/KEYS/);
  });

  it('reads NAME_FILE into NAME (secrets mounted as files), and refuses both or an unreadable file', () => {
    const key = Buffer.alloc(16, 7).toString('base64');
    const dir = mkdtempSync(join(tmpdir(), 'outband-env-'));
    writeFileSync(join(dir, 'keys'), `k1:${key}\n`);
    const base = { PORT: '8080', AMQP_URL: 'amqp://localhost' };
    expect(parseEnv(schema, { ...base, KEYS_FILE: join(dir, 'keys') }).KEYS[0]?.id).toBe('k1');
    expect(() => parseEnv(schema, { ...base, KEYS: `k1:${key}`, KEYS_FILE: join(dir, 'keys') })).toThrow(/not both/);
    expect(() => parseEnv(schema, { ...base, KEYS_FILE: join(dir, 'missing') })).toThrow(/KEYS_FILE: cannot read .*ENOENT/);
    // Another program's *_FILE variable is none of ours.
    expect(parseEnv(schema, { ...base, KEYS: `k1:${key}`, TF_CLI_CONFIG_FILE: join(dir, 'missing') }).PORT).toBe(8080);
  });
});
