import { createConnection } from 'node:net';
import { servers } from './servers';

/** Integration tests never skip: a missing server fails the run at once, naming it. */
export default async function globalSetup(): Promise<void> {
  const targets = [
    {
      name: 'MariaDB/MySQL',
      url: servers.mysql,
      port: 3306,
      hint: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
    },
    { name: 'Redis', url: servers.redis, port: 6379, hint: 'redis-server --daemonize yes' },
    { name: 'RabbitMQ', url: servers.amqp, port: 5672, hint: 'rabbitmq-server -detached' },
  ];
  const missing: string[] = [];
  await Promise.all(
    targets.map(async (t) => {
      const u = new URL(t.url);
      const port = Number(u.port || t.port);
      const ok = await new Promise<boolean>((resolve) => {
        const socket = createConnection({ host: u.hostname, port, timeout: 2000 });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
        socket.once('timeout', () => {
          socket.destroy();
          resolve(false);
        });
      });
      if (!ok) {
        missing.push(
          `${t.name} is not reachable at ${u.hostname}:${port} (start it with: ${t.hint}, or docker compose -f infra/compose.test.yml up -d)`,
        );
      }
    }),
  );
  if (missing.length > 0) {
    throw new Error(`integration tests need local servers:\n  ${missing.join('\n  ')}`);
  }
}
