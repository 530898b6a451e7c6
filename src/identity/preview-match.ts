/**
 * Is the person who logged in to the preview space the person the request is about? The same rules
 * as the DAGR match (match.ts): the identifier decides, names and date of birth must agree.
 *
 * - The person is the request's NaturalPerson subject; for a LegalPerson subject it is the
 *   request's natural-person representative (a company's evidence is previewed by whoever
 *   represents it), and without one nobody matches.
 * - Identifiers: the request carries an eIDAS identifier `XX/YY/national`; the login gives an eIDAS
 *   identifier too (eIDAS node) or a bare Latvian personal code (Latvija.lv). The issuing countries
 *   must be equal (the destination country differs by design: each requester gets its own); for
 *   Latvia both national parts must be valid personal codes and equal as 11 digits (`DDMMYY-CNNNN`
 *   = `DDMMYYCNNNN`); for other countries the national parts must be equal as written (whitespace
 *   ignored). A bare personal code counts as `LV/…`.
 * - Attributes (`FamilyName`, `GivenName`, `DateOfBirth`): compared where both sides carry them,
 *   names with `namesEqual(mode)`, dates as calendar dates; an attribute listed in `required` must be
 *   present on both sides. Any disagreement is a mismatch.
 */
import type { NaturalPerson, Subject } from '../edm/model.js';
import { calendarDate } from './match.js';
import { parseEidasIdentifier } from './eidas.js';
import { namesEqual, type NameMatching } from './names.js';
import { parsePersonalCode } from './personal-code.js';

/** What the identity provider asserted about the person who logged in. */
export interface AuthenticatedIdentity {
  /** eIDAS identifier (`XX/YY/national`) or a Latvian personal code. */
  readonly identifier: string | undefined;
  readonly givenName?: string | undefined;
  readonly familyName?: string | undefined;
  /** xsd:date. */
  readonly birthDate?: string | undefined;
  /** The ID token's `acr` claim: the level of assurance of the login (identity/acr.ts). */
  readonly acr?: string | undefined;
}

export type PreviewAttribute = 'FamilyName' | 'GivenName' | 'DateOfBirth';

export interface PreviewMatchPolicy {
  readonly nameMatching: NameMatching;
  /** Attributes that must be present on both sides (and agree). Default none. */
  readonly required?: readonly PreviewAttribute[];
}

export type PreviewMatch =
  | { readonly matched: true }
  | {
      readonly matched: false;
      /** Safe to log: names what failed, never a value. */
      readonly reason:
        'no-person' | 'identifier-missing' | 'identifier-mismatch' | 'attribute-mismatch' | 'attribute-missing';
      readonly attribute?: PreviewAttribute;
    };

const ATTRIBUTES: readonly PreviewAttribute[] = ['FamilyName', 'GivenName', 'DateOfBirth'];

/** The natural person whose identity must match the login, or undefined when there is none. */
export function previewPerson(
  subject: Subject | undefined,
  representative: NaturalPerson | undefined,
): NaturalPerson | undefined {
  if (subject === undefined) return undefined;
  return subject.kind === 'NaturalPerson' ? subject : representative;
}

export function matchPreviewIdentity(
  subject: Subject | undefined,
  representative: NaturalPerson | undefined,
  identity: AuthenticatedIdentity,
  policy: PreviewMatchPolicy,
): PreviewMatch {
  const person = previewPerson(subject, representative);
  if (person === undefined) return { matched: false, reason: 'no-person' };
  const wanted = person.identifier?.value;
  if (
    wanted === undefined ||
    wanted.trim() === '' ||
    identity.identifier === undefined ||
    identity.identifier.trim() === ''
  )
    return { matched: false, reason: 'identifier-missing' };
  if (!sameIdentifier(wanted, identity.identifier)) return { matched: false, reason: 'identifier-mismatch' };

  const required = new Set(policy.required ?? []);
  for (const attribute of ATTRIBUTES) {
    const a = present(requestValue(person, attribute));
    const b = present(identityValue(identity, attribute));
    if (a === undefined || b === undefined) {
      if (required.has(attribute)) return { matched: false, reason: 'attribute-missing', attribute };
      continue;
    }
    const equal = attribute === 'DateOfBirth' ? sameDate(a, b) : namesEqual(a, b, policy.nameMatching);
    if (!equal) return { matched: false, reason: 'attribute-mismatch', attribute };
  }
  return { matched: true };
}

interface PersonId {
  readonly country: string;
  readonly national: string;
}

/** Parses either form; a bare personal code is Latvian. Undefined when neither. */
export function personIdOf(value: string): PersonId | undefined {
  const eidas = parseEidasIdentifier(value);
  if (eidas.ok) return { country: eidas.issuingCountry, national: eidas.national };
  const code = parsePersonalCode(value);
  return code.ok ? { country: 'LV', national: code.code } : undefined;
}

/** Same person identifier (issuing country and national part), destination country ignored. */
export function sameIdentifier(requestId: string, loginId: string): boolean {
  const a = personIdOf(requestId);
  const b = personIdOf(loginId);
  if (a === undefined || b === undefined || a.country !== b.country) return false;
  if (a.country === 'LV') {
    const ca = parsePersonalCode(a.national);
    const cb = parsePersonalCode(b.national);
    // A Latvian natural person has a personal code; anything else there is not a match.
    return ca.ok && cb.ok && ca.code === cb.code;
  }
  const na = a.national.replace(/\s+/g, '');
  return na !== '' && na === b.national.replace(/\s+/g, '');
}

function requestValue(p: NaturalPerson, attribute: PreviewAttribute): string | undefined {
  switch (attribute) {
    case 'FamilyName':
      return p.familyName;
    case 'GivenName':
      return p.givenName;
    case 'DateOfBirth':
      return p.dateOfBirth;
  }
}

function identityValue(i: AuthenticatedIdentity, attribute: PreviewAttribute): string | undefined {
  switch (attribute) {
    case 'FamilyName':
      return i.familyName;
    case 'GivenName':
      return i.givenName;
    case 'DateOfBirth':
      return i.birthDate;
  }
}

function present(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

function sameDate(a: string, b: string): boolean {
  const da = calendarDate(a);
  return da !== undefined && da === calendarDate(b);
}
