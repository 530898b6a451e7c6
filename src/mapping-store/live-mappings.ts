/**
 * The live mappings of an api or worker process: an in-process MappingRegistry
 * (src/mapping/registry.ts) kept equal to the store's active set without a restart: it reloads
 * when the store publishes a change (pub/sub on a duplicate connection) and, as a safety net for a
 * missed message (a reconnect, a partition), whenever the store's stamp differs from the one it
 * loaded, checked every `checkIntervalMs`.
 *
 * `registry` is a MappingRegistry whose `find` reads the current set at call time: give it to the
 * exchange as `deps.registry`. Every mapping in it carries its store version (`1.0.0+r3`), which
 * the ExchangeSummary (and so the audit trail) and the PDF metadata record.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../infra/logger.js';
import { createMappingRegistry, type MappingRegistry } from '../mapping/registry.js';
import type { MappingStore } from './mapping-store.js';

export interface LiveMappingsOptions {
  readonly store: MappingStore;
  readonly logger?: Logger | undefined;
  /** Safety-net stamp check, ms. Default 30000; 0 = off. */
  readonly checkIntervalMs?: number | undefined;
  /** Called after each successful reload (metrics, tests). */
  readonly onReload?:
    ((info: { stamp: number; mappings: readonly { id: string; version: string }[] }) => void) | undefined;
}

export interface LiveMappings {
  /** The registry as last loaded. */
  current(): MappingRegistry;
  /** A registry whose `find` and `mappings` read `current()` at call time (for `ExchangeDeps.registry`). */
  readonly registry: MappingRegistry;
  /** The store stamp of the loaded set. */
  stamp(): number;
  /** Resolves after the first load; rejects if it failed (the process should not serve without mappings). */
  readonly ready: Promise<void>;
  /** Reloads now (also what a published change triggers). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export function createLiveMappings(redis: Redis | Cluster, opts: LiveMappingsOptions): LiveMappings {
  const log = opts.logger?.child({ component: 'live-mappings' });
  let registry: MappingRegistry = createMappingRegistry([]);
  let loadedStamp = -1;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  async function load(): Promise<void> {
    const set = await opts.store.activeSet();
    for (const b of set.broken)
      log?.error(
        { mappingId: b.id, revision: b.revision, problems: b.problems.length },
        'active mapping revision no longer passes the checks; left out',
      );
    const next = createMappingRegistry(set.mappings);
    const changed = set.stamp !== loadedStamp;
    registry = next;
    loadedStamp = set.stamp;
    const versions = set.mappings.map((m) => ({ id: m.id, version: m.version }));
    if (changed) log?.info({ stamp: set.stamp, mappings: versions }, 'mappings loaded');
    opts.onReload?.({ stamp: set.stamp, mappings: versions });
  }

  /** One reload at a time; a trigger during a reload runs one more after it. */
  function refresh(): Promise<void> {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await load();
        } while (again && !closed);
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const background = (why: string): void => {
    if (closed) return;
    refresh().catch((error: unknown) =>
      log?.warn({ err: error, why }, 'mapping reload failed; serving the previous set'),
    );
  };

  // Cluster and single-node clients both duplicate into a connection of the same kind.
  const subscriber: Redis | Cluster = (redis as Redis).duplicate();
  // A subscriber error (Redis restarting) must not crash the process; the stamp check catches up.
  subscriber.on('error', (error: unknown) => log?.warn({ err: error }, 'mapping change subscription error'));
  subscriber.on('message', (channel: string) => {
    if (channel === opts.store.channel) background('published change');
  });
  const subscribed = subscriber.subscribe(opts.store.channel);

  const interval = opts.checkIntervalMs ?? 30_000;
  const timer =
    interval > 0
      ? setInterval(() => {
          opts.store
            .stamp()
            .then((s) => {
              if (s !== loadedStamp) background('stamp check');
            })
            .catch((error: unknown) => log?.warn({ err: error }, 'mapping stamp check failed'));
        }, interval)
      : undefined;
  timer?.unref();

  // Subscribe first, then load: a change published in between is not lost.
  const ready = subscribed.then(() => refresh());
  ready.catch(() => undefined);

  const facade: MappingRegistry = {
    get mappings() {
      return registry.mappings;
    },
    find(evidenceType, format) {
      return registry.find(evidenceType, format);
    },
  };

  return {
    current: () => registry,
    registry: facade,
    stamp: () => loadedStamp,
    ready,
    refresh,
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await running?.catch(() => undefined);
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
