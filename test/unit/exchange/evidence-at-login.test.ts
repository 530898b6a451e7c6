/**
 * Read at login (src/exchange/evidence-at-login.ts): request #1 with a preview opens the session
 * without a DAGR read; the evidence step at the login reads DAGR once, keeps only records that agree
 * with the request and the login, uses the mapping version of request #1, and reports DAGR failures
 * as "try again" instead of throwing.
 */
import { answerRequest } from '../../../src/exchange/answer.js';
import { produceEvidenceAtLogin, recordMatchesLogin } from '../../../src/exchange/evidence-at-login.js';
import type { PreviewPort, PreviewRecipe } from '../../../src/exchange/ports.js';
import { DagrError } from '../../../src/dagr/errors.js';
import type { QueryRequest } from '../../../src/edm/model.js';
import { parseQueryRequest } from '../../../src/edm/parse-request.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import type { EvidenceMapping } from '../../../src/mapping/model.js';
import { exampleRequest, fakeDagr, inbound, testDeps } from '../../support/exchange-fixtures.js';

const withPreview = (xml: string): string =>
  xml.replace(/(PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)false/, '$1true');

const anna = { identifier: 'LV/LV/12048814731', givenName: 'Anna', familyName: 'Bērziņa', birthDate: '1988-04-12' };

function loginDeps(dagr = fakeDagr()) {
  const base = testDeps({ dagr });
  return {
    ...base,
    mappingAt: (id: string, version: string): Promise<EvidenceMapping | undefined> =>
      Promise.resolve(base.registry.mappings.find((m) => m.id === id && m.version === version)),
  };
}

/** Request #1 through the use case, with a port that records what it was asked to keep. */
async function firstRequest(xml: string) {
  const dagr = fakeDagr();
  const opened: Parameters<PreviewPort['open']>[0][] = [];
  const preview: PreviewPort = {
    open: (input) => {
      opened.push(input);
      return Promise.resolve({ location: 'https://preview.example.lv/preview/x' });
    },
    resolve: () => Promise.reject(new Error('not used')),
  };
  const result = await answerRequest(inbound(withPreview(xml)), testDeps({ dagr, preview }));
  return { result, dagr, opened };
}

function requestOf(xml: string): QueryRequest {
  return parseQueryRequest(parseXml(xml));
}

describe('request #1 with a preview reads nothing', () => {
  test('EDM:ERR:0002 with the location; no DAGR call; the session gets the mapping version and format, no evidence', async () => {
    const { result, dagr, opened } = await firstRequest(exampleRequest('lv-birth-certificate-pdf'));
    expect(result.summary).toMatchObject({ outcome: 'preview-required', edmCode: 'EDM:ERR:0002' });
    expect(dagr.calls).toBe(0);
    expect(opened).toHaveLength(1);
    expect(opened[0]!.evidences).toEqual([]);
    expect(opened[0]!.recipe).toEqual({
      mappingId: 'lv-birth-certificate',
      mappingVersion: result.summary.mappingVersion,
      format: 'application/pdf',
    });
  });

  test('a subject DAGR does not know still gets the preview link (nothing is revealed before the login)', async () => {
    const xml = exampleRequest('lv-birth-certificate-pdf').replace(/12048814731/g, '01010110014');
    const { result, dagr } = await firstRequest(xml);
    expect(result.summary.edmCode).toBe('EDM:ERR:0002');
    expect(dagr.calls).toBe(0);
  });
});

describe('the evidence step at the login', () => {
  const xml = exampleRequest('lv-birth-certificate-pdf');
  const recipeFor = async (): Promise<PreviewRecipe> => (await firstRequest(xml)).opened[0]!.recipe!;

  test('found: one DAGR read, the rendered evidence', async () => {
    const dagr = fakeDagr();
    const out = await produceEvidenceAtLogin(
      { request: requestOf(xml), recipe: await recipeFor(), exchangeRef: 'x1', identity: anna },
      loginDeps(dagr),
    );
    expect(dagr.calls).toBe(1);
    expect(out.kind).toBe('found');
    if (out.kind !== 'found') return;
    expect(out.evidences).toHaveLength(1);
    expect(Buffer.from(out.evidences[0]!.attachment.bytes).subarray(0, 5).toString()).toBe('%PDF-');
  });

  test('a login whose asserted name disagrees with the record gets nothing', async () => {
    const out = await produceEvidenceAtLogin(
      {
        request: requestOf(xml),
        recipe: await recipeFor(),
        exchangeRef: 'x2',
        identity: { ...anna, familyName: 'Ozola' },
      },
      loginDeps(),
    );
    expect(out).toEqual({ kind: 'none', reason: 'mismatch' });
  });

  test('a record that does not match the request subject gives nothing, whatever the login', async () => {
    // Līga Ozoliņa-Kalniņa in DAGR; the request (and a login) say Ozoliņa.
    const liga = xml
      .replace(/12048814731/g, '08039019275')
      .replace(/Bērziņa|Berzina/g, 'Ozoliņa')
      .replace(/1988-04-12/g, '1990-03-08')
      .replace(/>Anna</g, '>Līga<')
      .replace(/"Anna"/g, '"Līga"');
    const request = requestOf(liga);
    expect(request.subject).toMatchObject({ familyName: 'Ozoliņa', givenName: 'Līga' });
    const out = await produceEvidenceAtLogin(
      {
        request,
        recipe: await recipeFor(),
        exchangeRef: 'x3',
        identity: {
          identifier: 'LV/LV/08039019275',
          givenName: 'Līga',
          familyName: 'Ozoliņa',
          birthDate: '1990-03-08',
        },
      },
      loginDeps(),
    );
    expect(out).toEqual({ kind: 'none', reason: 'mismatch' });
  });

  test('DAGR failing: unavailable (no exception), with the EDM code as detail', async () => {
    const out = await produceEvidenceAtLogin(
      { request: requestOf(xml), recipe: await recipeFor(), exchangeRef: 'x4', identity: anna },
      loginDeps(fakeDagr({ fail: new DagrError('unavailable', 'HTTP 503') })),
    );
    expect(out.kind).toBe('unavailable');
    if (out.kind === 'unavailable') expect(out.detail).toMatch(/^EDM:ERR:0005/);
  });

  test('the mapping version of request #1 gone from the store: refused, no DAGR read', async () => {
    const dagr = fakeDagr();
    const recipe = { ...(await recipeFor()), mappingVersion: '9.9.9+r99' };
    const out = await produceEvidenceAtLogin(
      { request: requestOf(xml), recipe, exchangeRef: 'x5', identity: anna },
      loginDeps(dagr),
    );
    expect(out.kind).toBe('mapping-gone');
    expect(dagr.calls).toBe(0);
  });

  test('recordMatchesLogin compares only what the login asserted', () => {
    const mapping = loginDeps().registry.mappings.find((m) => m.id === 'lv-birth-certificate')!;
    const record = { PersonCode: '12048814731', GivenName: 'Anna', FamilyName: 'BERZINA', DateOfBirth: '1988-04-12' };
    expect(recordMatchesLogin(record, { identifier: 'x' }, mapping)).toBe(true);
    expect(recordMatchesLogin(record, anna, mapping)).toBe(mapping.dagr.nameMatching === 'fold-diacritics');
    expect(recordMatchesLogin(record, { identifier: 'x', birthDate: '1988-04-13' }, mapping)).toBe(false);
  });
});
