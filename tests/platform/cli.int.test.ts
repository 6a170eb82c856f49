import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import jwt from 'jsonwebtoken';
import { openDatabase } from '@outband/db';
import { servers } from '../support/servers';

const cli = resolve(__dirname, '../../packages/cli/dist/outband.js');
const database = `outband_test_cli_${randomBytes(4).toString('hex')}`;
const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `${servers.mysql}/${database}` };

function outband(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { env }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, out: stdout.trim(), err: stderr.trim() });
    });
  });
}

afterAll(async () => {
  const db = openDatabase(servers.mysql, { min: 0, max: 1 });
  await db.raw(`DROP DATABASE IF EXISTS \`${database}\``);
  await db.destroy();
});

describe('the outband command', () => {
  it('migrates, adds a merchant with a key and a subscriber, prints a token that key verifies, and checks the audit chain', async () => {
    expect((await outband('migrate')).code).toBe(0);
    expect((await outband('merchant', 'create', 'shop-cli', 'CLI shop')).out).toBe('merchant shop-cli ready');
    const key = await outband('merchant', 'key', 'add', 'shop-cli', 'k7');
    expect(Buffer.from(key.out, 'base64')).toHaveLength(32);
    expect((await outband('subscriber', 'add', 'erin', '+33655512377', 'mobile', 'fr')).code).toBe(0);
    env.MERCHANT_SECRET = key.out;
    const token = await outband('token', 'shop-cli', 'k7');
    const claims = jwt.verify(token.out, Buffer.from(key.out, 'base64'), { audience: 'outband', issuer: 'shop-cli' }) as jwt.JwtPayload;
    expect(claims.jti).toBeDefined();
    expect((await outband('audit', 'verify')).out).toMatch(/^audit chain intact/);
    const db = openDatabase(env.DATABASE_URL ?? '', { min: 0, max: 1 });
    try {
      expect(await db('merchant_keys').where({ merchant_id: 'shop-cli', kid: 'k7' }).first()).toBeDefined();
      expect(await db('subscribers').where({ identifier: 'erin' }).first()).toMatchObject({ address: '+33655512377', locale: 'fr' });
    } finally {
      await db.destroy();
    }
  });

  it('issues Twilio-compatible credentials and keeps only a hash of the secret', async () => {
    const issued = await outband('twilio', 'credentials', 'shop-cli');
    const [, accountSid, , secret] =
      /^account SID (AC[0-9a-f]{32})\nusername +(AC[0-9a-f]{32})\npassword +([0-9a-f]{32})$/.exec(issued.out) ?? [];
    expect(accountSid).toBeDefined();
    const key = await outband('twilio', 'credentials', 'shop-cli', 'api-key');
    expect(key.out).toContain(`account SID ${accountSid ?? ''}\nusername    SK`);
    const db = openDatabase(env.DATABASE_URL ?? '', { min: 0, max: 1 });
    try {
      const rows = await db('twilio_credentials').where({ merchant_id: 'shop-cli' });
      expect(rows).toHaveLength(2);
      expect(JSON.stringify(rows)).not.toContain(secret);
    } finally {
      await db.destroy();
    }
  });

  it('answers a wrong command with its usage and exit code 2', async () => {
    const wrong = await outband('merchant', 'delete', 'x');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('usage: outband');
    expect((await outband('merchant', 'create')).err).toContain('missing <id>');
  });
});
