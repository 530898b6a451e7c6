/**
 * EDM-ERR-C: content rules of an error response, one per assert of the official `EDM-ERR-C.sch`
 * (v1.0 snapshot) including its generated code-list asserts, by ID. Severity URNs are accepted
 * under both hosts (`urn:sr.oots.tech.europa.eu:` and `urn:sr.oots.tech.ec.europa.eu:`); code
 * lists are tested by whole-value membership. Deviations: `ERROR_RULE_DEVIATIONS` (error-index.ts).
 */
import { AGENT_CLASSIFICATIONS, COUNTRY_CODES, EAS_CODES, EDM_ERROR_CODES, LANGUAGE_CODES } from '../codelists.js';
import { EDM_VERSIONS } from '../model.js';
import { NS } from '../xml/namespaces.js';
import type { XmlElement } from '../xml/tree.js';
import type { Rule, RuleContext } from './engine.js';
import { errorProviderAgents } from './error-structure.js';
import { exceptionsAllowed, previewMethods } from './error-versions.js';
import {
  attr,
  DATE_TIME_SHAPE,
  each,
  inList,
  isEasScheme,
  isV2,
  kid,
  kids,
  norm,
  resolveType,
  sdg,
  SEVERITY_ERROR,
  SEVERITY_PREVIEW_REQUIRED,
  slotsOf,
  slotValuesOf,
  snapshotHost,
  UUID_END,
  valuesOfSlots,
  viewRule,
  xsiType,
  type ResponseView,
} from './response-tree.js';

const FAILURE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure';

const r = (id: string, description: string, check: (v: ResponseView, ctx: RuleContext) => void): Rule =>
  viewRule('ErrorResponse', id, description, check);

function requesterAgents(v: ResponseView): XmlElement[] {
  const out: XmlElement[] = [];
  for (const sv of valuesOfSlots(v.slotsNamed('EvidenceRequester'))) out.push(...sdg(sv, 'Agent'));
  return out;
}

function identifiers(agents: XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const a of agents) out.push(...sdg(a, 'Identifier'));
  return out;
}

function exceptionValues(v: ResponseView, slot: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const e of v.exceptions) for (const sv of slotValuesOf(e, slot)) out.push(...kids(sv, NS.rim, 'Value'));
  return out;
}

/** First `rim:Value` text of a SlotValue ('' when none), as `matches(rim:Value, …)` sees it. */
function firstValue(sv: XmlElement): string {
  return kid(sv, NS.rim, 'Value')?.text ?? '';
}

const SCHEME_EAS =
  "The value of the 'schemeID' attribute of the 'Identifier' MUST be part of the code list 'EAS' (Electronic Address Scheme ) and use the prefix 'urn:cef.eu:names:identifier:EAS:[Code]' or start with the following value 'urn:oasis:names:tc:ebcore:partyid-type:unregistered'";

function easRule(id: string, agents: (v: ResponseView) => XmlElement[]): Rule {
  return r(id, SCHEME_EAS, (v, ctx) =>
    each(ctx, identifiers(agents(v)), (el) => {
      const scheme = attr(el, 'schemeID');
      return scheme === undefined || isEasScheme(scheme, EAS_CODES);
    }),
  );
}

const SPEC_VALUES: ReadonlySet<string> = new Set(EDM_VERSIONS);
const EXCEPTION_TYPES: ReadonlySet<string> = new Set([...EDM_ERROR_CODES.values()].map((e) => e.xsiType));
const ERROR_PROVIDER_CLASSES: ReadonlySet<string> = new Set([...AGENT_CLASSIFICATIONS].filter((c) => c !== 'ER'));
const EDM_SEVERITIES: ReadonlySet<string> = new Set([SEVERITY_ERROR, SEVERITY_PREVIEW_REQUIRED]);

export const ERROR_CONTENT_RULES: readonly Rule[] = [
  // The v1.0 file fixes `oots-edm:v1.0`; each release fixes its own, so any version we serve is accepted.
  r(
    'R-EDM-ERR-C001',
    "The 'rim:Value' of the 'SpecificationIdentifier' MUST be the fixed value \"oots-edm:v1.0\".",
    (v, ctx) =>
      each(ctx, valuesOfSlots(v.slotsNamed('SpecificationIdentifier')), (sv) =>
        kids(sv, NS.rim, 'Value').some((x) => SPEC_VALUES.has(x.text)),
      ),
  ),
  r(
    'R-EDM-ERR-C002',
    "The 'rim:Value' of the 'EvidenceResponseIdentifier' MUST be unique UUID (RFC 4122) for each response.\"",
    (v, ctx) => {
      for (const sv of valuesOfSlots(v.slotsNamed('EvidenceResponseIdentifier')))
        each(ctx, kids(sv, NS.rim, 'Value'), (x) => UUID_END.test(norm(x.text)));
    },
  ),
  r('R-EDM-ERR-C003', "The 'schemeID' attribute of 'Identifier' MUST be present.", (v, ctx) =>
    each(ctx, identifiers(errorProviderAgents(v)), (i) => attr(i, 'schemeID') !== undefined),
  ),
  r('R-EDM-ERR-C007', "The value for 'Agent/Classification' MUST be provided.", (v, ctx) =>
    each(ctx, errorProviderAgents(v), (a) => norm(kid(a, NS.sdg, 'Classification')?.text ?? '') !== ''),
  ),
  r('R-EDM-ERR-C009', "The 'schemeID' attribute of 'Identifier' MUST be present.", (v, ctx) =>
    each(ctx, identifiers(requesterAgents(v)), (i) => attr(i, 'schemeID') !== undefined),
  ),
  r(
    'R-EDM-ERR-C011',
    "The 'rs:Exception' class of a 'QueryResponse' MUST be present if 'status' attribute of a 'QueryResponse' is \"urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure\".",
    (v, ctx) => {
      if (v.status !== FAILURE) return;
      const n = v.exceptions.length;
      if (n === 0 || n > exceptionsAllowed(ctx.version)) ctx.report(v.root);
    },
  ),
  r('R-EDM-ERR-C012', "The 'xsi:type' attribute of a 'rs:Exception' MUST be present.", (v, ctx) =>
    each(ctx, v.exceptions, (e) => xsiType(e) !== undefined),
  ),
  // Implements the published sentence; the v1.0 test asserts the converse on AuthorizationExceptionType.
  r(
    'R-EDM-ERR-C015',
    "The value of 'severity' attribute of a 'rs:Exception' MUST be 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error' if the rs:Exception (@code 'EDM:ERR:0002') is NOT used.",
    (v, ctx) =>
      each(ctx, v.exceptions, (e) => {
        const code = attr(e, 'code');
        return code === undefined || code === 'EDM:ERR:0002' || attr(e, 'severity') === SEVERITY_ERROR;
      }),
  ),
  r('R-EDM-ERR-C016', "The 'message' attribute of a 'rs:Exception' MUST be present.", (v, ctx) =>
    each(ctx, v.exceptions, (e) => attr(e, 'message') !== undefined),
  ),
  r('R-EDM-ERR-C018', "The 'rim:Value' of 'IssueDateTime' MUST be according to xsd:dateTime.", (v, ctx) =>
    each(ctx, exceptionValues(v, 'Timestamp'), (x) => DATE_TIME_SHAPE.test(norm(x.text))),
  ),
  r('R-EDM-ERR-C019', "The 'rim:Value' of a 'PreviewLocation' MUST be a URI starting with 'https://'.", (v, ctx) => {
    for (const e of v.exceptions)
      each(ctx, slotValuesOf(e, 'PreviewLocation'), (sv) => firstValue(sv).startsWith('https://'));
  }),
  // PreviewMethod is gone in v2.0 (R-EDM-ERR-S027 forbids the slot).
  r(
    'R-EDM-ERR-C021',
    "The 'rim:Value' of a 'PreviewMethod' MUST be either the HTTP verb 'GET' or 'POST'.",
    (v, ctx) => {
      if (isV2(ctx)) return;
      const allowed = previewMethods(ctx.version);
      for (const e of v.exceptions) each(ctx, slotValuesOf(e, 'PreviewMethod'), (sv) => allowed.has(firstValue(sv)));
    },
  ),
  // Official test `count(…=1)` is always true (and raises FORG0001 in XPath 2.0 when the slot exists).
  r(
    'R-EDM-ERR-C022',
    "If a 'rim:Slot[@name='PreviewLocation']' is provided, the 'rs:Exception' MUST be 'urn:sr.oots.tech.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired' and use the rs:Exception xsi:type='rs:AuthorizationExceptionType'",
    (v, ctx) =>
      each(ctx, v.exceptions, (e) => {
        if (slotsOf(e, 'PreviewLocation').length === 0) return true;
        const t = resolveType(e);
        return (
          snapshotHost(attr(e, 'severity') ?? '') === SEVERITY_PREVIEW_REQUIRED &&
          t !== undefined &&
          t.ns === NS.rs &&
          t.local === 'AuthorizationExceptionType'
        );
      }),
  ),
  easRule('R-EDM-ERR-C010', requesterAgents),
  easRule('R-EDM-ERR-C004', errorProviderAgents),
  r(
    'R-EDM-ERR-C005',
    "The value of ErrorProvider Agent/Address/AdminUnitLevel1 MUST be part of the code list 'CountryIdentificationCode-2.3'.",
    (v, ctx) => {
      for (const a of errorProviderAgents(v))
        for (const ad of sdg(a, 'Address'))
          for (const c of sdg(ad, 'AdminUnitLevel1'))
            inList(ctx, c, c.text, COUNTRY_CODES, 'CountryIdentificationCode-2.3');
    },
  ),
  r(
    'R-EDM-ERR-C008',
    "The value of ErrorProvider Agent/Classification MUST be part of the code list 'AgentClassification-CodeList'. Default value: ERRP (Error Provider). The code 'ER' shall not be used by this transaction.",
    (v, ctx) => {
      for (const a of errorProviderAgents(v))
        for (const c of sdg(a, 'Classification'))
          if (norm(c.text) !== '') inList(ctx, c, c.text, ERROR_PROVIDER_CLASSES, 'AgentClassification-CodeList');
    },
  ),
  r(
    'R-EDM-ERR-C013',
    "The value of rs:Exception/@xsi:type MUST be part of the code list 'EDMErrorCodes-CodeList'.",
    (v, ctx) => {
      for (const e of v.exceptions) inList(ctx, e, xsiType(e), EXCEPTION_TYPES, 'EDMErrorCodes-CodeList');
    },
  ),
  r(
    'R-EDM-ERR-C017',
    "The value of rs:Exception/@code MUST be part of the code list 'EDMErrorCodes-CodeList'.",
    (v, ctx) => {
      for (const e of v.exceptions) {
        const code = attr(e, 'code');
        if (code !== undefined && !EDM_ERROR_CODES.has(code))
          ctx.report(
            e,
            `Value supplied '${code}' is unacceptable for constraints identified by 'EDMErrorCodes-CodeList'`,
          );
      }
    },
  ),
  r(
    'R-EDM-ERR-C014',
    "The 'severity' attribute of a 'rs:Exception' MUST be present. It must be part of the code list 'ErrorSeverity' (Error Severity). The code 'urn:sr.oots.tech.europa.eu:codes:ErrorSeverity:DSDErrorResponse:AdditionalInput' shall not be used by this transaction.",
    (v, ctx) =>
      each(ctx, v.exceptions, (e) => {
        const s = attr(e, 'severity');
        return s === undefined || EDM_SEVERITIES.has(snapshotHost(s));
      }),
  ),
  r(
    'R-EDM-ERR-C020',
    "The value of PreviewDescription LocalizedString/@xml:lang MUST be part of the code list 'LanguageCode-2.3'.",
    (v, ctx) => {
      for (const x of exceptionValues(v, 'PreviewDescription')) {
        for (const ls of kids(x, NS.rim, 'LocalizedString'))
          inList(ctx, ls, attr(ls, 'lang', NS.xml), LANGUAGE_CODES, 'LanguageCode-2.3');
      }
    },
  ),
];
