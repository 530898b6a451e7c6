/**
 * WS plugin envelopes against the oots-france sample envelopes (what a Domibus backend sends):
 * our requests must carry the same elements, namespaces, header and payload shape.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  classifyStatus,
  describeErrors,
  getMessageErrorsRequest,
  getMessageErrorsResponse,
  getStatusRequest,
  getStatusResponse,
  listPendingMessagesRequest,
  listPendingMessagesResponse,
  outboundParts,
  parseListPendingResponse,
  parseMessageErrorsResponse,
  parseNotification,
  parseRetrieveResponse,
  parseStatusResponse,
  parseSubmitRequest,
  parseSubmitResponse,
  receiveSuccessNotification,
  retrieveMessageRequest,
  retrieveMessageResponse,
  submitRequest,
  submitResponse,
  type WsMessage,
} from '../../../src/connector/domibus/messages.js';
import { faultEnvelope, readSoap, SOAP12_NS, WSPLUGIN_NS } from '../../../src/connector/domibus/soap.js';
import { EBMS_NS, messageProperty, type UserMessage } from '../../../src/ebms/model.js';
import { findMessaging, parseUserMessage } from '../../../src/ebms/parse-header.js';
import { deriveReplyHeader } from '../../../src/ebms/reply.js';
import { AdapterError } from '../../../src/errors.js';
import type { XmlElement } from '../../../src/edm/xml/tree.js';
import { EDM_ARTEFACTS } from '../../support/schematron.js';

const WS = path.join(EDM_ARTEFACTS, 'v2.0/samples/oots-france/soap-domibus-wsplugin');
const sample = (name: string): string => readFileSync(path.join(WS, name), 'utf8');

/** Every element as `{ns}local` paths from the envelope down, attributes listed by name. */
function shape(el: XmlElement, skip: (e: XmlElement) => boolean = () => false, prefix = ''): string[] {
  const here = `${prefix}/{${el.ns}}${el.local}`;
  const attrs = el.attrs
    .filter((a) => a.ns === '')
    .map((a) => `${here}@${a.local}`)
    .sort();
  const out = [here, ...attrs];
  for (const c of el.children) if (!skip(c)) out.push(...shape(c, skip, here));
  return [...new Set(out)];
}
const isBodyload = (e: XmlElement): boolean => e.local === 'bodyload';

function headerOf(xml: string): UserMessage {
  const doc = readSoap(xml);
  return parseUserMessage(findMessaging(doc.header!)!);
}

/** The erreur sample is fully valid (its payload is real base64): read it as Domibus would. */
const erreur = parseSubmitRequest(readSoap(sample('erreur.soumission.xml')));

describe('submitRequest', () => {
  test('the oots-france samples are read back: header, payloads by cid, MIME types', () => {
    expect(erreur.userMessage.action).toBe('ExceptionResponse');
    expect(erreur.payloads).toHaveLength(1);
    expect(erreur.payloads[0]!.href).toBe('cid:1a2b3c4d-0000-4000-8000-000000000007@oots.eu');
    expect(erreur.payloads[0]!.mimeType).toBe('application/x-ebrs+xml');
    expect(Buffer.from(erreur.payloads[0]!.bytes).toString('utf8')).toContain('query:QueryResponse');
  });

  test.each([
    ['erreur.soumission.xml'],
    ['erreurCapaciteNonSupportee.soumission.xml'],
    ['erreurRequeteInvalide.soumission.xml'],
    ['requete.soumission.xml'],
  ])(
    'rebuilt from %s: same elements, namespaces and attributes (bodyload placeholder aside), same header, same bytes',
    (file) => {
      const original = readSoap(sample(file));
      const message = parseSubmitRequest(original);
      const ours = readSoap(submitRequest(message));
      const root = (d: typeof ours): XmlElement => {
        let e = d.body;
        while (e.parent !== undefined) e = e.parent;
        return e;
      };
      expect(shape(root(ours))).toEqual(shape(root(original), isBodyload));
      expect(parseUserMessage(findMessaging(ours.header!)!)).toEqual(message.userMessage);
      const back = parseSubmitRequest(ours);
      expect(back.payloads.map((p) => [p.href, p.mimeType, Buffer.from(p.bytes).toString('base64')])).toEqual(
        message.payloads.map((p) => [p.href, p.mimeType, Buffer.from(p.bytes).toString('base64')]),
      );
    },
  );

  test('an answer derived from the request sample has the header of reponse.soumission.xml (with a PDF part)', () => {
    const request = headerOf(sample('requete.soumission.xml'));
    const expected = headerOf(sample('reponse.soumission.xml'));
    const regrepHref = expected.payloads[0]!.href;
    const pdfHref = expected.payloads[1]!.href;
    const um = deriveReplyHeader(request, {
      messageId: expected.messageId,
      timestamp: expected.timestamp!,
      action: 'ExecuteQueryResponse',
      version: 'oots-edm:v2.0',
      payloads: expected.payloads,
    });
    const xml = submitRequest(
      outboundParts({
        userMessage: um,
        regrep: '<query:QueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"/>',
        attachments: [{ href: pdfHref, mimeType: 'application/pdf', bytes: Buffer.from('%PDF-1.7 synthetic') }],
      }),
    );
    const ours = readSoap(xml);
    const got = parseUserMessage(findMessaging(ours.header!)!);
    // The two samples are written from different sides (FR asks DE; FR answers DE), so compare
    // what does not depend on the side: service, action, roles, id types, property names, parts.
    const side = (u: UserMessage) => ({
      service: u.service,
      serviceType: u.serviceType,
      action: u.action,
      conversationId: u.conversationId,
      roles: [u.from.role, u.to.role],
      partyIdTypes: [u.from.partyIdType, u.to.partyIdType],
      properties: u.properties.map((p) => p.name),
      payloads: u.payloads,
    });
    expect(side(got)).toEqual(side(expected));
    expect(got.from).toEqual(request.to);
    expect(got.to).toEqual(request.from);
    // ExchangeId: the sample mints a new one; ours carries the request's (deriveReplyHeader, notes §9).
    expect(messageProperty(got, 'ExchangeId')?.value).toBe(messageProperty(request, 'ExchangeId')?.value);
    const payloads = ours.payload!.children.filter((c) => c.local === 'payload');
    expect(payloads.map((p) => p.attrs.find((a) => a.local === 'payloadId')?.value)).toEqual([regrepHref, pdfHref]);
    expect(payloads.every((p) => p.ns === '')).toBe(true);
    expect(ours.payload!.ns).toBe(WSPLUGIN_NS);
    const original = readSoap(sample('reponse.soumission.xml'));
    expect(shape(ours.payload!).map((s) => s.replace(/@contentType$/, ''))).toEqual(
      shape(original.payload!, isBodyload).map((s) => s.replace(/@contentType$/, '')),
    );
  });

  test('the header is aligned on the payloads: every part has a PartInfo with its MIME type, in order', () => {
    const um = { ...erreur.userMessage, payloads: [] };
    const xml = submitRequest({
      userMessage: um,
      payloads: [
        { href: 'cid:a@x', mimeType: 'application/x-ebrs+xml', bytes: Buffer.from('<a/>') },
        { href: 'cid:b@x', mimeType: 'application/pdf', bytes: Buffer.from('%PDF') },
      ],
    });
    const got = parseUserMessage(findMessaging(readSoap(xml).header!)!);
    expect(got.payloads.map((p) => [p.href, p.mimeType])).toEqual([
      ['cid:a@x', 'application/x-ebrs+xml'],
      ['cid:b@x', 'application/pdf'],
    ]);
  });

  test('outboundParts puts the RegRep part first under the header href, then the attachments', () => {
    const parts = outboundParts({
      userMessage: erreur.userMessage,
      regrep: '<x/>',
      attachments: [{ href: 'cid:e1@lv', mimeType: 'application/xml', bytes: Buffer.from('<e/>') }],
    });
    expect(parts.payloads.map((p) => [p.href, p.mimeType])).toEqual([
      ['cid:1a2b3c4d-0000-4000-8000-000000000007@oots.eu', 'application/x-ebrs+xml'],
      ['cid:e1@lv', 'application/xml'],
    ]);
  });

  test('a payload whose PartInfo is missing, or a PartInfo without payload, is refused', () => {
    const xml = submitRequest(erreur).replace(/<payload [\s\S]*<\/payload>/, '');
    expect(() => parseSubmitRequest(readSoap(xml))).toThrow(/no payload for PartInfo/);
  });
});

describe('the other requests match the samples', () => {
  const bodyShape = (xml: string): [string[], string[]] => {
    const d = readSoap(xml);
    return [shape(d.payload!), d.payload!.children.map((c) => c.text.trim())];
  };
  test('listPendingMessagesRequest, plain and filtered by conversation', () => {
    expect(bodyShape(listPendingMessagesRequest())).toEqual(bodyShape(sample('listeMessagesEnAttente.xml')));
    expect(bodyShape(listPendingMessagesRequest({ conversationId: 'e0a6a5b7-6b2e-4b9c-9a63-8f0c6d3a1b24' }))).toEqual(
      bodyShape(sample('listeMessagesEnAttente.filtree.xml')),
    );
  });
  test('retrieveMessageRequest', () => {
    expect(bodyShape(retrieveMessageRequest('1a2b3c4d-0000-4000-8000-000000009999@oots.eu'))).toEqual(
      bodyShape(sample('recuperationMessage.xml')),
    );
    const keep = readSoap(retrieveMessageRequest('m@x', { markAsDownloaded: false })).payload!;
    expect(keep.children.map((c) => [c.local, c.text])).toEqual([['messageID', 'm@x']]);
    expect(keep.attrs.map((a) => [a.local, a.value])).toEqual([['markAsDownloaded', 'false']]);
  });
  test('getStatus and getMessageErrors use the WSDL input elements', () => {
    expect(readSoap(getStatusRequest('m@x')).payload!.local).toBe('statusRequest');
    expect(readSoap(getMessageErrorsRequest('m@x')).payload!.local).toBe('getErrorsRequest');
  });
  test('values are escaped', () => {
    const d = readSoap(listPendingMessagesRequest({ finalRecipient: 'a<b>&"c' }));
    expect(d.payload!.children[0]!.text).toBe('a<b>&"c');
  });
});

describe('responses', () => {
  const message: WsMessage = { userMessage: erreur.userMessage, payloads: erreur.payloads };

  test('submitResponse, listPendingMessagesResponse, getStatusResponse', () => {
    expect(parseSubmitResponse(readSoap(submitResponse('m1@x')))).toEqual(['m1@x']);
    expect(parseListPendingResponse(readSoap(listPendingMessagesResponse(['a', 'b'])))).toEqual(['a', 'b']);
    expect(parseListPendingResponse(readSoap(listPendingMessagesResponse([])))).toEqual([]);
    expect(parseStatusResponse(readSoap(getStatusResponse('SEND_FAILURE')))).toBe('SEND_FAILURE');
  });

  test('a body of another operation is a protocol error, by namespace and name', () => {
    const wrongNs = submitResponse('x').replace(WSPLUGIN_NS, 'http://example.org/other/');
    expect(() => parseSubmitResponse(readSoap(wrongNs))).toThrow(
      expect.objectContaining({ code: 'ERR_DOMIBUS_PROTOCOL' }),
    );
    expect(() => parseListPendingResponse(readSoap(submitResponse('x')))).toThrow(
      /expected .*listPendingMessagesResponse/,
    );
  });

  test('retrieveMessageResponse round trip (header in the SOAP header, payloads by cid)', () => {
    const back = parseRetrieveResponse(readSoap(retrieveMessageResponse(message)));
    expect(back.userMessage).toEqual(message.userMessage);
    expect(Buffer.from(back.payloads[0]!.bytes)).toEqual(Buffer.from(message.payloads[0]!.bytes));
  });

  test('a retrieve with a 12 MiB evidence (beyond libxml2 text-node limit) is read', () => {
    const big = Buffer.alloc(12 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const um = {
      ...message.userMessage,
      payloads: [
        ...message.userMessage.payloads,
        {
          href: 'cid:big@x',
          mimeType: 'application/pdf',
          properties: [{ name: 'MimeType', value: 'application/pdf' }],
        },
      ],
    };
    const xml = retrieveMessageResponse({
      userMessage: um,
      payloads: [...message.payloads, { href: 'cid:big@x', mimeType: 'application/pdf', bytes: big }],
    });
    const back = parseRetrieveResponse(readSoap(Buffer.from(xml)));
    expect(back.payloads[1]!.bytes.byteLength).toBe(big.length);
    expect(Buffer.compare(Buffer.from(back.payloads[1]!.bytes), big)).toBe(0);
  });

  test('getMessageErrorsResponse: the correspondent’s refusal is named first', () => {
    const items = parseMessageErrorsResponse(
      readSoap(
        getMessageErrorsResponse([
          {
            code: 'EBMS_0005',
            detail: 'Error dispatching message',
            mshRole: 'SENDING',
            timestamp: '2026-10-06T15:29:31Z',
          },
          {
            code: 'EBMS_0003',
            detail: 'Sender party could not be found',
            mshRole: 'RECEIVING',
            timestamp: '2026-10-06T15:29:30Z',
          },
        ]),
      ),
    );
    expect(items).toHaveLength(2);
    expect(describeErrors(items)).toBe(
      'EBMS_0003 Sender party could not be found; EBMS_0005 Error dispatching message',
    );
    expect(describeErrors([])).toBe('no error recorded');
  });

  test('statuses are classified', () => {
    expect(classifyStatus('ACKNOWLEDGED')).toBe('sent');
    expect(classifyStatus('ACKNOWLEDGED_WITH_WARNING')).toBe('sent');
    expect(classifyStatus('SEND_FAILURE')).toBe('failed');
    expect(classifyStatus('WAITING_FOR_RECEIPT')).toBe('pending');
    expect(classifyStatus('SEND_ATTEMPT_FAILED')).toBe('pending');
    expect(classifyStatus('NOT_FOUND')).toBe('not-found');
    expect(classifyStatus('DELETED')).toBe('gone');
  });

  test('push notifications: receiveSuccess names the message', () => {
    expect(parseNotification(readSoap(receiveSuccessNotification('m@x')))).toEqual({
      kind: 'receiveSuccess',
      messageId: 'm@x',
    });
  });
});

describe('SOAP framing and faults', () => {
  test('a fault as the plugin writes it, with detail code and message', () => {
    const d = readSoap(
      faultEnvelope({
        code: 'Receiver',
        reason: 'Submission failed',
        detail: { name: 'FaultDetail', code: 'WS_PLUGIN:0003', message: 'No matching leg' },
      }),
    );
    expect(d.fault).toEqual({
      code: 'Receiver',
      subcode: undefined,
      reason: 'Submission failed',
      detailName: 'FaultDetail',
      detailCode: 'WS_PLUGIN:0003',
      detailMessage: 'No matching leg',
    });
  });

  test('a CXF fault with other prefixes and a subcode', () => {
    const xml = `<env:Envelope xmlns:env="${SOAP12_NS}"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value xmlns:x="urn:x">x:Auth</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">Denied</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`;
    expect(readSoap(xml).fault).toMatchObject({
      code: 'Sender',
      subcode: 'Auth',
      reason: 'Denied',
      detailCode: undefined,
    });
  });

  test('refuses a DTD, a SOAP 1.1 envelope, a non-SOAP document and bad UTF-8', () => {
    expect(() => readSoap(`<!DOCTYPE x [<!ENTITY a "b">]><x/>`)).toThrow(
      expect.objectContaining({ code: 'ERR_XML_FORBIDDEN' }),
    );
    expect(() =>
      readSoap(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>`),
    ).toThrow(expect.objectContaining({ code: 'ERR_DOMIBUS_PROTOCOL' }));
    expect(() => readSoap('<html/>')).toThrow(AdapterError);
    expect(() => readSoap(Buffer.from([0x3c, 0x61, 0xff, 0x2f, 0x3e]))).toThrow(
      expect.objectContaining({ code: 'ERR_DOMIBUS_PROTOCOL' }),
    );
  });

  test('the eb:Messaging header is in the ebMS namespace, the plugin elements in the plugin namespace', () => {
    const d = readSoap(submitRequest(erreur));
    expect(findMessaging(d.header!)!.ns).toBe(EBMS_NS);
    expect(d.payload!.ns).toBe(WSPLUGIN_NS);
  });
});
