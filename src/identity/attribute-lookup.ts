/**
 * Finding a foreign national in a Latvian register by attributes (docs/matching.md): a person whose
 * eIDAS identifier was issued by another country has no personal code in the request, so the
 * register is searched by the eIDAS minimum data set (family name, given name, date of birth; place
 * and country of birth when the request carries them and the mapping names their fields).
 *
 * Pure: which criteria a request gives, whether a candidate record fits them, and whether exactly
 * one person remains. DAGR's own search is not trusted to be as strict as we are (its name
 * comparison is an assumption), so every candidate is checked again here; zero or several people
 * is no match, never a guess.
 */
import type { NaturalPerson } from '../edm/model.js';
import type { ForeignLookup } from '../mapping/model.js';
import { textAt, type DagrRecord } from '../mapping/record-path.js';
import { calendarDate } from './match.js';
import { namesEqual, type NameMatching } from './names.js';

export type SearchAttribute = keyof ForeignLookup['fields'];

export interface SearchCriterion {
  readonly attribute: SearchAttribute;
  /** Record field (dot path) holding the attribute. */
  readonly field: string;
  /** The request's value (a date as YYYY-MM-DD). Personal data: never logged. */
  readonly value: string;
}

export type CriteriaResult =
  | { readonly ok: true; readonly criteria: readonly SearchCriterion[] }
  | { readonly ok: false; readonly reason: 'missing-attributes' };

/**
 * The search criteria for `person`: FamilyName, GivenName and a valid DateOfBirth are required
 * (`missing-attributes` otherwise); PlaceOfBirth (or the v1.2 TownOfBirth) and CountryOfBirth are
 * added when the request carries them and the mapping names a field for them.
 */
export function searchCriteria(person: NaturalPerson, spec: ForeignLookup): CriteriaResult {
  const family = present(person.familyName);
  const given = present(person.givenName);
  const born = person.dateOfBirth === undefined ? undefined : calendarDate(person.dateOfBirth);
  if (family === undefined || given === undefined || born === undefined)
    return { ok: false, reason: 'missing-attributes' };
  const criteria: SearchCriterion[] = [
    { attribute: 'FamilyName', field: spec.fields.FamilyName, value: family },
    { attribute: 'GivenName', field: spec.fields.GivenName, value: given },
    { attribute: 'DateOfBirth', field: spec.fields.DateOfBirth, value: born },
  ];
  const place = present(person.placeOfBirth) ?? present(person.townOfBirth);
  if (spec.fields.PlaceOfBirth !== undefined && place !== undefined)
    criteria.push({ attribute: 'PlaceOfBirth', field: spec.fields.PlaceOfBirth, value: place });
  const country = present(person.countryOfBirth);
  if (spec.fields.CountryOfBirth !== undefined && country !== undefined)
    criteria.push({ attribute: 'CountryOfBirth', field: spec.fields.CountryOfBirth, value: country });
  return { ok: true, criteria };
}

/** Whether `record` carries every criterion, equal: names and place with `nameMatching`, dates as dates, countries as codes. */
export function fitsCriteria(
  record: Readonly<Record<string, unknown>>,
  criteria: readonly SearchCriterion[],
  nameMatching: NameMatching,
): boolean {
  return criteria.every(({ attribute, field, value }) => {
    const actual = textAt(record, field);
    if (actual === undefined) return false;
    switch (attribute) {
      case 'DateOfBirth':
        return calendarDate(actual) === value;
      case 'CountryOfBirth':
        return actual.trim().toUpperCase() === value.trim().toUpperCase();
      case 'FamilyName':
      case 'GivenName':
      case 'PlaceOfBirth':
        return namesEqual(value, actual, nameMatching);
    }
  });
}

export type OnePerson =
  | { readonly kind: 'one'; readonly records: readonly [DagrRecord, ...DagrRecord[]] }
  | { readonly kind: 'none'; readonly reason: 'no-candidate' | 'ambiguous' | 'mismatch' };

/**
 * Of the candidates DAGR returned, the records of the one person that `fits` (all of them, in
 * DAGR's order: a person may have several records). Records with different `personField` values
 * are different people; a record without one counts as a person of its own. No candidate at all is
 * `no-candidate`, candidates of which none fits `mismatch`, two or more people `ambiguous`.
 */
export function onePerson(
  candidates: readonly DagrRecord[],
  personField: string,
  fits: (record: DagrRecord) => boolean,
): OnePerson {
  if (candidates.length === 0) return { kind: 'none', reason: 'no-candidate' };
  const fitting = candidates.filter(fits);
  const [first, ...rest] = fitting;
  if (first === undefined) return { kind: 'none', reason: 'mismatch' };
  const who = (r: DagrRecord): string | undefined => present(textAt(r.fields, personField));
  const person = who(first);
  if (person === undefined ? rest.length > 0 : rest.some((r) => who(r) !== person))
    return { kind: 'none', reason: 'ambiguous' };
  return { kind: 'one', records: [first, ...rest] };
}

function present(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}
