import { decodeBase64Strict, EnvelopeError, parseEnvelope, toEnvelope } from '../../../src/connector/envelope.js';
import { outboundMessage, requestEnvelope } from '../../support/connector-fixtures.js';

function problemsOf(
  json: unknown,
  opts?: Parameters<typeof parseEnvelope>[1],
): { status: number; fields: string[]; text: string } {
  try {
    parseEnvelope(json, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(EnvelopeError);
    const err = e as EnvelopeError;
    expect(err.code).toBe('ERR_ENVELOPE_INVALID');
    return { status: err.status, fields: err.problems.map((p) => p.field), text: err.message };
  }
  throw new Error('expected an EnvelopeError');
}

describe('REST connector envelope', () => {
  const strict = { action: 'ExecuteQueryRequest', requireMimeType: 'application/x-ebrs+xml' };

  test('a valid envelope becomes a UserMessage with PartInfo and decoded payloads', () => {
    const env = requestEnvelope({ withPdf: true });
    const parsed = parseEnvelope(env, strict);
    expect(parsed.userMessage.messageId).toBe(env.userMessage.messageId);
    expect(parsed.userMessage.from.partyId).toBe('AP_DE_01');
    expect(parsed.userMessage.properties).toHaveLength(2);
    expect(parsed.userMessage.payloads.map((p) => p.href)).toEqual([
      'cid:regrep-1@requester.example',
      'cid:extra@requester.example',
    ]);
    expect(parsed.userMessage.payloads[0]!.properties).toEqual([{ name: 'MimeType', value: 'application/x-ebrs+xml' }]);
    expect(parsed.payloads[1]!.bytes.toString()).toBe('%PDF-1.7 fake');
  });

  test('missing and extra fields are named by JSON pointer', () => {
    const env = requestEnvelope() as unknown as {
      userMessage: Record<string, unknown>;
      payloads: Record<string, unknown>[];
    };
    delete env.userMessage.messageId;
    (env.userMessage.from as Record<string, unknown>).partyId = '';
    env.userMessage.colour = 'blue';
    env.payloads[0]!.href = 'http://not-a-cid';
    const { status, fields } = problemsOf(env, strict);
    expect(status).toBe(400);
    expect(fields).toEqual(
      expect.arrayContaining([
        '/userMessage/messageId',
        '/userMessage/from/partyId',
        '/userMessage/colour',
        '/payloads/0/href',
      ]),
    );
  });

  describe('identifiers: well-formed Unicode without control characters, refused before any dedupe', () => {
    const withUm = (field: string, value: string) => {
      const env = JSON.parse(JSON.stringify(requestEnvelope())) as { userMessage: Record<string, unknown> };
      env.userMessage[field] = value;
      return env;
    };
    test.each([
      ['messageId', 'a lone high surrogate', 'msg-\ud800@x'],
      ['messageId', 'a lone low surrogate', 'msg-\udbff\udfff\udc00@x'],
      ['conversationId', 'a high surrogate at the end', 'conv-\udbff'],
      ['messageId', 'a C1 control (NEL)', 'msg-\u0085@x'],
      ['messageId', 'a C1 control (CSI)', 'msg-\u009b[2J@x'],
      ['conversationId', 'U+2028', 'conv\u2028x'],
      ['conversationId', 'U+2029', 'conv\u2029x'],
    ])('%s with %s: 400 naming the field', (field, _what, value) => {
      const { status, fields, text } = problemsOf(withUm(field, JSON.parse(`"${value}"`) as string), strict);
      expect(status).toBe(400);
      expect(fields).toEqual([`/userMessage/${field}`]);
      expect(text).toMatch(/lone UTF-16 surrogate|control character/);
    });
    test('two ids that differ only in a lone surrogate are both refused (they would collapse as UTF-8)', () => {
      const a = JSON.parse('"m-\\ud800@x"') as string;
      const b = JSON.parse('"m-\\udbff@x"') as string;
      expect(a).not.toBe(b);
      expect(Buffer.from(a, 'utf8').equals(Buffer.from(b, 'utf8'))).toBe(true);
      expect(problemsOf(withUm('messageId', a), strict).fields).toEqual(['/userMessage/messageId']);
      expect(problemsOf(withUm('messageId', b), strict).fields).toEqual(['/userMessage/messageId']);
    });
    test('a property value, a party and a part href are checked too; astral characters pass', () => {
      const env = JSON.parse(JSON.stringify(requestEnvelope())) as {
        userMessage: { properties: { value: string }[]; from: { partyId: string } };
        payloads: { href: string }[];
      };
      env.userMessage.properties[0]!.value = 'x\u0085';
      env.userMessage.from.partyId = 'AP_\ud83d';
      expect(problemsOf(env, strict).fields).toEqual(['/userMessage/from/partyId', '/userMessage/properties/0/value']);
      const part = JSON.parse(JSON.stringify(requestEnvelope())) as { payloads: { href: string }[] };
      part.payloads[0]!.href = 'cid:a\udc00b@x';
      expect(problemsOf(part, strict).fields).toEqual(['/payloads/0/href']);
      expect(parseEnvelope(withUm('messageId', 'msg-😀-ēā@x'), strict).userMessage.messageId).toBe('msg-😀-ēā@x');
    });
  });

  test('non-objects and empty payload lists are refused', () => {
    expect(problemsOf('hello').fields).toEqual(['']);
    expect(problemsOf({ ...requestEnvelope(), payloads: [] }).fields).toContain('/payloads');
  });

  test('action must be ExecuteQueryRequest and the regrep part must be present', () => {
    const env = requestEnvelope();
    env.userMessage.action = 'ExecuteQueryResponse';
    env.payloads[0]!.mimeType = 'application/xml';
    const { fields, text } = problemsOf(env, strict);
    expect(fields).toEqual(['/userMessage/action', '/payloads']);
    expect(text).toMatch(/application\/x-ebrs\+xml/);
  });

  test('strict base64: whitespace, missing padding, bad characters and non-canonical bits are refused', () => {
    expect(decodeBase64Strict('SGVsbG8=')?.toString()).toBe('Hello');
    expect(decodeBase64Strict('')?.length).toBe(0);
    for (const bad of ['SGVs bG8=', 'SGVsbG8', 'SGVsbG8-', 'SGVsbG9=', 'QR==', 'SGVsbG8=\n', '===='])
      expect(decodeBase64Strict(bad)).toBeUndefined();
    const env = requestEnvelope();
    env.payloads[0]!.contentBase64 = 'SGVs bG8=';
    expect(problemsOf(env).fields).toEqual(['/payloads/0/contentBase64']);
  });

  test('limits on part count and part size answer 413', () => {
    const env = requestEnvelope({ withPdf: true });
    expect(problemsOf(env, { limits: { maxPayloads: 1, maxPayloadBytes: 1000 } }).status).toBe(413);
    const big = requestEnvelope();
    big.payloads[0]!.contentBase64 = Buffer.alloc(2000).toString('base64');
    const r = problemsOf(big, { limits: { maxPayloads: 5, maxPayloadBytes: 1000 } });
    expect(r.status).toBe(413);
    expect(r.fields).toEqual(['/payloads/0/contentBase64']);
  });

  test('duplicate hrefs are refused', () => {
    const env = requestEnvelope({ withPdf: true });
    env.payloads[1]!.href = env.payloads[0]!.href;
    expect(problemsOf(env).fields).toEqual(['/payloads/1/href']);
  });

  test('toEnvelope puts the regrep part first with its cid, then each attachment with its part properties', () => {
    const msg = outboundMessage();
    const env = toEnvelope(msg);
    expect(env.payloads.map((p) => [p.href, p.mimeType])).toEqual([
      ['cid:resp@lv.oots.example', 'application/x-ebrs+xml'],
      ['cid:ev1@lv.oots.example', 'application/pdf'],
    ]);
    expect(Buffer.from(env.payloads[0]!.contentBase64, 'base64').toString()).toBe(msg.regrep);
    expect(env.payloads[1]!.properties).toEqual([{ name: 'PayloadName', value: 'evidence.pdf' }]);
    expect(env.userMessage.action).toBe('ExecuteQueryResponse');
    // The outbound envelope is itself a valid envelope (what the stand-in checks).
    const back = parseEnvelope(JSON.parse(JSON.stringify(env)));
    expect(back.userMessage.payloads[1]!.properties).toEqual(msg.userMessage.payloads[1]!.properties);
    expect(back.payloads[1]!.bytes.equals(Buffer.from(msg.attachments[0]!.bytes))).toBe(true);
  });
});

describe('docs/openapi.yaml', () => {
  test('its Envelope schema accepts and refuses the same envelopes as the code', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const doc = parse(readFileSync('docs/openapi.yaml', 'utf8'));
    expect(doc.paths['/connector/messages'].post.responses).toHaveProperty('202');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const docValid = ajv.compile({ $ref: '#/components/schemas/Envelope', components: doc.components });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each variant breaks the JSON its own way
    const variants: [string, (e: any) => void][] = [
      ['valid', () => {}],
      ['no messageId', (e) => delete e.userMessage.messageId],
      ['extra field', (e) => (e.userMessage.extra = 1)],
      ['empty partyId', (e) => (e.userMessage.to.partyId = '')],
      ['href not cid', (e) => (e.payloads[0].href = 'http://x')],
      ['no payloads', (e) => (e.payloads = [])],
      ['bad mime type', (e) => (e.payloads[0].mimeType = 'pdf')],
      ['property without value', (e) => delete e.userMessage.properties[0].value],
    ];
    for (const [name, change] of variants) {
      const env = JSON.parse(JSON.stringify(requestEnvelope()));
      change(env);
      let codeOk = true;
      try {
        parseEnvelope(env);
      } catch {
        codeOk = false;
      }
      expect([name, docValid(env)]).toEqual([name, codeOk]);
    }
  });
});
