/**
 * The system check (procedure 00, src/exchange/system-check.ts): the invented record of every
 * shipped mapping, the test marks in the document (PDF read back with pdftotext, XML) and in the
 * EDM metadata, and the answer through the use case: no DAGR call, whatever the subject, checked
 * against our rules, the official Schematron and the v1.0 XSD (v1.0 and v1.2), the rules (v2.0).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { answerRequest } from '../../../src/exchange/answer.js';
import { isSystemCheck, systemCheckRecord, TEST_DATE } from '../../../src/exchange/system-check.js';
import type { PreviewPort } from '../../../src/exchange/ports.js';
import { validateMessage } from '../../../src/edm/validate.js';
import { readPath } from '../../../src/render/record-path.js';
import { TEST_DOCUMENT_COMMENT } from '../../../src/render/xml-evidence.js';
import { createRenderer } from '../../../src/render/renderer.js';
import { readPdfAssets } from '../../../src/resources/fonts.js';
import { loadEdmXsdValidator } from '../../../src/resources/edm-xsd.js';
import { loadMappings } from '../../../src/resources/mappings.js';
import type { EdmXsdValidator } from '../../../src/edm/xsd.js';
import { runOfficial } from '../../support/schematron.js';
import { asV2, exampleRequest, fakeDagr, inbound, testDeps, userMessage } from '../../support/exchange-fixtures.js';

let xsd: EdmXsdValidator;
let dir: string;
beforeAll(() => {
  xsd = loadEdmXsdValidator();
  dir = mkdtempSync(path.join(tmpdir(), 'system-check-'));
});
afterAll(() => {
  xsd.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const mappings = [...loadMappings().values()];
const renderer = createRenderer(readPdfAssets());
let counter = 0;
function pdfText(pdf: Uint8Array, tool: 'pdftotext' | 'pdfinfo' = 'pdftotext'): string {
  const file = path.join(dir, `doc-${++counter}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync(tool, tool === 'pdftotext' ? ['-enc', 'UTF-8', file, '-'] : [file], { encoding: 'utf8' });
}

/** A subject DAGR does not know, with a name nobody has: the system check must not care. */
const UNKNOWN_SUBJECT: [string, string][] = [
  ['LV/DE/12048814731', 'LV/DE/32109876543'],
  ['<sdg:FamilyName>Bērziņa</sdg:FamilyName>', '<sdg:FamilyName>Nezināma</sdg:FamilyName>'],
];
function procedure00(xml: string, subject: [string, string][] = UNKNOWN_SUBJECT): string {
  let out = xml.replace('value="T2"', 'value="00"');
  for (const [from, to] of subject) out = out.replace(from, to);
  return out;
}
const v12 = (xml: string): string =>
  xml.replace('<rim:Value>oots-edm:v1.0</rim:Value>', '<rim:Value>oots-edm:v1.2</rim:Value>');

describe('the invented record of every shipped mapping', () => {
  test.each(mappings.map((m) => [m.id, m] as const))('%s: every path has an invented value', (_id, mapping) => {
    const record = systemCheckRecord(mapping, '2026-11-25T10:00:00.000Z');
    const paths = mapping.distributions.flatMap((d) =>
      d.format === 'application/xml'
        ? d.xml.fields.map((f) => f.from)
        : d.pdf.sections.flatMap((s) => s.fields.map((f) => f.from)),
    );
    for (const p of [...paths, ...mapping.dagr.match.map((m) => m.field)].filter((p) => !p.startsWith('$'))) {
      const value = readPath(record.fields, p);
      expect({
        path: p,
        ok: typeof value === 'string' && (value.startsWith('TEST ') || value.startsWith('1900-01-01')),
      }).toEqual({
        path: p,
        ok: true,
      });
    }
  });

  test('numeric steps make arrays and a date-named field gets the test date', () => {
    const base = mappings[0]!;
    const mapping = {
      ...base,
      dagr: { ...base.dagr, match: [{ attribute: 'DateOfBirth' as const, field: 'Persons.1.BirthDate' }] },
    };
    const record = systemCheckRecord(mapping, '2026-11-25T10:00:00.000Z');
    expect(Array.isArray(record.fields['Persons'])).toBe(true);
    expect(readPath(record.fields, 'Persons.1.BirthDate')).toBe(TEST_DATE);
  });

  test.each(mappings.flatMap((m) => m.distributions.map((d) => [m.id, d.format, m, d] as const)))(
    '%s %s: rendered as a test document',
    async (_id, format, mapping, distribution) => {
      const input = {
        mapping,
        distribution,
        record: systemCheckRecord(mapping, '2026-11-25T10:00:00.000Z'),
        issuingDate: '2026-11-25',
        subjectLabel: { name: 'TEST TESTS', identifier: 'LV/DE/TEST00000' },
        languages: ['lv', 'en'] as const,
        testDocument: true,
      };
      const bytes = await renderer.render(input);
      if (format === 'application/xml') {
        const xml = Buffer.from(bytes).toString('utf8');
        expect(xml.split('\n')[1]).toBe(`<!--${TEST_DOCUMENT_COMMENT}-->`);
        expect(XMLValidator.validate(xml)).toBe(true);
        // Without the flag, no comment: the mark belongs to test documents only.
        const real = Buffer.from(await renderer.render({ ...input, testDocument: false })).toString('utf8');
        expect(real).not.toContain('TEST DOCUMENT');
      } else {
        const flat = pdfText(bytes).replace(/\s+/g, ' ');
        expect(flat).toContain('TESTA DOKUMENTS');
        expect(flat).toContain('TEST DOCUMENT');
        expect(flat).toContain(`TEST: ${mapping.title.en}`);
        expect(flat).toContain('not obtained from DAGR');
        expect(flat).not.toContain("Data obtained from Latvia's Data Distribution");
        // Valid for nothing, and no DAGR state to date.
        expect(flat).not.toContain('Valid until');
        expect(flat).not.toContain('Data as of');
        const info = pdfText(bytes, 'pdfinfo');
        expect(info).toMatch(/Title:\s+TESTS: /);
        expect(info).toMatch(/Keywords:.*TEST/);
      }
    },
  );
});

function exceptionCode(xml: string): string | undefined {
  return /<rs:Exception[^>]*\bcode="([^"]+)"/.exec(xml)?.[1];
}

/** The names and identifier the request gives its subject (national part of the identifier). */
function requestedSubject(xml: string): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(
    /<sdg:(FamilyName|GivenName|LegalName|Identifier|LegalPersonIdentifier) schemeID="eidas">([^<]+)</g,
  ))
    out.push(m[2]!.split('/').pop()!);
  for (const m of xml.matchAll(/<sdg:(FamilyName|GivenName|LegalName)>([^<]+)</g)) out.push(m[2]!);
  return out;
}

/** Snapshot-only asserts a v1.2 answer cannot satisfy (see test/unit/edm/build-responses.test.ts). */
const SNAPSHOT_V10_ONLY = [
  'R-EDM-RESP-C002',
  'R-EDM-RESP-C017',
  'R-EDM-RESP-C022',
  'R-EDM-RESP-C042',
  'R-EDM-RESP-C043',
];

describe('a procedure-00 request is answered with a test evidence, without DAGR', () => {
  test.each([
    ['v1.0 PDF', 'lv-birth-certificate-pdf', (x: string) => x, false],
    ['v1.2 PDF', 'lv-birth-certificate-pdf', v12, false],
    ['v1.2 XML', 'lv-higher-education-diploma-xml', v12, false],
    ['v2.0 PDF', 'lv-birth-certificate-pdf', asV2, true],
    ['v2.0 company', 'lv-company-register-extract-pdf', asV2, true],
  ] as const)('%s', async (label, example, version, v2) => {
    const dagr = fakeDagr();
    const xml = version(procedure00(exampleRequest(example)));
    expect(xml).toContain(
      label.startsWith('v1.0') ? 'oots-edm:v1.0' : label.startsWith('v1.2') ? 'oots-edm:v1.2' : 'oots-edm:v2.0',
    );
    const subjectTexts = requestedSubject(xml);
    expect(subjectTexts.length).toBeGreaterThanOrEqual(2);
    const result = await answerRequest(inbound(xml, userMessage({}, v2)), testDeps({ dagr }));
    expect(dagr.calls).toBe(0);
    expect(result.summary).toMatchObject({ outcome: 'evidence', edmCode: undefined, systemCheck: true });
    const regrep = result.outbound.regrep;
    // Marked as a test in the metadata; no trace of the requested subject.
    expect(regrep).toMatch(/<sdg:Title lang="EN">TEST: /);
    expect(regrep).toMatch(/<sdg:Title lang="LV">TESTS: /);
    expect(regrep).toContain('Test document with invented data');
    expect(regrep).toContain('TEST00000');
    for (const text of subjectTexts)
      expect({ text, inAnswer: regrep.includes(text) }).toEqual({ text, inAnswer: false });
    expect(regrep).not.toContain('ValidityPeriod');
    expect(result.outbound.attachments).toHaveLength(1);
    const report = validateMessage(regrep, { xsd });
    expect(report.kind).toBe('QueryResponse');
    expect(report.errors).toEqual([]);
    if (!v2) {
      expect(xsd.validateBytes(regrep)).toEqual([]);
      expect(
        runOfficial('RESP', regrep).filter((f) => f.role === 'error' && !SNAPSHOT_V10_ONLY.includes(f.id ?? '')),
      ).toEqual([]);
    }
  });

  test('the same request under procedure T2 reads DAGR and carries no system-check mark', async () => {
    const dagr = fakeDagr();
    const result = await answerRequest(inbound(exampleRequest('lv-birth-certificate-pdf')), testDeps({ dagr }));
    expect(dagr.calls).toBe(1);
    expect(result.summary.outcome).toBe('evidence');
    expect(result.summary.systemCheck).toBeUndefined();
    expect(result.outbound.regrep).not.toContain('TEST: ');
  });

  test('a real subject of the sandbox gets the test evidence too, never its record', async () => {
    const dagr = fakeDagr();
    const xml = procedure00(exampleRequest('lv-birth-certificate-pdf'), []);
    const result = await answerRequest(inbound(xml), testDeps({ dagr }));
    expect(dagr.calls).toBe(0);
    expect(result.outbound.regrep).not.toContain('Bērziņa');
    const text = pdfText(result.outbound.attachments[0]!.bytes);
    expect(text).not.toContain('Bērziņa');
    expect(text).toContain('TEST');
  });

  test('a request allowing a preview is answered directly: nothing is parked for a preview', async () => {
    const opened: unknown[] = [];
    const preview: PreviewPort = {
      open: (input) => {
        opened.push(input);
        return Promise.resolve({ location: 'https://preview.example.lv/p/1' });
      },
      resolve: () => Promise.resolve({ status: 'not-found' }),
    };
    const xml = procedure00(exampleRequest('lv-birth-certificate-pdf')).replace(
      /(<rim:Slot name="PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)false/,
      '$1true',
    );
    expect(xml).toMatch(/PossibilityForPreview[\s\S]*?<rim:Value>true/);
    const withPort = await answerRequest(inbound(xml), testDeps({ preview }));
    expect(withPort.summary).toMatchObject({ outcome: 'evidence', systemCheck: true });
    expect(opened).toEqual([]);
    // And without a preview space, no EDM:ERR:0007 for the preview the check never needs.
    const withoutPort = await answerRequest(inbound(xml), testDeps());
    expect(withoutPort.summary).toMatchObject({ outcome: 'evidence', systemCheck: true });
  });

  test('a request #2 naming a PreviewLocation is not a system-check answer: without a preview space EDM:ERR:0007, with one the space decides', async () => {
    const dagr = fakeDagr();
    const second = procedure00(exampleRequest('lv-birth-certificate-pdf')).replace(
      '<rim:Slot name="PossibilityForPreview">',
      '<rim:Slot name="PreviewLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>https://preview.example/preview/abc</rim:Value></rim:SlotValue></rim:Slot><rim:Slot name="PossibilityForPreview">',
    );
    const without = await answerRequest(inbound(second), testDeps({ dagr }));
    expect(without.summary).toMatchObject({ outcome: 'error', edmCode: 'EDM:ERR:0007', systemCheck: true });
    const preview: PreviewPort = {
      open: () => Promise.reject(new Error('not used')),
      resolve: () => Promise.resolve({ status: 'not-found' }),
    };
    const withPort = await answerRequest(inbound(second), testDeps({ dagr, preview }));
    expect(withPort.summary).toMatchObject({ outcome: 'error', edmCode: 'EDM:ERR:0005', systemCheck: true });
    expect(dagr.calls).toBe(0);
  });

  test('switched off: EDM:ERR:0007, still no DAGR call, the error marked as a system check', async () => {
    for (const [version, v2] of [
      [(x: string) => x, false],
      [asV2, true],
    ] as const) {
      const dagr = fakeDagr();
      const xml = version(procedure00(exampleRequest('lv-birth-certificate-pdf')));
      const result = await answerRequest(inbound(xml, userMessage({}, v2)), testDeps({ dagr, systemCheck: false }));
      expect(dagr.calls).toBe(0);
      expect(result.summary).toMatchObject({ outcome: 'error', edmCode: 'EDM:ERR:0007', systemCheck: true });
      expect(exceptionCode(result.outbound.regrep)).toBe('EDM:ERR:0007');
      expect(result.outbound.regrep).toContain('system check (procedure 00) is switched off');
      const report = validateMessage(result.outbound.regrep, { xsd });
      expect(report.kind).toBe('ErrorResponse');
      expect(report.errors).toEqual([]);
    }
  });

  test('an unknown evidence type under procedure 00 is still EDM:ERR:0006 (the request decides, not the check)', async () => {
    const xml = procedure00(exampleRequest('lv-birth-certificate-pdf')).replace(
      '40e71553-ddff-4f99-a79b-a506a939e416',
      '00000000-0000-4000-8000-000000000000',
    );
    const result = await answerRequest(inbound(xml), testDeps());
    expect(result.summary).toMatchObject({ outcome: 'error', edmCode: 'EDM:ERR:0006', systemCheck: true });
  });
});

test('isSystemCheck reads the procedure code of either shape', () => {
  expect(isSystemCheck({ procedure: { lang: 'EN', value: '00' } })).toBe(true);
  expect(isSystemCheck({ procedure: { lang: undefined, value: '00' } })).toBe(true);
  expect(isSystemCheck({ procedure: { lang: 'EN', value: 'T2' } })).toBe(false);
  expect(isSystemCheck({ procedure: undefined })).toBe(false);
  expect(isSystemCheck(undefined)).toBe(false);
});
