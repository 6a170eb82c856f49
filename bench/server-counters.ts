import { Redis } from 'ioredis';
import { openDatabase } from '@outband/db';
import { servers } from './outband-suite';

/** Work the shared servers did so far: MariaDB statements and commits, Redis commands. */
export interface ServerCounters {
  sqlStatements: number;
  sqlCommits: number;
  redisCommands: number;
}

/**
 * Reads the servers' own counters (MariaDB's global status, Redis's INFO), so a level's work per
 * start is measured, not estimated: every process's statements count, the message server's too.
 */
export async function serverCounters(): Promise<ServerCounters> {
  const db = openDatabase(servers.mysql, { min: 0, max: 1 });
  const redis = new Redis(servers.redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const [rows] = (await db.raw("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_commit')")) as [
      Array<{ Variable_name: string; Value: string }>,
    ];
    const status = new Map(rows.map((r) => [r.Variable_name, Number(r.Value)]));
    await redis.connect();
    const info = await redis.info('stats');
    const commands = Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
    // Minus this reader's own statement and commands.
    return { sqlStatements: (status.get('Questions') ?? 0) - 1, sqlCommits: status.get('Com_commit') ?? 0, redisCommands: commands - 1 };
  } finally {
    redis.disconnect();
    await db.destroy();
  }
}
