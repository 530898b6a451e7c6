/**
 * EDM-RESP-S: structure rules of a successful (or deferred) `query:QueryResponse`, one per assert
 * of the official `EDM-RESP-S.sch` (v1.0 snapshot), by its ID. Where an official assert cannot fire
 * as published (misspelt or impossible context, operator precedence), the rule implements what
 * the assert says it checks; `RESPONSE_RULE_DEVIATIONS` (response-index.ts) lists each such case.
 */
import { NS } from '../xml/namespaces.js';
import type { XmlElement } from '../xml/tree.js';
import type { Rule, RuleContext } from './engine.js';
import {
  attr,
  each,
  isV2,
  kid,
  kids,
  norm,
  PACKAGE_TYPE,
  ASSOCIATION_TYPE,
  sdg,
  slotValuesOf,
  typeLocal,
  URN_UUID_END,
  valuesOfSlots,
  viewRule,
  xsiType,
  type ResponseView,
} from './response-tree.js';

const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success';
const UNAVAILABLE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Unavailable';

const r = (
  id: string,
  description: string,
  check: (v: ResponseView, ctx: RuleContext) => void,
  severity?: 'info' | 'warning',
): Rule => viewRule('QueryResponse', id, description, check, severity === undefined ? {} : { severity });

function slotCountIs1(id: string, name: string, description: string): Rule {
  return r(id, description, (v, ctx) => {
    if (v.slotsNamed(name).length !== 1) ctx.report(v.root);
  });
}

function slotValueType(id: string, name: string, type: string, description: string): Rule {
  return r(id, description, (v, ctx) => each(ctx, valuesOfSlots(v.slotsNamed(name)), (sv) => typeLocal(sv) === type));
}

/** `EvidenceProvider/rim:SlotValue/rim:Element`s. */
function providerElements(v: ResponseView): XmlElement[] {
  const out: XmlElement[] = [];
  for (const sv of valuesOfSlots(v.slotsNamed('EvidenceProvider'))) out.push(...kids(sv, NS.rim, 'Element'));
  return out;
}

/** `EvidenceProvider/rim:SlotValue/rim:Element/sdg:Agent`s. */
export function providerAgents(v: ResponseView): XmlElement[] {
  return v.memo('providerAgents', () => collectProviderAgents(v));
}

function collectProviderAgents(v: ResponseView): XmlElement[] {
  const out: XmlElement[] = [];
  for (const e of providerElements(v)) out.push(...sdg(e, 'Agent'));
  return out;
}

/** `EvidenceRequester/rim:SlotValue/sdg:Agent`s. */
export function requesterAgents(v: ResponseView): XmlElement[] {
  return v.memo('requesterAgents', () => collectRequesterAgents(v));
}

function collectRequesterAgents(v: ResponseView): XmlElement[] {
  const out: XmlElement[] = [];
  for (const sv of valuesOfSlots(v.slotsNamed('EvidenceRequester'))) out.push(...sdg(sv, 'Agent'));
  return out;
}

const TOP_LEVEL_SLOTS = new Set([
  'SpecificationIdentifier',
  'EvidenceResponseIdentifier',
  'IssueDateTime',
  'EvidenceProvider',
  'EvidenceRequester',
  'ResponseAvailableDateTime',
]);

/** Objects an `@id` rule judges: the flat list (v1.x), or packages and everything inside them (v2.0). */
function identifiedObjects(v: ResponseView, ctx: RuleContext): readonly XmlElement[] {
  return isV2(ctx) ? [...v.topObjects, ...v.nestedObjects] : v.topObjects;
}

/** Document objects that must point at an attachment: v2.0 exempts packages and associations. */
function referencingObjects(v: ResponseView, ctx: RuleContext): readonly XmlElement[] {
  const docs = v.documentObjects(ctx.version);
  if (!isV2(ctx)) return docs;
  return docs.filter((o) => xsiType(o) !== PACKAGE_TYPE && xsiType(o) !== ASSOCIATION_TYPE);
}

function repositoryItemRefs(v: ResponseView, ctx: RuleContext): XmlElement[] {
  const out: XmlElement[] = [];
  for (const o of referencingObjects(v, ctx)) out.push(...kids(o, NS.rim, 'RepositoryItemRef'));
  return out;
}

export const RESPONSE_STRUCTURE_RULES: readonly Rule[] = [
  {
    id: 'R-EDM-RESP-S001',
    kind: 'QueryResponse',
    severity: 'error',
    description: "The root element of a query response document MUST be 'query:QueryResponse'",
    check(ctx) {
      if (ctx.root.local !== 'QueryResponse') ctx.report(ctx.root);
    },
  },
  {
    id: 'R-EDM-RESP-S002',
    kind: 'QueryResponse',
    severity: 'error',
    description:
      "The namespace of root element of a 'query:QueryResponse' must be 'urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0'",
    check(ctx) {
      if (ctx.root.ns !== NS.query) ctx.report(ctx.root);
    },
  },
  r(
    'R-EDM-RESP-S004',
    "The 'requestId' attribute of a 'QueryResponse' MUST be unique UUID (RFC 4122) and match the corresponding request.",
    (v, ctx) => {
      const id = attr(v.root, 'requestId');
      if (id !== undefined && !URN_UUID_END.test(norm(id))) ctx.report(v.root);
    },
  ),
  r('R-EDM-RESP-S003', "The 'RequestId' attribute of a 'QueryResponse' MUST be present.", (v, ctx) => {
    if (attr(v.root, 'requestId') === undefined) ctx.report(v.root);
  }),
  r('R-EDM-RESP-S005', "The 'status' attribute of a 'QueryResponse' MUST be present.", (v, ctx) => {
    if (v.status === undefined) ctx.report(v.root);
  }),
  r(
    'R-EDM-RESP-S006',
    'The \'status attribute of a \'QueryResponse\' MUST be encoded as "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success" for successful responses or as "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Unavailable" for responses that will be available at a later time .',
    (v, ctx) => {
      if (v.status !== undefined && v.status !== SUCCESS && v.status !== UNAVAILABLE) ctx.report(v.root);
    },
  ),
  r('R-EDM-RESP-S007', "An successful 'query:QueryResponse' includes a 'rim:RegistryObjectList'", (v, ctx) => {
    if (v.status === SUCCESS && v.objectLists.length === 0) ctx.report(v.root);
  }),
  r('R-EDM-RESP-S033', "The 'rim:RepositoryItemRef' of a 'rim:RegistryObject' MUST be present.", (v, ctx) => {
    if (v.status !== SUCCESS) return;
    each(ctx, referencingObjects(v, ctx), (o) => kid(o, NS.rim, 'RepositoryItemRef') !== undefined);
  }),
  r('R-EDM-RESP-S036', "The 'id' attribute of a 'RegistryObject' MUST be present.", (v, ctx) => {
    if (v.status !== SUCCESS) return;
    each(ctx, identifiedObjects(v, ctx), (o) => attr(o, 'id') !== undefined);
  }),
  // Official context misspells the element (`rim:RespositoryItemRef`): implemented on the real one.
  r('R-EDM-RESP-S034', "The 'xlink:href' attribute of 'RepositoryItemRef' MUST be present.", (v, ctx) => {
    if (v.status !== SUCCESS) return;
    each(ctx, repositoryItemRefs(v, ctx), (ref) => attr(ref, 'href', NS.xlink) !== undefined);
  }),
  r('R-EDM-RESP-S035', "The 'xlink:title' attribute of 'RepositoryItemRef' MUST be present.", (v, ctx) => {
    if (v.status !== SUCCESS) return;
    each(ctx, repositoryItemRefs(v, ctx), (ref) => attr(ref, 'title', NS.xlink) !== undefined);
  }),
  r('R-EDM-RESP-S008', "A successful 'query:QueryResponse' does not include an Exception", (v, ctx) => {
    for (const e of v.exceptions) ctx.report(e);
  }),
  slotCountIs1(
    'R-EDM-RESP-S009',
    'SpecificationIdentifier',
    'The rim:Slot name="SpecificationIdentifier" MUST be present in the QueryResponse.',
  ),
  slotCountIs1(
    'R-EDM-RESP-S010',
    'EvidenceResponseIdentifier',
    'The rim:Slot name="EvidenceResponseIdentifier" MUST be present in the QueryResponse.',
  ),
  slotCountIs1(
    'R-EDM-RESP-S011',
    'IssueDateTime',
    'The rim:Slot name="IssueDateTime" MUST be present in the QueryResponse.',
  ),
  slotCountIs1(
    'R-EDM-RESP-S012',
    'EvidenceProvider',
    'The rim:Slot name="EvidenceProvider" MUST be present in the QueryResponse.',
  ),
  slotCountIs1(
    'R-EDM-RESP-S013',
    'EvidenceRequester',
    'The rim:Slot name="EvidenceRequester" MUST be present in the QueryResponse.',
  ),
  r(
    'R-EDM-RESP-S014',
    'The rim:Slot name="ResponseAvailableDateTime" MAY be present in the QueryResponse.',
    (v, ctx) => {
      if (v.slotsNamed('ResponseAvailableDateTime').length >= 2) ctx.report(v.root);
    },
    'info',
  ),
  // Official test `A and B and C and D and E or F` never looks at other slots; this does what it says.
  r(
    'R-EDM-RESP-S016',
    'A query:QueryResponse MUST not contain any other rim:Slots than SpecificationIdentifier, EvidenceResponseIdentifier, IssueDateTime, EvidenceProvider, EvidenceRequester, rim:RegistryObjectList and optional ResponseAvailableDateTime',
    (v, ctx) => each(ctx, v.slots, (s) => TOP_LEVEL_SLOTS.has(attr(s, 'name') ?? '')),
  ),
  slotValueType(
    'R-EDM-RESP-S017',
    'SpecificationIdentifier',
    'StringValueType',
    'The rim:SlotValue of rim:Slot name="SpecificationIdentifier" MUST be of "rim:StringValueType"',
  ),
  slotValueType(
    'R-EDM-RESP-S018',
    'EvidenceResponseIdentifier',
    'StringValueType',
    'The rim:SlotValue of rim:Slot name="EvidenceResponseIdentifier" MUST be of "rim:StringValueType"',
  ),
  slotValueType(
    'R-EDM-RESP-S019',
    'IssueDateTime',
    'DateTimeValueType',
    'The rim:SlotValue of rim:Slot name="IssueDateTime" MUST be of "rim:DateTimeValueType"',
  ),
  slotValueType(
    'R-EDM-RESP-S020',
    'EvidenceProvider',
    'CollectionValueType',
    'The rim:SlotValue of rim:Slot name="EvidenceProvider" MUST be of "rim:CollectionValueType"',
  ),
  // Published with a REQ ID and a `query:QueryRequest` context inside the response file: applied to the response.
  r(
    'R-EDM-REQ-S021',
    'The rim:Element of rim:SlotValue of rim:Slot name="EvidenceProvider" MUST be of "rim:AnyValueType"',
    (v, ctx) => each(ctx, providerElements(v), (e) => typeLocal(e) === 'AnyValueType'),
  ),
  r(
    'R-EDM-RESP-S025',
    "The 'query:QueryResponse/rim:Slot[@name='EvidenceProvider']/rim:SlotValue' MUST use the 'sdg:Agent' of the targetNamespace=\"http://data.europa.eu/p4s\"",
    (v, ctx) => each(ctx, providerElements(v), (e) => kid(e, NS.sdg, 'Agent') !== undefined),
  ),
  // Official context leaves out `rim:Element`, so it never matches; the test (all four present) is kept.
  r(
    'R-EDM-RESP-S026',
    "An EvidenceProvider 'rim:SlotValue/sdg:Agent' MUST not contain any other elements than 'sdg:Identifier' and 'sdg:Name', 'sdg:Address', sdg:Classification.",
    (v, ctx) =>
      each(ctx, providerAgents(v), (a) =>
        ['Identifier', 'Name', 'Address', 'Classification'].every((n) => kid(a, NS.sdg, n) !== undefined),
      ),
  ),
  slotValueType(
    'R-EDM-RESP-S022',
    'EvidenceRequester',
    'AnyValueType',
    'The rim:SlotValue of rim:Slot name="EvidenceRequester" MUST be of "rim:AnyValueType"',
  ),
  r(
    'R-EDM-RESP-S027',
    "The 'query:QueryResponse/rim:Slot[@name='EvidenceRequester']/rim:SlotValue' MUST 'sdg:Agent' of the targetNamespace=\"http://data.europa.eu/p4s\".",
    (v, ctx) =>
      each(ctx, valuesOfSlots(v.slotsNamed('EvidenceRequester')), (sv) => kid(sv, NS.sdg, 'Agent') !== undefined),
  ),
  r(
    'R-EDM-RESP-S028',
    "An EvidenceRequester ''rim:SlotValue/sdg:Agent' MUST not contain any other elements than 'sdg:Identifier' and 'sdg:Name'.",
    (v, ctx) =>
      each(
        ctx,
        requesterAgents(v),
        (a) => kid(a, NS.sdg, 'Identifier') !== undefined && kid(a, NS.sdg, 'Name') !== undefined,
      ),
  ),
  slotValueType(
    'R-EDM-RESP-S023',
    'ResponseAvailableDateTime',
    'DateTimeValueType',
    'Slot type value for ResponseAvailableDateTime must be rim:DateTimeValueType',
  ),
  // Official context looks for EvidenceMetadata at the top level, where it never is; applied to the evidence.
  // v2.0 makes Description optional (the oots-france reference response, valid against 2.0.1, has none).
  r(
    'R-EDM-RESP-S030',
    "The class 'IsConformantTo' of 'Evidence' MUST not contain any other elements than 'sdg:EvidenceTypeClassification', 'sdg:Title' and 'sdg:Description'..",
    (v, ctx) => {
      const required = isV2(ctx)
        ? ['EvidenceTypeClassification', 'Title']
        : ['EvidenceTypeClassification', 'Title', 'Description'];
      for (const { evidence } of v.evidences(ctx.version)) {
        each(ctx, sdg(evidence, 'IsConformantTo'), (c) => required.every((n) => kid(c, NS.sdg, n) !== undefined));
      }
    },
  ),
  r('R-EDM-RESP-S015', 'The rim:Slot name="EvidenceMetadata" MUST be present in the RegistryObject.', (v, ctx) =>
    each(ctx, v.documentObjects(ctx.version), (o) => countSlots(o, 'EvidenceMetadata') === 1),
  ),
  r(
    'R-EDM-RESP-S024',
    'The rim:SlotValue of rim:Slot name="EvidenceMetadata MUST be of "rim:AnyValueType"',
    (v, ctx) => {
      for (const o of v.documentObjects(ctx.version))
        each(ctx, slotValuesOf(o, 'EvidenceMetadata'), (sv) => typeLocal(sv) === 'AnyValueType');
    },
  ),
  r(
    'R-EDM-RESP-S029',
    "The 'query:QueryResponse/rim:RegistryObjectList/rim:RegistryObject/rim:Slot[@name='EvidenceMetadata']/rim:SlotValue' MUST use the 'sdg:Evidence' of the targetNamespace=\"http://data.europa.eu/p4s\"",
    (v, ctx) => {
      for (const o of v.documentObjects(ctx.version))
        each(ctx, slotValuesOf(o, 'EvidenceMetadata'), (sv) => kid(sv, NS.sdg, 'Evidence') !== undefined);
    },
  ),
  r(
    'R-EDM-RESP-S037',
    "The 'id' attribute of a 'RegistryObject' MUST be unique UUID (RFC 4122) starting with prefix \"urn:uuid:\".",
    (v, ctx) =>
      each(ctx, identifiedObjects(v, ctx), (o) => {
        const id = attr(o, 'id');
        return id === undefined || URN_UUID_END.test(norm(id));
      }),
  ),
];

function countSlots(el: XmlElement, name: string): number {
  let n = 0;
  for (const c of el.children) if (c.local === 'Slot' && c.ns === NS.rim && attr(c, 'name') === name) n++;
  return n;
}
