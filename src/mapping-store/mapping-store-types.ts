/** The shapes of the versioned mapping store (src/mapping-store/mapping-store.ts). */
import type { DatasetDefinitions } from '../mapping/definitions.js';
import type { EvidenceMapping } from '../mapping/model.js';
import type { MappingProblem } from '../mapping/parse.js';
import type { HistoryEvent, StoredRevision } from '../mapping/versions.js';

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
