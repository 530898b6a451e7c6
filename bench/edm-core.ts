/**
 * EDM core benchmark (issue: parse, validate, build). Prints per-message medians for the official
 * birth-certificate request next to fast-xml-parser's bare parse of the same bytes (the floor).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { XmlDocument } from 'libxml2-wasm';
import { buildErrorResponse, buildQueryResponse, requestEcho, type EvidenceInput } from '../src/edm/build/index.js';
import type { Agent } from '../src/edm/model.js';
import { parseQueryRequest } from '../src/edm/parse-request.js';
import { runRules } from '../src/edm/rules/engine.js';
import { REQUEST_RULES } from '../src/edm/rules/request-index.js';
import { validateMessage } from '../src/edm/validate.js';
import { parseXml } from '../src/edm/xml/parse.js';
import { loadEdmXsdValidator } from '../src/resources/edm-xsd.js';
import { measure, printFigures } from './measure.js';

const SAMPLE = path.resolve(
  '..',
  'shared/oots-edm/v1.0/samples/evidence-exchange/2 Example for requesting a Birth Certificate - natural person/2.1 Step 1  Evidence Request - Birth - full example.xml',
);

const PROVIDER: Agent = {
  identifier: { value: '90000012827', schemeID: 'urn:cef.eu:names:identifier:EAS:9939' },
  names: [{ lang: 'EN', value: 'Sample Registers Authority' }],
  address: { adminUnitLevel1: 'LV' },
  classification: 'EP',
};

export function benchEdmCore(): void {
  const bytes = readFileSync(SAMPLE);
  const floorParser = new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
  });
  const xsd = loadEdmXsdValidator();
  const lxDoc = XmlDocument.fromBuffer(bytes);
  const tree = parseXml(bytes);
  const request = parseQueryRequest(tree);
  const echo = requestEcho(request);
  const evidence: EvidenceInput = {
    registryObjectId: 'urn:uuid:6b1f0c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f',
    evidenceId: '7c2f1d2e-3b4c-4d5e-9f0a-1b2c3d4e5f60',
    isAbout: request.subject!,
    issuingAuthority: PROVIDER,
    isConformantTo: {
      evidenceTypeClassification: request.evidenceRequest!.evidenceTypeClassification!,
      titles: request.evidenceRequest!.titles,
    },
    issuingDate: '2024-05-01',
    distribution: { format: 'application/xml', conformsTo: request.evidenceRequest!.distributedAs[0]!.conformsTo! },
    repositoryItem: { href: 'cid:evidence-1@oots.example.lv', title: 'BirthCertificate' },
  };
  const responseInput = {
    ...echo,
    responseId: '8d3e2f1a-4b5c-4d6e-8f7a-9b0c1d2e3f40',
    issueDateTime: '2024-05-06T07:08:09.000Z',
    evidenceProvider: PROVIDER,
    evidences: [evidence],
  };

  const floor = measure('floor: fast-xml-parser bare parse', () => floorParser.parse(bytes));
  const parse = measure('parse: bytes → tree → model', () => parseQueryRequest(parseXml(bytes)));
  const xsdOnly = measure('validate: XSD (parsed document reused)', () => xsd.validate(lxDoc));
  const rules = measure('validate: EDM request rules by ID', () =>
    runRules(REQUEST_RULES, 'QueryRequest', tree, request.version),
  );
  const full = measure('validate: full (parse + XSD + rules)', () => validateMessage(bytes, { xsd }));
  const build = measure('build: QueryResponse, one XML evidence', () => buildQueryResponse(responseInput));
  const buildErr = measure('build: error response EDM:ERR:0004', () =>
    buildErrorResponse({
      ...echo,
      responseId: responseInput.responseId,
      issueDateTime: responseInput.issueDateTime,
      errorProvider: PROVIDER,
      exceptions: [{ code: 'EDM:ERR:0004' }],
    }),
  );
  const pipeline = measure('parse + rules + build (no XSD)', () => {
    const t = parseXml(bytes);
    const r = parseQueryRequest(t);
    runRules(REQUEST_RULES, 'QueryRequest', t, r.version);
    return buildQueryResponse(responseInput);
  });
  printFigures(
    `EDM core, official birth-certificate request (${bytes.length} bytes), one core`,
    [floor, parse, xsdOnly, rules, full, build, buildErr, pipeline],
    floor,
  );
  console.log(
    `\n  goal: parse + rules + build ≤ 5x floor → ${(pipeline.medianUs / floor.medianUs).toFixed(2)}x; full validation < 2000 µs → ${full.medianUs.toFixed(0)} µs`,
  );
  lxDoc.dispose();
  xsd.dispose();
}
