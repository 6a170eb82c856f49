import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { api, eventually, readCode } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';

// The SDK as a merchant gets it: packed, installed with npm into an empty project outside the
// workspace, required from CommonJS, imported from ESM and type-checked, against the suite on the
// embedded default.
const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const published = ['errors', 'contracts', 'sdk'];
let dir: string;
let app: string;
let suite: Suite;
let receiver: Server;
const deliveries: Array<{ body: string; signature: string }> = [];

/** One step of a merchant's backend, run by the installed package (`login.cjs` or `login.mjs`). */
async function merchant(script: string, ...args: string[]): Promise<Record<string, unknown>> {
  const env = {
    ...process.env,
    OUTBAND_URL: suite.baseUrl,
    OUTBAND_MERCHANT: suite.merchant.id,
    OUTBAND_KID: suite.merchant.kid,
    OUTBAND_SECRET: suite.merchant.secret,
  };
  const { stdout } = await run(process.execPath, [join(app, script), ...args], { cwd: app, env });
  return JSON.parse(stdout) as Record<string, unknown>;
}

const backend = (sdk: string) => `
const [step, ...args] = process.argv.slice(2);
const client = new Outband({
  baseUrl: process.env.OUTBAND_URL,
  merchantId: process.env.OUTBAND_MERCHANT,
  key: { kid: process.env.OUTBAND_KID, alg: 'HS256', secret: process.env.OUTBAND_SECRET },
});
const steps = {
  start: () => client.verifications.start({ identifier: args[0] }),
  check: () => client.verifications.check(args[0], { code: args[1] }),
  hook: () => client.webhooks.register({ url: args[0], events: ['verification.approved'] }),
  verify: async () => {
    try {
      return verifyWebhook(process.env.HOOK_BODY, process.env.HOOK_SIGNATURE, process.env.HOOK_SECRET);
    } catch (e) {
      return { refused: e instanceof OutbandError ? e.code : String(e) };
    }
  },
};
steps[step]().then((answer) => process.stdout.write(JSON.stringify({ sdk: '${sdk}', ...answer })));
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outband-sdk-'));
  const tarballs = join(dir, 'tarballs');
  for (const p of published) {
    await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', p) });
  }
  app = join(dir, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'merchant-backend', private: true }));
  await writeFile(join(app, 'login.cjs'), `const { Outband, OutbandError, verifyWebhook } = require('@outband/sdk');\n${backend('cjs')}`);
  await writeFile(join(app, 'login.mjs'), `import { Outband, OutbandError, verifyWebhook } from '@outband/sdk';\n${backend('esm')}`);
  const packed = (await readdir(tarballs)).map((f) => join(tarballs, f));
  // npm, not the workspace: the tarballs and what they need from the registry, nothing else.
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...packed, '@types/node@20'], {
    cwd: app,
  });

  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      deliveries.push({ body, signature: String(req.headers['outband-signature']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  suite = await startSuite({ env: { WEBHOOK_POLL_MS: '100' } });
}, 240_000);

afterAll(async () => {
  await suite?.stop();
  await new Promise((r) => receiver?.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('@outband/sdk installed from its tarball', () => {
  it('packs its build, types, README and licence only, and names no workspace package', async () => {
    const { stdout } = await run('tar', ['-tzf', join(dir, 'tarballs', 'outband-sdk-0.1.0.tgz')]);
    const files = stdout.trim().split('\n');
    expect(files).toEqual(
      expect.arrayContaining(['package/dist/index.js', 'package/dist/client.js', 'package/dist/index.d.ts', 'package/esm/index.mjs']),
    );
    expect(files).toEqual(expect.arrayContaining(['package/README.md', 'package/LICENSE', 'package/CHANGELOG.md', 'package/package.json']));
    for (const f of files) {
      expect(f).toMatch(/^package\/(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/[\w-]+\.(js|d\.ts)|esm\/index\.(mjs|d\.mts))$/);
    }
    const { stdout: manifest } = await run('tar', ['-xzOf', join(dir, 'tarballs', 'outband-sdk-0.1.0.tgz'), 'package/package.json']);
    expect(manifest).not.toContain('workspace:');
    expect(JSON.parse(manifest)).toMatchObject({ license: 'MIT', dependencies: { '@outband/contracts': '0.1.0' } });
    expect(JSON.parse(manifest)).not.toHaveProperty('private');
  });

  it("runs a login from CommonJS and from ESM, each checking the other one's start", async () => {
    const fromCjs = await merchant('login.cjs', 'start', 'alice');
    expect(fromCjs).toMatchObject({ sdk: 'cjs', status: 'pending', to: expect.stringContaining('••') as string });
    const code = await readCode(suite, subscribers.alice.address, 1);
    expect(await merchant('login.mjs', 'check', String(fromCjs.id), code)).toMatchObject({ sdk: 'esm', status: 'approved' });

    const fromEsm = await merchant('login.mjs', 'start', 'bob');
    const bobCode = await readCode(suite, subscribers.bob.address, 1);
    const wrong = bobCode === '000000' ? '111111' : '000000';
    expect(await merchant('login.cjs', 'check', String(fromEsm.id), wrong)).toMatchObject({
      status: 'pending',
      cause: { code: 'CODE_MISMATCH' },
    });
    expect(await merchant('login.cjs', 'check', String(fromEsm.id), bobCode)).toMatchObject({ sdk: 'cjs', status: 'approved' });
  });

  it("checks a real webhook delivery's signature, and refuses a tampered one", async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const endpoint = await merchant('login.cjs', 'hook', url);
    const secret = String(endpoint.secret);
    suite.sim.inbox.clear();
    const v = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    const code = await readCode(suite, subscribers.alice.address, 1);
    await api(suite, 'POST', `/v1/verifications/${String(v.body.id)}/check`, { body: { code } });
    const delivery = await eventually(async () => Promise.resolve(deliveries.find((d) => d.body.includes(String(v.body.id)))));
    const env = { HOOK_BODY: delivery.body, HOOK_SIGNATURE: delivery.signature, HOOK_SECRET: secret };
    for (const script of ['login.cjs', 'login.mjs']) {
      const checked = await verifyIn(script, env);
      expect(checked).toMatchObject({ type: 'verification.approved', data: { id: v.body.id } });
      expect(await verifyIn(script, { ...env, HOOK_BODY: delivery.body.replace('approved', 'canceled') })).toMatchObject({
        refused: 'WEBHOOK_SIGNATURE_INVALID',
      });
    }
  });

  it('type-checks a TypeScript backend that uses it, as ESM and as CommonJS', async () => {
    const use = `
const client = new Outband({ baseUrl: 'https://verify.example.com', merchantId: 'm', key: { kid: 'k1', alg: 'HS256', secret: 'c2VjcmV0' } });
export async function login(identifier: string, code: string): Promise<boolean> {
  const v: VerificationView = await client.verifications.start({ identifier, purpose: 'login' });
  const checked = await client.verifications.check(v.id, { code });
  return checked.status === 'approved';
}
export function onHook(body: string, signature: string): string {
  const event = verifyWebhook(body, signature, 'secret');
  return event.type === 'payment.captured' ? event.data.id : event.type;
}
export const isRefusal = (e: unknown): boolean => e instanceof OutbandError && e.status === 409;
`;
    await writeFile(
      join(app, 'backend.mts'),
      `import { Outband, OutbandError, verifyWebhook, type VerificationView } from '@outband/sdk';\n${use}`,
    );
    await writeFile(
      join(app, 'backend.cts'),
      `import { Outband, OutbandError, verifyWebhook, type VerificationView } from '@outband/sdk';\n${use}`,
    );
    // A call the API does not have must fail the check: the types are really there.
    await writeFile(
      join(app, 'wrong.mts'),
      `import { Outband } from '@outband/sdk';\nexport const f = (o: Outband) => o.verifications.start({ identifier: 1 });\n`,
    );
    const tsconfig = (files: string[]) => ({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        types: ['node'],
        skipLibCheck: false,
      },
      files,
    });
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify(tsconfig(['backend.mts', 'backend.cts'])));
    // Its errors, if any, are in the failure message.
    const clean = await run(process.execPath, [tsc, '-p', app], { cwd: app }).then(
      () => '',
      (e: { stdout: string }) => e.stdout,
    );
    expect(clean).toBe('');
    await writeFile(join(app, 'tsconfig.wrong.json'), JSON.stringify(tsconfig(['wrong.mts'])));
    const failed = await run(process.execPath, [tsc, '-p', join(app, 'tsconfig.wrong.json')], { cwd: app }).then(
      () => '',
      (e: { stdout: string }) => e.stdout,
    );
    expect(failed).toMatch(/wrong\.mts.*error TS2322/s);
  });
});

async function verifyIn(script: string, env: Record<string, string>): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [join(app, script), 'verify'], { cwd: app, env: { ...process.env, ...env } });
  return JSON.parse(stdout) as Record<string, unknown>;
}
