import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servers } from './servers';

/** The services' broker users as docker-compose.yml's broker loads them. */
export const definitionsFile = join(__dirname, '../../infra/rabbitmq/definitions.json');

export type Service = 'information' | 'data' | 'message';

interface Definitions {
  vhosts: Array<{ name: string }>;
  users: Array<{ name: string }>;
  permissions: Array<{ user: string; vhost: string }>;
  topic_permissions: Array<{ user: string; vhost: string }>;
}

export interface BrokerUsers {
  vhost: string;
  /** Each service's user name in the temporary vhost. */
  names: Record<Service, string>;
  /** An AMQP URL that logs in as the service's user into the temporary vhost. */
  url(service: Service): string;
  remove(): void;
}

const ctl = (args: string[]) => execFileSync('rabbitmqctl', ['-q', ...args], { encoding: 'utf8' });

/**
 * Loads infra/rabbitmq/definitions.json into a fresh vhost with fresh user names (the regexes
 * untouched), with rabbitmqctl on the local node, and gives the users random passwords, as the
 * compose broker does at start.
 */
export function createBrokerUsers(): BrokerUsers {
  const id = `t${randomBytes(4).toString('hex')}`;
  const vhost = `outband-${id}`;
  const rename = (name: string) => name.replace(/^outband-/, `${id}-`);
  const defs = JSON.parse(readFileSync(definitionsFile, 'utf8')) as Definitions;
  defs.vhosts = [{ name: vhost }];
  defs.users = defs.users.map((u) => ({ ...u, name: rename(u.name) }));
  defs.permissions = defs.permissions.map((p) => ({ ...p, user: rename(p.user), vhost }));
  defs.topic_permissions = defs.topic_permissions.map((p) => ({ ...p, user: rename(p.user), vhost }));
  const names: Record<Service, string> = {
    information: `${id}-information`,
    data: `${id}-data`,
    message: `${id}-message`,
  };
  const passwords = Object.fromEntries(Object.values(names).map((n) => [n, randomBytes(16).toString('hex')]));
  // rabbitmqctl reads the file as the broker's system user: world-readable, it holds no password.
  const file = join(tmpdir(), `outband-definitions-${id}.json`);
  writeFileSync(file, JSON.stringify(defs), { mode: 0o644 });
  try {
    ctl(['import_definitions', file]);
  } finally {
    rmSync(file, { force: true });
  }
  for (const [name, password] of Object.entries(passwords)) {
    ctl(['change_password', name, password]);
  }
  return {
    vhost,
    names,
    url(service) {
      const u = new URL(servers.amqp);
      u.username = names[service];
      u.password = passwords[names[service]] ?? '';
      u.pathname = `/${encodeURIComponent(vhost)}`;
      return u.toString();
    },
    remove() {
      ctl(['delete_vhost', vhost]);
      for (const name of Object.values(names)) {
        ctl(['delete_user', name]);
      }
    },
  };
}

/** Gives the local administrator (the test's own connection) every permission on the vhost, to look inside it. */
export function grantAdministrator(vhost: string): void {
  const user = decodeURIComponent(new URL(servers.amqp).username) || 'guest';
  ctl(['set_permissions', '-p', vhost, user, '.*', '.*', '.*']);
}
