/**
 * Loads the DAGR sandbox's synthetic datasets from `src/sandbox/dagr-data/` (one `<service>.json`
 * per dataset plus `permissions.json`; records added to a dataset from `extra-records/`), checking their shape so that a broken file is named at
 * start-up rather than discovered as a 404 later.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../resources/schema-files.js';
import type { DagrDataset, Permission } from './dagr-types.js';

export const DEFAULT_DAGR_DATA_DIR = 'src/sandbox/dagr-data';
/** Below the data directory: files that add records to a dataset (`extends`), e.g. the foreign nationals. */
export const EXTRA_RECORDS_DIR = 'extra-records';

export interface SandboxData {
  readonly datasets: readonly DagrDataset[];
  readonly permissions: readonly Permission[];
  /** Records DAGR is still preparing (`being_prepared.json`): a lookup answers 202 for a while first. */
  readonly preparing: readonly PreparingRecord[];
}

/** A record served only after a delay (the sandbox answers HTTP 202 with `Retry-After` until then). */
export interface PreparingRecord {
  readonly service: string;
  readonly objectId: string;
}

/**
 * The file of records being prepared: `{ "being_prepared": [{ "service_name", "record" }] }`. In
 * a folder of its own, so that the readers of the dataset files (`*.json` in the data folder) do
 * not take it for a dataset.
 */
export const PREPARING_FILE = path.join('being-prepared', 'records.json');

export class SandboxDataError extends Error {
  override readonly name = 'SandboxDataError';
}

/** Reads every dataset file, `permissions.json` and `extra-records/` in `dir` (default: the shipped sandbox data). */
export function loadSandboxDatasets(dir: string = path.join(packageRoot(), DEFAULT_DAGR_DATA_DIR)): SandboxData {
  const datasets: DagrDataset[] = [];
  const extensions: { readonly file: string; readonly extension: DatasetExtension }[] = [];
  let permissions: Permission[] = [];
  for (const file of jsonFiles(dir)) {
    const full = path.join(dir, file);
    const value = readJson(full);
    if (file === 'permissions.json') permissions = checkPermissions(value, full);
    else datasets.push(checkDataset(value, full));
  }
  const extraDir = path.join(dir, EXTRA_RECORDS_DIR);
  if (existsSync(extraDir)) {
    for (const file of jsonFiles(extraDir)) {
      const full = path.join(extraDir, file);
      extensions.push({ file: full, extension: checkExtension(readJson(full), full) });
    }
  }
  const names = new Set<string>();
  for (const d of datasets) {
    if (names.has(d.service_name)) throw new SandboxDataError(`${dir}: two datasets named ${d.service_name}`);
    names.add(d.service_name);
  }
  for (const { file, extension } of extensions)
    if (!names.has(extension.extends))
      throw new SandboxDataError(`${file}: extends no dataset named ${extension.extends}`);
  const extended = datasets.map((d) => withExtensions(d, extensions, dir));
  const preparingFile = path.join(dir, PREPARING_FILE);
  const preparingEntries = existsSync(preparingFile) ? checkPreparing(readJson(preparingFile), preparingFile) : [];
  return { ...withPreparing(extended, preparingEntries, preparingFile), permissions };
}

/**
 * More records for a dataset, in a file of their own under `extra-records/` (`<service>.<topic>.json`:
 * `extends`, a `description` of what they add, `records`), so that a group of test people (e.g. the
 * foreign nationals) is kept and reviewed apart from the dataset's main file. Their fields are
 * defined in the dataset's own file: readers of dataset definitions see only the top-level files.
 */
interface DatasetExtension {
  readonly extends: string;
  readonly records: readonly Readonly<Record<string, unknown>>[];
}

function checkExtension(value: unknown, where: string): DatasetExtension {
  if (!isObject(value)) throw new SandboxDataError(`${where}: a records file must be a JSON object`);
  if (typeof value['extends'] !== 'string' || value['extends'] === '')
    throw new SandboxDataError(`${where}: "extends" must name a dataset (its service_name)`);
  if (typeof value['description'] !== 'string') throw new SandboxDataError(`${where}: "description" must be a string`);
  const records = value['records'];
  if (!Array.isArray(records) || !records.every(isObject))
    throw new SandboxDataError(`${where}: "records" must be an array of objects`);
  return { extends: value['extends'], records };
}

function withExtensions(
  dataset: DagrDataset,
  extensions: readonly { readonly file: string; readonly extension: DatasetExtension }[],
  dir: string,
): DagrDataset {
  const mine = extensions.filter((e) => e.extension.extends === dataset.service_name);
  if (mine.length === 0) return dataset;
  const merged = { ...dataset, records: [...dataset.records, ...mine.flatMap((e) => e.extension.records)] };
  return checkDataset(merged, `${dataset.service_name} with ${mine.map((e) => path.relative(dir, e.file)).join(', ')}`);
}

const jsonFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();

function readJson(full: string): unknown {
  try {
    return JSON.parse(readFileSync(full, 'utf8')) as unknown;
  } catch (e) {
    throw new SandboxDataError(`${full}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function checkPreparing(value: unknown, where: string): { service_name: string; record: Record<string, unknown> }[] {
  const list = isObject(value) ? value['being_prepared'] : undefined;
  if (
    !Array.isArray(list) ||
    !list.every((e) => isObject(e) && typeof e['service_name'] === 'string' && isObject(e['record']))
  )
    throw new SandboxDataError(`${where}: "being_prepared" must be an array of {service_name, record}`);
  return list as { service_name: string; record: Record<string, unknown> }[];
}

/** Adds the records being prepared to their datasets, and lists them by object id. */
function withPreparing(
  datasets: DagrDataset[],
  entries: readonly { service_name: string; record: Record<string, unknown> }[],
  where: string,
): { datasets: DagrDataset[]; preparing: PreparingRecord[] } {
  const preparing: PreparingRecord[] = [];
  const out = datasets.map((d) => {
    const mine = entries.filter((e) => e.service_name === d.service_name).map((e) => e.record);
    if (mine.length === 0) return d;
    const merged = checkDataset({ ...d, records: [...d.records, ...mine] }, where);
    const keyField = keyFieldOf(d.key)!;
    for (const r of mine) preparing.push({ service: d.service_name, objectId: String(r[keyField]) });
    return merged;
  });
  const unknown = entries.find((e) => !datasets.some((d) => d.service_name === e.service_name));
  if (unknown !== undefined) throw new SandboxDataError(`${where}: no dataset named ${unknown.service_name}`);
  return { datasets: out, preparing };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkDataset(value: unknown, where: string): DagrDataset {
  if (!isObject(value)) throw new SandboxDataError(`${where}: a dataset must be a JSON object`);
  for (const field of ['service_name', 'key'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '')
      throw new SandboxDataError(`${where}: "${field}" must be a non-empty string`);
  }
  if (typeof value['description'] !== 'string') throw new SandboxDataError(`${where}: "description" must be a string`);
  const updated = value['updated_at_field'];
  if (updated !== undefined && updated !== null && typeof updated !== 'string') {
    throw new SandboxDataError(`${where}: "updated_at_field" must be a string or null`);
  }
  const fields = value['fields'];
  if (!Array.isArray(fields) || !fields.every((f) => isObject(f) && typeof f['name'] === 'string')) {
    throw new SandboxDataError(`${where}: "fields" must be an array of {name, type, description}`);
  }
  const records = value['records'];
  if (!Array.isArray(records) || !records.every(isObject))
    throw new SandboxDataError(`${where}: "records" must be an array of objects`);
  const keyField = keyFieldOf(value['key'] as string);
  if (keyField === undefined) throw new SandboxDataError(`${where}: "key" does not start with a field name`);
  records.forEach((r, i) => {
    if (r[keyField] === undefined || r[keyField] === null)
      throw new SandboxDataError(`${where}: records[${i}] has no key field ${keyField}`);
  });
  return value as unknown as DagrDataset;
}

export function checkPermissions(value: unknown, where: string): Permission[] {
  if (!Array.isArray(value)) throw new SandboxDataError(`${where}: permissions must be a JSON array`);
  value.forEach((p, i) => {
    if (!isObject(p) || typeof p['service_name'] !== 'string' || typeof p['permission_number'] !== 'string') {
      throw new SandboxDataError(`${where}: [${i}] needs string service_name and permission_number`);
    }
    if (p['use_count'] !== undefined && typeof p['use_count'] !== 'number')
      throw new SandboxDataError(`${where}: [${i}].use_count must be a number`);
    const quota = p['use_count_quota'];
    if (quota !== undefined && quota !== null && typeof quota !== 'number')
      throw new SandboxDataError(`${where}: [${i}].use_count_quota must be a number or null`);
  });
  return (value as Record<string, unknown>[]).map((p) => ({
    service_name: p['service_name'] as string,
    permission_number: p['permission_number'] as string,
    purpose_of_use: typeof p['purpose_of_use'] === 'string' ? p['purpose_of_use'] : '',
    use_count: typeof p['use_count'] === 'number' ? p['use_count'] : 0,
    use_count_quota: typeof p['use_count_quota'] === 'number' ? p['use_count_quota'] : null,
    valid_from: typeof p['valid_from'] === 'string' ? p['valid_from'] : null,
    valid_to: typeof p['valid_to'] === 'string' ? p['valid_to'] : null,
  }));
}

/** The object-id field of a DAGR DSL key (`PersonCode(, Id)` → `PersonCode`). */
export function keyFieldOf(key: string): string | undefined {
  return /^\s*([A-Za-z_][\w.]*)/.exec(key)?.[1];
}
