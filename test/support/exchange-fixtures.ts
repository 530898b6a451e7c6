/**
 * Builds inbound requests (ebMS header + RegRep payload) and exchange dependencies for tests:
 * the shipped mappings, the real renderer, and a DAGR port answering from the sandbox datasets.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseQueryRequest } from '../../src/edm/parse-request.js';
import { parseXml } from '../../src/edm/xml/parse.js';
import { EBRS_MIME_TYPE, type UserMessage } from '../../src/ebms/model.js';
import type { ExchangeDeps, InboundRequest } from '../../src/exchange/answer.js';
import type { DagrLookupResult, DagrPort } from '../../src/exchange/ports.js';
import { createMappingRegistry } from '../../src/mapping/registry.js';
import { createRenderer } from '../../src/render/renderer.js';
import { readPdfAssets } from '../../src/resources/fonts.js';
import { loadMappings } from '../../src/resources/mappings.js';

interface Dataset {
  service_name: string;
  key: string;
  records: Record<string, unknown>[];
}

export function sandboxDatasets(): Dataset[] {
  const dir = path.resolve('src/sandbox/dagr-data');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'permissions.json')
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Dataset);
}

/** A DAGR port over the sandbox data; `fail` makes every call reject with that error. */
export function fakeDagr(options: { fail?: Error } = {}): DagrPort & { calls: number } {
  const datasets = new Map(sandboxDatasets().map((d) => [d.service_name, d]));
  const port = {
    calls: 0,
    lookup(req: { service: string; key: string }): Promise<DagrLookupResult> {
      port.calls++;
      if (options.fail !== undefined) return Promise.reject(options.fail);
      const ds = datasets.get(req.service);
      const keyField = (ds?.key ?? '').split('(')[0]!.trim();
      // Every record under the key, in the dataset's order, as DAGR returns them.
      const [first, ...rest] = (ds?.records ?? [])
        .filter((r) => String(r[keyField]) === req.key)
        .map((fields) => ({ fields, fetchedAt: '2026-11-25T10:00:00.000Z' }));
      return Promise.resolve(first === undefined ? { kind: 'not-found' } : { kind: 'found', records: [first, ...rest] });
    },
  };
  return port;
}

let counter = 0;
export function testDeps(overrides: Partial<ExchangeDeps> = {}): ExchangeDeps {
  return {
    registry: createMappingRegistry(loadMappings()),
    dagr: fakeDagr(),
    renderer: createRenderer(readPdfAssets()),
    provider: {
      identifier: { value: '90000012827', schemeID: 'urn:cef.eu:names:identifier:EAS:9939' },
      names: [{ lang: 'EN', value: 'Latvian OOTS evidence provider (test)' }],
      address: { adminUnitLevel1: 'LV' },
      classification: undefined,
    },
    messageDomain: 'oots.test.lv',
    notFound: 'empty',
    uuid: () => `00000000-0000-4000-8000-${(++counter).toString(16).padStart(12, '0')}`,
    now: () => new Date('2026-11-25T10:00:00.000Z'),
    ...overrides,
  };
}

export function userMessage(overrides: Partial<UserMessage> = {}, v2 = false): UserMessage {
  return {
    messageId: 'msg-1@ap.de.example',
    timestamp: '2026-11-25T09:59:00.000Z',
    from: {
      partyId: 'AP_DE_01',
      partyIdType: 'urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots',
      role: 'http://sdg.europa.eu/edelivery/gateway',
    },
    to: {
      partyId: 'AP_LV_01',
      partyIdType: 'urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots',
      role: 'http://sdg.europa.eu/edelivery/gateway',
    },
    service: 'QueryManager',
    serviceType: 'urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0',
    action: 'ExecuteQueryRequest',
    conversationId: 'conv-1',
    properties: [
      { name: 'originalSender', value: 'DE73524311', type: 'urn:cef.eu:names:identifier:EAS:9930' },
      { name: 'finalRecipient', value: '90000012827', type: 'urn:cef.eu:names:identifier:EAS:9939' },
      ...(v2
        ? [
            { name: 'ExchangeId', value: '6f1d4a8e-2b3c-4d5e-8f90-1a2b3c4d5e6f' },
            { name: 'SpecificationId', value: 'oots-edm:v2.0' },
          ]
        : []),
    ],
    payloads: [{ href: 'cid:request@ap.de.example', mimeType: EBRS_MIME_TYPE, properties: [] }],
    ...overrides,
  };
}

/**
 * The header a consistent sender would write for `regrep`: the fixture's placeholder
 * originalSender (DE73524311) becomes the payload's requester (C1), as the four-corner check
 * (src/ebms/four-corner.ts) asks. Any other originalSender is left as the test wrote it.
 */
export function consistentHeader(regrep: string, um: UserMessage): UserMessage {
  const sender = um.properties.find((p) => p.name === 'originalSender');
  if (sender?.value !== 'DE73524311') return um;
  let id: { value: string; schemeID: string | undefined } | undefined;
  try {
    const request = parseQueryRequest(parseXml(Buffer.from(regrep, 'utf8')));
    id = (request.evidenceRequesters.find((a) => a.classification === 'ER') ?? request.evidenceRequesters[0])?.identifier;
  } catch {
    return um;
  }
  if (id === undefined) return um;
  const replaced = { name: 'originalSender', value: id.value, ...(id.schemeID === undefined ? {} : { type: id.schemeID }) };
  return { ...um, properties: um.properties.map((p) => (p === sender ? replaced : p)) };
}

export function inbound(regrep: string, um: UserMessage = userMessage()): InboundRequest {
  return {
    exchangeRef: 'ref-test',
    userMessage: consistentHeader(regrep, um),
    payloads: [{ href: 'cid:request@ap.de.example', mimeType: EBRS_MIME_TYPE, bytes: Buffer.from(regrep, 'utf8') }],
  };
}

export function exampleRequest(name: string): string {
  return readFileSync(path.resolve('examples/requests', `${name}.xml`), 'utf8');
}

/**
 * The same v1.0 request in EDM v2.0: its SpecificationIdentifier, no xml:lang on the root (v2.0
 * asks for the language in DistributedAs), and Procedure as a plain code (StringValueType).
 */
export const asV2 = (xml: string): string =>
  xml
    .replace('<rim:Value>oots-edm:v1.0</rim:Value>', '<rim:Value>oots-edm:v2.0</rim:Value>')
    .replace(/\s+xml:lang="[A-Z]+"/, '')
    .replace(
      /(<rim:Slot name="Procedure">\s*)<rim:SlotValue xsi:type="rim:InternationalStringValueType">\s*<rim:Value>\s*<rim:LocalizedString[^>]*\svalue="([^"]+)"[^>]*\/>\s*<\/rim:Value>/,
      '$1<rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>$2</rim:Value>',
    );
