/**
 * Step 2a of the exchange, right after the mapping is found: was the user authenticated at the
 * level of assurance this evidence needs? The request states, per person, the eIDAS level at which
 * the requester authenticated them (`sdg:LevelOfAssurance` of the subject and, when there is one,
 * of the AuthorizedRepresentative). The weakest of them decides: evidence needing `Substantial` is
 * not given on a `Low` login, however strong the other party's level.
 *
 * A request below the mapping's level is answered with EDM:ERR:0001 (`rs:AuthenticationExceptionType`,
 * "Failed Authentication", EDMErrorCodes code list): the authentication the request rests on is
 * not sufficient for this evidence. The request is valid (0003 would say otherwise), the evidence
 * type is provided (not 0006), and nothing failed in processing (not 0008); 0002 is the preview.
 */
import type { QueryRequest } from '../edm/model.js';
import { loaRank, meetsLevel, parseLevelOfAssurance, type LevelOfAssurance } from '../edm/loa.js';
import { requiredLevel } from '../mapping/assurance.js';
import type { EvidenceMapping } from '../mapping/model.js';
import { Refusal } from './refusal.js';

export type AssuranceCheck =
  | { readonly ok: true; readonly required: LevelOfAssurance; readonly stated: LevelOfAssurance }
  | {
      readonly ok: false;
      readonly required: LevelOfAssurance;
      /** Undefined when a person's level is missing or not in the code list. */
      readonly stated: LevelOfAssurance | undefined;
      /** Which person's level fell short: no personal data. */
      readonly who: 'subject' | 'representative';
    };

/** Compares the levels the request states with the mapping's minimum (pure). */
export function checkRequestAssurance(
  request: Pick<QueryRequest, 'subject' | 'authorizedRepresentative'>,
  mapping: Pick<EvidenceMapping, 'levelOfAssurance'>,
): AssuranceCheck {
  const required = requiredLevel(mapping);
  const people: ['subject' | 'representative', string | undefined][] = [
    ['subject', request.subject?.levelOfAssurance],
  ];
  if (request.authorizedRepresentative !== undefined)
    people.push(['representative', request.authorizedRepresentative.levelOfAssurance]);
  let weakest: LevelOfAssurance = 'High';
  for (const [who, text] of people) {
    const stated = parseLevelOfAssurance(text);
    if (stated === undefined || !meetsLevel(stated, required)) return { ok: false, required, stated, who };
    if (loaRank(stated) < loaRank(weakest)) weakest = stated;
  }
  return { ok: true, required, stated: weakest };
}

/** Throws the EDM:ERR:0001 refusal when the request's level is below the mapping's. */
export function requireAssurance(
  request: Pick<QueryRequest, 'subject' | 'authorizedRepresentative'>,
  mapping: Pick<EvidenceMapping, 'levelOfAssurance'>,
): void {
  const check = checkRequestAssurance(request, mapping);
  if (check.ok) return;
  const person = check.who === 'subject' ? 'the subject' : 'the AuthorizedRepresentative';
  throw new Refusal(
    'EDM:ERR:0001',
    `${person} was authenticated at LevelOfAssurance ${check.stated ?? '(none)'}; this evidence needs ${check.required} or higher`,
  );
}
