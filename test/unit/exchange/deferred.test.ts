/**
 * Deferred answers in the use case: a record still being prepared (DAGR 202) becomes a
 * QueryResponse with status Unavailable and ResponseAvailableDateTime in every EDM version, valid
 * under the XSD, our rules and the official Schematron; a time at or past the answer deadline is
 * never promised (EDM:ERR:0005 at once).
 */
import { readFileSync } from 'node:fs';
import { answerRequest, answerWithError } from '../../../src/exchange/answer.js';
import { decideDeferral } from '../../../src/exchange/deferred.js';
import type { DagrLookupResult } from '../../../src/exchange/ports.js';
import { validateMessage } from '../../../src/edm/validate.js';
import { loadEdmXsdValidator } from '../../../src/resources/edm-xsd.js';
import type { EdmXsdValidator } from '../../../src/edm/xsd.js';
import { exchangeDepsFor } from '../../../src/worker/answer-identity.js';
import { createMappingRegistry } from '../../../src/mapping/registry.js';
import { parseMappingSource } from '../../../src/mapping/parse.js';
import { loadMappings, readMappingSchema } from '../../../src/resources/mappings.js';
import { runOfficial } from '../../support/schematron.js';
import { asV2, exampleRequest, inbound, testDeps } from '../../support/exchange-fixtures.js';

let xsd: EdmXsdValidator;
beforeAll(() => {
  xsd = loadEdmXsdValidator();
});
afterAll(() => xsd.dispose());

const NOW = new Date('2026-11-25T10:00:00.000Z');
const LATER = new Date('2026-11-25T10:02:00.000Z');
const deferringDagr = (retryAt: Date) => ({
  calls: 0,
  lookup(): Promise<DagrLookupResult> {
    this.calls++;
    return Promise.resolve({ kind: 'deferred', retryAt });
  },
});

const v10 = exampleRequest('lv-birth-certificate-pdf');
const v12 = v10.replace('<rim:Value>oots-edm:v1.0</rim:Value>', '<rim:Value>oots-edm:v1.2</rim:Value>');
const v20 = asV2(v10);

function status(xml: string): string | undefined {
  return /<query:QueryResponse[^>]*\bstatus="([^"]+)"/.exec(xml)?.[1];
}

describe('decideDeferral', () => {
  const deadline = { at: new Date('2026-11-25T10:05:00.000Z'), basis: 'test deadline' };
  test('a time before the deadline is promised as given', () => {
    expect(decideDeferral(LATER, NOW, deadline)).toEqual({ kind: 'defer', availableAt: LATER });
  });
  test('a time already past becomes now', () => {
    expect(decideDeferral(new Date(NOW.getTime() - 5000), NOW, deadline)).toEqual({ kind: 'defer', availableAt: NOW });
  });
  test('at or after the deadline: too late, saying when and why', () => {
    for (const at of [deadline.at, new Date(deadline.at.getTime() + 1)]) {
      const d = decideDeferral(at, NOW, deadline);
      expect(d.kind).toBe('too-late');
      if (d.kind === 'too-late') expect(d.detail).toContain('test deadline');
    }
  });
  test('no answer deadline: any time is promised', () => {
    const far = new Date('2026-12-25T00:00:00.000Z');
    expect(decideDeferral(far, NOW, undefined)).toEqual({ kind: 'defer', availableAt: far });
  });
});

describe('a record being prepared answers "later"', () => {
  test.each([
    ['v1.0', v10, 'oots-edm:v1.0'],
    ['v1.2', v12, 'oots-edm:v1.2'],
    ['v2.0', v20, 'oots-edm:v2.0'],
  ])('%s: status Unavailable with ResponseAvailableDateTime, valid and rule-clean', async (_v, xml, spec) => {
    const dagr = deferringDagr(LATER);
    const result = await answerRequest(inbound(xml), testDeps({ dagr, now: () => NOW }), {
      deadline: { at: new Date('2026-11-25T10:05:00.000Z'), basis: 'test' },
    });
    expect(dagr.calls).toBe(1);
    expect(result.summary.outcome).toBe('deferred');
    expect(result.summary.edmCode).toBeUndefined();
    expect(result.deferredUntil).toEqual(LATER);
    const regrep = result.outbound.regrep;
    expect(result.outbound.userMessage.action).toBe('ExecuteQueryResponse');
    expect(result.outbound.attachments).toEqual([]);
    expect(status(regrep)).toBe('urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Unavailable');
    expect(regrep).toContain(`<rim:Value>${spec}</rim:Value>`);
    expect(regrep).toMatch(
      /<rim:Slot name="ResponseAvailableDateTime">\s*<rim:SlotValue xsi:type="rim:DateTimeValueType">\s*<rim:Value>2026-11-25T10:02:00.000Z<\/rim:Value>/,
    );
    expect(regrep).toMatch(/<rim:RegistryObjectList\s*\/>/);
    const report = validateMessage(regrep, { xsd });
    expect(report.kind).toBe('QueryResponse');
    expect(report.errors).toEqual([]);
    // The official (v1.0) Schematron allows Unavailable (R-EDM-RESP-S006) and the slot (S014, S023, C005).
    if (spec !== 'oots-edm:v2.0') {
      const findings = runOfficial('RESP', regrep).filter((f) => f.role === 'error' && f.id !== 'R-EDM-RESP-C002');
      expect(findings).toEqual([]);
    }
  });

  test('a record ready only after the answer deadline: EDM:ERR:0005 at once, no promise', async () => {
    const result = await answerRequest(
      inbound(v10),
      testDeps({ dagr: deferringDagr(new Date('2026-11-25T10:06:00.000Z')), now: () => NOW }),
      { deadline: { at: new Date('2026-11-25T10:05:00.000Z'), basis: 'ebMS Timestamp + 300 s' }, final: false },
    );
    expect(result.summary).toMatchObject({ outcome: 'error', edmCode: 'EDM:ERR:0005' });
    expect(result.outbound.regrep).toContain('code="EDM:ERR:0005"');
    expect(result.outbound.regrep).toContain('not before the answer deadline (ebMS Timestamp + 300 s)');
    expect(result.outbound.regrep).not.toContain('ResponseAvailableDateTime');
    expect(validateMessage(result.outbound.regrep, { xsd }).errors).toEqual([]);
  });

  test("the notice's ids come from a sequence of their own: the later answer never repeats them", async () => {
    const deps = exchangeDepsFor(testDeps({ dagr: deferringDagr(LATER), now: () => NOW }), 'ref-x');
    const notice = await answerRequest(inbound(v10), deps);
    // The deadline sweep's EDM:ERR:0005 draws its response id first, as the notice does.
    const answer = answerWithError(inbound(v10), exchangeDepsFor(testDeps(), 'ref-x'), 'EDM:ERR:0005', 'too late');
    expect(answer.summary.edmCode).toBe('EDM:ERR:0005');
    const responseId = (xml: string) =>
      /<rim:Slot name="EvidenceResponseIdentifier">\s*<rim:SlotValue[^>]*>\s*<rim:Value>([^<]+)</.exec(xml)?.[1];
    expect(responseId(notice.outbound.regrep)).toBeDefined();
    expect(responseId(notice.outbound.regrep)).not.toBe(responseId(answer.outbound.regrep));
  });
});

describe('a mapping that declares a deferral (deferral.afterSeconds)', () => {
  const registry = createMappingRegistry(
    loadMappings().map((m) => (m.id === 'lv-birth-certificate' ? { ...m, deferral: { afterSeconds: 120 } } : m)),
  );
  const counting = () => {
    const inner = testDeps().dagr;
    const port = {
      calls: 0,
      lookup(req: Parameters<typeof inner.lookup>[0]) {
        port.calls++;
        return inner.lookup(req);
      },
    };
    return port;
  };
  const deadline = { at: new Date('2026-11-25T10:05:00.000Z'), basis: 'test' };

  test('first run: "later" at now + afterSeconds, without a lookup', async () => {
    const dagr = counting();
    const result = await answerRequest(inbound(v10), testDeps({ dagr, registry, now: () => NOW }), { deadline });
    expect(result.summary.outcome).toBe('deferred');
    expect(result.deferredUntil).toEqual(LATER);
    expect(dagr.calls).toBe(0);
    expect(validateMessage(result.outbound.regrep, { xsd }).errors).toEqual([]);
  });

  test('a re-run before the promised time keeps the same time; from it on, the record is looked up', async () => {
    const dagr = counting();
    const deps = testDeps({ dagr, registry, now: () => new Date(NOW.getTime() + 30_000) });
    const early = await answerRequest(inbound(v10), deps, { deadline, deferredUntil: () => Promise.resolve(LATER) });
    expect(early.deferredUntil).toEqual(LATER);
    expect(dagr.calls).toBe(0);
    const due = await answerRequest(inbound(v10), testDeps({ dagr, registry, now: () => LATER }), {
      deadline,
      deferredUntil: () => Promise.resolve(LATER),
    });
    expect(due.summary.outcome).toBe('evidence');
    expect(dagr.calls).toBe(1);
  });

  test('afterSeconds reaching past the answer deadline: EDM:ERR:0005 at once', async () => {
    const result = await answerRequest(inbound(v10), testDeps({ registry, now: () => NOW }), {
      deadline: { at: new Date(NOW.getTime() + 60_000), basis: 'test' },
    });
    expect(result.summary.edmCode).toBe('EDM:ERR:0005');
  });

  test('the mapping schema takes deferral.afterSeconds and refuses other shapes', () => {
    const yaml = readFileSync('mappings/lv-birth-certificate.yaml', 'utf8');
    const schema = readMappingSchema();
    const parse = (text: string) => parseMappingSource(text, 'lv-birth-certificate.yaml', schema);
    const ok = parse(`${yaml}\ndeferral:\n  afterSeconds: 3600\n`);
    expect(ok.ok && ok.mapping.deferral).toEqual({ afterSeconds: 3600 });
    for (const bad of ['deferral:\n  afterSeconds: 0\n', 'deferral:\n  after: 10\n', 'deferral: true\n']) {
      expect(parse(`${yaml}\n${bad}`).ok).toBe(false);
    }
  });
});
