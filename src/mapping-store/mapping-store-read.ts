/** Reading the mapping store: one mapping's state and summary, the active set. */
import type { EvidenceMapping } from '../mapping/model.js';
import type { MappingProblem } from '../mapping/parse.js';
import {
  statusOf,
  storeVersion,
  type HistoryEvent,
  type MappingState,
  type StoredRevision,
} from '../mapping/versions.js';
import { parseStored, type StoreContext } from './mapping-store-context.js';
import type { ActiveSet, MappingSummary } from './mapping-store-types.js';

export async function readState(s: StoreContext, id: string): Promise<MappingState | undefined> {
  const { redis, k } = s;
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

export async function activeSet(s: StoreContext): Promise<ActiveSet> {
  const { redis, k } = s;
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
      const r = parseStored(s, id, revision, text);
      if (r.mapping !== undefined) mappings.push(r.mapping);
      else broken.push({ id, revision, problems: r.problems ?? [] });
    }),
  );
  mappings.sort((a, b) => a.id.localeCompare(b.id));
  return { stamp, mappings, broken };
}

/** The parsed active mappings other than `id` (for the evidence type conflict check). */
export async function otherActive(s: StoreContext, id: string): Promise<EvidenceMapping[]> {
  const set = await activeSet(s);
  return set.mappings.filter((m) => m.id !== id);
}

export async function summary(s: StoreContext, id: string): Promise<MappingSummary | undefined> {
  const state = await readState(s, id);
  if (state === undefined) return undefined;
  let title: MappingSummary['title'];
  let evidenceTypes: readonly string[] = [];
  const shown = state.active ?? state.revisions[state.revisions.length - 1]?.revision;
  if (shown !== undefined) {
    const text = await s.redis.hget(s.k.rev(id, shown), 'text');
    const m = text === null ? undefined : parseStored(s, id, shown, text).mapping;
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
