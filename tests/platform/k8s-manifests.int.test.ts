import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { busNames } from '@outband/contracts';
import { dataServerEnv } from '@outband/data-server';
import { messageServerEnv } from '@outband/message-server';
import { informationServerEnv } from '@outband/information-server';

// No cluster runs here: these checks keep infra/k8s valid against the Kubernetes schemas and true
// to the design (docs/kubernetes.md).
const root = join(__dirname, '../..');
const dir = join(root, 'infra/k8s');

type Labels = Record<string, string>;
interface Meta {
  name: string;
  namespace?: string;
  labels?: Labels;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  env?: EnvVar[];
  resources?: { requests?: Labels; limits?: Labels };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
}
interface PodTemplate {
  metadata: { labels: Labels };
  spec: { securityContext?: { runAsNonRoot?: boolean; runAsUser?: number }; initContainers?: Container[]; containers: Container[] };
}
interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: Meta;
  data?: Labels;
  stringData?: Labels;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Labels } & Labels;
    template?: PodTemplate;
    minAvailable?: number;
    ttlSecondsAfterFinished?: number;
    scaleTargetRef?: { kind: string; name: string };
    metrics?: Array<{ type: string; external?: { metric: { name: string; selector?: { matchLabels?: Labels } } } }>;
    ports?: Array<{ port: number; targetPort: string | number }>;
    podSelector?: { matchLabels?: Labels };
    policyTypes?: string[];
    ingress?: Array<{ ports?: Array<{ port: number }> }>;
    egress?: unknown[];
  };
}

const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
  resources: string[];
  images: Array<{ name: string }>;
  secretGenerator?: unknown;
};
/** The Secret's template: an operator fills a copy and applies it once, so `apply -k` never does. */
const secretExample = 'secret.example.yaml';
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
const parseErrors: string[] = [];
const manifests: Manifest[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
    parseErrors.push(...doc.errors.map((e) => `${file}: ${e.message}`));
    return { ...(doc.toJS() as Omit<Manifest, 'file'>), file };
  }),
);
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const named = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);
const deployments = ofKind('Deployment');
const pods = manifests.flatMap((m) => (m.spec?.template ? [m.spec.template] : []));
const containers = pods.flatMap((p) => [...(p.spec.initContainers ?? []), ...p.spec.containers]);
/** Variables that only build others (`$(MYSQL_PASSWORD)` in DATABASE_URL): no schema reads them. */
const helpers = new Set(
  containers.flatMap((c) =>
    (c.env ?? []).flatMap((v) => [...(v.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1] ?? '')),
  ),
);
const selects = (selector: Labels | undefined, labels: Labels) =>
  selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);

// kubernetes-models is ESM only: validate in a child Node process, by apiVersion and kind.
const validator = `
let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const doc of JSON.parse(input)) {
  try {
    const models = await import('kubernetes-models/' + doc.apiVersion + '/' + doc.kind);
    new models[doc.kind](doc).validate();
    results.push(null);
  } catch (e) {
    results.push(e instanceof Error ? e.message : String(e));
  }
}
process.stdout.write(JSON.stringify(results));`;
function validate(docs: object[]): Array<string | null> {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', validator], {
    cwd: root,
    input: JSON.stringify(docs),
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(`validator failed: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as Array<string | null>;
}

describe('infra/k8s', () => {
  it('parses every file, and lists each one but the Secret template in kustomization.yaml', () => {
    expect(parseErrors).toEqual([]);
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['data-server', 'information-server', 'message-server']);
    expect(files).toContain(secretExample);
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== secretExample).sort());
    // One image for all, which kustomization.yaml's `images` points at the registry.
    expect([...new Set(containers.map((c) => c.image))]).toEqual(kustomization.images.map((i) => i.name));
  });

  it('validates every document against the Kubernetes schemas (kubernetes-models)', () => {
    const results = validate(manifests.map((m) => ({ ...m, file: undefined })));
    expect(manifests.map((m, i) => ({ doc: `${m.file} ${m.kind}/${m.metadata.name}`, error: results[i] }))).toEqual(
      manifests.map((m) => ({ doc: `${m.file} ${m.kind}/${m.metadata.name}`, error: null })),
    );
  });

  it('refuses a broken manifest (the validation itself)', () => {
    const [good] = deployments;
    const broken = { ...good, file: undefined, spec: { ...good?.spec, replicas: 'two', selector: undefined } };
    const [error, unknownKind] = validate([broken, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } }]);
    expect(error).toMatch(/replicas|selector/);
    expect(unknownKind).toEqual(expect.any(String));
  });

  it('puts everything in the outband namespace, labelled as part of outband', () => {
    for (const m of manifests) {
      const where = `${m.file} ${m.kind}/${m.metadata.name}`;
      expect({ where, namespace: m.kind === 'Namespace' ? 'outband' : m.metadata.namespace }).toEqual({ where, namespace: 'outband' });
      expect({ where, partOf: m.metadata.labels?.['app.kubernetes.io/part-of'] }).toEqual({ where, partOf: 'outband' });
    }
  });

  it.each(deployments.map((d) => d.metadata.name))('runs %s twice, probed on its ops port, bounded, as non-root', (name) => {
    const d = named('Deployment', name);
    const template = d?.spec?.template;
    const container = template?.spec.containers.find((c) => c.name === name);
    expect(d?.spec?.replicas).toBe(2);
    const opsPort = named('ConfigMap', `outband-${name}`)?.data?.OPS_PORT;
    expect(container?.ports).toContainEqual({ name: 'ops', containerPort: Number(opsPort) });
    expect(container?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'ops' });
    expect(container?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'ops' });
    for (const bound of ['requests', 'limits'] as const) {
      expect(Object.keys(container?.resources?.[bound] ?? {}).sort()).toEqual(['cpu', 'memory']);
    }
    expect(template?.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
    expect(template?.spec.securityContext?.runAsUser).not.toBe(0);
    expect(selects(d?.spec?.selector?.matchLabels, template?.metadata.labels ?? {})).toBe(true);
  });

  it('locks down every container: no privilege escalation, read-only root, no capabilities', () => {
    expect(containers.length).toBeGreaterThanOrEqual(5);
    for (const c of containers) {
      expect({ c: c.name, sc: c.securityContext }).toEqual({
        c: c.name,
        sc: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      });
    }
    for (const p of pods) {
      expect(p.spec.securityContext?.runAsNonRoot).toBe(true);
    }
  });

  it('covers every Deployment with a PodDisruptionBudget and an autoscaler', () => {
    for (const d of deployments) {
      const labels = d.spec?.template?.metadata.labels ?? {};
      const budgets = ofKind('PodDisruptionBudget').filter((p) => selects(p.spec?.selector?.matchLabels, labels));
      expect({ d: d.metadata.name, budgets: budgets.map((p) => p.spec?.minAvailable) }).toEqual({ d: d.metadata.name, budgets: [1] });
      const scalers = ofKind('HorizontalPodAutoscaler').filter(
        (h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === d.metadata.name,
      );
      expect({ d: d.metadata.name, scalers: scalers.map((h) => h.apiVersion) }).toEqual({
        d: d.metadata.name,
        scalers: ['autoscaling/v2'],
      });
    }
  });

  it("scales the data and message servers on their own queues' depth", () => {
    const names = busNames('outband');
    const queues = (name: string) =>
      (named('HorizontalPodAutoscaler', name)?.spec?.metrics ?? [])
        .filter((m) => m.type === 'External' && m.external?.metric.name === 'rabbitmq_detailed_queue_messages_ready')
        .map((m) => m.external?.metric.selector?.matchLabels);
    expect(queues('data-server')).toEqual([
      { vhost: 'outband', queue: names.dataRpcQueue },
      { vhost: 'outband', queue: names.messageStatusQueue },
    ]);
    expect(queues('message-server')).toEqual([{ vhost: 'outband', queue: names.messageSendQueue }]);
    expect(named('HorizontalPodAutoscaler', 'information-server')?.spec?.metrics?.map((m) => m.type)).toEqual(['Resource']);
  });

  it('exposes the API and every ops port through Services that select the pods', () => {
    for (const s of ofKind('Service')) {
      const d = deployments.find((x) => selects(s.spec?.selector, x.spec?.template?.metadata.labels ?? {}));
      const ports = d?.spec?.template?.spec.containers.flatMap((c) => c.ports ?? []) ?? [];
      for (const p of s.spec?.ports ?? []) {
        expect(ports.some((cp) => cp.name === p.targetPort && cp.containerPort === p.port)).toBe(true);
      }
    }
    expect(named('Service', 'information-server')?.spec?.ports?.map((p) => p.port)).toEqual([8080, 9101]);
    expect(named('Service', 'data-server')?.spec?.ports?.map((p) => p.port)).toEqual([9102]);
    expect(named('Service', 'message-server')?.spec?.ports?.map((p) => p.port)).toEqual([9103]);
  });

  it('keeps secrets out of ConfigMaps, and only placeholders in the Secret', () => {
    for (const c of ofKind('ConfigMap')) {
      for (const [key, value] of Object.entries(c.data ?? {})) {
        expect({ key, secretName: /_KEYS?$|TOKEN|SECRET|PASSWORD/.test(key) }).toEqual({ key, secretName: false });
        expect({ key, credentials: /\/\/[^/@\s]*:[^/@\s]*@/.test(value) }).toEqual({ key, credentials: false });
      }
    }
    const [secret, ...others] = ofKind('Secret');
    expect(others).toEqual([]);
    expect(Object.values(secret?.stringData ?? {}).every((v) => v === 'CHANGE-ME')).toBe(true);
    expect(secret?.data).toBeUndefined();
  });

  it('never applies the Secret with the rest: re-applying a release keeps the real one', () => {
    expect(ofKind('Secret').map((s) => s.file)).toEqual([secretExample]);
    expect(kustomization.resources).not.toContain(secretExample);
    expect(kustomization.secretGenerator).toBeUndefined();
  });

  // What an operator puts in the Secret: a value each schema accepts.
  const sample = (key: string) =>
    key.endsWith('_KEYS')
      ? `k1:${Buffer.alloc(32, 7).toString('base64')}`
      : key === 'ADMIN_TOKENS'
        ? `ops:${'t'.repeat(32)}`
        : key === 'SMPP_PASSWORD'
          ? 'a1b2c3d4'
          : 'c0ffee'.repeat(6);

  /** The environment a container gets: ConfigMaps, then its own variables with `$(VAR)` expanded. */
  function environment(c: Container): Record<string, string> {
    const env: Record<string, string> = {};
    const fromSecret = new Set<string>();
    for (const from of c.envFrom ?? []) {
      expect(from.secretRef).toBeUndefined();
      Object.assign(env, named('ConfigMap', from.configMapRef?.name ?? '')?.data ?? {});
    }
    const stringData = ofKind('Secret')[0]?.stringData ?? {};
    for (const v of c.env ?? []) {
      const ref = v.valueFrom?.secretKeyRef;
      if (ref) {
        expect({ v: v.name, ref: ref.name, known: ref.key in stringData }).toEqual({ v: v.name, ref: 'outband-secrets', known: true });
        env[v.name] = sample(ref.key);
        fromSecret.add(v.name);
        continue;
      }
      // A literal never holds a secret: a password in a URL is a reference to the Secret's.
      expect({ v: v.name, secretName: /_KEYS$|TOKEN|SECRET|PASSWORD/.test(v.name) }).toEqual({ v: v.name, secretName: false });
      for (const [, password = ''] of (v.value ?? '').matchAll(/\/\/[^/@\s]*:([^/@\s]*)@/g)) {
        const name = /^\$\(([A-Z_]+)\)$/.exec(password)?.[1] ?? '';
        expect({ v: v.name, password, fromSecret: fromSecret.has(name) }).toEqual({ v: v.name, password, fromSecret: true });
      }
      env[v.name] = (v.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
    }
    return env;
  }

  const schemaKeys = (schema: z.ZodType): string[] =>
    schema instanceof z.ZodObject ? Object.keys(schema.shape) : schema instanceof z.ZodPipe ? schemaKeys(schema.in as z.ZodType) : [];

  it.each([
    ['information-server', informationServerEnv],
    ['data-server', dataServerEnv],
    ['message-server', messageServerEnv],
  ] as const)('gives %s an environment its config schema accepts, with no unknown variable', (name, schema) => {
    const container = named('Deployment', name)?.spec?.template?.spec.containers[0];
    const env = environment(container ?? { name });
    expect(() => schema.parse(env)).not.toThrow();
    const known = new Set([...schemaKeys(schema), ...helpers, 'NODE_OPTIONS']);
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    expect(env.AMQP_URL).toMatch(new RegExp(`^amqp://outband-${name.replace('-server', '')}:`));
  });

  it('migrates with a Job the servers wait for, running the CLIs of `pnpm migrate` in order', () => {
    const job = named('Job', 'outband-migrate')?.spec?.template?.spec;
    const commands = [...(job?.initContainers ?? []), ...(job?.containers ?? [])].map((c) => c.command?.join(' '));
    const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Labels }).scripts.migrate ?? '';
    expect(commands).toEqual(script.split(' && ').filter((s) => s.startsWith('node ')));
    for (const command of commands) {
      const file = command?.split(' ')[1] ?? '';
      expect(existsSync(join(root, file.replace('/dist/', '/src/').replace(/\.js$/, '.ts')))).toBe(true);
    }
    for (const c of [...(job?.initContainers ?? []), ...(job?.containers ?? [])]) {
      expect(() => dataServerEnv.pick({ DATABASE_URL: true }).parse(environment(c))).not.toThrow();
    }
    expect(named('ConfigMap', 'outband-data-server')?.data?.MIGRATE_ON_START).toBe('false');
    expect(named('ConfigMap', 'outband-message-server')?.data?.MIGRATE_ON_START).toBe('false');
    // A finished Job goes away by itself, so the next release's apply can create it again.
    expect(named('Job', 'outband-migrate')?.spec?.ttlSecondsAfterFinished).toBeGreaterThan(0);
  });

  it('runs only what the image builds, and the image builds the `outband` command the docs run', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const built = /RUN pnpm exec tsc -b ([^\\&\n]+)/.exec(dockerfile)?.[1]?.trim().split(/\s+/) ?? [];
    const run = containers.map((c) => /^(?:packages|services)\/[^/]+/.exec(c.command?.[1] ?? '')?.[0] ?? c.name);
    expect(built).toEqual(expect.arrayContaining([...new Set(run), 'packages/cli']));
    expect(readFileSync(join(root, 'docs/kubernetes.md'), 'utf8')).toContain('node packages/cli/dist/outband.js migrate --unlock');
    expect(readFileSync(join(root, 'packages/cli/src/outband.ts'), 'utf8')).toContain("'migrate --unlock'");
  });

  it('denies all traffic to and from Outband pods but what a policy allows, and gives each pod its policy', () => {
    const policies = ofKind('NetworkPolicy');
    const deny = policies.find(
      (p) => !p.spec?.ingress && !p.spec?.egress && selects(p.spec?.podSelector?.matchLabels, { 'app.kubernetes.io/part-of': 'outband' }),
    );
    expect(deny?.spec?.policyTypes?.sort()).toEqual(['Egress', 'Ingress']);
    expect(deny?.spec?.podSelector?.matchLabels).toEqual({ 'app.kubernetes.io/part-of': 'outband' });
    for (const { labels } of pods.map((p) => p.metadata)) {
      expect(labels['app.kubernetes.io/part-of']).toBe('outband');
      const own = policies.filter(
        (p) =>
          p !== deny && selects(p.spec?.podSelector?.matchLabels, labels) && p.spec?.podSelector?.matchLabels?.['app.kubernetes.io/name'],
      );
      expect({ pod: labels['app.kubernetes.io/name'], policies: own.length }).toEqual({
        pod: labels['app.kubernetes.io/name'],
        policies: 1,
      });
    }
    const ingressPorts = (name: string) =>
      named('NetworkPolicy', name)?.spec?.ingress?.flatMap((r) => (r.ports ?? []).map((p) => p.port)) ?? [];
    expect(ingressPorts('information-server').sort()).toEqual([8080, 9101]);
    expect(ingressPorts('data-server')).toEqual([9102]);
    expect(ingressPorts('message-server')).toEqual([9103]);
  });
});
