/**
 * DAGR dataset definitions as mappings are checked against them: the fields a dataset defines
 * (by the dot paths mapping files use, `Birth.Place`) and their DAGR types. They come from the
 * sandbox dataset files, a folder of such files (`--definitions DIR`) or DAGR's `service_list`
 * when it carries field definitions; this module only reads the shape, the callers do the I/O.
 */

export interface DatasetField {
  /** Dot path of the field in a record, e.g. `Birth.Place`. */
  readonly name: string;
  /** DAGR DSL type (`string`, `int`, `date`, `timestamp`, ...); undefined when unknown. */
  readonly type: string | undefined;
  /** Free text, often `Latvian / English`. */
  readonly description: string | undefined;
}

export interface DatasetDefinition {
  /** DAGR `service_name`. */
  readonly service: string;
  /** Key in DAGR DSL form (`PersonCode`, `PersonCode(, Id)`), when known. */
  readonly key: string | undefined;
  readonly updatedAtField: string | undefined;
  readonly fields: readonly DatasetField[];
  /** Where the definition came from, for messages (`src/sandbox/dagr-data/x.json`, `DAGR service_list`). */
  readonly source: string;
}

export type DatasetDefinitions = ReadonlyMap<string, DatasetDefinition>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * A definition from a dataset file or one `service_list` entry (`service_name`, `fields: [{name,
 * type, description}]`, optional `key`, `updated_at_field`). Undefined when the value carries no
 * field definitions (DAGR's `service_list` may list services without them).
 */
export function toDatasetDefinition(value: unknown, source: string): DatasetDefinition | undefined {
  if (!isObject(value)) return undefined;
  const service = str(value['service_name']);
  const fields = value['fields'];
  if (service === undefined || !Array.isArray(fields) || fields.length === 0) return undefined;
  const parsed: DatasetField[] = [];
  for (const f of fields) {
    if (typeof f === 'string' && f !== '') parsed.push({ name: f, type: undefined, description: undefined });
    else if (isObject(f) && str(f['name']) !== undefined)
      parsed.push({ name: f['name'] as string, type: str(f['type']), description: str(f['description']) });
  }
  if (parsed.length === 0) return undefined;
  return { service, key: str(value['key']), updatedAtField: str(value['updated_at_field']), fields: parsed, source };
}

/** Indexes definitions by service; a later definition of the same service replaces an earlier one. */
export function indexDefinitions(list: readonly DatasetDefinition[]): DatasetDefinitions {
  return new Map(list.map((d) => [d.service, d]));
}

/** The first field of a DAGR DSL key (`PersonCode(, Id)` → `PersonCode`). */
export function keyFieldOfDefinition(d: DatasetDefinition): string | undefined {
  return d.key === undefined ? undefined : /^\s*([A-Za-z_][\w.]*)/.exec(d.key)?.[1];
}

/** Types whose values have no fields below them. */
const SCALAR_TYPES = new Set([
  'string',
  'int',
  'integer',
  'long',
  'decimal',
  'number',
  'float',
  'double',
  'boolean',
  'bool',
  'date',
  'datetime',
  'timestamp',
  'time',
]);

/**
 * Whether `path` reads a field the dataset defines: the path itself, the path with list indexes
 * removed (`Persons.0.Name` → `Persons.Name`), or a path below a defined object or list field.
 */
export function definesField(d: DatasetDefinition, path: string): boolean {
  const byName = new Map(d.fields.map((f) => [f.name, f]));
  if (byName.has(path)) return true;
  const steps = path.split('.');
  const withoutIndexes = steps.filter((s) => !/^\d+$/.test(s)).join('.');
  if (byName.has(withoutIndexes)) return true;
  for (let k = steps.length - 1; k >= 1; k--) {
    const parent = byName.get(
      steps
        .slice(0, k)
        .filter((s) => !/^\d+$/.test(s))
        .join('.'),
    );
    if (parent !== undefined && !SCALAR_TYPES.has((parent.type ?? '').toLowerCase())) return true;
  }
  return false;
}
