/**
 * Which DAGR records of a lookup become evidences: ordered as the mapping says (`records.orderBy`),
 * then every record that matches the subject (`records.several`) or only the first one, which
 * must match. A record that does not match the subject never becomes an evidence.
 */
import type { Subject } from '../edm/model.js';
import { matchSubject } from '../identity/match.js';
import type { EvidenceMapping } from '../mapping/model.js';
import { valueAt, type DagrRecord } from '../mapping/record-path.js';

export function selectRecords(
  subject: Subject,
  records: readonly DagrRecord[],
  mapping: Pick<EvidenceMapping, 'dagr' | 'records'>,
): DagrRecord[] {
  const ordered = orderRecords(records, mapping.records);
  const matches = (r: DagrRecord): boolean => matchSubject(subject, r.fields, mapping).matched;
  if (mapping.records?.several === true) return ordered.filter(matches);
  const first = ordered[0];
  return first !== undefined && matches(first) ? [first] : [];
}

/** Stable order by `orderBy` (DAGR's order without it); records without a value come last. */
export function orderRecords(records: readonly DagrRecord[], options: EvidenceMapping['records']): DagrRecord[] {
  const field = options?.orderBy;
  if (field === undefined) return [...records];
  const sign = options?.order === 'descending' ? -1 : 1;
  return records
    .map((record, index) => ({ record, index, key: sortKey(valueAt(record.fields, field)) }))
    .sort((a, b) => {
      if (a.key === undefined || b.key === undefined) {
        if (a.key === b.key) return a.index - b.index;
        return a.key === undefined ? 1 : -1;
      }
      const c = compareKeys(a.key, b.key);
      return c === 0 ? a.index - b.index : sign * c;
    })
    .map((x) => x.record);
}

type SortKey = number | string;

/** Numbers compare as numbers; ISO dates and date-times as text (which orders them in time). */
function sortKey(v: unknown): SortKey | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return undefined;
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
