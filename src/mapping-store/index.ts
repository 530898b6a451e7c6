/**
 * The mapping store room: the versioned store in Redis, the live mappings of each process (an
 * in-process MappingRegistry kept equal to the store), the import of `mappings/` at start-up, the
 * try, and the failure alert. `startMappings` is what a process (api, worker or all) runs at
 * start-up; docs/mappings.md explains how files and the store meet.
 */
import path from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import type { DatasetDefinitions } from '../mapping/definitions.js';
import type { MappingRegistry } from '../mapping/registry.js';
import type { Logger } from '../infra/logger.js';
import { readMappingSchema } from '../resources/mappings.js';
import { packageRoot } from '../resources/schema-files.js';
import { importMappingFiles, type ImportedFile } from './import-files.js';
import { createLiveMappings, type LiveMappings } from './live-mappings.js';
import { createMappingStore, type MappingStore } from './mapping-store.js';

export { createMappingStore, type MappingStore } from './mapping-store.js';
export { createLiveMappings, type LiveMappings } from './live-mappings.js';
export { importMappingFiles } from './import-files.js';
export { createMappingFailureAlert, type MappingFailureAlert } from './mapping-alerts.js';
export { createMappingTryer, tryMapping, type TryDeps, type TryResult } from './try-mapping.js';
export { definitionsFromServiceList, loadDefinitionsDir, sandboxDefinitions } from './definitions-source.js';

export interface StartMappingsOptions {
  readonly redis: Redis | Cluster;
  /** Key prefix of the store, e.g. `${QUEUE_PREFIX}:mappings:` (keeps the {hash tag}). */
  readonly prefix: string;
  readonly logger?: Logger | undefined;
  /** The reviewable mapping files; default the package's `mappings/`. */
  readonly dir?: string | undefined;
  /** `when-none-active` (default) or `yes` (an edited file goes live at start-up). */
  readonly activateFiles?: 'when-none-active' | 'yes' | undefined;
  /** Dataset definitions uploads are checked against (e.g. the sandbox's); none = fields unchecked. */
  readonly definitions?: (() => DatasetDefinitions | undefined) | undefined;
  /** Safety-net stamp check of the live mappings, ms. Default 30000. */
  readonly checkIntervalMs?: number | undefined;
}

export interface StartedMappings {
  readonly store: MappingStore;
  readonly live: LiveMappings;
  /** For `ExchangeDeps.registry`: `find` reads the live set at call time. */
  readonly registry: MappingRegistry;
  readonly imported: readonly ImportedFile[];
  close(): Promise<void>;
}

/**
 * Imports the mapping files into the store (throws a MappingError naming every problem: the
 * process must not start), then loads the active set and keeps it in sync.
 */
export async function startMappings(opts: StartMappingsOptions): Promise<StartedMappings> {
  const store = createMappingStore(opts.redis, {
    prefix: opts.prefix,
    schema: readMappingSchema(),
    definitions: opts.definitions,
  });
  const imported = await importMappingFiles(store, opts.dir ?? path.join(packageRoot(), 'mappings'), {
    activate: opts.activateFiles ?? 'when-none-active',
    logger: opts.logger,
  });
  const live = createLiveMappings(opts.redis, { store, logger: opts.logger, checkIntervalMs: opts.checkIntervalMs });
  try {
    await live.ready;
  } catch (error) {
    await live.close();
    throw error;
  }
  return { store, live, registry: live.registry, imported, close: () => live.close() };
}
