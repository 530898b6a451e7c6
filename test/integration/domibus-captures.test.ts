/**
 * The SOAP envelopes captured on a real Domibus 5.2.1 WS plugin (oots-france prototype,
 * `v2.0/samples/oots-france/domibus-5.2.1-captured/`), every file of the directory: read by our
 * parsers, replayed to the real client over loopback HTTP, and held to the official 5.1.9
 * schemas (the 5.2 `messageEntityID` aside). And the prototype's regression messages
 * (`incoming-regression/`), retrieved as Domibus hands them over, get the EDM answers their
 * content calls for.
 */
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createDomibusClient, type DomibusClient } from '../../src/connector/domibus/client.js';
import {
  outboundParts,
  parseListPendingResponse,
  parseRetrieveResponse,
  parseSubmitResponse,
  submitRequest,
  type WsMessage,
} from '../../src/connector/domibus/messages.js';
import { readSoap, SOAP12_CONTENT_TYPE } from '../../src/connector/domibus/soap.js';
import type { WsPluginValidator } from '../../src/connector/domibus/wsplugin-schema.js';
import { messageProperty } from '../../src/ebms/model.js';
import { validateMessage } from '../../src/edm/validate.js';
import { answerRequest } from '../../src/exchange/answer.js';
import { loadWsPluginValidator } from '../../src/resources/domibus-schemas.js';
import { testDeps } from '../support/exchange-fixtures.js';
import { EDM_ARTEFACTS } from '../support/schematron.js';

const CAPTURED = path.join(EDM_ARTEFACTS, 'v2.0/samples/oots-france/domibus-5.2.1-captured');
const REGRESSION = path.join(EDM_ARTEFACTS, 'v2.0/samples/oots-france/incoming-regression');
const captured = (name: string): Buffer => readFileSync(path.join(CAPTURED, name));
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

let v: WsPluginValidator;
beforeAll(() => {
  v = loadWsPluginValidator();
});
afterAll(() => v.dispose());

/** What each captured file is; the test below fails if the directory holds a file not listed here. */
const CAPTURES = {
  'listeMessagesEnAttente.vide.xml': 'listPendingMessagesResponse, empty',
  'listeMessagesEnAttente.xml': 'listPendingMessagesResponse, one id',
  'requete.xml': 'retrieveMessageResponse of a v2.0 ExecuteQueryRequest',
  'reponseAvecPieceJointe.xml': 'retrieveMessageResponse of an ExecuteQueryResponse with a PDF',
  'erreurObjetIntrouvable.xml': 'retrieveMessageResponse of an ExceptionResponse',
  'soumissionMessage.xml': 'submitResponse of Domibus 5.2 (with messageEntityID)',
} as const;

describe('every file captured on Domibus 5.2.1', () => {
  test('is one this test reads', () => {
    expect(readdirSync(CAPTURED).sort()).toEqual(Object.keys(CAPTURES).sort());
  });

  test.each(Object.keys(CAPTURES).filter((f) => f !== 'soumissionMessage.xml'))(
    '%s is valid against the official 5.1.9 schemas',
    (file) => {
      expect(v.validate(captured(file), 'plugin')).toEqual([]);
    },
  );

  test('soumissionMessage.xml: only the 5.2 messageEntityID is outside the 5.1.9 schema; the id is read', () => {
    expect(v.validate(captured('soumissionMessage.xml')).join(' ')).toMatch(/messageEntityID/);
    expect(
      v.validate(
        captured('soumissionMessage.xml')
          .toString('utf8')
          .replace(/<messageEntityID>\d+<\/messageEntityID>/, ''),
      ),
    ).toEqual([]);
    expect(parseSubmitResponse(readSoap(captured('soumissionMessage.xml')))).toEqual([
      '45fa5345-5a18-4691-945f-531f9568729f@oots.eu',
    ]);
  });

  test('pending lists: empty, and the one id that requete.xml then retrieves', () => {
    expect(parseListPendingResponse(readSoap(captured('listeMessagesEnAttente.vide.xml')))).toEqual([]);
    expect(parseListPendingResponse(readSoap(captured('listeMessagesEnAttente.xml')))).toEqual([
      '45fa5345-5a18-4691-945f-531f9568729f@oots.eu',
    ]);
  });

  test('requete.xml: a v2.0 request, header and payload as Domibus hands them over', () => {
    const m = parseRetrieveResponse(readSoap(captured('requete.xml')));
    expect(m.userMessage).toMatchObject({
      messageId: '45fa5345-5a18-4691-945f-531f9568729f@oots.eu',
      action: 'ExecuteQueryRequest',
      service: 'QueryManager',
      serviceType: 'urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0',
      conversationId: '1589c463-ccb7-4c0e-8044-c7198d844c16',
    });
    expect(messageProperty(m.userMessage, 'SpecificationId')?.value).toBe('oots-edm:v2.0');
    expect(messageProperty(m.userMessage, 'ExchangeId')?.value).toBe('1647038b-7eaf-4711-b738-d5d83f96fa7b');
    expect(m.payloads.map((p) => [p.href, p.mimeType])).toEqual([
      ['cid:cdd87e02-2bdc-4ce6-bdc9-79e05adae700@oots.eu', 'application/x-ebrs+xml'],
    ]);
    const report = validateMessage(m.payloads[0]!.bytes);
    expect(report.kind).toBe('QueryRequest');
    expect(report.version).toBe('oots-edm:v2.0');
  });

  test('requete.xml gets a v2.0 answer in the same conversation and exchange, one the plugin schema accepts', async () => {
    const m = parseRetrieveResponse(readSoap(captured('requete.xml')));
    const { outbound, summary } = await answerRequest(
      { exchangeRef: 'captured-1', userMessage: m.userMessage, payloads: m.payloads },
      testDeps(),
    );
    expect(summary.outcome).not.toBe('evidence'); // a French evidence type: no Latvian mapping
    const um = outbound.userMessage;
    expect(um.conversationId).toBe(m.userMessage.conversationId);
    expect(messageProperty(um, 'ExchangeId')?.value).toBe('1647038b-7eaf-4711-b738-d5d83f96fa7b');
    expect(messageProperty(um, 'SpecificationId')?.value).toBe('oots-edm:v2.0');
    expect(validateMessage(outbound.regrep).version).toBe('oots-edm:v2.0');
    expect(v.validate(submitRequest(outboundParts(outbound)), 'plugin')).toEqual([]);
  });

  test('reponseAvecPieceJointe.xml: the RegRep part and the PDF, by cid and MIME type', () => {
    const m = parseRetrieveResponse(readSoap(captured('reponseAvecPieceJointe.xml')));
    expect(m.userMessage.action).toBe('ExecuteQueryResponse');
    expect(m.payloads.map((p) => [p.href, p.mimeType])).toEqual([
      ['cid:728c1aa1-5297-4d7c-9d7d-01fcce90075a@oots.eu', 'application/x-ebrs+xml'],
      ['cid:802edbd4-fdfb-4345-84bd-0b7f17549075@pdf.oots.fr', 'application/pdf'],
    ]);
    expect(text(m.payloads[1]!.bytes).slice(0, 5)).toBe('%PDF-');
    expect(validateMessage(m.payloads[0]!.bytes).kind).toBe('QueryResponse');
  });

  test('erreurObjetIntrouvable.xml: an ExceptionResponse with its error payload', () => {
    const m = parseRetrieveResponse(readSoap(captured('erreurObjetIntrouvable.xml')));
    expect(m.userMessage.action).toBe('ExceptionResponse');
    expect(m.payloads).toHaveLength(1);
    expect(validateMessage(m.payloads[0]!.bytes).kind).toBe('ErrorResponse');
  });
});

describe('the captures replayed to the real client over HTTP', () => {
  let server: http.Server;
  let client: DomibusClient;
  const seen: string[] = [];

  beforeAll(async () => {
    const answers: Record<string, string> = {
      listPendingMessagesRequest: 'listeMessagesEnAttente.xml',
      retrieveMessageRequest: 'requete.xml',
      submitRequest: 'soumissionMessage.xml',
    };
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push(...v.validate(body, 'plugin'));
        const op = readSoap(body).payload?.local ?? '';
        const file = answers[op];
        res.writeHead(file === undefined ? 500 : 200, { 'content-type': SOAP12_CONTENT_TYPE });
        res.end(file === undefined ? '' : captured(file));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    client = createDomibusClient({
      url: `http://127.0.0.1:${port}/domibus/services/wsplugin`,
      user: 'u',
      password: 'p',
      timeoutMs: 5000,
    });
  });
  afterAll(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('list, retrieve (confirm mode) and submit read what Domibus 5.2.1 answered; every request was schema-valid', async () => {
    const ids = await client.listPendingMessages();
    expect(ids).toEqual(['45fa5345-5a18-4691-945f-531f9568729f@oots.eu']);
    const message: WsMessage = await client.retrieveMessage(ids[0]!, { markAsDownloaded: false });
    expect(message.userMessage.messageId).toBe(ids[0]);
    const submitted = await client.submitMessage(message);
    expect(submitted).toBe('45fa5345-5a18-4691-945f-531f9568729f@oots.eu');
    expect(seen).toEqual([]);
  });
});

describe('the regression messages get the EDM answers their content calls for', () => {
  const retrieved = (name: string): WsMessage =>
    parseRetrieveResponse(readSoap(readFileSync(path.join(REGRESSION, name))));
  const answer = async (name: string) => {
    const m = retrieved(name);
    return answerRequest({ exchangeRef: name, userMessage: m.userMessage, payloads: m.payloads }, testDeps());
  };
  const exception = (regrep: string): string => /<rs:Exception\b[^>]*>/.exec(regrep)?.[0] ?? '';

  test('every file is covered', () => {
    expect(readdirSync(REGRESSION).sort()).toEqual([
      'erreurSansCode.xml',
      'requete.sansProcedure.xml',
      'requete.sansRequeteur.xml',
    ]);
  });

  test('requete.sansRequeteur.xml: EDM:ERR:0003 naming R-EDM-REQ-S012 (EvidenceRequester MUST be present)', async () => {
    const { outbound, summary } = await answer('requete.sansRequeteur.xml');
    expect(summary).toMatchObject({ outcome: 'error', edmCode: 'EDM:ERR:0003' });
    expect(outbound.userMessage.action).toBe('ExceptionResponse');
    const ex = exception(outbound.regrep);
    expect(ex).toContain('code="EDM:ERR:0003"');
    expect(ex).toMatch(/detail="[^"]*R-EDM-REQ-S012: The rim:Slot name=&quot;EvidenceRequester&quot; MUST be present/);
  });

  test('requete.sansProcedure.xml: EDM:ERR:0003 naming the rules its placeholders break; a missing Procedure alone is R-EDM-REQ-S007, a SHOULD (warning)', async () => {
    const m = retrieved('requete.sansProcedure.xml');
    const report = validateMessage(m.payloads[0]!.bytes);
    expect(report.warnings.map((w) => w.rule)).toContain('R-EDM-REQ-S007');
    expect(report.errors.map((e) => e.rule)).not.toContain('R-EDM-REQ-S007');
    const { outbound, summary } = await answer('requete.sansProcedure.xml');
    expect(summary).toMatchObject({ outcome: 'error', edmCode: 'EDM:ERR:0003' });
    const ex = exception(outbound.regrep);
    expect(ex).toContain('code="EDM:ERR:0003"');
    // The placeholders: evidence type 'oots/000…' is no Semantic Repository classification, DateOfBirth "undefined".
    expect(ex).toMatch(/R-EDM-REQ-C027/);
    expect(ex).toMatch(/R-EDM-REQ-C043/);
  });

  test('erreurSansCode.xml: an ExceptionResponse is not a request: never answered; its payload breaks the error rules', () => {
    const m = retrieved('erreurSansCode.xml');
    expect(m.userMessage.action).toBe('ExceptionResponse');
    const report = validateMessage(m.payloads[0]!.bytes);
    expect(report.kind).toBe('ErrorResponse');
    expect(report.valid).toBe(false);
    expect(report.errors.length).toBeGreaterThan(0);
  });
});
