/**
 * The answer deadlines of exchanges left without an answer by a job run (a base registry still
 * failing, or waiting for the same request's answer): a sorted set ref → deadline (epoch ms),
 * read by the deadline sweep (src/worker/deadlines.ts). Holds references only.
 */
import type { Cluster, Redis } from 'ioredis';

export interface DeadlineBook {
  /** Remembers the deadline of `ref`; the first one given stays. */
  add(ref: string, atMs: number): Promise<void>;
  /** Refs whose deadline is at or before `nowMs`, oldest first. */
  due(nowMs: number, limit: number): Promise<string[]>;
  remove(ref: string): Promise<void>;
}

export function createDeadlineBook(redis: Redis | Cluster, prefix: string): DeadlineBook {
  const key = `${prefix}deadlines`;
  return {
    async add(ref, atMs) {
      await redis.zadd(key, 'NX', atMs, ref);
    },
    due: (nowMs, limit) => redis.zrangebyscore(key, '-inf', String(nowMs), 'LIMIT', 0, limit),
    async remove(ref) {
      await redis.zrem(key, ref);
    },
  };
}
