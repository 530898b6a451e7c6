/**
 * How the files in `mappings/` meet the store at start-up: the files stay the reviewable source of
 * a deployment, the store is what runs. Every file is checked first (all problems of all files at
 * once, as `loadMappings` does, and the process refuses to start on any); then each file whose
 * exact text is not yet stored becomes a new revision of its mapping id (the file name), and is
 * activated when no revision of that id is active (`activate: 'when-none-active'`, the default) or
 * always (`'yes'`: a deployment's edited file goes live on start-up). A text already stored (the
 * same file at the next start, or a file equal to an uploaded revision) changes nothing, so an
 * operator's activation, deactivation or roll-back in the store survives restarts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MappingError, mappingIdOf, type MappingProblem } from '../mapping/parse.js';
import { loadMappings } from '../resources/mappings.js';
import type { Logger } from '../infra/logger.js';
import type { MappingStore } from './mapping-store.js';

export interface ImportedFile {
  readonly file: string;
  readonly id: string;
  readonly revision: number;
  readonly version: string;
  /** A new revision was stored. */
  readonly created: boolean;
  readonly active: boolean;
}

export async function importMappingFiles(
  store: MappingStore,
  dir: string,
  opts: { readonly activate?: 'when-none-active' | 'yes'; readonly logger?: Logger | undefined } = {},
): Promise<ImportedFile[]> {
  // Throws a MappingError naming every problem of every file (including an evidence type in two files).
  loadMappings(dir);
  const imported: ImportedFile[] = [];
  const problems: MappingProblem[] = [];
  const files = readdirSync(dir)
    .filter((name) => /\.ya?ml$/i.test(name))
    .sort();
  for (const name of files) {
    const full = path.join(dir, name);
    const relative = path.relative(process.cwd(), full);
    const shown = relative.startsWith('..') || path.isAbsolute(relative) ? full : relative;
    const r = await store.upload({
      id: mappingIdOf(name),
      text: readFileSync(full, 'utf8'),
      actor: 'file',
      source: 'file',
      fileName: shown,
      activate: opts.activate ?? 'when-none-active',
    });
    if (!r.ok) {
      problems.push(...r.problems);
      continue;
    }
    imported.push({
      file: shown,
      id: r.id,
      revision: r.revision,
      version: r.version,
      created: r.created,
      active: r.active,
    });
    if (r.created)
      opts.logger?.info(
        { mappingId: r.id, version: r.version, active: r.active },
        'mapping file imported into the store',
      );
  }
  if (problems.length > 0) throw new MappingError(problems);
  return imported;
}
