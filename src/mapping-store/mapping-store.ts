/**
 * The versioned mapping store in Redis: every uploaded (or imported) mapping text is kept as a
 * numbered revision of its mapping id, one revision per id is active, and every change is
 * published so that each api and worker process swaps its live mappings without a restart
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
 *
 * The parts: mapping-store-types.ts (the shapes), -context.ts (keys, parsing), -read.ts (state,
 * summaries, the active set), -write.ts (the changes, under the writer lock).
 */
import type { Cluster, Redis } from 'ioredis';
import { checkMapping, createStoreContext, parseStored } from './mapping-store-context.js';
import { activeSet, readState, summary } from './mapping-store-read.js';
import type { MappingStore, MappingStoreOptions, MappingSummary } from './mapping-store-types.js';
import { deactivate, locked, rollback, setActive, upload } from './mapping-store-write.js';

export type {
  ActivateMode,
  ActiveSet,
  ChangeResult,
  MappingStore,
  MappingStoreOptions,
  MappingSummary,
  RevisionInfo,
  UploadInput,
  UploadResult,
} from './mapping-store-types.js';
export { MAPPING_ID, sha256 } from './mapping-store-context.js';

export function createMappingStore(redis: Redis | Cluster, opts: MappingStoreOptions): MappingStore {
  const s = createStoreContext(redis, opts);
  return {
    channel: s.channel,
    check: (id, text, fileName) => checkMapping(s, id, text, fileName),
    upload: (input) => upload(s, input),
    activate: (id, revision, actor) => locked(s, () => setActive(s, id, revision, actor, 'activated')),
    deactivate: (id, actor) => deactivate(s, id, actor),
    rollback: (id, actor, to) => rollback(s, id, actor, to),
    async list() {
      const ids = (await redis.smembers(s.k.ids)).sort();
      const all = await Promise.all(ids.map((id) => summary(s, id)));
      return all.filter((m): m is MappingSummary => m !== undefined);
    },
    get: (id) => summary(s, id),
    async history(id) {
      return (await readState(s, id))?.history.slice();
    },
    async text(id, revision) {
      return (await redis.hget(s.k.rev(id, revision), 'text')) ?? undefined;
    },
    async mapping(id, revision) {
      const text = await redis.hget(s.k.rev(id, revision), 'text');
      return text === null ? undefined : parseStored(s, id, revision, text).mapping;
    },
    async stamp() {
      return Number((await redis.get(s.k.stamp)) ?? '0');
    },
    activeSet: () => activeSet(s),
  };
}
