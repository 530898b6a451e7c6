/**
 * Which DAGR records are about the request's subject (docs/matching.md): by the key in the
 * request's identifier, or, for a natural person whose eIDAS identifier was issued by another
 * country and a mapping that allows it, by the eIDAS minimum data set. Either way every record
 * must pass the mapping's identity match (`matchSubject`); no record, or several people, is a
 * typed `none` whose reason goes to the audit trail and the logs (no personal data), never into
 * the answer.
 */
import type { NaturalPerson, Subject } from '../edm/model.js';
import { fitsCriteria, onePerson, searchCriteria } from '../identity/attribute-lookup.js';
import { lookupKey, matchSubject, type LookupKeyResult } from '../identity/match.js';
import type { EvidenceMapping, ForeignLookup } from '../mapping/model.js';
import type { DagrRecord } from '../mapping/record-path.js';
import { DeferredLookup } from './deferred.js';
import type { DagrPort } from './ports.js';

export type NoRecordReason =
  | Extract<LookupKeyResult, { ok: false }>['reason']
  /** The key lookup found nothing. */
  | 'not-found'
  /** Records were found, but none is the subject (names or date of birth differ). */
  | 'mismatch'
  /** A foreign national's request lacks a family name, a given name or a valid date of birth. */
  | 'missing-attributes'
  /** The attribute search found nobody. */
  | 'no-candidate'
  /** The attribute search found several people: nobody is chosen. */
  | 'ambiguous'
  /** The DAGR port cannot search by attributes. */
  | 'search-unavailable';

export type FoundRecords =
  | {
      readonly kind: 'found';
      /** The subject's records that passed the match, in DAGR's order. */
      readonly records: readonly [DagrRecord, ...DagrRecord[]];
      readonly by: 'identifier' | 'attributes';
    }
  | NoRecord;

export interface NoRecord {
  readonly kind: 'none';
  readonly reason: NoRecordReason;
}

const DETAIL: Readonly<Record<NoRecordReason, string>> = {
  'missing-identifier': 'the request carries no identifier to look up',
  'invalid-identifier': 'the identifier is not a valid one for this lookup',
  'not-issued-by-latvia': 'the identifier was not issued by Latvia and this evidence type has no attribute search',
  'not-found': 'no record for the identifier',
  mismatch: 'records found, none matching the subject attributes',
  'missing-attributes': 'attribute search needs family name, given name and a valid date of birth',
  'no-candidate': 'attribute search found nobody',
  ambiguous: 'attribute search found several people; none chosen',
  'search-unavailable': 'the DAGR port cannot search by attributes',
};

/** The audit trail's and the log's text for a reason: no personal data. */
export function noRecordDetail(reason: NoRecordReason): string {
  return `no matching record (${reason}: ${DETAIL[reason]})`;
}

export function isNoRecord(value: object): value is NoRecord {
  return 'kind' in value && value.kind === 'none';
}

export async function findRecords(
  subject: Subject,
  mapping: EvidenceMapping,
  correlationId: string,
  dagr: DagrPort,
): Promise<FoundRecords> {
  const { service, permission, lookup } = mapping.dagr;
  const key = lookupKey(subject, lookup);
  if (!key.ok) {
    // "Not Latvian" is an eIDAS identifier issued by another country; a missing or malformed
    // identifier is not a reason to search by name (docs/matching.md).
    const foreign = lookup.foreignNationals;
    if (key.reason === 'not-issued-by-latvia' && foreign !== undefined && subject.kind === 'NaturalPerson')
      return findByAttributes(subject, mapping, foreign, correlationId, dagr);
    return { kind: 'none', reason: key.reason };
  }
  const result = await dagr.lookup({ service, permission, key: key.key, correlationId });
  if (result.kind === 'not-found') return { kind: 'none', reason: 'not-found' };
  // The record is being prepared: the use case decides whether to answer "later" (./deferred.ts).
  if (result.kind === 'deferred') throw new DeferredLookup(result.retryAt);
  const [first, ...rest] = result.records.filter((r) => matchSubject(subject, r.fields, mapping).matched);
  return first === undefined
    ? { kind: 'none', reason: 'mismatch' }
    : { kind: 'found', records: [first, ...rest], by: 'identifier' };
}

async function findByAttributes(
  person: NaturalPerson,
  mapping: EvidenceMapping,
  foreign: ForeignLookup,
  correlationId: string,
  dagr: DagrPort,
): Promise<FoundRecords> {
  if (dagr.search === undefined) return { kind: 'none', reason: 'search-unavailable' };
  const wanted = searchCriteria(person, foreign);
  if (!wanted.ok) return { kind: 'none', reason: wanted.reason };
  const result = await dagr.search({
    service: mapping.dagr.service,
    permission: mapping.dagr.permission,
    criteria: wanted.criteria.map(({ field, value }) => ({ field, value })),
    correlationId,
  });
  if (result.kind === 'deferred') throw new DeferredLookup(result.retryAt);
  const candidates = result.kind === 'found' ? result.records : [];
  const picked = onePerson(
    candidates,
    foreign.person,
    (r) =>
      fitsCriteria(r.fields, wanted.criteria, mapping.dagr.nameMatching) &&
      matchSubject(person, r.fields, mapping).matched,
  );
  return picked.kind === 'one' ? { kind: 'found', records: picked.records, by: 'attributes' } : picked;
}
