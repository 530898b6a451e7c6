/**
 * The data the DAGR sandbox serves, in the shape of the files under `src/sandbox/dagr-data/`:
 * one JSON file per dataset (`<service_name>.json`) and `permissions.json`.
 */

export interface DagrDatasetField {
  readonly name: string;
  /** DAGR DSL type: `string` (default), `int`, `timestamp`, ... */
  readonly type: string;
  readonly description: string;
}

export interface DagrDataset {
  /** DAGR `service_name`; the first path segment of the get-by-object-identifier service. */
  readonly service_name: string;
  readonly description: string;
  /** Key in DAGR DSL form: `PersonCode` or `PersonCode(, Id)`; the first field is the object id. */
  readonly key: string;
  /** Field holding the record's last change time (xsd:dateTime), when the dataset has one. */
  readonly updated_at_field?: string | null;
  readonly fields: readonly DagrDatasetField[];
  readonly records: readonly Readonly<Record<string, unknown>>[];
}

/** A VIRSIS permission as DAGR's `current_user_permissions` lists it (dagr-notes A2). */
export interface Permission {
  readonly service_name: string;
  readonly permission_number: string;
  readonly purpose_of_use: string;
  readonly use_count: number;
  /** Null: no quota. */
  readonly use_count_quota: number | null;
  /** xsd:date or xsd:dateTime; null: no bound. */
  readonly valid_from: string | null;
  readonly valid_to: string | null;
}
