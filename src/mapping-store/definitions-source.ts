/**
 * Where dataset definitions come from: a folder of dataset files (the sandbox's
 * `src/sandbox/dagr-data/*.json`, or `--definitions DIR` with files of the same shape), or DAGR's
 * `service_list` answer when its entries carry `fields`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  indexDefinitions,
  toDatasetDefinition,
  type DatasetDefinition,
  type DatasetDefinitions,
} from '../mapping/definitions.js';
import { packageRoot } from '../resources/schema-files.js';

export const SANDBOX_DEFINITIONS_DIR = 'src/sandbox/dagr-data';

function shown(full: string): string {
  const relative = path.relative(process.cwd(), full);
  return relative.startsWith('..') || path.isAbsolute(relative) ? full : relative;
}

/**
 * Every `*.json` file in `dir` that holds a dataset definition (`service_name` and `fields`);
 * other files (e.g. `permissions.json`) are skipped. Throws when a file is not JSON.
 */
export function loadDefinitionsDir(dir: string): DatasetDefinitions {
  const list: DatasetDefinition[] = [];
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const full = path.join(dir, name);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(full, 'utf8'));
    } catch (e) {
      throw new Error(`${shown(full)}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
    const d = toDatasetDefinition(value, shown(full));
    if (d !== undefined) list.push(d);
  }
  return indexDefinitions(list);
}

/** The definitions of the shipped sandbox datasets. */
export function sandboxDefinitions(): DatasetDefinitions {
  return loadDefinitionsDir(path.join(packageRoot(), SANDBOX_DEFINITIONS_DIR));
}

/** The definitions in a DAGR `service_list` answer (entries without `fields` are left out). */
export function definitionsFromServiceList(list: readonly unknown[]): DatasetDefinitions {
  return indexDefinitions(
    list
      .map((entry) => toDatasetDefinition(entry, 'DAGR service_list'))
      .filter((d): d is DatasetDefinition => d !== undefined),
  );
}
