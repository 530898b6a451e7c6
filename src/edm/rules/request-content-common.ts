/**
 * What the QueryRequest content rules share (request-content.ts, request-content-subjects.ts):
 * where things are in a request, the shape of a rule ("every element found must pass"), and the
 * official texts and checks several rules repeat.
 */
import { EAS_CODES, LANGUAGE_CODES, PROCEDURES, PROCEDURES_SINCE_1_1_2, PROCEDURES_SINCE_1_2_5 } from '../codelists.js';
import type { EdmVersion } from '../model.js';
import { NS } from '../xml/namespaces.js';
import { attr, type XmlElement } from '../xml/tree.js';
import {
  inLanguageList,
  isV2,
  kids,
  normalizeSpace,
  requestRule,
  sdgKids,
  slotValues,
  slotsNamed,
  srPath,
  stringValue,
  type RequestView,
} from './common.js';
import type { Rule, RuleContext } from './engine.js';
import { slotObjects } from './request-structure.js';
import type { Severity } from '../violation.js';

// --- where things are -------------------------------------------------------------------------

export function requirements(view: RequestView): readonly XmlElement[] {
  return slotObjects(view, 'top', 'Requirements', 'Requirement', true);
}
export function requesterAgents(view: RequestView): readonly XmlElement[] {
  return slotObjects(view, 'top', 'EvidenceRequester', 'Agent', true);
}
export function providerAgents(view: RequestView): readonly XmlElement[] {
  return slotObjects(view, 'top', 'EvidenceProvider', 'Agent', false);
}
export function classifications(view: RequestView): readonly XmlElement[] {
  return slotObjects(view, 'top', 'EvidenceProviderClassification', 'EvidenceProviderClassification', true);
}
export function evidenceTypes(view: RequestView): readonly XmlElement[] {
  return slotObjects(view, 'query', 'EvidenceRequest', 'DataServiceEvidenceType', false);
}
/** `sdg:Person` of NaturalPerson / AuthorizedRepresentative, `sdg:LegalPerson` of LegalPerson. */
export function subjects(
  view: RequestView,
  slot: 'NaturalPerson' | 'AuthorizedRepresentative' | 'LegalPerson',
): readonly XmlElement[] {
  return slotObjects(view, 'query', slot, slot === 'LegalPerson' ? 'LegalPerson' : 'Person', false);
}
export function procedureValues(view: RequestView): XmlElement[] {
  return kids2(slotValues(slotsNamed(view.topSlots, 'Procedure')), NS.rim, 'Value');
}
export function kids2(parents: readonly XmlElement[], ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const p of parents) out.push(...kids(p, ns, local));
  return out;
}

// --- rule shapes ------------------------------------------------------------------------------

export type Finder = (view: RequestView) => readonly XmlElement[];

/** Every element found must pass `ok`. */
export function each(
  id: string,
  severity: Severity,
  text: string,
  find: Finder,
  ok: (el: XmlElement, ctx: RuleContext) => boolean,
): Rule {
  return requestRule(id, severity, text, (ctx, view) => {
    for (const el of find(view)) if (!ok(el, ctx)) ctx.report(el);
  });
}

export function codeListText(list: string, context: string): string {
  return `Value supplied is unacceptable for constraints identified by '${list}' in the context '${context}'`;
}

export const SCHEME_PRESENT = "The 'schemeID' attribute of 'Identifier' MUST be present.";
export const LANG_PRESENT = "The value of 'lang' attribute MUST be be provided. Default value: 'EN'.";
export const EIDAS_FORMAT =
  "The value of a Person 'Identifier' MUST have the format XX/YY/ZZZZZZZ where XX is the Nationality Code of the identifier and YY is the Nationality Code of the destination country and ZZZZZZZ is an undefined combination of characters which uniquely identifies the identity asserted in the country of origin. Example: ES/AT/02635542Y";
export const DOB_FORMAT =
  "The value of 'DateOfBirth' MUST use the following format YYYY + “-“ + MM + “-“ + DD (as defined for xsd:date)";
export const EAS_TEXT =
  "The value of the 'schemeID' attribute of the 'Identifier' MUST be part of the code list 'EAS' (Electronic Address Scheme ) and use the prefix 'urn:cef.eu:names:identifier:EAS:[Code]' or start with the following value 'urn:oasis:names:tc:ebcore:partyid-type:unregistered'";

export const EAS_PREFIX = 'urn:cef.eu:names:identifier:EAS:';
export const UNREGISTERED_PREFIX = 'urn:oasis:names:tc:ebcore:partyid-type:unregistered';

/** C012/C018: absent schemeID is C010/C017's finding, not this one's. */
export function easSchemeOk(identifier: XmlElement): boolean {
  const scheme = attr(identifier, 'schemeID');
  if (scheme === undefined) return true;
  if (scheme.startsWith(UNREGISTERED_PREFIX)) return true;
  return scheme.startsWith(EAS_PREFIX) && EAS_CODES.has(scheme.slice(EAS_PREFIX.length));
}

/** The procedure codes a request of `version` may use ('00' from TDD 1.1.2; V5, X7, X9, AM1 from 1.2.5). */
export function proceduresFor(version: EdmVersion | undefined): (code: string) => boolean {
  const later = version === 'oots-edm:v1.2' || version === 'oots-edm:v2.0';
  return (code) =>
    PROCEDURES.has(code) || PROCEDURES_SINCE_1_1_2.has(code) || (later && PROCEDURES_SINCE_1_2_5.has(code));
}

/** v1.x: `rim:Value/rim:LocalizedString/@value`; v2.0: the `rim:Value` text itself. */
export function procedureCodes(view: RequestView, version: EdmVersion | undefined): { at: XmlElement; code: string }[] {
  const out: { at: XmlElement; code: string }[] = [];
  for (const v of procedureValues(view)) {
    if (isV2(version)) out.push({ at: v, code: normalizeSpace(v.text) });
    else
      for (const ls of kids(v, NS.rim, 'LocalizedString')) {
        const code = attr(ls, 'value');
        if (code !== undefined) out.push({ at: ls, code: code.trim() });
      }
  }
  return out;
}

/** `@lang` of each element must be in LanguageCode (absent: another rule's finding). */
export function langInList(el: XmlElement): boolean {
  const lang = attr(el, 'lang');
  return lang === undefined || inLanguageList(LANGUAGE_CODES, lang);
}
export function langPresent(el: XmlElement): boolean {
  return normalizeSpace(attr(el, 'lang') ?? '') !== '';
}
export function schemePresent(el: XmlElement): boolean {
  return attr(el, 'schemeID') !== undefined;
}
export function text(el: XmlElement): string {
  return normalizeSpace(stringValue(el));
}
export function srUri(el: XmlElement, re: RegExp): boolean {
  const path = srPath(text(el));
  return path !== undefined && re.test(path);
}
export const ETC_PATH =
  /^evidencetypeclassifications\/[a-z]{2}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const REQUIREMENT_PATH = /^requirements\/(?:urn:uuid:)?([0-9a-f-]+)$/i;
export const DISTRIBUTION_PATH = /^(?:distributions|datamodels)\//;

export function addressCountries(persons: readonly XmlElement[], address: string): XmlElement[] {
  return sdgKids(sdgKids(persons, address), 'AdminUnitLevel1');
}
