/**
 * Who the request is about, in DAGR's terms: the lookup key taken from the request subject, and the
 * check that the record found is the same person (name, date of birth) or company (legal name). No
 * match means no evidence.
 */
import type { LegalPerson, NaturalPerson, Subject } from '../edm/model.js';
import type { EvidenceMapping, MatchAttribute } from '../mapping/model.js';
import { textAt } from '../mapping/record-path.js';
import { parseEidasIdentifier } from './eidas.js';
import { namesEqual } from './names.js';
import { daysInMonth, parsePersonalCode } from './personal-code.js';
import { parseRegistrationNumber } from './registration-number.js';

export type LookupKeyResult =
  | { readonly ok: true; readonly key: string }
  | { readonly ok: false; readonly reason: 'missing-identifier' | 'not-issued-by-latvia' | 'invalid-identifier' };

/**
 * The DAGR object identifier for `subject` as the mapping's `dagr.lookup` says:
 * - `eidas-national`: `LV/xx/<national>` only; the national part must be a valid personal code
 *   (NaturalPerson, returned as 11 digits) or registration number (LegalPerson).
 * - `eidas-full`: the eIDAS identifier as written (trimmed); it must have the `XX/YY/...` shape.
 * - `legal-identifier`: the LegalPerson identifier with `lookup.scheme`, `LV` prefix stripped, a valid
 *   registration number; another country prefix is `not-issued-by-latvia`.
 */
export function lookupKey(subject: Subject, lookup: EvidenceMapping['dagr']['lookup']): LookupKeyResult {
  switch (lookup.from) {
    case 'eidas-national': {
      const raw = eidasOf(subject);
      if (raw === undefined) return { ok: false, reason: 'missing-identifier' };
      const id = parseEidasIdentifier(raw);
      if (!id.ok) return { ok: false, reason: 'invalid-identifier' };
      if (id.issuingCountry !== 'LV') return { ok: false, reason: 'not-issued-by-latvia' };
      return nationalKey(subject.kind, id.national);
    }
    case 'eidas-full': {
      const raw = eidasOf(subject);
      if (raw === undefined) return { ok: false, reason: 'missing-identifier' };
      if (!parseEidasIdentifier(raw).ok) return { ok: false, reason: 'invalid-identifier' };
      return { ok: true, key: raw.trim() };
    }
    case 'legal-identifier': {
      if (subject.kind !== 'LegalPerson' || lookup.scheme === undefined)
        return { ok: false, reason: 'missing-identifier' };
      const scheme = lookup.scheme.toLowerCase();
      const found = subject.identifiers.find((i) => i.schemeID?.toLowerCase() === scheme && i.value.trim() !== '');
      if (found === undefined) return { ok: false, reason: 'missing-identifier' };
      const value = found.value.replace(/\s+/g, '');
      if (/^[A-Za-z]{2}/.test(value) && !/^LV/i.test(value)) return { ok: false, reason: 'not-issued-by-latvia' };
      return nationalKey('LegalPerson', value);
    }
  }
}

function eidasOf(subject: Subject): string | undefined {
  const v = subject.kind === 'NaturalPerson' ? subject.identifier?.value : subject.legalPersonIdentifier?.value;
  return v === undefined || v.trim() === '' ? undefined : v;
}

function nationalKey(kind: Subject['kind'], national: string): LookupKeyResult {
  if (kind === 'NaturalPerson') {
    const code = parsePersonalCode(national);
    return code.ok ? { ok: true, key: code.code } : { ok: false, reason: 'invalid-identifier' };
  }
  const number = parseRegistrationNumber(national);
  return number.ok ? { ok: true, key: number.number } : { ok: false, reason: 'invalid-identifier' };
}

export interface MatchResult {
  readonly matched: boolean;
  /** Attributes that did not match (also those missing from the request or the record). */
  readonly failed: readonly MatchAttribute[];
}

/**
 * Compares the request subject with the DAGR record on every attribute in `mapping.dagr.match`.
 * Names use `mapping.dagr.nameMatching`; DateOfBirth is compared as xsd:date (calendar date, any
 * timezone ignored). An attribute the mapping requires but the request (or the record) lacks fails.
 */
export function matchSubject(
  subject: Subject,
  record: Readonly<Record<string, unknown>>,
  mapping: Pick<EvidenceMapping, 'dagr'>,
): MatchResult {
  const failed: MatchAttribute[] = [];
  for (const { attribute, field } of mapping.dagr.match) {
    const wanted = requestValue(subject, attribute);
    const actual = textAt(record, field);
    const ok =
      wanted !== undefined &&
      actual !== undefined &&
      (attribute === 'DateOfBirth' ? sameDate(wanted, actual) : namesEqual(wanted, actual, mapping.dagr.nameMatching));
    if (!ok) failed.push(attribute);
  }
  return { matched: failed.length === 0, failed };
}

function requestValue(subject: Subject, attribute: MatchAttribute): string | undefined {
  const v = subject.kind === 'NaturalPerson' ? naturalValue(subject, attribute) : legalValue(subject, attribute);
  return v === undefined || v.trim() === '' ? undefined : v;
}

function naturalValue(p: NaturalPerson, attribute: MatchAttribute): string | undefined {
  switch (attribute) {
    case 'FamilyName':
      return p.familyName;
    case 'GivenName':
      return p.givenName;
    case 'DateOfBirth':
      return p.dateOfBirth;
    case 'LegalName':
      return undefined;
  }
}

function legalValue(p: LegalPerson, attribute: MatchAttribute): string | undefined {
  return attribute === 'LegalName' ? p.legalName : undefined;
}

/** The calendar date of an xsd:date (optionally with a timezone) or an xsd:dateTime; undefined if not one. */
export function calendarDate(value: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2}|T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function sameDate(a: string, b: string): boolean {
  const da = calendarDate(a);
  return da !== undefined && da === calendarDate(b);
}
