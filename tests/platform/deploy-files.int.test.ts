import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dataServerEnv } from '@outband/data-server';
import { messageServerEnv } from '@outband/message-server';
import { informationServerEnv } from '@outband/information-server';
import { busNames } from '@outband/contracts';
import { sideQueues } from '@outband/bus';

// No Docker engine runs here: these checks keep docker-compose.yml and the Dockerfile honest.
const root = join(__dirname, '../..');
interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { required?: boolean }>;
  ports?: string[];
  expose?: string[];
  profiles?: string[];
  networks?: string[];
  volumes?: string[];
}
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean } | null>;
};
/** What an operator's .env holds (see README): keys and one password per account. */
const passwords = {
  MYSQL_ROOT_PASSWORD: 'e'.repeat(32),
  MYSQL_PASSWORD: 'f'.repeat(32),
  REDIS_PASSWORD: '1'.repeat(32),
  OUTBAND_INFORMATION_AMQP_PASSWORD: '2'.repeat(32),
  OUTBAND_DATA_AMQP_PASSWORD: '3'.repeat(32),
  OUTBAND_MESSAGE_AMQP_PASSWORD: '4'.repeat(32),
  SMPP_PASSWORD: '5'.repeat(8),
  NETWORK_CLIENT_SECRET: '7'.repeat(32),
  MNP_API_KEY: '8'.repeat(32),
  GRAFANA_ADMIN_PASSWORD: '6'.repeat(24),
};
const dotEnv: Record<string, string> = {
  CODE_KEYS: `k1:${'a'.repeat(43)}=`,
  CODE_MAC_KEYS: `k1:${'b'.repeat(43)}=`,
  BUS_SEAL_KEYS: `k1:${'c'.repeat(43)}=`,
  CONTENT_KEYS: `k1:${'d'.repeat(43)}=`,
  ...passwords,
};

/** Resolves `${VAR}`, `${VAR:-default}` and `${VAR:?message}` as compose does. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op: string | undefined, arg: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== '') {
      return v;
    }
    if (op === '?') {
      throw new Error(`${name}: ${arg ?? 'required'}`);
    }
    return op === '-' ? (arg ?? '') : '';
  });
}

function serviceEnv(name: string, env: Record<string, string>): Record<string, string> {
  const raw = compose.services[name]?.environment ?? {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), env)]));
}

describe('docker-compose.yml', () => {
  it('runs the broker, cache, database, simulators and the three services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'bank-simulator',
        'data-server',
        'grafana',
        'information-server',
        'message-server',
        'mysql',
        'network-simulator',
        'prometheus',
        'rabbitmq',
        'redis',
        'smsc-simulator',
      ].sort(),
    );
  });

  it('gives each service an environment its own config schema accepts', () => {
    expect(() => dataServerEnv.parse(serviceEnv('data-server', dotEnv))).not.toThrow();
    expect(() => messageServerEnv.parse(serviceEnv('message-server', dotEnv))).not.toThrow();
    expect(() => informationServerEnv.parse(serviceEnv('information-server', dotEnv))).not.toThrow();
  });

  it('refuses to start without keys instead of defaulting them', () => {
    expect(() => serviceEnv('data-server', passwords)).toThrow(/BUS_SEAL_KEYS|CODE_KEYS/);
  });

  it('has no default password: each one must be set, and none is written in the file', () => {
    const users = ['rabbitmq', 'redis', 'mysql', 'data-server', 'message-server', 'information-server', 'grafana', 'smsc-simulator'];
    for (const name of Object.keys(passwords)) {
      const without = Object.fromEntries(Object.entries(dotEnv).filter(([k]) => k !== name));
      const refused = users.filter((service) => {
        try {
          serviceEnv(service, without);
          return false;
        } catch (e) {
          return (e as Error).message.startsWith(`${name}:`);
        }
      });
      expect({ name, refused: refused.length > 0 }).toEqual({ name, refused: true });
    }
    // No `${…PASSWORD:-default}`, no literal value for a password variable, no `user:password@` but a variable.
    expect(composeText).not.toMatch(/\$\{[A-Z_]*(PASS|SECRET|KEY)[A-Z_]*:-/);
    for (const [service, s] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (/PASS|SECRET/.test(key)) {
          expect({ service, key, value }).toEqual({ service, key, value: expect.stringMatching(/^\$\{[A-Z_]+:\?[^}]+\}$/) });
        }
        for (const [, credential] of String(value).matchAll(/\/\/[^/:@]*:([^@]*)@/g)) {
          expect({ service, key, credential }).toEqual({ service, key, credential: expect.stringMatching(/^\$\{[A-Z_]+(:\?[^}]+)?\}$/) });
        }
      }
    }
    expect(composeText).not.toMatch(/outband-root|outband:outband|-poutband|:-secret/);
  });

  it("publishes the information server's API port and nothing else", () => {
    const published = Object.entries(compose.services).filter(([, s]) => (s.ports ?? []).length > 0);
    expect(published).toEqual([['information-server', expect.objectContaining({ ports: ['8080:8080'] })]]);
  });

  it('keeps the simulators behind the demo profile, and no service needs them', () => {
    for (const name of ['smsc-simulator', 'bank-simulator', 'network-simulator']) {
      expect(compose.services[name]?.profiles).toEqual(['demo']);
      for (const [service, s] of Object.entries(compose.services)) {
        const dependency = s.depends_on?.[name];
        if (dependency) {
          expect({ service, name, required: dependency.required }).toEqual({ service, name, required: false });
        }
      }
    }
    const profiled = Object.entries(compose.services).filter(([, s]) => s.profiles !== undefined);
    expect(profiled.map(([name]) => name).sort()).toEqual(['bank-simulator', 'network-simulator', 'smsc-simulator']);
  });

  it('keeps the broker, cache and database, and the ops ports, on networks with no way in or out', () => {
    expect(compose.networks.backend?.internal).toBe(true);
    expect(compose.networks.ops?.internal).toBe(true);
    for (const name of ['rabbitmq', 'redis', 'mysql']) {
      expect(compose.services[name]?.networks).toEqual(['backend']);
    }
    for (const name of ['prometheus', 'grafana']) {
      expect(compose.services[name]?.networks).toEqual(['ops']);
    }
  });

  it("runs each service as its own broker user, in the broker's vhost, trusting the right callers", () => {
    const definitions = JSON.parse(readFileSync(join(root, 'infra/rabbitmq/definitions.json'), 'utf8')) as {
      vhosts: Array<{ name: string }>;
      users: Array<{ name: string; password_hash: string }>;
    };
    const amqp = (service: string) => new URL(serviceEnv(service, dotEnv).AMQP_URL ?? '');
    const user = (service: string) => amqp(service).username;
    expect(definitions.users.map((u) => u.name).sort()).toEqual(
      [user('data-server'), user('information-server'), user('message-server')].sort(),
    );
    // Passwords are set at start from the environment, never stored in the repository.
    expect(definitions.users.every((u) => u.password_hash === '')).toBe(true);
    for (const service of ['data-server', 'message-server', 'information-server']) {
      expect(amqp(service).pathname).toBe(`/${definitions.vhosts[0]?.name}`);
    }
    const data = dataServerEnv.parse(serviceEnv('data-server', dotEnv));
    expect(data.RPC_TRUSTED_USERS).toEqual([user('information-server')]);
    expect(data.MESSAGE_SERVER_USERS).toEqual([user('message-server')]);
    expect(messageServerEnv.parse(serviceEnv('message-server', dotEnv)).DATA_SERVER_USERS).toEqual([user('data-server')]);
    const broker = compose.services.rabbitmq?.volumes ?? [];
    expect(broker).toContain('./infra/rabbitmq/definitions.json:/etc/rabbitmq/definitions.json:ro');
    expect(readFileSync(join(root, 'infra/rabbitmq/rabbitmq.conf'), 'utf8')).toMatch(
      /^load_definitions = \/etc\/rabbitmq\/definitions\.json$/m,
    );
  });

  it("lets only the data server configure the topology, and nobody else's queues be read", () => {
    const definitions = JSON.parse(readFileSync(join(root, 'infra/rabbitmq/definitions.json'), 'utf8')) as {
      permissions: Array<{ user: string; configure: string; write: string; read: string }>;
    };
    const perms = (user: string) => definitions.permissions.find((p) => p.user === user);
    const names = busNames('outband');
    const queues = [names.dataRpcQueue, names.messageSendQueue, names.messageStatusQueue, names.inboundQueue];
    const everything = [names.eventsExchange, names.deadExchange, ...queues.flatMap((q) => [q, sideQueues(q).retry, sideQueues(q).dead])];
    const matches = (regex: string | undefined, name: string) => new RegExp(regex ?? '^$').test(name);
    expect(everything.filter((n) => !matches(perms('outband-data')?.configure, n))).toEqual([]);
    for (const user of ['outband-information', 'outband-message']) {
      expect(everything.filter((n) => matches(perms(user)?.configure, n))).toEqual([]);
    }
    expect(everything.filter((n) => matches(perms('outband-information')?.read, n))).toEqual([]);
    expect(everything.filter((n) => matches(perms('outband-information')?.write, n))).toEqual([]);
    expect(everything.filter((n) => matches(perms('outband-message')?.read, n))).toEqual([names.messageSendQueue]);
  });

  it('starts commands that the build produces', () => {
    for (const service of Object.values(compose.services)) {
      const script = service.command?.[1];
      if (service.command?.[0] === 'node' && script) {
        expect({ script, exists: existsSync(join(root, script.replace('/dist/', '/src/').replace(/\.js$/, '.ts'))) }).toEqual({
          script,
          exists: true,
        });
      }
    }
  });
});

describe('Dockerfile', () => {
  it('copies the manifest of every workspace package before installing', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    for (const dir of ['packages', 'services']) {
      for (const name of readdirSync(join(root, dir))) {
        expect(dockerfile).toContain(`COPY ${dir}/${name}/package.json ${dir}/${name}/`);
      }
    }
  });
});

describe('Prometheus and Grafana (infra/)', () => {
  const promtool = (...args: string[]) => {
    const r = spawnSync('promtool', args, { cwd: join(root, 'infra/prometheus'), encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  it('has a Prometheus config and alert rules that promtool accepts', () => {
    expect(promtool('check', 'config', 'prometheus.yml')).toMatchObject({ status: 0 });
    expect(promtool('check', 'rules', 'rules/outband.rules.yml')).toMatchObject({ status: 0 });
  });

  it('fires each alert on the series its unit tests give, and only then (promtool test rules)', () => {
    const r = promtool('test', 'rules', 'rules/outband.rules.test.yml');
    expect(r).toMatchObject({ status: 0 });
    expect(r.out).toContain('SUCCESS');
  });

  it('scrapes every service compose runs, on the port it exposes to the ops network', () => {
    const config = parse(readFileSync(join(root, 'infra/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = config.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(['data-server:9102', 'information-server:9101', 'message-server:9103']);
    for (const target of targets) {
      const [service = '', port = ''] = target.split(':');
      expect(compose.services[service]?.expose).toContain(port);
      expect(compose.services[service]?.networks).toContain('ops');
      expect(compose.services[service]?.ports ?? []).not.toContain(`${port}:${port}`);
    }
  });

  it('provisions Grafana with the Prometheus data source and the dashboard folder compose mounts', () => {
    const sources = parse(readFileSync(join(root, 'infra/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: Array<{ uid: string; url: string }>;
    };
    expect(sources.datasources[0]).toMatchObject({ uid: 'outband-prometheus', url: 'http://prometheus:9090' });
    const dashboard = JSON.parse(readFileSync(join(root, 'infra/grafana/dashboards/outband.json'), 'utf8')) as {
      panels: Array<{ datasource: { uid: string } }>;
    };
    expect(dashboard.panels.every((p) => p.datasource.uid === 'outband-prometheus')).toBe(true);
    const volumes = compose.services.grafana?.volumes ?? [];
    expect(volumes).toContain('./infra/grafana/dashboards:/var/lib/grafana/dashboards:ro');
  });
});
