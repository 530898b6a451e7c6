/**
 * SOAP 1.2 framing for the Domibus WS plugin (Domibus 5, `http://eu.domibus.wsplugin/`): writing
 * envelopes, reading them back through our one XML entry point (parseXml: no DTD, bounded sizes),
 * and SOAP faults in both directions. Pure functions: no I/O, no clock.
 *
 * Large base64 payloads: libxml2 refuses a text node over 10 MB without XML_PARSE_HUGE, and a
 * 15 MiB evidence is 20 MB of base64. `readSoap` therefore lifts long base64 runs out of `value`
 * elements before parsing (base64 cannot contain `<`, so the cut is exact) and hands them back by
 * index; everything else is parsed as usual.
 */
import { AdapterError } from '../../errors.js';
import { DEFAULT_XML_LIMITS, parseXml, type XmlLimits } from '../../edm/xml/parse.js';
import { child, type XmlElement } from '../../edm/xml/tree.js';

export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const WSPLUGIN_NS = 'http://eu.domibus.wsplugin/';
/** Media type of SOAP 1.2 requests and answers. */
export const SOAP12_CONTENT_TYPE = 'application/soap+xml; charset=UTF-8';

/** Bounds for SOAP documents: payloads are lifted out, so the skeleton stays small. */
export const SOAP_XML_LIMITS: XmlLimits = Object.freeze({
  ...DEFAULT_XML_LIMITS,
  maxBytes: 128 * 1024 * 1024,
});

export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

/**
 * A SOAP 1.2 envelope with the prefixes of the oots-france samples (`soap`, `_1`): `header` is
 * the XML of the header blocks (e.g. an `eb:Messaging`), `body` the XML of the body element.
 */
export function soapEnvelope(body: string, header = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<soap:Envelope xmlns:soap="${SOAP12_NS}" xmlns:_1="${WSPLUGIN_NS}">\n` +
    (header === '' ? '  <soap:Header/>\n' : `  <soap:Header>\n${header}  </soap:Header>\n`) +
    `  <soap:Body>\n${body}  </soap:Body>\n</soap:Envelope>\n`
  );
}

/**
 * A WS-plugin body element `<_1:name>` with unqualified children (the plugin's elementFormDefault)
 * and unqualified attributes (escaped; undefined ones left out).
 */
export function pluginElement(
  name: string,
  inner: string,
  attrs: Readonly<Record<string, string | undefined>> = {},
): string {
  const a = Object.entries(attrs)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join('');
  return inner === '' ? `    <_1:${name}${a}/>\n` : `    <_1:${name}${a}>\n${inner}    </_1:${name}>\n`;
}

/** `<name>text</name>`, unqualified, escaped. */
export function leaf(name: string, text: string, indent = '      '): string {
  return `${indent}<${name}>${escapeText(text)}</${name}>\n`;
}

export interface SoapFault {
  /** `soap:Sender`, `soap:Receiver`, ... resolved to its local name (`Sender`). */
  readonly code: string;
  /** First `soap:Subcode/soap:Value`, local name, when present. */
  readonly subcode: string | undefined;
  readonly reason: string;
  /** Local name of the detail element (the WSDL's `FaultDetail`), when present. */
  readonly detailName: string | undefined;
  /** Plugin error code from the detail (e.g. `WS_PLUGIN:0003`), when present. */
  readonly detailCode: string | undefined;
  /** Plugin error message from the detail, when present. */
  readonly detailMessage: string | undefined;
}

export interface SoapDocument {
  readonly header: XmlElement | undefined;
  readonly body: XmlElement;
  /** The first body element (undefined for an empty body). */
  readonly payload: XmlElement | undefined;
  /** Set when the body holds a soap:Fault. */
  readonly fault: SoapFault | undefined;
  /** Base64 runs lifted out of `value` elements; read them with `valueText`. */
  readonly lifted: readonly string[];
}

/** Raised when a document is XML but not a SOAP 1.2 envelope we can read. */
export class SoapProtocolError extends AdapterError {
  override readonly name = 'SoapProtocolError';
  constructor(message: string, cause?: unknown) {
    super('ERR_DOMIBUS_PROTOCOL', message, cause === undefined ? undefined : { cause });
  }
}

const LIFT_MIN = 4096;
const MARK = (i: number): string => `@@lifted:${i}@@`;
const MARK_RE = /^@@lifted:(\d+)@@$/;

/** Parses a SOAP 1.2 envelope (string or bytes). Throws XmlInputError or SoapProtocolError. */
export function readSoap(input: string | Uint8Array, limits: XmlLimits = SOAP_XML_LIMITS): SoapDocument {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch (cause) {
      throw new SoapProtocolError('SOAP document is not valid UTF-8', cause);
    }
  }
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new SoapProtocolError(`SOAP document exceeds ${limits.maxBytes} bytes`);
  }
  const lifted: string[] = [];
  const skeleton = text.length < LIFT_MIN ? text : liftBase64(text, lifted);
  const root = parseXml(skeleton, limits);
  if (root.ns !== SOAP12_NS || root.local !== 'Envelope') {
    const what = root.local === 'Envelope' ? `a SOAP envelope in namespace ${root.ns}` : `<${root.local}>`;
    throw new SoapProtocolError(`expected a SOAP 1.2 envelope, got ${what}`);
  }
  const header = child(root, SOAP12_NS, 'Header');
  const body = child(root, SOAP12_NS, 'Body');
  if (body === undefined) throw new SoapProtocolError('SOAP envelope has no Body');
  const payload = body.children[0];
  const fault =
    payload !== undefined && payload.ns === SOAP12_NS && payload.local === 'Fault' ? readFault(payload) : undefined;
  return { header, body, payload, fault, lifted };
}

const B64_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n\t ')
  B64_CHAR[c.charCodeAt(0)] = 1;
const VALUE_OPEN = /<(?:[A-Za-z_][\w.-]*:)?value(?=[\s>])[^<>]*>/g;
const VALUE_CLOSE = /^<\/(?:[A-Za-z_][\w.-]*:)?value\s*>/;

/** Replaces base64 runs of at least LIFT_MIN characters inside `value` elements by index marks. */
function liftBase64(text: string, lifted: string[]): string {
  const out: string[] = [];
  let last = 0;
  VALUE_OPEN.lastIndex = 0;
  for (let m = VALUE_OPEN.exec(text); m !== null; m = VALUE_OPEN.exec(text)) {
    if (m[0].endsWith('/>')) continue;
    const start = m.index + m[0].length;
    let end = start;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c >= 128 || B64_CHAR[c] !== 1) break;
      end++;
    }
    if (end - start < LIFT_MIN || !VALUE_CLOSE.test(text.slice(end, end + 64))) continue;
    out.push(text.slice(last, start), MARK(lifted.length));
    lifted.push(text.slice(start, end));
    last = end;
    VALUE_OPEN.lastIndex = end;
  }
  if (last === 0) return text;
  out.push(text.slice(last));
  return out.join('');
}

/**
 * The document with every long base64 run of a `value` element replaced by `AAAA` (still
 * base64): what schema validation reads, so a 20 MB payload neither hits libxml2's text-node
 * limit nor costs a copy; the payloads' bytes are checked where they are decoded.
 */
export function shrinkBase64(text: string): string {
  if (text.length < LIFT_MIN) return text;
  return liftBase64(text, []).replace(/@@lifted:\d+@@/g, 'AAAA');
}

/** The text of a `value` element, with a lifted base64 run put back. */
export function valueText(doc: SoapDocument, el: XmlElement): string {
  const t = el.text.trim();
  const m = MARK_RE.exec(t);
  if (m === null) return t;
  return doc.lifted[Number(m[1])] ?? '';
}

function localOf(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

function readFault(fault: XmlElement): SoapFault {
  const codeEl = child(fault, SOAP12_NS, 'Code');
  const code = codeEl === undefined ? '' : localOf(child(codeEl, SOAP12_NS, 'Value')?.text.trim() ?? '');
  const sub = codeEl === undefined ? undefined : child(codeEl, SOAP12_NS, 'Subcode');
  const subValue = sub === undefined ? undefined : child(sub, SOAP12_NS, 'Value')?.text.trim();
  const reasonEl = child(fault, SOAP12_NS, 'Reason');
  const reason = reasonEl?.children.find((c) => c.local === 'Text')?.text.trim() ?? '';
  const detail = child(fault, SOAP12_NS, 'Detail');
  const detailEl = detail?.children[0];
  const field = (name: string): string | undefined => {
    const v = detailEl?.children.find((c) => c.local === name)?.text.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  return {
    code: code === '' ? 'Receiver' : code,
    subcode: subValue === undefined || subValue === '' ? undefined : localOf(subValue),
    reason,
    detailName: detailEl?.local,
    detailCode: field('code'),
    detailMessage: field('message'),
  };
}

export interface FaultSpec {
  readonly code: 'Sender' | 'Receiver';
  readonly reason: string;
  /** Detail element in the plugin namespace: the WSDL names every fault part `FaultDetail` (`code`, `message`). */
  readonly detail?: { readonly name: string; readonly code: string; readonly message: string };
}

/** A SOAP 1.2 fault envelope as the WS plugin (CXF) writes it. */
export function faultEnvelope(spec: FaultSpec): string {
  const detail =
    spec.detail === undefined
      ? ''
      : `        <soap:Detail>\n          <_1:${spec.detail.name}>\n` +
        leaf('code', spec.detail.code, '            ') +
        leaf('message', spec.detail.message, '            ') +
        `          </_1:${spec.detail.name}>\n        </soap:Detail>\n`;
  const body =
    `    <soap:Fault>\n` +
    `      <soap:Code><soap:Value>soap:${spec.code}</soap:Value></soap:Code>\n` +
    `      <soap:Reason><soap:Text xml:lang="en">${escapeText(spec.reason)}</soap:Text></soap:Reason>\n` +
    detail +
    `    </soap:Fault>\n`;
  return soapEnvelope(body);
}

/** One line naming a fault, for error messages and logs (no payload content). */
export function describeFault(f: SoapFault): string {
  const code = f.detailCode ?? (f.subcode === undefined ? f.code : `${f.code}/${f.subcode}`);
  const text = f.detailMessage ?? f.reason;
  return `${code}${text === '' ? '' : `: ${text}`}`.slice(0, 500);
}
