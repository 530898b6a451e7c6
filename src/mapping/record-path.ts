/** DAGR records and reading their fields by the dot paths mapping files use (`Birth.Place`, `Persons.0.Name`). */

/** A DAGR record as the client returns it: the dataset's fields, untouched. */
export interface DagrRecord {
  readonly fields: Readonly<Record<string, unknown>>;
  /** When the adapter fetched it (xsd:dateTime). */
  readonly fetchedAt: string;
}

/**
 * The value at `path` in `record`, or undefined when any step is missing. Numeric steps index
 * arrays; `null` counts as missing.
 */
export function valueAt(record: Readonly<Record<string, unknown>>, path: string): unknown {
  let current: unknown = record;
  for (const step of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(step)) return undefined;
      current = current[Number(step)];
    } else if (typeof current === 'object') {
      if (!Object.prototype.hasOwnProperty.call(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    } else {
      return undefined;
    }
  }
  return current === null ? undefined : current;
}

/**
 * The value at `path` as text: strings as they are, finite numbers and booleans in their JSON form,
 * undefined for missing values, objects and arrays (they are not a field value).
 */
export function textAt(record: Readonly<Record<string, unknown>>, path: string): string | undefined {
  const v = valueAt(record, path);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}
