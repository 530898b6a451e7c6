/**
 * The DAGR watch of src/ops/metrics.ts: `currentUserPermissions()` every interval, kept as a
 * snapshot (for the admin summary and readiness) and as the quota / valid-until gauges.
 */
import type { BreakerState } from '../dagr/breaker.js';
import type { DagrClient, DagrPermission } from '../dagr/client.js';
import { DagrError } from '../dagr/errors.js';
import type { Logger } from '../infra/logger.js';
import type { DagrMetrics } from './metric-definitions.js';

/** What the DAGR watch last learnt (for metrics, the admin summary and readiness). */
export interface DagrSnapshot {
  readonly circuit: BreakerState;
  /** ISO time of the last successful permissions call; undefined before the first one. */
  readonly checkedAt: string | undefined;
  /** Why the last permissions call failed (a cause, never personal data); undefined when it worked. */
  readonly lastError: string | undefined;
  /** false when the last permissions call timed out or found DAGR unavailable; undefined before the first. */
  readonly reachable: boolean | undefined;
  readonly permissions: readonly {
    readonly service: string;
    readonly permission: string;
    /** undefined = no quota (unlimited). */
    readonly quotaLeft: number | undefined;
    readonly validTo: string | undefined;
  }[];
}

export interface DagrWatch {
  snapshot(): DagrSnapshot;
  /** Calls `currentUserPermissions` now (the timer does it every interval). */
  refresh(): Promise<void>;
  stop(): void;
}

export type WatchedDagrClient = Pick<DagrClient, 'breakerState' | 'currentUserPermissions'>;

export interface DagrWatchOptions {
  readonly intervalMs?: number;
  readonly now?: () => Date;
}

export function startDagrWatch(
  client: WatchedDagrClient,
  gauges: Pick<DagrMetrics, 'quotaLeft' | 'validUntil' | 'refreshFailures'>,
  logger: Logger | undefined,
  wopts: DagrWatchOptions = {},
): DagrWatch {
  const { quotaLeft, validUntil, refreshFailures } = gauges;
  const now = wopts.now ?? (() => new Date());
  let checkedAt: string | undefined;
  let lastError: string | undefined;
  let reachable: boolean | undefined;
  let permissions: DagrSnapshot['permissions'] = [];
  let stopped = false;

  const refresh = async (): Promise<void> => {
    try {
      const list = await client.currentUserPermissions('ops-quota-check');
      permissions = list.map(toSnapshot);
      checkedAt = now().toISOString();
      lastError = undefined;
      reachable = true;
      quotaLeft.reset();
      validUntil.reset();
      const left = new Map<string, number>();
      const until = new Map<string, number>();
      for (const p of permissions) {
        if (p.quotaLeft !== undefined) left.set(p.service, (left.get(p.service) ?? 0) + p.quotaLeft);
        const t = p.validTo === undefined ? NaN : Date.parse(p.validTo);
        if (Number.isFinite(t)) until.set(p.service, Math.max(until.get(p.service) ?? 0, t / 1000));
      }
      for (const [service, v] of left) quotaLeft.set({ service }, v);
      for (const [service, v] of until) validUntil.set({ service }, v);
    } catch (err) {
      refreshFailures.inc();
      // A DagrError says why in `cause` and `detail`, both safe to show (no URL, no object id).
      lastError = err instanceof DagrError ? `${err.cause}: ${err.detail}` : 'unexpected error';
      reachable = !(err instanceof DagrError && (err.cause === 'timeout' || err.cause === 'unavailable'));
      logger?.warn({ dagr: { error: lastError } }, 'DAGR permissions check failed');
    }
  };
  const timer = setInterval(() => {
    if (!stopped) void refresh();
  }, wopts.intervalMs ?? 300_000);
  timer.unref();
  void refresh();

  return {
    snapshot: () => ({ circuit: client.breakerState(), checkedAt, lastError, reachable, permissions }),
    refresh,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

function toSnapshot(p: DagrPermission): DagrSnapshot['permissions'][number] {
  const quota = typeof p.use_count_quota === 'number' ? p.use_count_quota : undefined;
  return {
    service: p.service_name,
    permission: p.permission_number,
    quotaLeft:
      quota === undefined ? undefined : Math.max(0, quota - (typeof p.use_count === 'number' ? p.use_count : 0)),
    validTo: typeof p.valid_to === 'string' ? p.valid_to : undefined,
  };
}
