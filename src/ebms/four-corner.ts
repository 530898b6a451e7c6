/**
 * The ebMS header held against the payload (four-corner model, OOTS TDD 4.7): `originalSender`
 * is corner C1, the evidence requester — its `sdg:Agent/sdg:Identifier`, with the identifier's
 * `schemeID` as the property's `type` — and `finalRecipient` is corner C4, this evidence provider.
 * The access points (C2, C3) only carry the message: a header that names another requester than
 * the payload, or another provider than us, is not an exchange we may answer with evidence.
 *
 * Two spellings are accepted for a corner (notes §6): the current one (`type` = scheme, value =
 * the identifier) and the older one with the whole URN in the value
 * (`urn:cef.eu:names:identifier:EAS:9930:DE73524311`), with or without a `type`. An EAS scheme
 * `urn:cef.eu:names:identifier:EAS:NNNN` may also be written as the ebCore ISO 6523 party-id
 * type `urn:oasis:names:tc:ebcore:partyid-type:iso6523:NNNN` (the same ICD code).
 *
 * Pure: the caller turns a violation into EDM:ERR:0003.
 */
import type { Identifier } from '../edm/model.js';
import type { EbmsProperty, UserMessage } from './model.js';

const EAS = 'urn:cef.eu:names:identifier:eas:';
const ISO6523 = 'urn:oasis:names:tc:ebcore:partyid-type:iso6523:';

/** The spellings of a scheme that name the same scheme (lower case: URN prefixes are case-insensitive). */
function schemeSpellings(scheme: string): string[] {
  const s = scheme.toLowerCase();
  if (s.startsWith(EAS)) return [s, ISO6523 + s.slice(EAS.length)];
  if (s.startsWith(ISO6523)) return [s, EAS + s.slice(ISO6523.length)];
  return [s];
}

/** Whether the property `p` names the party `id` in one of the accepted spellings. */
export function namesParty(p: EbmsProperty, id: Identifier): boolean {
  if (id.schemeID === undefined || id.schemeID === '') return p.value === id.value;
  const schemes = schemeSpellings(id.schemeID);
  // Current form: type = scheme, value = identifier.
  if (p.value === id.value) return p.type !== undefined && schemes.includes(p.type.toLowerCase());
  // Older form: the URN of scheme and identifier in the value (its type, if any, says little).
  const colon = p.value.length - id.value.length - 1;
  return (
    colon > 0 &&
    p.value.endsWith(id.value) &&
    p.value[colon] === ':' &&
    schemes.includes(p.value.slice(0, colon).toLowerCase())
  );
}

function show(id: Identifier): string {
  return id.schemeID === undefined ? id.value : `${id.value} (${id.schemeID})`;
}

/** The first message property that occurs more than once, if any. */
export function repeatedProperty(um: UserMessage): string | undefined {
  const seen = new Set<string>();
  for (const p of um.properties) {
    if (seen.has(p.name)) return p.name;
    seen.add(p.name);
  }
  return undefined;
}

/**
 * `originalSender` against the payload's evidence requesters (any of them: a v2.0 request may
 * name an intermediary beside the requester). Returns the violation's detail, or undefined.
 */
export function senderMismatch(um: UserMessage, requesters: readonly (Identifier | undefined)[]): string | undefined {
  const sender = um.properties.find((p) => p.name === 'originalSender');
  const known = requesters.filter((r): r is Identifier => r !== undefined && r.value !== '');
  if (sender === undefined || known.length === 0 || known.some((r) => namesParty(sender, r))) return undefined;
  return `four-corner model (TDD 4.7): the ebMS originalSender (C1) must be the EvidenceRequester's sdg:Identifier with its schemeID as type; the payload names ${known.map(show).join(', ')}`;
}

/**
 * `finalRecipient` against the identifiers this adapter answers for: its own (EP_IDENTIFIER) and
 * the issuing authority of the mapping that serves the request (the institution published in the
 * DSD as the evidence provider). Returns the violation's detail, or undefined.
 */
export function recipientMismatch(um: UserMessage, ours: readonly (Identifier | undefined)[]): string | undefined {
  const recipient = um.properties.find((p) => p.name === 'finalRecipient');
  const known = ours.filter((r): r is Identifier => r !== undefined && r.value !== '');
  if (recipient === undefined || known.length === 0 || known.some((r) => namesParty(recipient, r))) return undefined;
  return `four-corner model (TDD 4.7): the ebMS finalRecipient (C4) must be this evidence provider: ${known.map(show).join(' or ')}`;
}
