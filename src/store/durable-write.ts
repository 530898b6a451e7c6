/**
 * Writes that are confirmed durable before they count (REDIS_DURABILITY `fsync` or `replica`).
 *
 * WAIT and WAITAOF confirm the writes made *on the connection that sends them*, and block that
 * connection until they return. So a confirmed write runs its script and the confirmation back to
 * back, in one pipeline, on a connection of its own: the shared, auto-pipelined connection (intake
 * reads, readiness PINGs, worker steps) never waits behind a WAIT, and the WAIT covers exactly the
 * write before it. On Redis Cluster the pipeline goes to the node that owns the script's keys
 * (ioredis routes a pipeline by its keyed commands), so the confirmation comes from the master
 * that took the write, not from a random one.
 *
 * A confirmation that does not come within `timeoutMs` fails the write with ERR_REDIS_UNAVAILABLE
 * (the write itself may have been applied: every caller is idempotent). After such a failure the
 * writer refuses at once, without writing, for `coolDownMs`: while no replica answers, intake
 * turns requests away with a fast 503 instead of making each wait out its own timeout in line.
 */
import type { Cluster, Redis } from 'ioredis';
import { AdapterError } from '../errors.js';
import type { LuaScript } from '../infra/lua-script.js';

export type Durability = 'write' | 'fsync' | 'replica';

export interface DurableWriterOptions {
  /** A connection used for nothing else (not auto-pipelined). */
  readonly client: Redis | Cluster;
  readonly mode: Exclude<Durability, 'write'>;
  /** Timeout of one WAIT / WAITAOF, ms. */
  readonly timeoutMs: number;
  /** How long to refuse at once after a failed confirmation, ms. Default 2 × timeoutMs. */
  readonly coolDownMs?: number;
  readonly now?: () => number;
}

export interface DurableWriter {
  /** Runs `script` and confirms it per the mode; resolves with the script's reply. */
  run(script: LuaScript, keys: readonly string[], args: readonly (string | Buffer)[]): Promise<unknown>;
  /** Why writes are refused right now (the last confirmation failed), or undefined. */
  refusing(): string | undefined;
}

type Replies = [Error | null, unknown][] | null;

export function createDurableWriter(opts: DurableWriterOptions): DurableWriter {
  const now = opts.now ?? Date.now;
  const coolDownMs = opts.coolDownMs ?? 2 * opts.timeoutMs;
  let failedAt = -Infinity;
  let reason = '';
  const [confirmCommand, ...confirmArgs] =
    opts.mode === 'fsync' ? ['WAITAOF', '1', '0', String(opts.timeoutMs)] : ['WAIT', '1', String(opts.timeoutMs)];
  const what = opts.mode === 'fsync' ? 'the local AOF fsync (WAITAOF)' : 'the write on a replica (WAIT)';

  const pipelined = async (first: (p: ReturnType<Redis['pipeline']>) => void): Promise<[Error | null, unknown][]> => {
    const p = opts.client.pipeline();
    first(p);
    p.call(confirmCommand, ...confirmArgs);
    const replies: Replies = await p.exec();
    if (replies === null) throw new AdapterError('ERR_REDIS_UNAVAILABLE', 'Redis pipeline aborted');
    return replies;
  };

  const fail = (message: string): never => {
    failedAt = now();
    reason = message;
    throw new AdapterError('ERR_REDIS_UNAVAILABLE', message);
  };

  return {
    refusing() {
      return now() - failedAt < coolDownMs ? reason : undefined;
    },

    async run(script, keys, args) {
      if (now() - failedAt < coolDownMs)
        throw new AdapterError('ERR_REDIS_UNAVAILABLE', `refusing writes for now: ${reason}`);
      let replies = await pipelined((p) => p.evalsha(script.sha, keys.length, ...keys, ...args));
      if (replies[0]![0]?.message.startsWith('NOSCRIPT') === true)
        replies = await pipelined((p) => p.eval(script.source, keys.length, ...keys, ...args));
      const [scriptError, reply] = replies[0]!;
      if (scriptError !== null) throw scriptError;
      const [confirmError, confirmed] = replies[1]!;
      if (confirmError !== null) fail(`Redis refused ${what}: ${confirmError.message}`);
      const count = Array.isArray(confirmed) ? Number(confirmed[0]) : Number(confirmed);
      if (!(count >= 1)) fail(`Redis did not confirm ${what} within ${opts.timeoutMs} ms`);
      failedAt = -Infinity;
      return reply;
    },
  };
}
