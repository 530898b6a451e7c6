import { answerRequest, answerWithProcessingError, isReusableAnswer, NoAnswerYet } from '../../../src/exchange/answer.js';
import { canonicalRequest } from '../../../src/edm/canonical.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { DagrError } from '../../../src/dagr/errors.js';
import { XmlInputError } from '../../../src/errors.js';
import { validateMessage } from '../../../src/edm/validate.js';
import { messageProperty } from '../../../src/ebms/model.js';
import { loadEdmXsdValidator } from '../../../src/resources/edm-xsd.js';
import type { EdmXsdValidator } from '../../../src/edm/xsd.js';
import { sample } from '../../support/samples.js';
import { runOfficial } from '../../support/schematron.js';
import { asV2, exampleRequest, fakeDagr, inbound, testDeps, userMessage } from '../../support/exchange-fixtures.js';

let xsd: EdmXsdValidator;
beforeAll(() => {
  xsd = loadEdmXsdValidator();
});
afterAll(() => xsd.dispose());

function judge(xml: string) {
  return validateMessage(xml, { xsd });
}

function exceptionCode(xml: string): string | undefined {
  return /<rs:Exception[^>]*\bcode="([^"]+)"/.exec(xml)?.[1];
}

describe('evidence is produced for a matching subject', () => {
  test.each([
    ['lv-birth-certificate-pdf', 'application/pdf'],
    ['lv-declared-residence-pdf', 'application/pdf'],
    ['lv-company-register-extract-pdf', 'application/pdf'],
    ['lv-higher-education-diploma-pdf', 'application/pdf'],
    ['lv-higher-education-diploma-xml', 'application/xml'],
  ])('%s', async (name, mime) => {
    const result = await answerRequest(inbound(exampleRequest(name)), testDeps());
    expect(result.summary).toMatchObject({ outcome: 'evidence', edmCode: undefined });
    expect(result.summary.mappingVersion).toBeDefined();
    const { outbound } = result;
    expect(outbound.userMessage.action).toBe('ExecuteQueryResponse');
    expect(outbound.attachments).toHaveLength(1);
    const part = outbound.attachments[0]!;
    expect(part.mimeType).toBe(mime);
    if (mime === 'application/pdf') expect(Buffer.from(part.bytes).subarray(0, 5).toString()).toBe('%PDF-');
    else expect(Buffer.from(part.bytes).toString('utf8')).toMatch(/^<\?xml/);
    // The attachment's cid is what RepositoryItemRef and the ebMS PartInfo both name.
    expect(outbound.regrep).toContain(`xlink:href="${part.href}"`);
    expect(outbound.userMessage.payloads.map((p) => p.href)).toContain(part.href);
    expect(outbound.userMessage.payloads[0]!.mimeType).toBe('application/x-ebrs+xml');
    const report = judge(outbound.regrep);
    expect(report.errors).toEqual([]);
    expect(report.kind).toBe('QueryResponse');
    expect(
      runOfficial('RESP', outbound.regrep).filter(
        (f) => f.role === 'error' && !['R-EDM-RESP-C017', 'R-EDM-RESP-C022', 'R-EDM-RESP-C042'].includes(f.id ?? ''),
      ),
    ).toEqual([]);
  });

  test('the reply header swaps the corners and keeps the conversation (v1.x: exactly two properties)', async () => {
    const { outbound } = await answerRequest(inbound(exampleRequest('lv-birth-certificate-pdf')), testDeps());
    const um = outbound.userMessage;
    expect(um.conversationId).toBe('conv-1');
    expect(um.from.partyId).toBe('AP_LV_01');
    expect(um.to.partyId).toBe('AP_DE_01');
    expect(um.properties.map((p) => p.name)).toEqual(['originalSender', 'finalRecipient']);
    expect(messageProperty(um, 'finalRecipient')?.value).toBe('05315000-BUERGERAMT-01');
  });
});

describe('no evidence without a matching record', () => {
  test('a name that does not match gets an empty success, not the record', async () => {
    const xml = exampleRequest('lv-birth-certificate-pdf').replace(
      '<sdg:GivenName>Anna</sdg:GivenName>',
      '<sdg:GivenName>Annija</sdg:GivenName>',
    );
    const result = await answerRequest(inbound(xml), testDeps());
    expect(result.summary.outcome).toBe('empty');
    expect(result.outbound.attachments).toEqual([]);
    expect(result.outbound.regrep).toMatch(/<rim:RegistryObjectList\s*\/>/);
    expect(judge(result.outbound.regrep).valid).toBe(true);
  });

  test('an unknown person: empty success by default, EDM:ERR:0004 when configured', async () => {
    const xml = exampleRequest('lv-birth-certificate-pdf').replace('LV/DE/12048814731', 'LV/DE/01010110014');
    expect((await answerRequest(inbound(xml), testDeps())).summary.outcome).toBe('empty');
    const strict = await answerRequest(inbound(xml), testDeps({ notFound: 'error' }));
    expect(exceptionCode(strict.outbound.regrep)).toBe('EDM:ERR:0004');
    expect(judge(strict.outbound.regrep).valid).toBe(true);
  });

  test('a subject identified by another country is not looked up', async () => {
    const dagr = fakeDagr();
    const xml = exampleRequest('lv-birth-certificate-pdf').replace('LV/DE/12048814731', 'DE/LV/12048814731');
    const result = await answerRequest(inbound(xml), testDeps({ dagr }));
    expect(result.summary.outcome).toBe('empty');
    expect(dagr.calls).toBe(0);
  });
});

describe('every failure ends as the right EDM error', () => {
  const cases: [string, () => Promise<string>, string][] = [
    [
      'DAGR timeout → EDM:ERR:0005',
      async () =>
        (
          await answerRequest(
            inbound(exampleRequest('lv-birth-certificate-pdf')),
            testDeps({ dagr: fakeDagr({ fail: new DagrError('timeout', 'no answer in 8000 ms') }) }),
          )
        ).outbound.regrep,
      'EDM:ERR:0005',
    ],
    [
      'DAGR permission refused → EDM:ERR:0008',
      async () =>
        (
          await answerRequest(
            inbound(exampleRequest('lv-birth-certificate-pdf')),
            testDeps({ dagr: fakeDagr({ fail: new DagrError('forbidden', 'HTTP 403') }) }),
          )
        ).outbound.regrep,
      'EDM:ERR:0008',
    ],
    [
      'unknown evidence type → EDM:ERR:0006',
      async () => (await answerRequest(inbound(sample('birth-request').load()), testDeps())).outbound.regrep,
      'EDM:ERR:0006',
    ],
    [
      'unsupported format → EDM:ERR:0007',
      async () =>
        (
          await answerRequest(
            inbound(
              exampleRequest('lv-birth-certificate-pdf').replace(
                '<sdg:Format>application/pdf</sdg:Format>',
                '<sdg:Format>image/png</sdg:Format>',
              ),
            ),
            testDeps(),
          )
        ).outbound.regrep,
      'EDM:ERR:0007',
    ],
    [
      'a rule violation → EDM:ERR:0003 naming the rule',
      async () =>
        (
          await answerRequest(
            inbound(
              exampleRequest('lv-birth-certificate-pdf').replace(
                '<rim:Value>oots-edm:v1.0</rim:Value>',
                '<rim:Value>oots-edm:v7</rim:Value>',
              ),
            ),
            testDeps(),
          )
        ).outbound.regrep,
      'EDM:ERR:0003',
    ],
    [
      'a preview request (not served yet) → EDM:ERR:0007',
      async () =>
        (
          await answerRequest(
            inbound(
              exampleRequest('lv-birth-certificate-pdf').replace(
                /(PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)false/,
                '$1true',
              ),
            ),
            testDeps(),
          )
        ).outbound.regrep,
      'EDM:ERR:0007',
    ],
  ];
  test.each(cases)('%s', async (_name, run, code) => {
    const xml = await run();
    expect(exceptionCode(xml)).toBe(code);
    const report = judge(xml);
    expect(report.kind).toBe('ErrorResponse');
    expect(report.errors).toEqual([]);
    expect(xml).not.toMatch(/at .*\.ts:\d+/);
  });

  test('the rule violation detail names the rule', async () => {
    const xml = exampleRequest('lv-birth-certificate-pdf').replace(
      '<rim:Value>oots-edm:v1.0</rim:Value>',
      '<rim:Value>oots-edm:v7</rim:Value>',
    );
    const result = await answerRequest(inbound(xml), testDeps());
    expect(result.summary.detail).toMatch(/R-EDM-REQ-C001/);
    expect(result.outbound.regrep).toMatch(/detail="[^"]*R-EDM-REQ-C001/);
  });

  test('a payload that is not XML gets an InvalidRequest error without requestId', async () => {
    const result = await answerRequest(
      inbound('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
      testDeps(),
    );
    expect(exceptionCode(result.outbound.regrep)).toBe('EDM:ERR:0003');
    expect(result.outbound.regrep).not.toContain('requestId=');
    expect(result.outbound.userMessage.action).toBe('ExceptionResponse');
    expect(judge(result.outbound.regrep).errors).toEqual([]);
  });

  test('a header without the 4-corner properties is refused but still answered', async () => {
    const um = userMessage();
    const result = await answerRequest(
      inbound(exampleRequest('lv-birth-certificate-pdf'), { ...um, properties: [] }),
      testDeps(),
    );
    expect(exceptionCode(result.outbound.regrep)).toBe('EDM:ERR:0003');
    expect(result.summary.detail).toMatch(/originalSender/);
  });

  describe('the ebMS header must agree with the payload (four-corner model): never evidence otherwise', () => {
    const xml = exampleRequest('lv-birth-certificate-pdf');
    const props = (over: Record<string, { value: string; type?: string }>, extra: { name: string; value: string; type?: string }[] = []) => [
      { name: 'originalSender', value: '05315000-BUERGERAMT-01', type: 'urn:cef.eu:names:identifier:EAS:0204', ...over['originalSender'] },
      { name: 'finalRecipient', value: '90000012827', type: 'urn:cef.eu:names:identifier:EAS:9939', ...over['finalRecipient'] },
      ...extra,
    ];
    const run = (properties: ReturnType<typeof props>) => answerRequest(inbound(xml, userMessage({ properties })), testDeps());
    test.each([
      ['a forged originalSender', props({ originalSender: { value: 'DE11122233', type: 'urn:cef.eu:names:identifier:EAS:9930' } }), /four-corner model.*originalSender \(C1\)/],
      ['a finalRecipient naming another evidence provider', props({ finalRecipient: { value: '90000278178' } }), /four-corner model.*finalRecipient \(C4\)/],
      ['two originalSender properties, the first one forged', [{ name: 'originalSender', value: 'DE11122233', type: 'urn:cef.eu:names:identifier:EAS:9930' }, ...props({})], /R-EDM-ebMS-018.*originalSender occurs more than once/],
      ['two finalRecipient properties', props({}, [{ name: 'finalRecipient', value: '90000012827', type: 'urn:cef.eu:names:identifier:EAS:9939' }]), /R-EDM-ebMS-018.*finalRecipient/],
    ])('%s: EDM:ERR:0003 naming the rule', async (_n, properties, detail) => {
      const result = await run(properties);
      expect(exceptionCode(result.outbound.regrep)).toBe('EDM:ERR:0003');
      expect(result.outbound.attachments).toEqual([]);
      expect(result.summary.detail).toMatch(detail);
      expect(judge(result.outbound.regrep).errors).toEqual([]);
    });
    test.each([
      ['the issuing authority of the mapping as finalRecipient', props({ finalRecipient: { value: '90000045122' } })],
      ['the older form with the URNs in the values', [
        { name: 'originalSender', value: 'urn:cef.eu:names:identifier:EAS:0204:05315000-BUERGERAMT-01' },
        { name: 'finalRecipient', value: 'urn:oasis:names:tc:ebcore:partyid-type:iso6523:9939:90000012827' },
      ]],
    ])('%s: evidence', async (_n, properties) => {
      expect((await run(properties)).summary.outcome).toBe('evidence');
    });
  });

  test('two RegRep parts: refused with EDM:ERR:0003 saying why, never the first one answered', async () => {
    const one = inbound(exampleRequest('lv-birth-certificate-pdf'));
    const second = { ...one.payloads[0]!, href: 'cid:second@ap.de.example' };
    const result = await answerRequest({ ...one, payloads: [...one.payloads, second] }, testDeps());
    expect(exceptionCode(result.outbound.regrep)).toBe('EDM:ERR:0003');
    expect(result.summary.detail).toMatch(/2 RegRep parts \(application\/x-ebrs\+xml\); a request has exactly one/);
    expect(result.outbound.attachments).toEqual([]);
  });

  test('processing that cannot complete ends as EDM:ERR:0008', () => {
    const result = answerWithProcessingError(
      inbound(exampleRequest('lv-birth-certificate-pdf')),
      testDeps(),
      'processing failed after 5 attempts',
    );
    expect(exceptionCode(result.outbound.regrep)).toBe('EDM:ERR:0008');
    expect(result.requestId).toMatch(/^urn:uuid:/);
    expect(judge(result.outbound.regrep).errors).toEqual([]);
  });
});

describe('Projectathon 2023 cases without preview', () => {
  test('TC01: evidence for the known person, as TC01_Response', async () => {
    const result = await answerRequest(inbound(sample('TC01_Request').load()), testDeps());
    expect(result.summary.outcome).toBe('evidence');
    expect(judge(result.outbound.regrep).valid).toBe(true);
  });
  test('TC02: unknown person → empty success, as TC02_Response', async () => {
    const result = await answerRequest(inbound(sample('TC02_Request').load()), testDeps());
    expect(result.summary.outcome).toBe('empty');
    expect(result.outbound.regrep).toMatch(/<rim:RegistryObjectList\s*\/>/);
  });
  test('TC03 alt1: base registry timeout → EDM:ERR:0005; alt2: base registry error → EDM:ERR:0008', async () => {
    const alt1 = await answerRequest(
      inbound(sample('TC03_Request').load()),
      testDeps({ dagr: fakeDagr({ fail: new DagrError('timeout', 'no answer') }) }),
    );
    expect(exceptionCode(alt1.outbound.regrep)).toBe(
      /code="([^"]+)"/.exec(sample('TC03_Response_alt1_timeout_in_connection_to_base_registry').load())![1],
    );
    const alt2 = await answerRequest(
      inbound(sample('TC03_Request').load()),
      testDeps({ dagr: fakeDagr({ fail: new DagrError('protocol', 'unreadable answer') }) }),
    );
    expect(exceptionCode(alt2.outbound.regrep)).toBe(
      /code="([^"]+)"/.exec(sample('TC03_Response_alt2_error_in_connection_to_base_registry').load())![1],
    );
  });
  test('TC04 and TC05: evidence', async () => {
    for (const name of ['TC04_Request', 'TC05_Request']) {
      const result = await answerRequest(inbound(sample(name).load()), testDeps());
      expect([name, result.summary.outcome]).toEqual([name, 'evidence']);
    }
  });
});

describe('EDM v2.0', () => {
  test('a v2.0 request gets a v2.0 answer with ExchangeId and SpecificationId', async () => {
    const xml = asV2(exampleRequest('lv-birth-certificate-pdf'));
    const result = await answerRequest(inbound(xml, userMessage({}, true)), testDeps());
    // An evidence answer, not an error about the request.
    expect(result.summary.outcome).toBe('evidence');
    expect(result.outbound.attachments).toHaveLength(1);
    const um = result.outbound.userMessage;
    expect(um.properties.map((p) => p.name)).toEqual([
      'originalSender',
      'finalRecipient',
      'ExchangeId',
      'SpecificationId',
    ]);
    expect(messageProperty(um, 'ExchangeId')?.value).toBe('6f1d4a8e-2b3c-4d5e-8f90-1a2b3c4d5e6f');
    expect(result.outbound.regrep).toContain('oots-edm:v2.0');
  });
});

describe('transient base-registry failures delay the answer while retries remain', () => {
  test('a DAGR outage is thrown for a retry unless it is the final attempt', async () => {
    const deps = testDeps({ dagr: fakeDagr({ fail: new DagrError('unavailable', 'HTTP 503') }) });
    const req = inbound(exampleRequest('lv-birth-certificate-pdf'));
    await expect(answerRequest(req, deps, { final: false })).rejects.toBeInstanceOf(DagrError);
    const last = await answerRequest(req, deps, { final: true });
    expect(exceptionCode(last.outbound.regrep)).toBe('EDM:ERR:0005');
  });
  test('a permanent DAGR failure is answered at once', async () => {
    const deps = testDeps({ dagr: fakeDagr({ fail: new DagrError('forbidden', 'HTTP 403') }) });
    const result = await answerRequest(inbound(exampleRequest('lv-birth-certificate-pdf')), deps, { final: false });
    expect(exceptionCode(result.outbound.regrep)).toBe('EDM:ERR:0008');
  });
});

describe('the same request sent again, and the answer deadline', () => {
  const xml = exampleRequest('lv-birth-certificate-pdf');
  const canonical = (x: string): string => canonicalRequest(parseXml(Buffer.from(x, 'utf8')));

  test('the canonical form ignores id, IssueDateTime, prefixes, indentation and comments, and nothing else', () => {
    const same = xml
      .replace(/(<query:QueryRequest\b[^>]*\bid=")urn:uuid:[^"]+"/, '$1urn:uuid:00000000-0000-4000-8000-000000000001"')
      .replace(/(IssueDateTime">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)[^<]+/, '$12030-01-01T00:00:00Z')
      .replace(/\n\s*/g, '\n')
      .replace('<sdg:Name lang="DE">', '<!-- a comment --><sdg:Name lang="DE">')
      .replaceAll('sdg:', 'p4s:')
      .replace('xmlns:sdg=', 'xmlns:p4s=');
    expect(same).not.toBe(xml);
    expect(canonical(same)).toBe(canonical(xml));
    expect(canonical(xml.replace('Stadt Köln', 'Stadt Bonn'))).not.toBe(canonical(xml));
    expect(canonical(xml.replace('<sdg:Format>application/pdf', '<sdg:Format>application/xml'))).not.toBe(canonical(xml));
  });

  test('the claim comes before any DAGR call: wait, or the stored answer in a new message to this request', async () => {
    const dagr = fakeDagr();
    const deps = testDeps({ dagr });
    const first = await answerRequest(inbound(xml), deps);
    await expect(answerRequest(inbound(xml), deps, { claimRequest: () => Promise.resolve({ kind: 'wait' }) })).rejects.toBeInstanceOf(NoAnswerYet);
    const um = userMessage({ messageId: 'msg-2@ap.de.example', conversationId: 'conv-2' });
    const again = await answerRequest(inbound(xml, um), deps, {
      claimRequest: () => Promise.resolve({ kind: 'replay', answer: { outbound: first.outbound, summary: first.summary } }),
    });
    expect(dagr.calls).toBe(1);
    expect(again.outbound.regrep).toBe(first.outbound.regrep);
    expect(again.outbound.attachments).toBe(first.outbound.attachments);
    expect(again.outbound.userMessage.conversationId).toBe('conv-2');
    expect(again.outbound.userMessage.messageId).not.toBe(first.outbound.userMessage.messageId);
    expect(again.outbound.userMessage.payloads).toEqual(first.outbound.userMessage.payloads);
    expect(again.replayed).toBe(true);
  });

  test('only answers a new attempt would repeat are given again', () => {
    const s = (outcome: 'evidence' | 'empty' | 'preview-required' | 'error', edmCode?: string) =>
      ({ outcome, edmCode, evidenceType: undefined, mappingId: undefined, mappingVersion: undefined, detail: undefined }) as Parameters<typeof isReusableAnswer>[0];
    expect(isReusableAnswer(s('evidence'))).toBe(true);
    expect(isReusableAnswer(s('empty'))).toBe(true);
    expect(isReusableAnswer(s('error', 'EDM:ERR:0006'))).toBe(true);
    expect(isReusableAnswer(s('preview-required', 'EDM:ERR:0002'))).toBe(false);
    expect(isReusableAnswer(s('error', 'EDM:ERR:0005'))).toBe(false);
    expect(isReusableAnswer(s('error', 'EDM:ERR:0008'))).toBe(false);
  });

  test('past the deadline: EDM:ERR:0005 at once saying why; a transient failure at the deadline is final', async () => {
    const dagr = fakeDagr();
    const at = new Date('2026-11-25T09:59:59.000Z');
    const late = await answerRequest(inbound(xml), testDeps({ dagr }), { deadline: { at, basis: 'ebMS Timestamp X + 300 s' } });
    expect(exceptionCode(late.outbound.regrep)).toBe('EDM:ERR:0005');
    expect(late.outbound.regrep).toContain('the answer deadline of this request has passed (ebMS Timestamp X + 300 s)');
    expect(dagr.calls).toBe(0);
    const failing = testDeps({ dagr: fakeDagr({ fail: new DagrError('unavailable', 'HTTP 503') }), now: () => new Date('2026-11-25T09:59:00.000Z') });
    await expect(answerRequest(inbound(xml), failing, { final: false, deadline: { at: new Date('2026-11-25T10:00:00Z'), basis: 'b' } })).rejects.toBeInstanceOf(DagrError);
  });

  test('another request #2 for a preview already answered gets EDM:ERR:0005, not silence', async () => {
    const deps = testDeps({
      preview: {
        open: () => Promise.reject(new Error('not used')),
        resolve: () => Promise.resolve({ status: 'duplicate' }),
      },
    });
    const second = xml.replace(
      '<rim:Slot name="PossibilityForPreview">',
      '<rim:Slot name="PreviewLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>https://preview.example/preview/abc</rim:Value></rim:SlotValue></rim:Slot><rim:Slot name="PossibilityForPreview">',
    );
    const result = await answerRequest(inbound(second), deps);
    expect(exceptionCode(result.outbound.regrep)).toBe('EDM:ERR:0005');
    expect(result.outbound.regrep).toContain('already answered by another request');
  });
});

describe('the payload is read through the readPayload port when one is given (the parse threads)', () => {
  test('its tree is what the exchange answers from', async () => {
    const read: Uint8Array[] = [];
    const deps = testDeps({
      readPayload: (bytes) => {
        read.push(bytes);
        return Promise.resolve({ root: parseXml(bytes), xsd: [] });
      },
    });
    const result = await answerRequest(inbound(exampleRequest('lv-birth-certificate-pdf')), deps);
    expect(read).toHaveLength(1);
    expect(result.summary.outcome).toBe('evidence');
  });

  test("the reader's judgement is the one answered (the rules ran in the parse thread, under its time limit)", async () => {
    const deps = testDeps({
      readPayload: (bytes) =>
        Promise.resolve({ root: parseXml(bytes), xsd: [], errors: [{ rule: 'R-EDM-REQ-S045', severity: 'error', message: 'judged in the thread' }] }),
    });
    const result = await answerRequest(inbound(exampleRequest('lv-birth-certificate-pdf')), deps);
    expect(exceptionCode(result.outbound.regrep)).toBe('EDM:ERR:0003');
    expect(result.summary.detail).toMatch(/judged in the thread/);
  });

  test('a document over its time limit is answered EDM:ERR:0003 naming the limit', async () => {
    const deps = testDeps({
      readPayload: () =>
        Promise.reject(new XmlInputError('ERR_XML_TOO_LARGE', 'the document took longer than 2000 ms to parse and validate')),
    });
    const result = await answerRequest(inbound(exampleRequest('lv-birth-certificate-pdf')), deps);
    expect(exceptionCode(result.outbound.regrep)).toBe('EDM:ERR:0003');
    expect(result.summary.detail).toMatch(/took longer than 2000 ms/);
  });
});
