/**
 * EDM-ERR-S: structure rules of an error response (`query:QueryResponse` with `rs:Exception`), one
 * per assert of the official `EDM-ERR-S.sch` (v1.0 snapshot), by its ID (the published IDs mix
 * `S02` and `S003` styles; they are kept as written). Asserts that cannot fire as published are
 * implemented as described; `ERROR_RULE_DEVIATIONS` (error-index.ts) lists them.
 */
import { NS } from '../xml/namespaces.js';
import type { XmlElement } from '../xml/tree.js';
import type { Rule, RuleContext } from './engine.js';
import {
  attr,
  allSlots,
  each,
  isV2,
  kid,
  norm,
  resolveType,
  slotsOf,
  slotValuesOf,
  typeLocal,
  URN_UUID_END,
  valuesOfSlots,
  viewRule,
  type ResponseView,
} from './response-tree.js';

const FAILURE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure';
const UNAVAILABLE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Unavailable';

const r = (id: string, description: string, check: (v: ResponseView, ctx: RuleContext) => void): Rule =>
  viewRule('ErrorResponse', id, description, check);

function slotValueType(id: string, name: string, type: string, description: string): Rule {
  return r(id, description, (v, ctx) => each(ctx, valuesOfSlots(v.slotsNamed(name)), (sv) => typeLocal(sv) === type));
}

function exceptionSlotType(id: string, name: string, type: string, description: string, v1Only = false): Rule {
  return r(id, description, (v, ctx) => {
    if (v1Only && isV2(ctx)) return;
    for (const e of v.exceptions) each(ctx, slotValuesOf(e, name), (sv) => typeLocal(sv) === type);
  });
}

function atMostOne(id: string, name: string, description: string, v1Only = false): Rule {
  return r(id, description, (v, ctx) => {
    if (v1Only && isV2(ctx)) return;
    each(ctx, v.exceptions, (e) => slotsOf(e, name).length <= 1);
  });
}

const TOP_LEVEL_SLOTS: ReadonlySet<string> = new Set([
  'SpecificationIdentifier',
  'EvidenceResponseIdentifier',
  'ErrorProvider',
  'EvidenceRequester',
]);
/** Slots an rs:Exception may carry in v1.x; v2.0 drops PreviewMethod (R-EDM-ERR-S027, error-versions.ts). */
export const EXCEPTION_SLOTS_V1: ReadonlySet<string> = new Set([
  'Timestamp',
  'PreviewLocation',
  'PreviewDescription',
  'PreviewMethod',
]);

/** `ErrorProvider/rim:SlotValue/sdg:Agent`s. */
export function errorProviderAgents(v: ResponseView): XmlElement[] {
  const out: XmlElement[] = [];
  for (const sv of valuesOfSlots(v.slotsNamed('ErrorProvider')))
    for (const a of sv.children) if (a.ns === NS.sdg && a.local === 'Agent') out.push(a);
  return out;
}

export const ERROR_STRUCTURE_RULES: readonly Rule[] = [
  {
    id: 'R-EDM-ERR-S001',
    kind: 'ErrorResponse',
    severity: 'error',
    description: 'Root element of a query response document must be query:QueryResponse',
    check(ctx) {
      if (ctx.root.local !== 'QueryResponse') ctx.report(ctx.root);
    },
  },
  {
    id: 'R-EDM-ERR-S02',
    kind: 'ErrorResponse',
    severity: 'error',
    description:
      "The namespace of root element of a 'query:QueryResponse' must be 'urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0'",
    check(ctx) {
      if (ctx.root.ns !== NS.query) ctx.report(ctx.root);
    },
  },
  // Official test looks for children of the attribute (always none): implemented as described.
  r(
    'R-EDM-ERR-S003',
    "The 'requestId' attribute of a 'QueryResponse' MUST be present unless the rs:exception/@xsi:type 'InvalidRequestExceptionType' is used.",
    (v, ctx) => {
      if (attr(v.root, 'requestId') !== undefined) return;
      const invalidRequest = v.exceptions.some((e) => {
        const t = resolveType(e);
        return t !== undefined && t.ns === NS.rs && t.local === 'InvalidRequestExceptionType';
      });
      if (!invalidRequest) ctx.report(v.root);
    },
  ),
  r(
    'R-EDM-ERR-S004',
    "The 'requestId' attribute of a 'QueryResponse' MUST be unique UUID (RFC 4122) and match the corresponding request.",
    (v, ctx) => {
      const id = attr(v.root, 'requestId');
      if (id !== undefined && !URN_UUID_END.test(norm(id))) ctx.report(v.root);
    },
  ),
  r(
    'R-EDM-ERR-S06',
    "The 'status' attribute of an unsuccessfull 'query:QueryResponse' MUST be encoded as as 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure'.",
    (v, ctx) => {
      if (v.status !== FAILURE && v.status !== UNAVAILABLE) ctx.report(v.root);
    },
  ),
  // Official: second rule on the same context in one pattern, so never evaluated.
  r('R-EDM-ERR-S07', "An unsuccessful 'query:QueryResponse' does not include a 'rim:RegistryObjectList'.", (v, ctx) => {
    for (const l of v.objectLists) ctx.report(l);
  }),
  r('R-EDM-ERR-S08', "An unsuccessful 'query:QueryResponse' includes an Exception", (v, ctx) => {
    if (v.exceptions.length === 0) ctx.report(v.root);
  }),
  r('R-EDM-ERR-S09', 'The rim:Slot name=SpecificationIdentifier" MUST be present in the QueryResponse.', (v, ctx) => {
    if (v.slotsNamed('SpecificationIdentifier').length !== 1) ctx.report(v.root);
  }),
  r(
    'R-EDM-ERR-S10',
    'The rim:Slot name="EvidenceResponseIdentifier" MUST be present in the QueryResponse.',
    (v, ctx) => {
      if (v.slotsNamed('EvidenceResponseIdentifier').length !== 1) ctx.report(v.root);
    },
  ),
  // The official S11 test counts ErrorProvider under an EvidenceRequester message; the EvidenceRequester
  // count is an unnamed assert beside it. Both are reported under S11.
  r('R-EDM-ERR-S11', 'The rim:Slot name="EvidenceRequester" MUST be present in the QueryResponse.', (v, ctx) => {
    if (v.slotsNamed('ErrorProvider').length !== 1)
      ctx.report(v.root, 'The rim:Slot name="ErrorProvider" MUST be present once in the QueryResponse.');
    if (v.slotsNamed('EvidenceRequester').length !== 1)
      ctx.report(v.root, 'An OOTS error response must have one EvidenceRequester slot');
  }),
  slotValueType(
    'R-EDM-ERR-S18',
    'SpecificationIdentifier',
    'StringValueType',
    'The rim:SlotValue of rim:Slot name="SpecificationIdentifier" MUST be of "rim:StringValueType"',
  ),
  slotValueType(
    'R-EDM-ERR-S19',
    'EvidenceResponseIdentifier',
    'StringValueType',
    'The rim:SlotValue of rim:Slot name="EvidenceResponseIdentifier" MUST be of "rim:StringValueType"',
  ),
  // Official context is a top-level IssueDateTime slot (which error responses do not have); the message names Timestamp.
  exceptionSlotType(
    'R-EDM-ERR-S22',
    'Timestamp',
    'DateTimeValueType',
    'The rim:SlotValue of rim:Slot name="Timestamp" MUST be of "rim:DateTimeValueType"',
  ),
  slotValueType(
    'R-EDM-ERR-S021',
    'EvidenceRequester',
    'AnyValueType',
    'The rim:SlotValue of rim:Slot name="EvidenceRequester" MUST be of "rim:AnyValueType"',
  ),
  // The test (AnyValueType) is kept; the published message says CollectionValueType.
  slotValueType(
    'R-EDM-ERR-S020',
    'ErrorProvider',
    'AnyValueType',
    'The rim:SlotValue of rim:Slot name="ErrorProvider" MUST be of "rim:CollectionValueType"',
  ),
  r('R-EDM-ERR-S026', 'An OOTS response ErrorProvider slot must have one sdg:Agent element.', (v, ctx) =>
    each(ctx, valuesOfSlots(v.slotsNamed('ErrorProvider')), (sv) => kid(sv, NS.sdg, 'Agent') !== undefined),
  ),
  r('R-EDM-ERR-S12', 'The rim:Slot name="Timestamp" MUST be present in the rs:Exception.', (v, ctx) =>
    each(ctx, v.exceptions, (e) => slotsOf(e, 'Timestamp').length === 1),
  ),
  atMostOne(
    'R-EDM-ERR-S16',
    'PreviewMethod',
    'The rim:Slot name="PreviewMethod" MAY be present in the rs:Exception.',
    true,
  ),
  atMostOne(
    'R-EDM-ERR-S15',
    'PreviewDescription',
    'The rim:Slot name="PreviewDescription" MAY be present in the rs:Exception.',
  ),
  exceptionSlotType(
    'R-EDM-ERR-S23',
    'PreviewLocation',
    'StringValueType',
    'The rim:SlotValue of rim:Slot name="PreviewLocation" MUST be of "rim:StringValueType"',
  ),
  exceptionSlotType(
    'R-EDM-ERR-S25',
    'PreviewMethod',
    'StringValueType',
    'The rim:SlotValue of rim:Slot name="PreviewMethod" MUST be of "rim:StringValueType"',
    true,
  ),
  exceptionSlotType(
    'R-EDM-ERR-S24',
    'PreviewDescription',
    'InternationalStringValueType',
    'The rim:SlotValue of rim:Slot name="PreviewDescription" MUST be of "rim:InternationalStringValueType"',
  ),
  // Official context `query:QueryResponse/rim:SlotValue/@name` never matches: implemented as described.
  r('R-EDM-ERR-S017a', "A 'query:QueryResponse' MUST not contain any other rim:Slots.", (v, ctx) =>
    each(ctx, v.slots, (s) => TOP_LEVEL_SLOTS.has(attr(s, 'name') ?? '')),
  ),
  // Official test `'Timestamp' or …` is always true. In v2.0 R-EDM-ERR-S027 takes over (no PreviewMethod).
  r('R-EDM-ERR-S017b', "A 'query:QueryResponse' MUST not contain any other rim:Slots.", (v, ctx) => {
    if (isV2(ctx)) return;
    for (const e of v.exceptions) each(ctx, allSlots(e), (s) => EXCEPTION_SLOTS_V1.has(attr(s, 'name') ?? ''));
  }),
];
