import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection';
import { readLuaFile } from './lua-file';

/**
 * A Lua script run by its SHA (EVALSHA), so hot paths do not send the script text on every
 * call; when Redis does not know it yet (a restart, a new node), it is sent once with EVAL.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** The script in `<name>.lua` beside the caller: pass the caller's `__dirname`. */
  static fromFile(dir: string, name: string): LuaScript {
    return new LuaScript(readLuaFile(dir, name));
  }

  async run(redis: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('NOSCRIPT')) {
        return redis.eval(this.lua, keys.length, ...keys, ...args);
      }
      throw e;
    }
  }
}
