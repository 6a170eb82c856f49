import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dataServerEnv } from '@outband/data-server';
import { messageServerEnv } from '@outband/message-server';
import { informationServerEnv } from '@outband/information-server';

// No Docker engine runs here: these checks keep docker-compose.yml and the Dockerfile honest.
const root = join(__dirname, '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; depends_on?: Record<string, unknown> }>;
};
const dotEnv: Record<string, string> = {
  CODE_KEYS: `k1:${'a'.repeat(43)}=`,
  CODE_MAC_KEYS: `k1:${'b'.repeat(43)}=`,
  BUS_SEAL_KEYS: `k1:${'c'.repeat(43)}=`,
  CONTENT_KEYS: `k1:${'d'.repeat(43)}=`,
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
    expect(() => serviceEnv('data-server', {})).toThrow(/BUS_SEAL_KEYS|CODE_KEYS/);
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

  it('scrapes every service compose runs, on the port it publishes', () => {
    const config = parse(readFileSync(join(root, 'infra/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = config.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(['data-server:9102', 'information-server:9101', 'message-server:9103']);
    for (const target of targets) {
      const [service = '', port = ''] = target.split(':');
      expect((compose.services[service] as { ports?: string[] } | undefined)?.ports).toContain(`${port}:${port}`);
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
    const volumes = (compose.services.grafana as { volumes?: string[] } | undefined)?.volumes ?? [];
    expect(volumes).toContain('./infra/grafana/dashboards:/var/lib/grafana/dashboards:ro');
  });
});
