/**
 * Validation of SOAP envelopes against the official Domibus 5.1.9 WS-plugin schemas
 * (schemas/domibus, see the NOTICE there), with libxml2, offline:
 *
 * - the envelope against the SOAP 1.2 schema the plugin ships (`envelope.xsd`), whose Header and
 *   Body take any element `lax`: an element with a global declaration in the set is validated
 *   against it (the body element against `webservicePlugin-body.xsd` or `BackendService.xsd`,
 *   `eb:Messaging` against `webservicePlugin-header.xsd`);
 * - and, since `lax` lets an undeclared element through, the body element must be one the
 *   schemas declare: a misspelt operation is an error, not a pass.
 *
 * This is what a Domibus with `wsplugin.schema.validation.enabled=true` checks (its CXF endpoint
 * validates against the same files); a Domibus without it silently ignores what the schema does
 * not know, which is worse: the tests hold every envelope the adapter sends to this validator.
 */
import { EBMS_NS } from '../../ebms/model.js';
import { createXsdValidator, type EdmXsdValidator } from '../../edm/xsd.js';
import { parseXml } from '../../edm/xml/parse.js';
import { namespacesInScope, type XmlElement } from '../../edm/xml/tree.js';
import { BACKEND_NS } from './messages.js';
import { escapeAttr, SOAP12_NS, SOAP_XML_LIMITS, shrinkBase64, WSPLUGIN_NS } from './soap.js';

const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

/**
 * Which of the two APIs the set declares an envelope belongs to: `plugin` (WebServicePlugin.wsdl,
 * body in `http://eu.domibus.wsplugin/`, header `eb:Messaging`) or `push` (BackendService.wsdl,
 * body and `Messaging` header in `eu.domibus`). The set compiles both, so without it an envelope
 * of the wrong API would pass: the plugin endpoint refuses a push element and the reverse.
 */
export type WsApi = 'plugin' | 'push';

const API_NS: Record<WsApi, { body: string; header: string }> = {
  plugin: { body: WSPLUGIN_NS, header: EBMS_NS },
  push: { body: BACKEND_NS, header: BACKEND_NS },
};

/**
 * Body elements whose WSDL message has a header part (`soap12:header ... part="ebMSHeaderInfo"` in
 * WebServicePlugin.wsdl, `part="headerInfo"` in BackendService.wsdl): the `Messaging` header they
 * must come with. The schemas alone cannot say so (the envelope's Header is optional).
 */
const HEADER_PART: Record<string, string> = {
  [`{${WSPLUGIN_NS}}submitRequest`]: `{${EBMS_NS}}Messaging`,
  [`{${WSPLUGIN_NS}}retrieveMessageResponse`]: `{${EBMS_NS}}Messaging`,
  [`{${WSPLUGIN_NS}}markMessageAsDownloadedResponse`]: `{${EBMS_NS}}Messaging`,
  [`{${BACKEND_NS}}submitRequest`]: `{${BACKEND_NS}}Messaging`,
};

export interface WsPluginValidator {
  /**
   * Problems of a SOAP envelope against the official schemas, one line each (libxml2's own
   * words: `Element 'markAsDownloaded': This element is not expected.`); empty when valid.
   * Throws XmlInputError when the document is not well-formed XML.
   */
  validate(envelope: string | Uint8Array, api?: WsApi): string[];
  /** The global elements the set declares, as `{ns}local`. */
  readonly elements: ReadonlySet<string>;
  dispose(): void;
}

/** Global element declarations (`{targetNamespace}name`) of the schema files. */
function globalElements(files: Record<string, Uint8Array>): Set<string> {
  const out = new Set<string>();
  for (const bytes of Object.values(files)) {
    const schema = parseXml(bytes);
    if (schema.ns !== XSD_NS || schema.local !== 'schema') continue;
    const tns = schema.attrs.find((a) => a.ns === '' && a.local === 'targetNamespace')?.value ?? '';
    for (const el of schema.children) {
      const name =
        el.ns === XSD_NS && el.local === 'element' ? el.attrs.find((a) => a.local === 'name')?.value : undefined;
      if (name !== undefined) out.add(`{${tns}}${name}`);
    }
  }
  return out;
}

/** The text of the (only) `Fault` element of `text`, its in-scope namespace declarations added. */
function faultDocument(text: string, fault: XmlElement): string | undefined {
  const name = fault.prefix === '' ? 'Fault' : `${fault.prefix}:Fault`;
  const start = text.search(new RegExp(`<${name.replace(/[.-]/g, '\\$&')}[\\s/>]`));
  const close = `</${name}>`;
  const end = text.lastIndexOf(close);
  if (start < 0 || end < start) return undefined;
  const element = text.slice(start, end + close.length);
  const startTag = element.slice(0, element.indexOf('>'));
  const declared = new Set([...startTag.matchAll(/\sxmlns(?::([\w.-]+))?\s*=/g)].map((m) => m[1] ?? ''));
  const decls = [...namespacesInScope(fault)]
    .filter(([prefix]) => prefix !== 'xml' && !declared.has(prefix))
    .map(([prefix, uri]) => (prefix === '' ? ` xmlns="${escapeAttr(uri)}"` : ` xmlns:${prefix}="${escapeAttr(uri)}"`))
    .join('');
  return `<${name}${decls}${element.slice(name.length + 1)}`;
}

export function createWsPluginValidator(files: Record<string, Uint8Array>, entry: string): WsPluginValidator {
  const xsd: EdmXsdValidator = createXsdValidator(files, entry);
  const elements = globalElements(files);
  const known = (el: XmlElement): boolean => elements.has(`{${el.ns}}${el.local}`);

  return {
    elements,
    validate(envelope, api) {
      const text = typeof envelope === 'string' ? envelope : new TextDecoder('utf-8', { fatal: true }).decode(envelope);
      const problems: string[] = [];
      const shrunk = shrinkBase64(text);
      let fault: XmlElement | undefined;
      parseXml(shrunk, SOAP_XML_LIMITS, (doc, root) => {
        if (root.ns !== SOAP12_NS || root.local !== 'Envelope') {
          problems.push(`root element {${root.ns}}${root.local} is not a SOAP 1.2 Envelope`);
          return;
        }
        const body = root.children.find((c) => c.ns === SOAP12_NS && c.local === 'Body');
        const header = root.children.find((c) => c.ns === SOAP12_NS && c.local === 'Header');
        const first = body?.children[0];
        if (first !== undefined && first.ns === SOAP12_NS && first.local === 'Fault') fault = first;
        for (const v of xsd.validate(doc)) {
          // envelope.xsd lets Body hold only elements of other namespaces (##other), so libxml2
          // stops at a soap:Fault; the fault is validated on its own below.
          if (
            fault !== undefined &&
            v.message.startsWith(`Element '{${SOAP12_NS}}Fault': This element is not expected`)
          )
            continue;
          problems.push(v.line === undefined ? v.message : `line ${v.line}: ${v.message}`);
        }
        if (first !== undefined && fault === undefined && !known(first)) {
          problems.push(`body element {${first.ns}}${first.local} is not declared by the WS-plugin schemas`);
        }
        if (api !== undefined && first !== undefined && fault === undefined && first.ns !== API_NS[api].body) {
          problems.push(`body element {${first.ns}}${first.local} is not of the ${api} API ({${API_NS[api].body}})`);
        }
        for (const h of header?.children ?? []) {
          if (api !== undefined && h.local === 'Messaging' && h.ns !== API_NS[api].header) {
            problems.push(`header element {${h.ns}}${h.local} is not of the ${api} API ({${API_NS[api].header}})`);
          }
        }
        const needs = first === undefined ? undefined : HEADER_PART[`{${first.ns}}${first.local}`];
        if (needs !== undefined && !(header?.children ?? []).some((h) => `{${h.ns}}${h.local}` === needs)) {
          problems.push(
            `body element {${first!.ns}}${first!.local} comes without its ${needs} header (the WSDL's header part)`,
          );
        }
        if (first !== undefined && body !== undefined && body.children.length > 1) {
          problems.push(`the body holds ${body.children.length} elements; the plugin's operations take one`);
        }
        for (const h of header?.children ?? []) {
          if ((h.ns === EBMS_NS || h.ns === BACKEND_NS || h.ns === WSPLUGIN_NS) && !known(h)) {
            problems.push(`header element {${h.ns}}${h.local} is not declared by the WS-plugin schemas`);
          }
        }
      });
      if (fault !== undefined) {
        // The soap:Fault as a document of its own (a global element of envelope.xsd), with the
        // namespaces in scope declared on it: its Detail's FaultDetail is validated lax-strictly.
        const own = faultDocument(shrunk, fault);
        if (own === undefined) problems.push('soap:Fault could not be isolated for validation');
        else for (const v of xsd.validateBytes(own, SOAP_XML_LIMITS)) problems.push(`soap:Fault: ${v.message}`);
        // Detail is lax too: a plugin-namespace detail must be one the schemas declare (FaultDetail).
        const detail = fault.children.find((c) => c.ns === SOAP12_NS && c.local === 'Detail');
        for (const d of detail?.children ?? []) {
          if ((d.ns === WSPLUGIN_NS || d.ns === BACKEND_NS) && !known(d)) {
            problems.push(
              `fault detail {${d.ns}}${d.local} is not declared by the WS-plugin schemas (the WSDL's is FaultDetail)`,
            );
          }
        }
      }
      return problems;
    },
    dispose() {
      xsd.dispose();
    },
  };
}
