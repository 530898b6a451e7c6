/**
 * The versioned mapping store in Redis: every uploaded (or imported) mapping text is kept as a
 * numbered revision of its mapping id, one revision per id is active, and every change is
 * published so that each api and worker process swaps its in-process registry without a restart
 * (`live-mappings.ts`). The rules (names of versions, roll-back target, evidence type conflicts)
 * are in `src/mapping/versions.ts`; the checks are the CLI's (`parseMappingSource`).
 *
 * Keys (all under `prefix`; keep a {hash tag} in it on Redis Cluster):
 *   ids                  set of mapping ids
 *   m:<id>               hash: head (highest revision), active (revision; absent = inactive)
 *   m:<id>:r:<n>         hash: text, meta (JSON StoredRevision)
 *   m:<id>:digests       hash: SHA-256 of a text → its revision (the same text is stored once)
 *   m:<id>:log           list of JSON HistoryEvent, oldest first
 *   stamp                counter, incremented by every change (the periodic check compares it)
 *   lock                 short-lived writer lock (changes are rare admin actions; one at a time)
 * Channel `<prefix>changed`: `{stamp, id, action}` after every change.
 *
 * Mapping texts are configuration, not personal data: they are stored in clear.
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { withLock } from '../infra/lock.js';
import { AdapterError } from '../errors.js';
import type { DatasetDefinitions } from '../mapping/definitions.js';
import type { EvidenceMapping } from '../mapping/model.js';
import { parseMappingSource, type MappingProblem } from '../mapping/parse.js';
import {
  evidenceTypeConflicts,
  rollbackTarget,
  statusOf,
  storeVersion,
  withStoreVersion,
  type HistoryAction,
  type HistoryEvent,
  type MappingState,
  type StoredRevision,
} from '../mapping/versions.js';

type RedisLike = Redis | Cluster;

export interface MappingStoreOptions {
  /** Key prefix, e.g. `{oots}:mappings:`. */
  readonly prefix: string;
  /** The mapping schema (`readMappingSchema()`). */
  readonly schema: object;
  /** Dataset definitions uploads are checked against (as `mappings validate` does); none = fields unchecked. */
  readonly definitions?: (() => DatasetDefinitions | undefined) | undefined;
  /** Default Date. */
  readonly now?: (() => Date) | undefined;
  /** How long a change waits for the writer lock, ms. Default 10000. */
  readonly lockWaitMs?: number | undefined;
}

/** `activate` of an upload: `no`, `yes`, or only when no revision of the id is active (file import). */
export type ActivateMode = 'no' | 'yes' | 'when-none-active';

export interface UploadInput {
  readonly id: string;
  readonly text: string;
  /** Who uploads (admin user, `file`, `cli`); recorded in the history. */
  readonly actor: string;
  readonly source?: 'upload' | 'file';
  /** The name problems are reported under; default `<id>.yaml`. */
  readonly fileName?: string;
  readonly activate?: ActivateMode;
}

export type UploadResult =
  | {
      readonly ok: true;
      readonly id: string;
      readonly revision: number;
      /** The version responses record (`1.0.0+r3`). */
      readonly version: string;
      /** False when the same text was already stored (its revision is returned). */
      readonly created: boolean;
      readonly active: boolean;
    }
  | { readonly ok: false; readonly reason: 'invalid' | 'conflict'; readonly problems: readonly MappingProblem[] };

export type ChangeResult =
  | {
      readonly ok: true;
      readonly id: string;
      readonly active: number | undefined;
      readonly version: string | undefined;
      readonly changed: boolean;
    }
  | {
      readonly ok: false;
      readonly reason: 'not-found' | 'conflict' | 'no-target';
      readonly detail: string;
      readonly problems?: readonly MappingProblem[];
    };

export interface RevisionInfo extends StoredRevision {
  readonly version: string;
  readonly active: boolean;
}

export interface MappingSummary {
  readonly id: string;
  readonly status: 'active' | 'inactive';
  readonly active: number | undefined;
  /** Version of the active revision (`1.0.0+r3`). */
  readonly activeVersion: string | undefined;
  readonly title: { readonly lv: string; readonly en: string } | undefined;
  readonly evidenceTypes: readonly string[];
  /** Newest first. */
  readonly revisions: readonly RevisionInfo[];
}

export interface ActiveSet {
  /** The store stamp read before the mappings (a later change has a higher one). */
  readonly stamp: number;
  readonly mappings: readonly EvidenceMapping[];
  /** Active revisions that no longer parse (e.g. after a schema change); left out of the set. */
  readonly broken: readonly {
    readonly id: string;
    readonly revision: number;
    readonly problems: readonly MappingProblem[];
  }[];
}

export interface MappingStore {
  readonly channel: string;
  /** Checks `text` as `mappings validate` does and stores it as the next revision of `id`. */
  upload(input: UploadInput): Promise<UploadResult>;
  activate(id: string, revision: number, actor: string): Promise<ChangeResult>;
  deactivate(id: string, actor: string): Promise<ChangeResult>;
  /** Activates `to`, or the revision that was active before the current one. */
  rollback(id: string, actor: string, to?: number): Promise<ChangeResult>;
  list(): Promise<MappingSummary[]>;
  get(id: string): Promise<MappingSummary | undefined>;
  history(id: string): Promise<HistoryEvent[] | undefined>;
  text(id: string, revision: number): Promise<string | undefined>;
  /** The parsed revision with its store version; undefined when absent. */
  mapping(id: string, revision: number): Promise<EvidenceMapping | undefined>;
  stamp(): Promise<number>;
  activeSet(): Promise<ActiveSet>;
  /** The check an upload runs, without storing (`valid: true` with the parsed mapping). */
  check(
    id: string,
    text: string,
    fileName?: string,
  ): { ok: true; mapping: EvidenceMapping } | { ok: false; problems: readonly MappingProblem[] };
}

export const MAPPING_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function createMappingStore(redis: RedisLike, opts: MappingStoreOptions): MappingStore {
  const p = opts.prefix;
  const now = opts.now ?? (() => new Date());
  const lockWaitMs = opts.lockWaitMs ?? 10_000;
  const k = {
    ids: `${p}ids`,
    stamp: `${p}stamp`,
    lock: `${p}lock`,
    head: (id: string) => `${p}m:${id}`,
    rev: (id: string, n: number) => `${p}m:${id}:r:${String(n)}`,
    digests: (id: string) => `${p}m:${id}:digests`,
    log: (id: string) => `${p}m:${id}:log`,
  };
  const channel = `${p}changed`;
  // Parsed revisions by digest: a text parses the same way every time.
  const parsed = new Map<string, EvidenceMapping>();

  function check(id: string, text: string, fileName = `${id}.yaml`) {
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
    const r = parseMappingSource(text, fileName, opts.schema, { definitions: opts.definitions?.() });
    return r.ok ? { ok: true as const, mapping: r.mapping } : { ok: false as const, problems: r.problems };
  }

  function parseStored(
    id: string,
    revision: number,
    text: string,
  ): { mapping?: EvidenceMapping; problems?: readonly MappingProblem[] } {
    const cacheKey = `${id}\u0000${sha256(text)}`;
    let m = parsed.get(cacheKey);
    if (m === undefined) {
      const r = parseMappingSource(text, `${id}.yaml`, opts.schema);
      if (!r.ok) return { problems: r.problems };
      m = r.mapping;
      if (parsed.size > 500) parsed.clear();
      parsed.set(cacheKey, m);
    }
    return { mapping: withStoreVersion(m, revision) };
  }

  function locked<T>(fn: () => Promise<T>): Promise<T> {
    const onBusy = (): Error =>
      new AdapterError('ERR_REDIS_UNAVAILABLE', 'the mapping store is busy with another change; try again');
    return withLock(redis, k.lock, { ttlMs: 15_000, waitMs: lockWaitMs, onBusy }, fn);
  }

  async function readState(id: string): Promise<MappingState | undefined> {
    const head = await redis.hgetall(k.head(id));
    if (head['head'] === undefined) return undefined;
    const n = Number(head['head']);
    const metas =
      n === 0 ? [] : await Promise.all(Array.from({ length: n }, (_, i) => redis.hget(k.rev(id, i + 1), 'meta')));
    const revisions = metas.filter((m): m is string => m !== null).map((m) => JSON.parse(m) as StoredRevision);
    const log = await redis.lrange(k.log(id), 0, -1);
    return {
      id,
      revisions,
      active: head['active'] === undefined || head['active'] === '' ? undefined : Number(head['active']),
      history: log.map((e) => JSON.parse(e) as HistoryEvent),
    };
  }

  /** The parsed active mappings other than `id` (for the evidence type conflict check). */
  async function otherActive(id: string): Promise<EvidenceMapping[]> {
    const set = await activeSet();
    return set.mappings.filter((m) => m.id !== id);
  }

  async function commit(
    id: string,
    action: HistoryAction,
    build: (multi: ReturnType<RedisLike['multi']>) => void,
  ): Promise<void> {
    const multi = redis.multi();
    build(multi);
    multi.incr(k.stamp);
    const results = await multi.exec();
    if (results === null) throw new AdapterError('ERR_REDIS_UNAVAILABLE', 'the mapping store change was not applied');
    for (const [error] of results)
      if (error !== null)
        throw new AdapterError('ERR_REDIS_UNAVAILABLE', `the mapping store change failed: ${error.message}`, {
          cause: error,
        });
    const stamp = Number(results[results.length - 1]![1]);
    await redis.publish(channel, JSON.stringify({ stamp, id, action }));
  }

  const event = (action: HistoryAction, actor: string, revision: number | undefined, from?: number): string =>
    JSON.stringify({
      at: now().toISOString(),
      action,
      revision,
      actor,
      ...(from === undefined ? {} : { from }),
    } satisfies HistoryEvent);

  async function activeSet(): Promise<ActiveSet> {
    const stamp = Number((await redis.get(k.stamp)) ?? '0');
    const ids = (await redis.smembers(k.ids)).sort();
    const mappings: EvidenceMapping[] = [];
    const broken: { id: string; revision: number; problems: readonly MappingProblem[] }[] = [];
    await Promise.all(
      ids.map(async (id) => {
        const active = await redis.hget(k.head(id), 'active');
        if (active === null || active === '') return;
        const revision = Number(active);
        const text = await redis.hget(k.rev(id, revision), 'text');
        if (text === null) return;
        const r = parseStored(id, revision, text);
        if (r.mapping !== undefined) mappings.push(r.mapping);
        else broken.push({ id, revision, problems: r.problems ?? [] });
      }),
    );
    mappings.sort((a, b) => a.id.localeCompare(b.id));
    return { stamp, mappings, broken };
  }

  async function summary(id: string): Promise<MappingSummary | undefined> {
    const state = await readState(id);
    if (state === undefined) return undefined;
    let title: MappingSummary['title'];
    let evidenceTypes: readonly string[] = [];
    const shown = state.active ?? state.revisions[state.revisions.length - 1]?.revision;
    if (shown !== undefined) {
      const text = await redis.hget(k.rev(id, shown), 'text');
      const m = text === null ? undefined : parseStored(id, shown, text).mapping;
      title = m?.title;
      evidenceTypes = m?.evidenceTypes ?? [];
    }
    const activeRev = state.revisions.find((r) => r.revision === state.active);
    return {
      id,
      status: statusOf(state),
      active: state.active,
      activeVersion: activeRev === undefined ? undefined : storeVersion(activeRev.fileVersion, activeRev.revision),
      title,
      evidenceTypes,
      revisions: [...state.revisions]
        .reverse()
        .map((r) => ({ ...r, version: storeVersion(r.fileVersion, r.revision), active: r.revision === state.active })),
    };
  }

  async function setActive(
    id: string,
    target: number,
    actor: string,
    action: 'activated' | 'rolled-back',
  ): Promise<ChangeResult> {
    const state = await readState(id);
    if (state === undefined) return { ok: false, reason: 'not-found', detail: `no mapping ${id}` };
    const rev = state.revisions.find((r) => r.revision === target);
    if (rev === undefined)
      return { ok: false, reason: 'not-found', detail: `mapping ${id} has no revision ${String(target)}` };
    const version = storeVersion(rev.fileVersion, rev.revision);
    if (state.active === target) return { ok: true, id, active: target, version, changed: false };
    const text = await redis.hget(k.rev(id, target), 'text');
    const m = text === null ? undefined : parseStored(id, target, text).mapping;
    if (m === undefined)
      return {
        ok: false,
        reason: 'not-found',
        detail: `revision ${String(target)} of ${id} no longer passes the checks`,
      };
    const conflicts = evidenceTypeConflicts(m, await otherActive(id));
    if (conflicts.length > 0)
      return { ok: false, reason: 'conflict', detail: conflicts.map((c) => c.message).join('; '), problems: conflicts };
    await commit(id, action, (multi) => {
      multi.hset(k.head(id), 'active', String(target));
      multi.rpush(k.log(id), event(action, actor, target, action === 'rolled-back' ? state.active : undefined));
    });
    return { ok: true, id, active: target, version, changed: true };
  }

  return {
    channel,
    check,

    async upload(input) {
      const checked = check(input.id, input.text, input.fileName);
      if (!checked.ok) return { ok: false, reason: 'invalid', problems: checked.problems };
      const mode = input.activate ?? 'no';
      const digest = sha256(input.text);
      return locked(async (): Promise<UploadResult> => {
        const [existing, head] = await Promise.all([
          redis.hget(k.digests(input.id), digest),
          redis.hgetall(k.head(input.id)),
        ]);
        const active = head['active'] === undefined || head['active'] === '' ? undefined : Number(head['active']);
        const revision = existing !== null ? Number(existing) : Number(head['head'] ?? '0') + 1;
        const activate = mode === 'yes' || (mode === 'when-none-active' && active === undefined);
        if (activate && active !== revision) {
          const conflicts = evidenceTypeConflicts(checked.mapping, await otherActive(input.id));
          if (conflicts.length > 0) return { ok: false, reason: 'conflict', problems: conflicts };
        }
        const created = existing === null;
        const nowActive = activate ? revision : active;
        if (created || (activate && active !== revision)) {
          const meta: StoredRevision = {
            revision,
            fileVersion: checked.mapping.version,
            digest,
            uploadedAt: now().toISOString(),
            uploadedBy: input.actor,
            source: input.source ?? 'upload',
          };
          await commit(
            input.id,
            created ? (meta.source === 'file' ? 'imported' : 'uploaded') : 'activated',
            (multi) => {
              if (created) {
                multi.hset(k.rev(input.id, revision), 'text', input.text, 'meta', JSON.stringify(meta));
                multi.hset(k.digests(input.id), digest, String(revision));
                multi.hset(k.head(input.id), 'head', String(revision));
                multi.sadd(k.ids, input.id);
                multi.rpush(
                  k.log(input.id),
                  event(meta.source === 'file' ? 'imported' : 'uploaded', input.actor, revision),
                );
              }
              if (activate && active !== revision) {
                multi.hset(k.head(input.id), 'active', String(revision));
                multi.rpush(k.log(input.id), event('activated', input.actor, revision));
              }
            },
          );
        }
        return {
          ok: true,
          id: input.id,
          revision,
          version: storeVersion(checked.mapping.version, revision),
          created,
          active: nowActive === revision,
        };
      });
    },

    activate(id, revision, actor) {
      return locked(() => setActive(id, revision, actor, 'activated'));
    },

    deactivate(id, actor) {
      return locked(async (): Promise<ChangeResult> => {
        const state = await readState(id);
        if (state === undefined) return { ok: false, reason: 'not-found', detail: `no mapping ${id}` };
        if (state.active === undefined) return { ok: true, id, active: undefined, version: undefined, changed: false };
        const was = state.active;
        await commit(id, 'deactivated', (multi) => {
          multi.hdel(k.head(id), 'active');
          multi.rpush(k.log(id), event('deactivated', actor, was));
        });
        return { ok: true, id, active: undefined, version: undefined, changed: true };
      });
    },

    rollback(id, actor, to) {
      return locked(async (): Promise<ChangeResult> => {
        const state = await readState(id);
        if (state === undefined) return { ok: false, reason: 'not-found', detail: `no mapping ${id}` };
        const target = to ?? rollbackTarget(state);
        if (target === undefined)
          return { ok: false, reason: 'no-target', detail: `mapping ${id} has no earlier version to roll back to` };
        return setActive(id, target, actor, 'rolled-back');
      });
    },

    async list() {
      const ids = (await redis.smembers(k.ids)).sort();
      const all = await Promise.all(ids.map((id) => summary(id)));
      return all.filter((s): s is MappingSummary => s !== undefined);
    },

    get: summary,

    async history(id) {
      return (await readState(id))?.history.slice();
    },

    async text(id, revision) {
      return (await redis.hget(k.rev(id, revision), 'text')) ?? undefined;
    },

    async mapping(id, revision) {
      const text = await redis.hget(k.rev(id, revision), 'text');
      return text === null ? undefined : parseStored(id, revision, text).mapping;
    },

    async stamp() {
      return Number((await redis.get(k.stamp)) ?? '0');
    },

    activeSet,
  };
}
