/**
 * The WSDL part of `oots-adapter domibus selftest`: fetches the plugin's `?wsdl` (and the schemas
 * it imports, `?xsd=...` on CXF) and says plainly whether the deployed Domibus offers what the
 * configured retrieve mode needs:
 * - the operations the adapter calls: submitMessage, getStatus, getMessageErrors,
 *   listPendingMessages, retrieveMessage, and in `confirm` mode markMessageAsDownloaded;
 * - in `confirm` mode, the `markAsDownloaded` **attribute** of `retrieveMessageRequest` (Domibus
 *   5.1+); without it a Domibus applies its default and the retrieve deletes the message.
 * `analyseWsdl` is pure (the schema fetch is handed in); `checkPluginWsdl` does the HTTP.
 */
import { parseXml } from '../../edm/xml/parse.js';
import { attr, type XmlElement } from '../../edm/xml/tree.js';
import { XmlInputError } from '../../errors.js';
import { basicAuthorization } from './auth.js';
import { WSPLUGIN_NS } from './soap.js';

const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

export type RetrieveMode = 'destructive' | 'confirm';

/** The operations the adapter calls in `mode`. */
export function requiredOperations(mode: RetrieveMode): string[] {
  const ops = ['submitMessage', 'getStatus', 'getMessageErrors', 'listPendingMessages', 'retrieveMessage'];
  return mode === 'confirm' ? [...ops, 'markMessageAsDownloaded'] : ops;
}

export interface WsdlReport {
  readonly ok: boolean;
  /** One line per finding, the missing things first. */
  readonly lines: readonly string[];
}

function* walk(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) yield* walk(c);
}

/** Looks for `xsd:element name="retrieveMessageRequest"` in a schema; undefined when not declared there. */
function retrieveDeclaration(schema: XmlElement): XmlElement | undefined {
  return schema.children.find(
    (c) => c.ns === XSD_NS && c.local === 'element' && attr(c, 'name') === 'retrieveMessageRequest',
  );
}

function schemaLocations(schema: XmlElement): string[] {
  return schema.children
    .filter((c) => c.ns === XSD_NS && (c.local === 'import' || c.local === 'include'))
    .map((c) => attr(c, 'schemaLocation'))
    .filter((l): l is string => l !== undefined && l !== '');
}

/**
 * What the WSDL text offers against what `mode` needs. `fetchSchema(location)` returns an
 * imported schema's text (location as written in the WSDL), or undefined when it cannot be read.
 */
export async function analyseWsdl(
  wsdl: string,
  mode: RetrieveMode,
  fetchSchema: (location: string) => Promise<string | undefined>,
): Promise<WsdlReport> {
  const missing: string[] = [];
  const notes: string[] = [];
  let root: XmlElement;
  try {
    root = parseXml(wsdl);
  } catch (e) {
    const why = e instanceof XmlInputError ? e.message : 'unreadable';
    return { ok: false, lines: [`?wsdl is not an XML document (${why}): check DOMIBUS_WS_URL`] };
  }
  if (root.ns !== WSDL_NS || root.local !== 'definitions') {
    return { ok: false, lines: [`?wsdl answered <${root.local}>, not a WSDL: check DOMIBUS_WS_URL`] };
  }
  const tns = attr(root, 'targetNamespace') ?? '';
  if (tns !== WSPLUGIN_NS) {
    missing.push(
      `the WSDL's namespace is ${tns || '(none)'}, not the Domibus 5 WS plugin's ${WSPLUGIN_NS}: point DOMIBUS_WS_URL at /domibus/services/wsplugin`,
    );
  }
  const offered = new Set(
    root.children
      .filter((c) => c.ns === WSDL_NS && c.local === 'portType')
      .flatMap((pt) => pt.children.filter((o) => o.ns === WSDL_NS && o.local === 'operation'))
      .map((o) => attr(o, 'name') ?? ''),
  );
  const absent = requiredOperations(mode).filter((op) => !offered.has(op));
  if (absent.length > 0) {
    missing.push(
      `operations missing for DOMIBUS_RETRIEVE_MODE=${mode}: ${absent.join(', ')}` +
        (absent.includes('markMessageAsDownloaded')
          ? ' (Domibus 5.1+ offers it; or use DOMIBUS_RETRIEVE_MODE=destructive)'
          : ''),
    );
  } else {
    notes.push(
      `operations needed for DOMIBUS_RETRIEVE_MODE=${mode}: all offered (${requiredOperations(mode).join(', ')})`,
    );
  }

  // The retrieve request's declaration: inline in wsdl:types, or in a schema they import (one or two hops).
  const types = root.children.find((c) => c.ns === WSDL_NS && c.local === 'types');
  const queue: { schema: XmlElement; depth: number }[] = (types?.children ?? [])
    .filter((c) => c.ns === XSD_NS && c.local === 'schema')
    .map((schema) => ({ schema, depth: 0 }));
  const seen = new Set<string>();
  let declaration: XmlElement | undefined;
  let unreadable: string | undefined;
  while (declaration === undefined && queue.length > 0) {
    const { schema, depth } = queue.shift()!;
    declaration = retrieveDeclaration(schema);
    if (declaration !== undefined || depth >= 2) continue;
    for (const loc of schemaLocations(schema)) {
      if (seen.has(loc)) continue;
      seen.add(loc);
      const text = await fetchSchema(loc);
      if (text === undefined) {
        unreadable ??= loc;
        continue;
      }
      try {
        const imported = parseXml(text);
        if (imported.ns === XSD_NS && imported.local === 'schema') queue.push({ schema: imported, depth: depth + 1 });
      } catch {
        unreadable ??= loc;
      }
    }
  }
  if (declaration === undefined) {
    const why = unreadable === undefined ? '' : ` (could not read ${unreadable})`;
    (mode === 'confirm' ? missing : notes).push(`retrieveMessageRequest is not declared in the WSDL's schemas${why}`);
  } else {
    const inside = [...walk(declaration)];
    const attribute = inside.some(
      (e) => e.ns === XSD_NS && e.local === 'attribute' && attr(e, 'name') === 'markAsDownloaded',
    );
    if (attribute) {
      notes.push('retrieveMessageRequest has the markAsDownloaded attribute (Domibus 5.1+)');
    } else if (mode === 'confirm') {
      missing.push(
        'retrieveMessageRequest has no markAsDownloaded attribute: this Domibus would delete each message as it is retrieved; ' +
          'use DOMIBUS_RETRIEVE_MODE=destructive with a non-zero retention_downloaded, or Domibus 5.1+',
      );
    } else {
      notes.push('retrieveMessageRequest has no markAsDownloaded attribute (not needed in destructive mode)');
    }
  }
  return { ok: missing.length === 0, lines: [...missing.map((m) => `MISSING: ${m}`), ...notes] };
}

/** Fetches `<url>?wsdl` (and its imported schemas) with the plugin user and analyses it. */
export async function checkPluginWsdl(opts: {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly timeoutMs: number;
  readonly mode: RetrieveMode;
}): Promise<WsdlReport> {
  const authorization = basicAuthorization(opts.user, opts.password);
  const get = async (url: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(url, {
      headers: { authorization },
      signal: AbortSignal.timeout(opts.timeoutMs),
      redirect: 'error',
    });
    const text = await res.text();
    return { status: res.status, text: text.length > 4 * 1024 * 1024 ? '' : text };
  };
  const wsdlUrl = `${opts.url}?wsdl`;
  let wsdl: { status: number; text: string };
  try {
    wsdl = await get(wsdlUrl);
  } catch (e) {
    return { ok: false, lines: [`?wsdl could not be fetched: ${e instanceof Error ? e.message : String(e)}`] };
  }
  if (wsdl.status !== 200) return { ok: false, lines: [`?wsdl answered HTTP ${wsdl.status}`] };
  const origin = new URL(wsdlUrl).origin;
  return analyseWsdl(wsdl.text, opts.mode, async (location) => {
    try {
      const target = new URL(location, wsdlUrl);
      // The WSDL is the plugin's to write: a schemaLocation on another origin never gets the
      // plugin user's password (it is reported as unreadable instead).
      if (target.origin !== origin) return undefined;
      const r = await get(target.toString());
      return r.status === 200 ? r.text : undefined;
    } catch {
      return undefined;
    }
  });
}
