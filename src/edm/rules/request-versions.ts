/**
 * QueryRequest rules whose meaning depends on the EDM version, or that later releases added
 * (notes §8 and "Known rule deltas"; IDs as published, semantics from the third-party reading the
 * notes cite). Two v2.0 structural changes have no published ID and no XSD or Schematron we can cite
 * (neither is offline): they carry the adapter's own IDs `LV-EDM-REQ-…` and are warnings only, so a
 * requester moving from 1.2 to 2.0 is answered, told what 2.0 expects (docs/errors.md lists them).
 *
 * Not implemented: R-EDM-REQ-C092 (1.2.5: "23 allowed element names"): the list itself is not
 * available offline, and guessing it would reject conformant requests.
 */
import { IDENTIFIER_SCHEMES, LANGUAGE_CODES } from '../codelists.js';
import { EDM_VERSIONS } from '../model.js';
import { NS } from '../xml/namespaces.js';
import { attr, type XmlElement } from '../xml/tree.js';
import {
  V1,
  V12_AND_LATER,
  V2,
  hasRimType,
  hasSdgValue,
  inLanguageList,
  inList,
  isV2,
  kids,
  normalizeSpace,
  requestRule,
  sdgKids,
  slotValues,
  slotsNamed,
  stringValue,
} from './common.js';
import type { Rule } from './engine.js';
import { slotObjects } from './request-structure.js';

/** `Gender` code list of v2.0: the eIDAS profile plus the eIDAS2 numeric profile (0–6, 9). */
const GENDER_CODES: ReadonlySet<string> = new Set([
  'Male',
  'Female',
  'Unspecified',
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '9',
]);
const EIDAS_GENDERS: ReadonlySet<string> = new Set(['Male', 'Female', 'Unspecified']);
const ASSOCIATED_DOCUMENTS: ReadonlySet<string> = new Set(['Annex', 'HumanReadableVersion', 'Translation']);

const SUPPORTED = new Set<string>(EDM_VERSIONS);

function distributions(view: Parameters<typeof slotObjects>[0]): readonly XmlElement[] {
  return sdgKids(slotObjects(view, 'query', 'EvidenceRequest', 'DataServiceEvidenceType', false), 'DistributedAs');
}

export const REQUEST_VERSION_RULES: readonly Rule[] = [
  // The snapshot fixes `oots-edm:v1.0`; a request announcing another version we serve is not wrong
  // for saying so (the request decides the version, DESIGN §4).
  requestRule(
    'R-EDM-REQ-C001',
    'error',
    "The 'rim:Value' of the 'SpecificationIdentifier' MUST be the fixed value \"oots-edm:v1.0\" (or another EDM version this adapter serves: oots-edm:v1.1, oots-edm:v1.2, oots-edm:v2.0).",
    (ctx, view) => {
      for (const sv of slotValues(slotsNamed(view.topSlots, 'SpecificationIdentifier'))) {
        const values = kids(sv, NS.rim, 'Value');
        if (!values.some((v) => SUPPORTED.has(v.text.trim()))) ctx.report(sv);
      }
    },
  ),
  // v1.x: at most one DistributedAs; v2.0: at least one (2.0.1).
  requestRule(
    'R-EDM-REQ-C032',
    'error',
    "The Element 'DistributedAs' must occur not more than once (maxOccurs=\"1)' in the EvidenceRequest (v2.0: at least once).",
    (ctx, view) => {
      for (const d of slotObjects(view, 'query', 'EvidenceRequest', 'DataServiceEvidenceType', false)) {
        const n = kids(d, NS.sdg, 'DistributedAs').length;
        if (isV2(ctx.version) ? n < 1 : n > 1) ctx.report(d);
      }
    },
  ),
  requestRule(
    'R-EDM-REQ-C069',
    'error',
    "The value of 'lang' attribute MUST be part of the code list 'LanguageCode' (ISO 639-1 two-letter code).",
    (ctx, view) => {
      const lang = view.request === undefined ? undefined : attr(view.request, 'lang', NS.xml);
      if (lang !== undefined && !inLanguageList(LANGUAGE_CODES, lang)) ctx.report(view.request);
    },
    V1,
  ),
  // Adapter's own ID (no official rule known): v2.0 moved the language into
  // DistributedAs/sdg:Language; a root `xml:lang` left over from 1.x is reported, not refused.
  requestRule(
    'LV-EDM-REQ-001',
    'warning',
    "A v2.0 'query:QueryRequest' should not carry an 'xml:lang' attribute (v2.0 puts the requested language in 'sdg:DistributedAs/sdg:Language').",
    (ctx, view) => {
      if (view.request !== undefined && attr(view.request, 'lang', NS.xml) !== undefined) ctx.report(view.request);
    },
    V2,
  ),
  // Adapter's own ID (no official rule known): v2.0 removed `sdg:Transformation` (a transformation
  // is a distribution of its own); one left in a v2.0 request is reported, not refused.
  requestRule(
    'LV-EDM-REQ-002',
    'warning',
    "A v2.0 'sdg:DistributedAs' should not contain 'sdg:Transformation' (removed in v2.0).",
    (ctx, view) => {
      for (const t of sdgKids(distributions(view), 'Transformation')) ctx.report(t);
    },
    V2,
  ),
  requestRule(
    'R-EDM-REQ-C055',
    'error',
    "The 'schemeID' attribute of the 'Identifier' MUST be part of the code list 'IdentifierSchemes' (eIDAS Legal Person Identifier Schemes).",
    (ctx, view) => {
      for (const id of sdgKids(slotObjects(view, 'query', 'LegalPerson', 'LegalPerson', false), 'Identifier')) {
        const scheme = attr(id, 'schemeID');
        if (scheme !== undefined && !inList(IDENTIFIER_SCHEMES, scheme)) ctx.report(id);
      }
    },
  ),
  requestRule(
    'R-EDM-REQ-C073',
    'error',
    "The 'sdg:Agent' classified 'ER' MUST have an 'sdg:Address' with at least 'sdg:AdminUnitLevel1' (CountryIdentificationCode).",
    (ctx, view) => {
      for (const a of slotObjects(view, 'top', 'EvidenceRequester', 'Agent', true)) {
        const classification = kids(a, NS.sdg, 'Classification')[0];
        if (classification === undefined || normalizeSpace(stringValue(classification)) !== 'ER') continue;
        const address = kids(a, NS.sdg, 'Address')[0];
        if (address === undefined || !hasSdgValue(address, 'AdminUnitLevel1')) ctx.report(a);
      }
    },
    V12_AND_LATER,
  ),
  // ReturnLocation (v2.0 only): typed as a string, an https URI, and paired with PreviewLocation.
  requestRule(
    'R-EDM-REQ-S061',
    'error',
    'The rim:SlotValue of rim:Slot name="ReturnLocation" MUST be of "rim:StringValueType" holding an https URI, and ReturnLocation and PreviewLocation MUST be present together.',
    (ctx, view) => {
      const returns = slotsNamed(view.topSlots, 'ReturnLocation');
      const previews = slotsNamed(view.topSlots, 'PreviewLocation');
      for (const sv of slotValues(returns)) {
        const value = kids(sv, NS.rim, 'Value')[0];
        if (
          !hasRimType(sv, 'StringValueType') ||
          value === undefined ||
          !stringValue(value).trim().startsWith('https://')
        )
          ctx.report(sv);
      }
      if (returns.length > 0 && previews.length === 0) ctx.report(returns[0]);
      if (previews.length > 0 && returns.length === 0) ctx.report(previews[0]);
    },
    V2,
  ),
  requestRule(
    'R-EDM-REQ-S055',
    'error',
    'The rim:SlotValue of rim:Slot name="AuthorizedRepresentativeLegalPerson" MUST be of "rim:AnyValueType"',
    (ctx, view) => {
      for (const sv of slotValues(slotsNamed(view.querySlots, 'AuthorizedRepresentativeLegalPerson')))
        if (!hasRimType(sv, 'AnyValueType')) ctx.report(sv);
    },
    V2,
  ),
  requestRule(
    'R-EDM-REQ-C119',
    'error',
    "The value of 'sdg:AssociatedDocumentRequest' MUST be one of 'Annex', 'HumanReadableVersion', 'Translation'.",
    (ctx, view) => {
      const types = slotObjects(view, 'query', 'EvidenceRequest', 'DataServiceEvidenceType', false);
      const found = [
        ...sdgKids(types, 'AssociatedDocumentRequest'),
        ...sdgKids(distributions(view), 'AssociatedDocumentRequest'),
      ];
      for (const el of found) if (!ASSOCIATED_DOCUMENTS.has(normalizeSpace(stringValue(el)))) ctx.report(el);
    },
    V2,
  ),
  requestRule(
    'R-EDM-REQ-C124',
    'error',
    "The 'sdg:Gender' of an AuthorizedRepresentative MUST be part of the code list 'Gender'.",
    (ctx, view) => {
      for (const g of sdgKids(slotObjects(view, 'query', 'AuthorizedRepresentative', 'Person', false), 'Gender'))
        if (!GENDER_CODES.has(normalizeSpace(stringValue(g)))) ctx.report(g);
    },
    V2,
  ),
  // An eIDAS-identified representative writes Gender in its eIDAS profile; an absent Gender is left
  // alone (the published reading of "at least one eIDAS gender" would refuse it; we do not guess).
  requestRule(
    'R-EDM-REQ-C126',
    'error',
    "The 'sdg:Gender' of an AuthorizedRepresentative with an 'eidas' Identifier MUST use the eIDAS values 'Male', 'Female' or 'Unspecified'.",
    (ctx, view) => {
      for (const p of slotObjects(view, 'query', 'AuthorizedRepresentative', 'Person', false)) {
        if (!kids(p, NS.sdg, 'Identifier').some((i) => attr(i, 'schemeID') === 'eidas')) continue;
        for (const g of kids(p, NS.sdg, 'Gender'))
          if (GENDER_CODES.has(normalizeSpace(stringValue(g))) && !EIDAS_GENDERS.has(normalizeSpace(stringValue(g))))
            ctx.report(g);
      }
    },
    V2,
  ),
];
