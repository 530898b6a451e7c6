/**
 * Every envelope the adapter can send to the Domibus WS plugin, held to the official Domibus
 * 5.1.9 WS-plugin schemas (schemas/domibus/wsplugin-5.1.9, unchanged) with libxml2: each SOAP
 * body element against webservicePlugin-body.xsd, each eb:Messaging header against
 * webservicePlugin-header.xsd, the envelope against the plugin's envelope.xsd. A Domibus with
 * `wsplugin.schema.validation.enabled=true` refuses what fails here; one without it silently
 * drops what the schema does not know (the old `<markAsDownloaded>` child: a destructive
 * retrieve in `confirm` mode).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  getMessageErrorsRequest,
  getMessageErrorsResponse,
  getStatusRequest,
  getStatusResponse,
  listPendingMessagesRequest,
  listPendingMessagesResponse,
  markMessageAsDownloadedRequest,
  markMessageAsDownloadedResponse,
  outboundParts,
  parsePushedMessage,
  parseSubmitRequest,
  pushedMessageRequest,
  pushNotification,
  receiveSuccessNotification,
  retrieveMessageRequest,
  retrieveMessageResponse,
  submitRequest,
  submitResponse,
  type PendingFilter,
} from '../../../src/connector/domibus/messages.js';
import { faultEnvelope, readSoap } from '../../../src/connector/domibus/soap.js';
import type { WsPluginValidator } from '../../../src/connector/domibus/wsplugin-schema.js';
import { EBRS_MIME_TYPE, type UserMessage } from '../../../src/ebms/model.js';
import { findMessaging, parseUserMessage } from '../../../src/ebms/parse-header.js';
import { deriveReplyHeader } from '../../../src/ebms/reply.js';
import { loadWsPluginValidator } from '../../../src/resources/domibus-schemas.js';
import { EDM_ARTEFACTS } from '../../support/schematron.js';

const WS = path.join(EDM_ARTEFACTS, 'v2.0/samples/oots-france/soap-domibus-wsplugin');
const sampleHeader = (name: string): UserMessage =>
  parseUserMessage(findMessaging(readSoap(readFileSync(path.join(WS, name), 'utf8')).header!)!);

let v: WsPluginValidator;
beforeAll(() => {
  v = loadWsPluginValidator();
});
afterAll(() => v.dispose());

const ID = '3f2a8f0e-0000-4000-8000-00000000abcd@lv.oots.example';

/** A v2.0 request (oots-france sample) and the same request as v1.x sends it (no v2.0 properties). */
const requestV2 = sampleHeader('requete.soumission.xml');
const requestV1: UserMessage = {
  ...requestV2,
  properties: requestV2.properties.filter((p) => p.name !== 'ExchangeId' && p.name !== 'SpecificationId'),
};

function answer(
  request: UserMessage,
  version: 'oots-edm:v1.1' | 'oots-edm:v2.0',
  action: 'ExecuteQueryResponse' | 'ExceptionResponse',
  parts: number,
) {
  const payloads = [
    {
      href: 'cid:resp@lv.oots.example',
      mimeType: EBRS_MIME_TYPE,
      properties: [{ name: 'MimeType', value: EBRS_MIME_TYPE }],
    },
  ];
  const um = deriveReplyHeader(request, {
    messageId: ID,
    timestamp: '2026-12-06T10:00:00.000Z',
    action,
    version,
    payloads,
  });
  return submitRequest(
    outboundParts({
      userMessage: um,
      regrep: '<query:QueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"/>',
      attachments: Array.from({ length: parts - 1 }, (_, i) => ({
        href: `cid:ev${i}@lv.oots.example`,
        mimeType: i % 2 === 0 ? 'application/pdf' : 'application/xml',
        bytes: Buffer.from(i % 2 === 0 ? '%PDF-1.7 synthetic' : '<e/>'),
      })),
    }),
  );
}

const FILTERS: [string, PendingFilter][] = [
  ['no filter', {}],
  ['messageId', { messageId: ID }],
  ['conversationId', { conversationId: 'e0a6a5b7-6b2e-4b9c-9a63-8f0c6d3a1b24' }],
  ['refToMessageId', { refToMessageId: ID }],
  ['fromPartyId', { fromPartyId: 'AP_SI_01' }],
  ['finalRecipient', { finalRecipient: '90000012827' }],
  ['originalSender', { originalSender: '00000000000002' }],
  ['receivedFrom/receivedTo', { receivedFrom: '2026-12-01T00:00:00Z', receivedTo: '2026-12-06T23:59:59.999Z' }],
  [
    'every filter at once',
    {
      messageId: ID,
      conversationId: 'c-1',
      refToMessageId: ID,
      fromPartyId: 'AP_SI_01',
      finalRecipient: '90000012827',
      originalSender: '00000000000002',
      receivedFrom: '2026-12-01T00:00:00Z',
      receivedTo: '2026-12-06T00:00:00Z',
    },
  ],
];

describe('every request the adapter sends is valid against the official 5.1.9 schemas', () => {
  test.each([
    ['retrieve, destructive (attribute left out: the default true)', retrieveMessageRequest(ID)],
    ['retrieve, confirm (markAsDownloaded="false")', retrieveMessageRequest(ID, { markAsDownloaded: false })],
    ['retrieve, markAsDownloaded="true" said explicitly', retrieveMessageRequest(ID, { markAsDownloaded: true })],
    ['markMessageAsDownloaded', markMessageAsDownloadedRequest(ID)],
    ['getStatus (statusRequest)', getStatusRequest(ID)],
    ['getMessageErrors (getErrorsRequest)', getMessageErrorsRequest(ID)],
    ...FILTERS.map(([name, f]): [string, string] => [`listPendingMessages, ${name}`, listPendingMessagesRequest(f)]),
    ['submit v2.0 answer, one payload', answer(requestV2, 'oots-edm:v2.0', 'ExecuteQueryResponse', 1)],
    ['submit v2.0 answer, three payloads', answer(requestV2, 'oots-edm:v2.0', 'ExecuteQueryResponse', 3)],
    ['submit v2.0 error answer', answer(requestV2, 'oots-edm:v2.0', 'ExceptionResponse', 1)],
    ['submit v1.x answer, one payload', answer(requestV1, 'oots-edm:v1.1', 'ExecuteQueryResponse', 1)],
    ['submit v1.x answer, two payloads', answer(requestV1, 'oots-edm:v1.1', 'ExecuteQueryResponse', 2)],
    ['submit v1.x error answer', answer(requestV1, 'oots-edm:v1.1', 'ExceptionResponse', 1)],
  ])('%s', (_name, envelope) => {
    expect(v.validate(envelope, 'plugin')).toEqual([]);
  });

  test('the confirm-mode retrieve carries markAsDownloaded as the attribute, no child element', () => {
    const el = readSoap(retrieveMessageRequest(ID, { markAsDownloaded: false })).payload!;
    expect(el.attrs.filter((a) => a.ns === '').map((a) => [a.local, a.value])).toEqual([['markAsDownloaded', 'false']]);
    expect(el.children.map((c) => c.local)).toEqual(['messageID']);
  });

  test('a 15 MiB payload is validated without hitting libxml2 limits', () => {
    const um = deriveReplyHeader(requestV2, {
      messageId: ID,
      timestamp: '2026-12-06T10:00:00.000Z',
      action: 'ExecuteQueryResponse',
      version: 'oots-edm:v2.0',
      payloads: [{ href: 'cid:resp@lv', mimeType: EBRS_MIME_TYPE, properties: [] }],
    });
    const xml = submitRequest(
      outboundParts({
        userMessage: um,
        regrep: '<x/>',
        attachments: [{ href: 'cid:big@lv', mimeType: 'application/pdf', bytes: Buffer.alloc(15 * 1024 * 1024, 7) }],
      }),
    );
    expect(v.validate(xml, 'plugin')).toEqual([]);
  });
});

describe('the validator is not a rubber stamp', () => {
  test.each([
    [
      'the old <markAsDownloaded> child element',
      retrieveMessageRequest(ID).replace('</messageID>', '</messageID><markAsDownloaded>false</markAsDownloaded>'),
      /Element 'markAsDownloaded': This element is not expected/,
    ],
    ['an unknown operation', getStatusRequest(ID).replace(/statusRequest/g, 'statusRequestX'), /not declared/],
    [
      'a receivedTo that is not an xsd:dateTime',
      listPendingMessagesRequest({ receivedTo: '2026-13-01' }),
      /receivedTo/,
    ],
    ['an empty messageID (max255-non-empty-string)', getStatusRequest(''), /messageID/],
    [
      'a qualified child (the plugin elements are unqualified)',
      getStatusRequest(ID).replace(/<messageID>(.*)<\/messageID>/, '<_1:messageID>$1</_1:messageID>'),
      /messageID/,
    ],
    [
      'a header without PartyInfo',
      answer(requestV2, 'oots-edm:v2.0', 'ExecuteQueryResponse', 1).replace(
        /<eb:PartyInfo>[\s\S]*<\/eb:PartyInfo>/,
        '',
      ),
      /PartyInfo/,
    ],
    ['a status outside the enumeration', getStatusResponse('SENT'), /enumeration/],
    [
      'a submit without its eb:Messaging header (the WSDL header part)',
      answer(requestV2, 'oots-edm:v2.0', 'ExecuteQueryResponse', 1).replace(
        /<soap:Header>[\s\S]*<\/soap:Header>/,
        '<soap:Header/>',
      ),
      /submitRequest comes without its \{http:\/\/docs\.oasis-open\.org\/ebxml-msg\/ebms\/v3\.0\/ns\/core\/200704\/\}Messaging header/,
    ],
    [
      'a markMessageAsDownloadedResponse without the message header',
      markMessageAsDownloadedResponse(requestV2).replace(/<soap:Header>[\s\S]*<\/soap:Header>/, '<soap:Header/>'),
      /markMessageAsDownloadedResponse comes without its/,
    ],
    [
      'a fault detail named after the operation (the WSDL names every fault part FaultDetail)',
      faultEnvelope({
        code: 'Receiver',
        reason: 'x',
        detail: { name: 'retrieveMessageFault', code: 'WS_PLUGIN:0009', message: 'm' },
      }),
      /retrieveMessageFault is not declared/,
    ],
    [
      'a FaultDetail without its code',
      faultEnvelope({
        code: 'Receiver',
        reason: 'x',
        detail: { name: 'FaultDetail', code: 'X', message: 'm' },
      }).replace(/<code>X<\/code>/, ''),
      /Expected is \( code \)/,
    ],
    [
      'a colon in a Domibus error code (the enumeration says EBMS_0005)',
      getMessageErrorsResponse([{ code: 'EBMS:0005', detail: 'x', mshRole: 'SENDING', timestamp: undefined }]),
      /EBMS:0005/,
    ],
  ])('%s is refused', (_name, envelope, why) => {
    const problems = v.validate(envelope);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(why);
  });
});

describe('answers the stand-in writes are valid too', () => {
  const request = parseSubmitRequest(readSoap(answer(requestV2, 'oots-edm:v2.0', 'ExecuteQueryResponse', 2)));
  test.each([
    ['listPendingMessagesResponse', listPendingMessagesResponse(['a@x', 'b@x'])],
    ['listPendingMessagesResponse, empty', listPendingMessagesResponse([])],
    ['retrieveMessageResponse', retrieveMessageResponse(request)],
    ['markMessageAsDownloadedResponse (with the header part)', markMessageAsDownloadedResponse(request.userMessage)],
    ['getStatusResponse', getStatusResponse('ACKNOWLEDGED')],
    [
      'getMessageErrorsResponse',
      getMessageErrorsResponse([
        { code: 'EBMS_0005', detail: 'x', mshRole: 'SENDING', timestamp: '2026-12-06T10:00:00Z' },
      ]),
    ],
    ['submitResponse of 5.1.9 (no messageEntityID)', submitResponse(ID)],
    [
      'a fault with the WSDL FaultDetail',
      faultEnvelope({
        code: 'Receiver',
        reason: 'x',
        detail: { name: 'FaultDetail', code: 'WS_PLUGIN:0009', message: 'm' },
      }),
    ],
  ])('%s', (_name, envelope) => {
    expect(v.validate(envelope, 'plugin')).toEqual([]);
  });
});

describe('pushes the stand-in sends are BackendService.wsdl messages (namespace eu.domibus)', () => {
  const message = parseSubmitRequest(readSoap(answer(requestV2, 'oots-edm:v2.0', 'ExecuteQueryResponse', 2)));
  test.each([
    ['receiveSuccess', receiveSuccessNotification(ID)],
    ['sendFailure', pushNotification('sendFailure', ID)],
    ['messageStatusChange', pushNotification('messageStatusChange', ID, '<messageStatus>ACKNOWLEDGED</messageStatus>')],
    ['submitRequest (the full message) with its {eu.domibus}Messaging header', pushedMessageRequest(message)],
  ])('%s is valid against BackendService.xsd', (_name, envelope) => {
    expect(v.validate(envelope, 'push')).toEqual([]);
  });

  test('each API is held to its own namespaces: the set compiles both, neither passes for the other', () => {
    expect(v.validate(pushedMessageRequest(message), 'plugin').join('\n')).toMatch(
      /body element \{eu\.domibus\}submitRequest is not of the plugin API[\s\S]*header element \{eu\.domibus\}Messaging is not of the plugin API/,
    );
    expect(v.validate(submitRequest(message), 'push').join('\n')).toMatch(
      /body element \{http:\/\/eu\.domibus\.wsplugin\/\}submitRequest is not of the push API[\s\S]*Messaging is not of the push API/,
    );
    expect(v.validate(receiveSuccessNotification(ID), 'plugin').join(' ')).toMatch(/not of the plugin API/);
    // Both are valid against the set as a whole, which is why the API must be named.
    expect(v.validate(pushedMessageRequest(message))).toEqual([]);
    expect(v.validate(submitRequest(message))).toEqual([]);
  });

  test('the full-message push reads back as the message: header, payloads by cid, bytes', () => {
    const back = parsePushedMessage(readSoap(pushedMessageRequest(message)));
    expect(back.userMessage).toEqual(message.userMessage);
    expect(back.payloads.map((p) => [p.href, p.mimeType, Buffer.from(p.bytes).toString('base64')])).toEqual(
      message.payloads.map((p) => [p.href, p.mimeType, Buffer.from(p.bytes).toString('base64')]),
    );
  });

  test('the submitResponse of Domibus 5.2 (messageEntityID) is outside the 5.1.9 schema, as the capture shows', () => {
    expect(v.validate(submitResponse(ID, '874945832007903076')).join(' ')).toMatch(/messageEntityID/);
  });
});
