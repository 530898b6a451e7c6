/**
 * The level of assurance of a request against its mapping's: the weakest stated level decides, and
 * a request below it is answered with EDM:ERR:0001 (rs:AuthenticationExceptionType), a valid error
 * response under the XSD, our rules and the official Schematron.
 */
import { answerRequest } from '../../../src/exchange/answer.js';
import { checkRequestAssurance } from '../../../src/exchange/assurance.js';
import type { NaturalPerson, QueryRequest } from '../../../src/edm/model.js';
import { validateMessage } from '../../../src/edm/validate.js';
import type { EdmXsdValidator } from '../../../src/edm/xsd.js';
import { loadEdmXsdValidator } from '../../../src/resources/edm-xsd.js';
import { runOfficial } from '../../support/schematron.js';
import { exampleRequest, fakeDagr, inbound, testDeps } from '../../support/exchange-fixtures.js';

let xsd: EdmXsdValidator;
beforeAll(() => {
  xsd = loadEdmXsdValidator();
});
afterAll(() => xsd.dispose());

const person = (levelOfAssurance: string | undefined): NaturalPerson =>
  ({ kind: 'NaturalPerson', levelOfAssurance }) as NaturalPerson;
const req = (subject: string | undefined, representative?: string) =>
  ({
    subject: person(subject),
    authorizedRepresentative: representative === undefined ? undefined : person(representative),
  }) as Pick<QueryRequest, 'subject' | 'authorizedRepresentative'>;

describe('checkRequestAssurance', () => {
  test('a mapping without a level needs Substantial', () => {
    expect(checkRequestAssurance(req('Substantial'), {})).toEqual({
      ok: true,
      required: 'Substantial',
      stated: 'Substantial',
    });
    expect(checkRequestAssurance(req('Low'), {})).toMatchObject({
      ok: false,
      required: 'Substantial',
      stated: 'Low',
      who: 'subject',
    });
  });

  test("the mapping's level; the weakest person decides", () => {
    expect(checkRequestAssurance(req('High', 'Substantial'), { levelOfAssurance: 'Substantial' })).toMatchObject({
      ok: true,
      stated: 'Substantial',
    });
    expect(checkRequestAssurance(req('High', 'Substantial'), { levelOfAssurance: 'High' })).toMatchObject({
      ok: false,
      who: 'representative',
      stated: 'Substantial',
    });
    expect(checkRequestAssurance(req('Low'), { levelOfAssurance: 'Low' })).toMatchObject({ ok: true, stated: 'Low' });
  });

  test('a missing or unknown level satisfies nothing', () => {
    expect(checkRequestAssurance(req(undefined), { levelOfAssurance: 'Low' })).toMatchObject({
      ok: false,
      stated: undefined,
    });
    expect(checkRequestAssurance(req('Sub'), { levelOfAssurance: 'Low' })).toMatchObject({
      ok: false,
      stated: undefined,
    });
  });
});

describe('a request below the mapping level', () => {
  const low = (name: string): string =>
    exampleRequest(name).replace(
      '<sdg:LevelOfAssurance>High</sdg:LevelOfAssurance>',
      '<sdg:LevelOfAssurance>Low</sdg:LevelOfAssurance>',
    );

  test.each(['lv-company-register-extract-pdf', 'lv-birth-certificate-pdf'])(
    '%s at Low is answered EDM:ERR:0001 without a DAGR call; the error is valid',
    async (name) => {
      const calls: unknown[] = [];
      const dagr = fakeDagr();
      const result = await answerRequest(
        inbound(low(name)),
        testDeps({ dagr: { lookup: (r) => (calls.push(r), dagr.lookup(r)) } }),
      );
      expect(result.summary).toMatchObject({ outcome: 'error', edmCode: 'EDM:ERR:0001' });
      expect(result.summary.detail).toMatch(/LevelOfAssurance Low; this evidence needs Substantial or higher/);
      expect(calls).toEqual([]);
      const xml = result.outbound.regrep;
      expect(xml).toMatch(/<rs:Exception [^>]*xsi:type="rs:AuthenticationExceptionType"/);
      expect(xml).toMatch(/code="EDM:ERR:0001"/);
      expect(xml).toMatch(/message="Failed Authentication"/);
      expect(xml).toContain('severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"');
      const report = validateMessage(xml, { xsd });
      expect(report.kind).toBe('ErrorResponse');
      expect(report.errors).toEqual([]);
      expect(runOfficial('ERR', xml).filter((f) => f.role === 'error')).toEqual([]);
    },
  );

  test('the same request at High gets the evidence', async () => {
    const result = await answerRequest(inbound(exampleRequest('lv-company-register-extract-pdf')), testDeps());
    expect(result.summary).toMatchObject({ outcome: 'evidence' });
  });
});
