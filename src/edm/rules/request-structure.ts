/**
 * QueryRequest structure rules: every assert of the official `EDM-REQ-S.sch` (v1.0 snapshot), by
 * ID, with the meaning of its XPath test. Deliberate departures are listed in
 * `REQUEST_RULE_DEVIATIONS` (request-index.ts).
 *
 * The one unnamed official assert ("The rim:Slot name="AuthorizedRepresentative" MAY be present in
 * the Query", role info; R-EDM-REQ-S018 in the business-rules sheet) gets no rule: it counts the slot
 * among the QueryRequest's children, where it never is, so it fires on every request and says nothing.
 */
import { NS } from '../xml/namespaces.js';
import { attr, type XmlElement } from '../xml/tree.js';
import {
  collectionElements,
  hasKid,
  hasRimType,
  isUrnUuid,
  isV2,
  kids,
  memo,
  normalizeSpace,
  requestRule,
  sdgKids,
  slotValues,
  slotsNamed,
  type RequestView,
  type SlotMap,
} from './common.js';
import type { Rule, RuleContext } from './engine.js';
import type { Severity } from '../violation.js';

function slotCount(id: string, severity: Severity, name: string, where: 'QueryRequest' | 'Query', text: string): Rule {
  return requestRule(id, severity, text, (ctx, view) => {
    if (view.request === undefined) return;
    const map = where === 'QueryRequest' ? view.topSlots : view.querySlots;
    if (where === 'Query' && view.queries.length === 0) return;
    if (slotsNamed(map, name).length !== 1) ctx.report(where === 'Query' ? view.queries[0] : view.request);
  });
}

/** Each `rim:SlotValue` of the named slots must be of `rim:<type>`. */
function slotValueType(id: string, name: string, where: 'top' | 'query', type: string, text: string): Rule {
  return requestRule(id, 'error', text, (ctx, view) => {
    const map = where === 'top' ? view.topSlots : view.querySlots;
    for (const sv of slotValues(slotsNamed(map, name))) if (!hasRimType(sv, type)) ctx.report(sv);
  });
}

/** Each `rim:Element` of the named collection slot must be of `rim:AnyValueType`. */
function elementType(id: string, name: string, text: string): Rule {
  return requestRule(id, 'error', text, (ctx, view) => {
    for (const el of collectionElements(slotValues(slotsNamed(view.topSlots, name))))
      if (!hasRimType(el, 'AnyValueType')) ctx.report(el);
  });
}

/**
 * The slot must hold an `sdg:<local>`: in each SlotValue (`value`), in each collection Element
 * (`element`), or in at least one Element of each SlotValue (`someElement`, S039's context).
 */
function holds(
  id: string,
  name: string,
  where: 'top' | 'query',
  level: 'value' | 'element' | 'someElement',
  local: string,
  text: string,
): Rule {
  return requestRule(id, 'error', text, (ctx, view) => {
    const map: SlotMap = where === 'top' ? view.topSlots : view.querySlots;
    const values = slotValues(slotsNamed(map, name));
    if (level === 'value') {
      for (const sv of values) if (!hasKid(sv, NS.sdg, local)) ctx.report(sv);
    } else if (level === 'someElement') {
      for (const sv of values) if (sdgKids(kids(sv, NS.rim, 'Element'), local).length === 0) ctx.report(sv);
    } else {
      for (const el of collectionElements(values)) if (!hasKid(el, NS.sdg, local)) ctx.report(el);
    }
  });
}

/** The `sdg:<local>` elements found at `Slot[name]/SlotValue[/rim:Element]/sdg:<local>` (memoised per tree). */
export function slotObjects(
  view: RequestView,
  where: 'top' | 'query',
  name: string,
  local: string,
  inElement: boolean,
): readonly XmlElement[] {
  return memo(view, `${where}|${name}|${local}|${inElement ? 'e' : 'v'}`, () => {
    const values = slotValues(slotsNamed(where === 'top' ? view.topSlots : view.querySlots, name));
    return sdgKids(inElement ? collectionElements(values) : values, local);
  });
}

const TOP_SLOTS_V1 = new Set([
  'SpecificationIdentifier',
  'IssueDateTime',
  'Procedure',
  'PreviewLocation',
  'PossibilityForPreview',
  'ExplicitRequestGiven',
  'Requirements',
  'EvidenceRequester',
  'EvidenceProvider',
  'EvidenceProviderClassification',
  // The official list also admits the Query's slots here (misplaced, but not "other" slots).
  'EvidenceRequest',
  'LegalPerson',
  'NaturalPerson',
  'AuthorizedRepresentative',
]);
// v2.0 adds ReturnLocation (S061) and the legal-person representative (S055).
const TOP_SLOTS_V2 = new Set([...TOP_SLOTS_V1, 'ReturnLocation', 'AuthorizedRepresentativeLegalPerson']);

const DSET_CHILDREN = new Set(['Identifier', 'EvidenceTypeClassification', 'Title', 'Description', 'DistributedAs']);

function reportIf(ctx: RuleContext, at: XmlElement, failed: boolean): void {
  if (failed) ctx.report(at);
}

export const REQUEST_STRUCTURE_RULES: readonly Rule[] = [
  requestRule(
    'R-EDM-REQ-S001',
    'error',
    "The root element of a query request document MUST be 'query:QueryRequest'",
    (ctx) => reportIf(ctx, ctx.root, ctx.root.local !== 'QueryRequest'),
  ),
  requestRule(
    'R-EDM-REQ-S002',
    'error',
    "The namespace of root element of a 'query:QueryRequest' must be 'urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0'",
    (ctx) => reportIf(ctx, ctx.root, ctx.root.ns !== NS.query),
  ),
  requestRule(
    'R-EDM-REQ-S004',
    'error',
    "The 'id' attribute of a 'QueryRequest' MUST be unique UUID (RFC 4122) for each request.",
    (ctx, view) => {
      if (view.request === undefined) return;
      const id = attr(view.request, 'id');
      if (id !== undefined && !isUrnUuid(normalizeSpace(id))) ctx.report(view.request);
    },
  ),
  slotCount(
    'R-EDM-REQ-S005',
    'error',
    'SpecificationIdentifier',
    'QueryRequest',
    'The rim:Slot name="SpecificationIdentifier" MUST be present in the QueryRequest.',
  ),
  slotCount(
    'R-EDM-REQ-S006',
    'error',
    'IssueDateTime',
    'QueryRequest',
    'The rim:Slot name="IssueDateTime" MUST be present in the QueryRequest.',
  ),
  slotCount(
    'R-EDM-REQ-S007',
    'warning',
    'Procedure',
    'QueryRequest',
    'The rim:Slot name="Procedure" SHOULD be present in the QueryRequest.',
  ),
  slotCount(
    'R-EDM-REQ-S008',
    'info',
    'PreviewLocation',
    'QueryRequest',
    'The rim:Slot name="PreviewLocation" MAY be present in the QueryRequest.',
  ),
  slotCount(
    'R-EDM-REQ-S009',
    'error',
    'PossibilityForPreview',
    'QueryRequest',
    'The rim:Slot name="PossibilityForPreview" MUST be present in the QueryRequest.',
  ),
  slotCount(
    'R-EDM-REQ-S010',
    'error',
    'ExplicitRequestGiven',
    'QueryRequest',
    'The rim:Slot name="ExplicitRequestGiven" MUST be present in the QueryRequest.',
  ),
  slotCount(
    'R-EDM-REQ-S011',
    'warning',
    'Requirements',
    'QueryRequest',
    'The rim:Slot name="Requirements" SHOULD be present in the QueryRequest.',
  ),
  slotCount(
    'R-EDM-REQ-S012',
    'error',
    'EvidenceRequester',
    'QueryRequest',
    'The rim:Slot name="EvidenceRequester" MUST be present in the QueryRequest.',
  ),
  slotCount(
    'R-EDM-REQ-S013',
    'error',
    'EvidenceProvider',
    'QueryRequest',
    'The rim:Slot name="EvidenceProvider" MUST be present in the QueryRequest.',
  ),
  slotCount(
    'R-EDM-REQ-S014',
    'info',
    'EvidenceProviderClassification',
    'QueryRequest',
    'The rim:Slot name="EvidenceProviderClassification" MAY be present in the QueryRequest.',
  ),
  requestRule('R-EDM-REQ-S019', 'error', 'A query:QueryRequest MUST not contain any other rim:Slots.', (ctx, view) => {
    const allowed = isV2(ctx.version) ? TOP_SLOTS_V2 : TOP_SLOTS_V1;
    for (const s of view.topSlotList) if (!allowed.has(attr(s, 'name') ?? '')) ctx.report(s);
  }),
  slotValueType(
    'R-EDM-REQ-S020',
    'SpecificationIdentifier',
    'top',
    'StringValueType',
    'The rim:SlotValue of rim:Slot name="SpecificationIdentifier" MUST be of "rim:StringValueType"',
  ),
  slotValueType(
    'R-EDM-REQ-S021',
    'IssueDateTime',
    'top',
    'DateTimeValueType',
    'The rim:SlotValue of rim:Slot name="IssueDateTime" MUST be of "rim:DateTimeValueType"',
  ),
  // v2.0 types Procedure as a plain string (notes §8); v1.x as an international string.
  requestRule(
    'R-EDM-REQ-S022',
    'error',
    'The rim:SlotValue of rim:Slot name="Procedure" MUST be of "rim:InternationalStringValueType" (v2.0: "rim:StringValueType")',
    (ctx, view) => {
      const type = isV2(ctx.version) ? 'StringValueType' : 'InternationalStringValueType';
      for (const sv of slotValues(slotsNamed(view.topSlots, 'Procedure'))) if (!hasRimType(sv, type)) ctx.report(sv);
    },
  ),
  slotValueType(
    'R-EDM-REQ-S023',
    'PreviewLocation',
    'top',
    'StringValueType',
    'The rim:SlotValue of rim:Slot name="PreviewLocation" MUST be of "rim:StringValueType"',
  ),
  slotValueType(
    'R-EDM-REQ-S024',
    'PossibilityForPreview',
    'top',
    'BooleanValueType',
    'The rim:SlotValue of rim:Slot name="PossibilityForPreview" MUST be of "rim:BooleanValueType"',
  ),
  slotValueType(
    'R-EDM-REQ-S025',
    'ExplicitRequestGiven',
    'top',
    'BooleanValueType',
    'The rim:SlotValue of rim:Slot name="ExplicitRequestGiven" MUST be of "rim:BooleanValueType"',
  ),
  slotValueType(
    'R-EDM-REQ-S026',
    'Requirements',
    'top',
    'CollectionValueType',
    'The rim:SlotValue of rim:Slot name="Requirements MUST be of "rim:CollectionValueType"',
  ),
  elementType(
    'R-EDM-REQ-S027',
    'Requirements',
    'The rim:Element of rim:SlotValue of rim:Slot name="Requirements" MUST be of "rim:AnyValueType"',
  ),
  holds(
    'R-EDM-REQ-S037',
    'Requirements',
    'top',
    'element',
    'Requirement',
    "The 'query:QueryRequest/rim:Slot[@name='Requirements']/rim:SlotValue/rim:Element' MUST use the 'sdg:Requirement' of the targetNamespace=\"http://data.europa.eu/p4s\".",
  ),
  // The test is `sdg:Name and sdg:Identifier` (presence); foreign children are the XSD's business.
  requestRule(
    'R-EDM-REQ-S038',
    'error',
    "A Requirement rim:Element/Requirement MUST not contain any other elements than 'sdg:Identifier' and 'sdg:Name'.",
    (ctx, view) => {
      for (const r of slotObjects(view, 'top', 'Requirements', 'Requirement', true))
        if (!hasKid(r, NS.sdg, 'Name') || !hasKid(r, NS.sdg, 'Identifier')) ctx.report(r);
    },
  ),
  slotValueType(
    'R-EDM-REQ-S028',
    'EvidenceRequester',
    'top',
    'CollectionValueType',
    'The rim:SlotValue of rim:Slot name="EvidenceRequester" MUST be of "rim:CollectionValueType"',
  ),
  holds(
    'R-EDM-REQ-S039',
    'EvidenceRequester',
    'top',
    'someElement',
    'Agent',
    "The 'query:QueryRequest/rim:Slot[@name='EvidenceRequester']/rim:SlotValue/rim:Element' MUST use the 'sdg:Agent' of the targetNamespace=\"http://data.europa.eu/p4s\"",
  ),
  elementType(
    'R-EDM-REQ-S029',
    'EvidenceRequester',
    'The rim:Element of rim:SlotValue of rim:Slot name="EvidenceRequester" MUST be of "rim:AnyValueType"',
  ),
  requestRule(
    'R-EDM-REQ-S040',
    'error',
    "An EvidenceRequester 'rim:Element/Agent' MUST not contain any other elements than 'sdg:Identifier' and 'sdg:Name', 'sdg:Address' and 'sdg:Classification'.",
    (ctx, view) => {
      for (const a of slotObjects(view, 'top', 'EvidenceRequester', 'Agent', true))
        if (!hasKid(a, NS.sdg, 'Identifier') || !hasKid(a, NS.sdg, 'Name') || hasKid(a, NS.sdg, 'Jurisdiction'))
          ctx.report(a);
    },
  ),
  slotValueType(
    'R-EDM-REQ-S030',
    'EvidenceProvider',
    'top',
    'AnyValueType',
    'The rim:SlotValue of rim:Slot name="EvidenceProvider" MUST be of "rim:AnyValueType"',
  ),
  holds(
    'R-EDM-REQ-S042',
    'EvidenceProvider',
    'top',
    'value',
    'Agent',
    "The 'query:QueryRequest/rim:Slot[@name='EvidenceProvider']/rim:SlotValue' MUST use the 'sdg:Agent' of the targetNamespace=\"http://data.europa.eu/p4s\"",
  ),
  slotValueType(
    'R-EDM-REQ-S031',
    'EvidenceProviderClassification',
    'top',
    'CollectionValueType',
    'The rim:SlotValue of rim:Slot name="EvidenceProviderClassification" MUST be of "rim:CollectionValueType"',
  ),
  elementType(
    'R-EDM-REQ-S032',
    'EvidenceProviderClassification',
    'The rim:Element of rim:SlotValue of rim:Slot name="EvidenceProviderClassification" MUST be of "rim:AnyValueType"',
  ),
  holds(
    'R-EDM-REQ-S041',
    'EvidenceProviderClassification',
    'top',
    'element',
    'EvidenceProviderClassification',
    'An OOTS query EvidenceRequest EvidenceProviderClassification slot must use sdg:EvidenceProviderClassification.',
  ),
  requestRule(
    'R-EDM-REQ-S043',
    'error',
    "An EvidenceProvider 'rim:SlotValue/Agent' MUST not contain any other elements than 'sdg:Identifier' and 'sdg:Name'.",
    (ctx, view) => {
      for (const a of slotObjects(view, 'top', 'EvidenceProvider', 'Agent', false))
        if (!hasKid(a, NS.sdg, 'Identifier') || !hasKid(a, NS.sdg, 'Name')) ctx.report(a);
    },
  ),
  slotValueType(
    'R-EDM-REQ-S033',
    'EvidenceRequest',
    'query',
    'AnyValueType',
    'The rim:SlotValue of rim:Slot name="EvidenceRequest" MUST be of "rim:AnyValueType"',
  ),
  holds(
    'R-EDM-REQ-S044',
    'EvidenceRequest',
    'query',
    'value',
    'DataServiceEvidenceType',
    "The 'query:QueryRequest/rim:Slot[@name='EvidenceRequest']/rim:SlotValue' MUST use the 'sdg:DataServiceEvidenceType' of the targetNamespace=\"http://data.europa.eu/p4s\"",
  ),
  // Official test is always true (`... and count(sdg:Title)=1 or 2`); we check what the text says.
  requestRule(
    'R-EDM-REQ-S045',
    'error',
    "An EvidenceRequest 'rim:SlotValue/DataServiceEvidenceType' MUST not contain any other elements than 'sdg:Identifier', 'sdg:EvidenceTypeClassification', 'sdg:Title', 'sdg:Description' and 'sdg:DistributedAs'.",
    (ctx, view) => {
      for (const d of slotObjects(view, 'query', 'EvidenceRequest', 'DataServiceEvidenceType', false))
        for (const c of d.children) if (c.ns !== NS.sdg || !DSET_CHILDREN.has(c.local)) ctx.report(c);
    },
  ),
  slotValueType(
    'R-EDM-REQ-S035',
    'NaturalPerson',
    'query',
    'AnyValueType',
    'The rim:SlotValue of rim:Slot name="NaturalPerson" MUST be of "rim:AnyValueType"',
  ),
  holds(
    'R-EDM-REQ-S046',
    'NaturalPerson',
    'query',
    'value',
    'Person',
    "The 'query:QueryRequest/query:Query/rim:Slot[@name='NaturalPerson']/rim:SlotValue' MUST use the 'sdg:Person' of the targetNamespace=\"http://data.europa.eu/p4s\"",
  ),
  slotValueType(
    'R-EDM-REQ-S034',
    'LegalPerson',
    'query',
    'AnyValueType',
    'The rim:SlotValue of rim:Slot name="LegalPerson" MUST be of "rim:AnyValueType"',
  ),
  holds(
    'R-EDM-REQ-S047',
    'LegalPerson',
    'query',
    'value',
    'LegalPerson',
    "The 'query:QueryRequest/query:Query/rim:Slot[@name='LegalPerson']/rim:SlotValue' MUST use the 'sdg:LegalPerson' of the targetNamespace=\"http://data.europa.eu/p4s\"",
  ),
  slotCount(
    'R-EDM-REQ-S015',
    'error',
    'EvidenceRequest',
    'Query',
    'The rim:Slot name="EvidenceRequest" MUST be present in the Query.',
  ),
  requestRule(
    'R-EDM-REQ-S016',
    'error',
    'A Query MUST contain either a rim:Slot name="LegalPerson" or a rim:Slot name="NaturalPerson" but NOT both.',
    (ctx, view) => {
      const q = view.queries[0];
      if (q === undefined) return;
      const n = slotsNamed(view.querySlots, 'NaturalPerson').length + slotsNamed(view.querySlots, 'LegalPerson').length;
      if (n !== 1) ctx.report(q);
    },
  ),
  slotValueType(
    'R-EDM-REQ-S036',
    'AuthorizedRepresentative',
    'query',
    'AnyValueType',
    'The rim:SlotValue of rim:Slot name="AuthorizedRepresentative" MUST be of "rim:AnyValueType"',
  ),
  holds(
    'R-EDM-REQ-S048',
    'AuthorizedRepresentative',
    'query',
    'value',
    'Person',
    "The 'query:QueryRequest/query:Query/rim:Slot[@name='AuthorizedRepresentative']/rim:SlotValue' MUST use the 'sdg:Person' of the targetNamespace=\"http://data.europa.eu/p4s\"",
  ),
];
