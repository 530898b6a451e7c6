/**
 * A Lua script run by its SHA-1 (EVALSHA), loaded with EVAL only when the server does not know it
 * yet (first use, or after a restart or SCRIPT FLUSH). Saves sending and hashing the source on
 * every call, which on the hot path is most of a small script's cost.
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

export interface LuaScript {
  /** SHA-1 of the source (what EVALSHA names the script by). */
  readonly sha: string;
  readonly source: string;
  run(redis: Redis | Cluster, keys: readonly string[], args: readonly (string | Buffer)[]): Promise<unknown>;
  /** The same, with bulk replies as Buffers (for scripts that return sealed values). */
  runBuffer(redis: Redis | Cluster, keys: readonly string[], args: readonly (string | Buffer)[]): Promise<unknown>;
}

/**
 * ioredis defines a `…Buffer` variant of every command at run time but does not type these two.
 * (`callBuffer('EVALSHA', …)` would do, but loses its command name under auto-pipelining.)
 */
interface BufferEval {
  evalshaBuffer(sha: string, numKeys: number, ...rest: (string | Buffer)[]): Promise<unknown>;
  evalBuffer(source: string, numKeys: number, ...rest: (string | Buffer)[]): Promise<unknown>;
}

const noScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');

export function luaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source, 'utf8').digest('hex');
  return {
    sha,
    source,
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!noScript(error)) throw error;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    },
    async runBuffer(redis, keys, args) {
      try {
        return await (redis as unknown as BufferEval).evalshaBuffer(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!noScript(error)) throw error;
        return (redis as unknown as BufferEval).evalBuffer(source, keys.length, ...keys, ...args);
      }
    },
  };
}
