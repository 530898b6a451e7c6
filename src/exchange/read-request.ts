/**
 * Step 1 of the exchange: reading the inbound request. The ebMS header's own checks, the one
 * RegRep part, and its tree (with the XSD findings of a v1.0 QueryRequest), refused with
 * EDM:ERR:0003 when it is not a QueryRequest.
 */
import { classify } from '../edm/classify.js';
import type { EdmVersion } from '../edm/model.js';
import { parseQueryRequest } from '../edm/parse-request.js';
import type { XsdCheck } from '../edm/validate.js';
import { isEdmVersion, readVersion } from '../edm/version.js';
import { DEFAULT_XML_LIMITS, parseXml, type XmlLimits } from '../edm/xml/parse.js';
import type { XmlElement } from '../edm/xml/tree.js';
import type { Violation } from '../edm/violation.js';
import { EBRS_MIME_TYPE, messageProperty, type UserMessage } from '../ebms/model.js';
import { repeatedProperty } from '../ebms/four-corner.js';
import type { PreviewPort } from './ports.js';
import { Refusal } from './refusal.js';

/** One payload part of an inbound message. */
export interface InboundPayload {
  readonly href: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
}

/** What reading a request needs (part of ExchangeDeps). */
export interface ReadDeps {
  readonly limits?: XmlLimits;
  /** XSD check for v1.0 requests; rules only when absent. */
  readonly xsd?: XsdCheck;
  /**
   * Reads the RegRep payload (its tree and the XSD findings of a v1.0 QueryRequest) away from the
   * event loop and under a time limit (throws XmlInputError); in-process with `limits` and `xsd`
   * when absent.
   */
  readonly readPayload?: (bytes: Uint8Array) => Promise<PayloadRead>;
}

/** A read RegRep payload: its tree, the XSD findings of a v1.0 QueryRequest, and the judgement's errors when the reader judged it. */
export interface PayloadRead {
  readonly root: XmlElement;
  readonly xsd: Violation[];
  /** The errors of `judgeTree(root, xsd)`, when the reader ran the rules already. */
  readonly errors?: readonly Violation[];
  /** Its warnings (rules that never refuse), with `errors`. */
  readonly warnings?: readonly Violation[];
}

export function versionFromHeader(um: UserMessage): EdmVersion | undefined {
  const v = messageProperty(um, 'SpecificationId')?.value;
  return v !== undefined && isEdmVersion(v) ? v : undefined;
}

export function exchangeIdOf(um: UserMessage): string | undefined {
  const v = messageProperty(um, 'ExchangeId')?.value;
  return v === undefined || v === '' ? undefined : v;
}

export function checkHeader(um: UserMessage): void {
  if (um.action !== 'ExecuteQueryRequest') {
    throw new Refusal('EDM:ERR:0003', `ebMS action ${um.action} is not ExecuteQueryRequest`);
  }
  const repeated = repeatedProperty(um);
  if (repeated !== undefined) {
    throw new Refusal('EDM:ERR:0003', `R-EDM-ebMS-018: the ebMS message property ${repeated} occurs more than once`);
  }
  for (const name of ['originalSender', 'finalRecipient']) {
    if ((messageProperty(um, name)?.value ?? '') === '') {
      throw new Refusal('EDM:ERR:0003', `R-EDM-ebMS-019: the ebMS header has no ${name} property`);
    }
  }
}

function regrepPart(payloads: readonly InboundPayload[]): InboundPayload {
  // One request, one RegRep part (TDD payload packaging): a second one is not silently ignored.
  const regreps = payloads.filter((p) => p.mimeType === EBRS_MIME_TYPE).length;
  if (regreps > 1)
    throw new Refusal(
      'EDM:ERR:0003',
      `the message carries ${regreps} RegRep parts (${EBRS_MIME_TYPE}); a request has exactly one`,
    );
  const part = payloads.find((p) => p.mimeType === EBRS_MIME_TYPE) ?? payloads[0];
  if (part === undefined)
    throw new Refusal('EDM:ERR:0003', 'the message carries no RegRep payload (application/x-ebrs+xml)');
  return part;
}

export function readPayload(payloads: readonly InboundPayload[], deps: ReadDeps): XmlElement {
  const root = parseXml(regrepPart(payloads).bytes, deps.limits ?? DEFAULT_XML_LIMITS);
  if (classify(root) !== 'QueryRequest') {
    throw new Refusal(
      'EDM:ERR:0003',
      `R-EDM-REQ-S001: the payload root {${root.ns}}${root.local} is not query:QueryRequest`,
    );
  }
  return root;
}

/** One parse for both: the tree, and the XSD findings of a v1.0 request while libxml2's document lives. */
export async function readPayloadWithXsd(payloads: readonly InboundPayload[], deps: ReadDeps): Promise<PayloadRead> {
  const bytes = regrepPart(payloads).bytes;
  if (deps.readPayload !== undefined) return requireQueryRequest(await deps.readPayload(bytes));
  let findings: Violation[] = [];
  const xsd = deps.xsd;
  const root = parseXml(bytes, deps.limits ?? DEFAULT_XML_LIMITS, (doc, tree) => {
    if (xsd !== undefined && classify(tree) === 'QueryRequest' && readVersion(tree).version === 'oots-edm:v1.0')
      findings = xsd.validate(doc);
  });
  return requireQueryRequest({ root, xsd: findings });
}

function requireQueryRequest<T extends { readonly root: XmlElement }>(read: T): T {
  const root = read.root;
  if (classify(root) !== 'QueryRequest') {
    throw new Refusal(
      'EDM:ERR:0003',
      `R-EDM-REQ-S001: the payload root {${root.ns}}${root.local} is not query:QueryRequest`,
    );
  }
  return read;
}

export function ownLoopbackLocation(root: XmlElement, preview: PreviewPort | undefined): boolean {
  const location = parseQueryRequest(root, { versionOverride: 'oots-edm:v1.0' }).previewLocation;
  return location !== undefined && preview?.isOwnLoopbackLocation?.(location) === true;
}
