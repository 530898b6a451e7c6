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
import { createXsdValidator, type EdmXsdValidator } from '../../edm/xsd.js';
import { parseXml } from '../../edm/xml/parse.js';
import type { XmlElement } from '../../edm/xml/tree.js';
import { BACKEND_NS } from './messages.js';
import { SOAP12_NS, SOAP_XML_LIMITS, shrinkBase64, WSPLUGIN_NS } from './soap.js';

const EBMS_NS = 'http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

export interface WsPluginValidator {
  /**
   * Problems of a SOAP envelope against the official schemas, one line each (libxml2's own
   * words: `Element 'markAsDownloaded': This element is not expected.`); empty when valid.
   * Throws XmlInputError when the document is not well-formed XML.
   */
  validate(envelope: string | Uint8Array): string[];
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

export function createWsPluginValidator(files: Record<string, Uint8Array>, entry: string): WsPluginValidator {
  const xsd: EdmXsdValidator = createXsdValidator(files, entry);
  const elements = globalElements(files);
  const known = (el: XmlElement): boolean => elements.has(`{${el.ns}}${el.local}`);

  return {
    elements,
    validate(envelope) {
      const text = typeof envelope === 'string' ? envelope : new TextDecoder('utf-8', { fatal: true }).decode(envelope);
      const problems: string[] = [];
      parseXml(shrinkBase64(text), SOAP_XML_LIMITS, (doc, root) => {
        if (root.ns !== SOAP12_NS || root.local !== 'Envelope') {
          problems.push(`root element {${root.ns}}${root.local} is not a SOAP 1.2 Envelope`);
          return;
        }
        const body = root.children.find((c) => c.ns === SOAP12_NS && c.local === 'Body');
        const header = root.children.find((c) => c.ns === SOAP12_NS && c.local === 'Header');
        const first = body?.children[0];
        const isFault = first !== undefined && first.ns === SOAP12_NS && first.local === 'Fault';
        for (const v of xsd.validate(doc)) {
          // envelope.xsd lets Body hold only elements of other namespaces (##other), so a
          // soap:Fault trips it; the fault's own structure is still checked below.
          if (
            isFault &&
            /Element '\{http:\/\/www\.w3\.org\/2003\/05\/soap-envelope\}Fault'|Element '[\w:]*Fault': This element is not expected/.test(
              v.message,
            )
          )
            continue;
          problems.push(v.line === undefined ? v.message : `line ${v.line}: ${v.message}`);
        }
        if (first !== undefined && !isFault && !known(first)) {
          problems.push(`body element {${first.ns}}${first.local} is not declared by the WS-plugin schemas`);
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
      return problems;
    },
    dispose() {
      xsd.dispose();
    },
  };
}
