/**
 * What a parse thread runs (see pool.ts): the bounded parse and validation of one untrusted
 * document, answered as plain data (structured-cloned back). Errors a sender caused come back as
 * values, not throws, so their class and code survive the trip between threads.
 */
import type { MessagePort } from 'node:worker_threads';
import { workerData } from 'piscina';
import { readSoap, SoapProtocolError, SOAP_XML_LIMITS, type SoapDocument } from '../connector/domibus/soap.js';
import { XmlInputError } from '../errors.js';
import { classify } from '../edm/classify.js';
import { judgeTree, validateMessage, type ValidationReport } from '../edm/validate.js';
import { readVersion } from '../edm/version.js';
import type { Violation } from '../edm/violation.js';
import { parseXml, type XmlLimits } from '../edm/xml/parse.js';
import type { XmlElement } from '../edm/xml/tree.js';
import type { EdmXsdValidator } from '../edm/xsd.js';
import { loadEdmXsdValidator } from '../resources/edm-xsd.js';

export interface ParseThreadData {
  readonly limits: XmlLimits;
}

export type ParseTask =
  /** `POST /edm/validate`: the whole judgement (XSD for v1.0 and the rules). */
  | { readonly kind: 'validate'; readonly bytes: Uint8Array; readonly started: MessagePort }
  /** A connector payload: the tree, and the XSD findings of a v1.0 QueryRequest. */
  | { readonly kind: 'request'; readonly bytes: Uint8Array; readonly started: MessagePort }
  /** A Domibus push body. */
  | { readonly kind: 'soap'; readonly bytes: Uint8Array; readonly started: MessagePort }
  /** Nothing: makes the pool start a thread (see pool.ts). */
  | { readonly kind: 'ping' };

export interface RequestTree {
  readonly root: XmlElement;
  readonly xsd: Violation[];
  /** The rules' errors (with the XSD's), judged here under the time limit, not on the worker's event loop. */
  readonly errors: readonly Violation[];
  /** Its warnings (never refusing), so the answer's log names them. */
  readonly warnings: readonly Violation[];
}

export type XmlFaultCode = ConstructorParameters<typeof XmlInputError>[0];

export type SenderFault =
  | { readonly type: 'xml'; readonly code: XmlFaultCode; readonly message: string; readonly line: number | undefined }
  | { readonly type: 'soap'; readonly message: string };

export type ParseAnswer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly fault: SenderFault };

const data = workerData as ParseThreadData;
// Compiled when the thread starts, before it takes a task: not on a document's clock.
const xsd: EdmXsdValidator = loadEdmXsdValidator();
const xsdValidator = (): EdmXsdValidator => xsd;

export default function run(task: ParseTask): ParseAnswer<ValidationReport | RequestTree | SoapDocument | null> {
  if (task.kind === 'ping') return { ok: true, value: null };
  // The pool starts the document's clock now, not while the task waited in the queue.
  task.started.postMessage('started');
  task.started.close();
  try {
    return { ok: true, value: perform(task) };
  } catch (error) {
    if (error instanceof XmlInputError) {
      return { ok: false, fault: { type: 'xml', code: error.code as XmlFaultCode, message: error.message, line: error.line } };
    }
    if (error instanceof SoapProtocolError) return { ok: false, fault: { type: 'soap', message: error.message } };
    throw error;
  }
}

function perform(task: Exclude<ParseTask, { kind: 'ping' }>): ValidationReport | RequestTree | SoapDocument {
  switch (task.kind) {
    case 'validate':
      return validateMessage(task.bytes, { limits: data.limits, xsd: { validate: (doc) => xsdValidator().validate(doc) } });
    case 'request': {
      let findings: Violation[] = [];
      const root = parseXml(task.bytes, data.limits, (doc, tree) => {
        if (classify(tree) === 'QueryRequest' && readVersion(tree).version === 'oots-edm:v1.0') findings = xsdValidator().validate(doc);
      });
      const judged = judgeTree(root, findings);
      return { root, xsd: findings, errors: judged.errors, warnings: judged.warnings };
    }
    case 'soap':
      return readSoap(task.bytes, { ...data.limits, maxBytes: SOAP_XML_LIMITS.maxBytes });
  }
}
