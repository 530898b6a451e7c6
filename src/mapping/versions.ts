/**
 * The rules of the versioned mapping store, without the storage: how a stored revision is named,
 * which revision a roll-back returns to, and whether an activation would make two live mappings
 * serve the same evidence type. `src/mapping-store/mapping-store.ts` keeps the data in Redis.
 */
import type { EvidenceMapping } from './model.js';
import type { MappingProblem } from './parse.js';
import { canonicalEvidenceType } from './registry.js';

/** One stored revision of a mapping (its text is kept beside it). */
export interface StoredRevision {
  /** 1, 2, 3, ... per mapping id, never reused. */
  readonly revision: number;
  /** The file's own `version:`. */
  readonly fileVersion: string;
  /** SHA-256 of the text (hex): the same text is never stored twice. */
  readonly digest: string;
  readonly uploadedAt: string;
  readonly uploadedBy: string;
  /** `file`: imported from the mappings folder at start-up; `upload`: admin API, page or CLI. */
  readonly source: 'file' | 'upload';
}

export type HistoryAction = 'uploaded' | 'imported' | 'activated' | 'deactivated' | 'rolled-back';

export interface HistoryEvent {
  readonly at: string;
  readonly action: HistoryAction;
  /** The revision the action concerns (for `deactivated`: the one that was active). */
  readonly revision: number | undefined;
  readonly actor: string;
  /** For `rolled-back`: the revision that was active before. */
  readonly from?: number | undefined;
}

export interface MappingState {
  readonly id: string;
  /** Ascending by revision. */
  readonly revisions: readonly StoredRevision[];
  readonly active: number | undefined;
  /** Oldest first. */
  readonly history: readonly HistoryEvent[];
}

/**
 * The version a response records for revision `revision` of a file saying `version: fileVersion`:
 * `1.0.0+r3` (semver build metadata, so it still sorts and reads as the file's version). A file
 * version that already has build metadata gets `.r3` appended (`1.0.0+abc.r3`).
 */
export function storeVersion(fileVersion: string, revision: number): string {
  return `${fileVersion}${fileVersion.includes('+') ? '.' : '+'}r${String(revision)}`;
}

/** Reads `r3` back from a store version (`1.0.0+r3` → 3); undefined for a plain file version. */
export function revisionOf(version: string): number | undefined {
  const m = /[+.]r(\d+)$/.exec(version);
  return m === null ? undefined : Number(m[1]);
}

/** The mapping as the live mappings serve it: the same, with the store version. */
export function withStoreVersion(mapping: EvidenceMapping, revision: number): EvidenceMapping {
  return Object.freeze({ ...mapping, version: storeVersion(mapping.version, revision) });
}

/**
 * Where a roll-back goes when no revision is named: the revision that was active before the
 * current one (the latest activation of another revision in the history), else the highest
 * revision below the current one. With nothing active: the last revision that was active.
 * Undefined when there is nowhere to go.
 */
export function rollbackTarget(state: MappingState): number | undefined {
  const known = new Set(state.revisions.map((r) => r.revision));
  const activations = state.history
    .filter((e) => (e.action === 'activated' || e.action === 'rolled-back') && e.revision !== undefined)
    .map((e) => e.revision!);
  if (state.active === undefined) {
    const last = activations[activations.length - 1];
    return last !== undefined && known.has(last) ? last : undefined;
  }
  for (let i = activations.length - 1; i >= 0; i--) {
    const r = activations[i]!;
    if (r !== state.active && known.has(r)) return r;
  }
  const lower = state.revisions.filter((r) => r.revision < state.active!);
  return lower[lower.length - 1]?.revision;
}

/**
 * Problems if `candidate` went live next to `live` (the other active mappings): an evidence type
 * may be served by one mapping only. The candidate's own id is ignored in `live`.
 */
export function evidenceTypeConflicts(candidate: EvidenceMapping, live: readonly EvidenceMapping[]): MappingProblem[] {
  const owner = new Map<string, string>();
  for (const m of live)
    if (m.id !== candidate.id) for (const t of m.evidenceTypes) owner.set(canonicalEvidenceType(t), m.id);
  const problems: MappingProblem[] = [];
  candidate.evidenceTypes.forEach((t, i) => {
    const other = owner.get(canonicalEvidenceType(t));
    if (other !== undefined)
      problems.push({
        file: `${candidate.id}.yaml`,
        line: undefined,
        field: `evidenceTypes[${String(i)}]`,
        message: `evidence type ${t} is already served by the active mapping ${other}`,
        hint: `deactivate ${other} first, or remove this evidence type from one of the two mappings`,
      });
  });
  return problems;
}

/** Status as lists show it. */
export function statusOf(state: Pick<MappingState, 'active'>): 'active' | 'inactive' {
  return state.active === undefined ? 'inactive' : 'active';
}
