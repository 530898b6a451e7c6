/**
 * The DAGR sandbox's shapes and in-memory state (src/sandbox/dagr-server.ts composes it): records
 * indexed by object id, the permissions with live use counts, issued tokens, counters and the
 * fault knobs.
 */
import type { KeyObject } from 'node:crypto';
import type { Logger } from '../infra/logger.js';
import { keyFieldOf, type PreparingRecord } from './dagr-data-loader.js';
import type { DagrDataset, Permission } from './dagr-types.js';

export type FailStatus = 500 | 502 | 503 | 429;

export interface FaultSettings {
  /** Added before every DAGR answer (not the /sandbox routes), ms. */
  readonly latencyMs?: number;
  /** The next `count` data calls answer `status` (with `Retry-After` when given). */
  readonly failNext?: { readonly count: number; readonly status: FailStatus; readonly retryAfterSeconds?: number };
  /** DAGR is down: `true`/`'reset'` resets every connection, `'503'` answers 503 to everything. */
  readonly down?: boolean | 'reset' | '503';
  /** Object ids answered 404 even if a record exists. */
  readonly notFound?: readonly string[];
}

export interface FaultState {
  readonly latencyMs: number;
  readonly failNext: {
    readonly count: number;
    readonly status: FailStatus;
    readonly retryAfterSeconds?: number;
  } | null;
  readonly down: false | 'reset' | '503';
  /** How many object ids are forced to 404 (the ids themselves are not echoed). */
  readonly notFoundCount: number;
}

export interface FaultControl {
  /** Merges the given knobs into the current ones. */
  set(settings: FaultSettings): FaultState;
  /** Back to a healthy DAGR. */
  clear(): FaultState;
  current(): FaultState;
}

export interface DagrSandboxStats {
  readonly tokenRequests: number;
  readonly tokensIssued: number;
  /** Requests to the data services (every GET /{service}/{id}, whatever the answer). */
  readonly dataRequests: number;
  /** Data requests answered 200. */
  readonly found: number;
  /** Data requests answered 404. */
  readonly notFound: number;
  /** Connections reset because of the `down` knob. */
  readonly resets: number;
  /** Data requests answered 202 (record being prepared). */
  readonly deferred: number;
}

export interface DagrSandboxOptions {
  readonly datasets: readonly DagrDataset[];
  readonly permissions: readonly Permission[];
  /** The one registered connection's `client_id`. */
  readonly clientId: string;
  /** Public key of the connection's certificate (PEM key or certificate, or KeyObject). */
  readonly clientPublicKey: KeyObject | string;
  /** Lifetime of issued tokens (`expires_in`). Default 600. */
  readonly tokenTtlSeconds?: number;
  /** Epoch ms. Default Date.now. */
  readonly clock?: () => number;
  /** Token endpoint path. Default `/token`. */
  readonly tokenPath?: string;
  /** Accepted `aud` values; default: the absolute URL the token request arrived at. */
  readonly audience?: string | readonly string[];
  /** Scheme expected before the token in `Authorization`; `''` = bare token. Default `Bearer`. */
  readonly authScheme?: string;
  /** Unknown object: `404` (default) or `200 {data: []}`. */
  readonly notFoundStyle?: '404' | 'empty';
  /** Record answers as `{data: [...]}` (default) or a bare array. */
  readonly responseShape?: 'wrapped' | 'bare';
  /** Records still being prepared (`being_prepared.json`): 202 with `Retry-After` until ready. */
  readonly preparing?: readonly PreparingRecord[];
  /** How long a record being prepared takes, from its first lookup. Default 2 s. */
  readonly preparingDelaySeconds?: number;
  readonly logger?: Logger;
}

/** The fault knobs as they are now (what {@link FaultControl} sets). */
export interface FaultKnobs {
  latencyMs: number;
  failNext: FaultState['failNext'];
  down: FaultState['down'];
  notFound: Set<string>;
}

type DataRecord = Readonly<Record<string, unknown>>;

/** Everything one sandbox holds; the route modules read and change it. */
export interface SandboxState {
  readonly opts: DagrSandboxOptions;
  readonly clock: () => number;
  readonly logger: Logger | undefined;
  /** Records indexed by object id, per service. */
  readonly index: Map<string, { dataset: DagrDataset; byKey: Map<string, DataRecord[]> }>;
  /** Copies of the configured permissions; `use_count` goes up with every data call. */
  readonly permissions: Permission[];
  /** Issued access tokens → expiry, epoch ms. */
  readonly tokens: Map<string, number>;
  /** `jti` of accepted client assertions → their `exp` (replays are refused). */
  readonly seenJti: Map<string, number>;
  readonly counters: { -readonly [K in keyof DagrSandboxStats]: number };
  readonly knobs: FaultKnobs;
  /** `service\nobjectId` of the records being prepared → when their first lookup came (epoch ms). */
  readonly preparing: Map<string, number | undefined>;
}

export function createSandboxState(opts: DagrSandboxOptions): SandboxState {
  const index: SandboxState['index'] = new Map();
  for (const dataset of opts.datasets) {
    const keyField = keyFieldOf(dataset.key);
    if (keyField === undefined) throw new TypeError(`dataset ${dataset.service_name}: unreadable key "${dataset.key}"`);
    const byKey = new Map<string, DataRecord[]>();
    for (const record of dataset.records) {
      const id = String(record[keyField]);
      const list = byKey.get(id);
      if (list === undefined) byKey.set(id, [record]);
      else list.push(record);
    }
    index.set(dataset.service_name, { dataset, byKey });
  }
  return {
    opts,
    clock: opts.clock ?? Date.now,
    logger: opts.logger,
    index,
    permissions: opts.permissions.map((p) => ({ ...p })),
    tokens: new Map(),
    seenJti: new Map(),
    counters: { tokenRequests: 0, tokensIssued: 0, dataRequests: 0, found: 0, notFound: 0, resets: 0, deferred: 0 },
    knobs: { latencyMs: 0, failNext: null, down: false, notFound: new Set() },
    preparing: new Map((opts.preparing ?? []).map((p) => [`${p.service}\n${p.objectId}`, undefined])),
  };
}
