/**
 * The DAGR sandbox's attribute search: which records fit `GET /{service}?Field=value&...`. How real
 * DAGR compares values in a search is an assumption [A] (docs/matching.md); the sandbox is lenient
 * the way a register search for foreign names has to be: names compared without case, diacritics,
 * hyphens or apostrophes and with the ICAO two-letter forms (`Müller` = `MUELLER`), dates as
 * calendar dates. The adapter checks every candidate again under the mapping's own rules.
 */
import { calendarDate } from '../identity/match.js';
import { namesEqual } from '../identity/names.js';
import { textAt } from '../mapping/record-path.js';

export interface SandboxCriterion {
  readonly field: string;
  readonly value: string;
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$/;

/** The criteria of a search query; undefined when there are none, or a field is malformed or repeated. */
export function searchCriteriaOf(query: Readonly<Record<string, unknown>>): SandboxCriterion[] | undefined {
  const criteria: SandboxCriterion[] = [];
  for (const [field, value] of Object.entries(query)) {
    if (!FIELD.test(field) || typeof value !== 'string' || value.trim() === '') return undefined;
    criteria.push({ field, value });
  }
  return criteria.length === 0 ? undefined : criteria;
}

export function searchFits(record: Readonly<Record<string, unknown>>, criteria: readonly SandboxCriterion[]): boolean {
  return criteria.every(({ field, value }) => {
    const actual = textAt(record, field);
    if (actual === undefined) return false;
    const date = calendarDate(value);
    return date !== undefined ? calendarDate(actual) === date : namesEqual(value, actual, 'fold-diacritics');
  });
}
