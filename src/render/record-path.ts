/**
 * Reading DAGR record values by the dot paths of an evidence mapping (`Birth.Place`,
 * `Persons.0.Name`), and turning them into text: canonical text for structured XML, display text
 * for PDF.
 *
 * Display conventions (documented for data controllers in mappings/README.md by the mapping owner):
 * - xsd:date `2019-05-14` → `14.05.2019` when the primary language is Latvian (the Latvian
 *   convention), ISO `2019-05-14` when it is English (unambiguous for every reader).
 * - xsd:dateTime → the same date followed by `HH:MM` and the zone as written (`UTC` for `Z`,
 *   `UTC+02:00` for an offset). No time-zone conversion: the text shows what DAGR stated.
 * - booleans → `jā` / `nē` (lv), `yes` / `no` (en); numbers as JavaScript writes them (`.` decimal
 *   separator, no grouping), so a figure reads the same in both languages.
 * - arrays of scalars → items joined with `, `; objects → `key: value; key: value` (a mapping
 *   should point at scalars; this keeps an unexpected structure readable instead of failing).
 */

import type { RenderInput } from './port.js';
import { valueAt } from '../mapping/record-path.js';

export type Language = 'lv' | 'en';

/** A value as it appears in a DAGR record (JSON). */
export type RecordValue = unknown;

/**
 * The value at a dot path, or undefined when any step is missing (`null` too). Numeric segments
 * index arrays; only own properties are followed. The mapping room's reader, so the renderer and
 * the mapping/sandbox drift check agree on what a path finds.
 */
export function readPath(fields: Readonly<Record<string, unknown>>, path: string): RecordValue {
  return valueAt(fields, path);
}

/** Absent for rendering: undefined, null, a blank string or an empty array. */
export function isAbsent(value: RecordValue): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.every(isAbsent);
  return false;
}

export type Scalar = string | number | boolean;

export function isScalar(value: RecordValue): value is Scalar {
  return (
    typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'
  );
}

/** Canonical text for XML: strings as stored, numbers and booleans in their XSD lexical form. */
export function canonicalText(value: Scalar): string {
  if (typeof value === 'string') return value;
  return String(value);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** A date or date-time as shown on a document (see the module comment). */
export function formatDate(value: string, language: Language): string | undefined {
  const date = DATE.exec(value);
  if (date) {
    const [, y, m, d] = date;
    return language === 'lv' ? `${d}.${m}.${y}` : `${y}-${m}-${d}`;
  }
  const dt = DATE_TIME.exec(value);
  if (dt) {
    const [, y, m, d, hh, mm, zone] = dt;
    const day = language === 'lv' ? `${d}.${m}.${y}` : `${y}-${m}-${d}`;
    const tz = zone === undefined ? '' : zone === 'Z' ? ' UTC' : ` UTC${zone}`;
    return `${day} ${hh}:${mm}${tz}`;
  }
  return undefined;
}

const YES_NO: Record<Language, [string, string]> = { lv: ['jā', 'nē'], en: ['yes', 'no'] };

/**
 * Display text for a document (see the module comment). Dates follow the first language;
 * booleans are given in every language, `jā / yes`.
 */
export function displayText(value: RecordValue, languages: readonly Language[]): string {
  const primary = languages[0] ?? 'lv';
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return formatDate(value, primary) ?? value;
  if (typeof value === 'boolean') return languages.map((l) => YES_NO[l][value ? 0 : 1]).join(' / ');
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value))
    return value
      .filter((item) => !isAbsent(item))
      .map((item) => displayText(item, languages))
      .join(', ');
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => !isAbsent(v))
      .map(([k, v]) => `${k}: ${displayText(v, languages)}`)
      .join('; ');
  return typeof value === 'bigint' ? value.toString() : '';
}

/**
 * Values of the rendering context a mapping may place in the evidence by naming them in `from`
 * instead of a record path (only when the evidence's data model asks for them):
 * - `$issuingDate`: the evidence's date of issue (xsd:date),
 * - `$recordTimestamp`: when DAGR last updated the record (`dagr.updatedAtField`), else when the
 *   adapter fetched it.
 */
export const CONTEXT_FIELDS = ['$issuingDate', '$recordTimestamp'] as const;

/** The record's timestamp shown on the evidence: its update time if the mapping names one, else the fetch time. */
export function recordTimestamp(input: RenderInput): string {
  const field = input.mapping.dagr.updatedAtField;
  if (field !== undefined) {
    const value = readPath(input.record.fields, field);
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return input.record.fetchedAt;
}

/** The value a mapping field names: a context value (`$...`) or a record path. */
export function readField(input: RenderInput, from: string): RecordValue {
  if (from === '$issuingDate') return input.issuingDate;
  if (from === '$recordTimestamp') return recordTimestamp(input);
  return readPath(input.record.fields, from);
}
