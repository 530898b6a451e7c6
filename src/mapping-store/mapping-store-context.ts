/**
 * What the operations of the mapping store share: the Redis client, the keys (see the table in
 * mapping-store.ts), the change channel, and the parsing of mapping texts (the upload check, and
 * stored revisions parsed once per text).
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { EvidenceMapping } from '../mapping/model.js';
import { parseMappingSource, type MappingProblem } from '../mapping/parse.js';
import { withStoreVersion } from '../mapping/versions.js';
import type { MappingStoreOptions } from './mapping-store-types.js';

export type RedisLike = Redis | Cluster;

export const MAPPING_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface StoreContext {
  readonly redis: RedisLike;
  readonly opts: MappingStoreOptions;
  readonly now: () => Date;
  readonly lockWaitMs: number;
  readonly k: ReturnType<typeof storeKeys>;
  readonly channel: string;
  /** Parsed revisions by digest: a text parses the same way every time. */
  readonly parsed: Map<string, EvidenceMapping>;
}

function storeKeys(p: string) {
  return {
    ids: `${p}ids`,
    stamp: `${p}stamp`,
    lock: `${p}lock`,
    head: (id: string) => `${p}m:${id}`,
    rev: (id: string, n: number) => `${p}m:${id}:r:${String(n)}`,
    digests: (id: string) => `${p}m:${id}:digests`,
    log: (id: string) => `${p}m:${id}:log`,
  };
}

export function createStoreContext(redis: RedisLike, opts: MappingStoreOptions): StoreContext {
  return {
    redis,
    opts,
    now: opts.now ?? (() => new Date()),
    lockWaitMs: opts.lockWaitMs ?? 10_000,
    k: storeKeys(opts.prefix),
    channel: `${opts.prefix}changed`,
    parsed: new Map(),
  };
}

/** The check an upload runs (`mappings validate`'s), without storing. */
export function checkMapping(
  s: StoreContext,
  id: string,
  text: string,
  fileName = `${id}.yaml`,
): { ok: true; mapping: EvidenceMapping } | { ok: false; problems: readonly MappingProblem[] } {
  if (!MAPPING_ID.test(id))
    return {
      ok: false as const,
      problems: [
        {
          file: fileName,
          line: undefined,
          field: '',
          message: `"${id}" is not a mapping id`,
          hint: 'use lower-case letters, digits and hyphens, e.g. lv-birth-certificate (the file name without .yaml)',
        },
      ],
    };
  const r = parseMappingSource(text, fileName, s.opts.schema, { definitions: s.opts.definitions?.() });
  return r.ok ? { ok: true as const, mapping: r.mapping } : { ok: false as const, problems: r.problems };
}

/** A stored revision parsed (cached by text) and given its store version. */
export function parseStored(
  s: StoreContext,
  id: string,
  revision: number,
  text: string,
): { mapping?: EvidenceMapping; problems?: readonly MappingProblem[] } {
  const cacheKey = `${id}\u0000${sha256(text)}`;
  let m = s.parsed.get(cacheKey);
  if (m === undefined) {
    const r = parseMappingSource(text, `${id}.yaml`, s.opts.schema);
    if (!r.ok) return { problems: r.problems };
    m = r.mapping;
    if (s.parsed.size > 500) s.parsed.clear();
    s.parsed.set(cacheKey, m);
  }
  return { mapping: withStoreVersion(m, revision) };
}
