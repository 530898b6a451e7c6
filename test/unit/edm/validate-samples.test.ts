/**
 * Walks every official sample message through the full validator (XSD for v1.0 + EDM rules by
 * ID): each is classified and versioned as the catalogue says, and judged valid unless it is
 * listed below with the rules it breaks and why.
 */
import { SAMPLE_MESSAGES } from '../../support/samples.js';
import { validateMessage } from '../../../src/edm/validate.js';
import { loadEdmXsdValidator } from '../../../src/resources/edm-xsd.js';
import type { EdmXsdValidator } from '../../../src/edm/xsd.js';

/** Samples our validator rejects, with the rules it names and the reason. */
const KNOWN_INVALID: Record<string, { rules: string[]; why: string }> = {
  'education-preview-error': {
    rules: ['R-EDM-ERR-C014', 'R-EDM-ERR-C022'],
    why: 'the severity URN carries a stray U+007F character; the official C014/C022 asserts cannot see it (substring test / assert that is always true)',
  },
  'old-education-preview-error': {
    rules: ['R-EDM-ERR-C004', 'R-EDM-ERR-C008', 'R-EDM-ERR-C010', 'R-EDM-ERR-C014', 'R-EDM-ERR-C020', 'R-EDM-ERR-C022'],
    why: 'pre-release sample: scheme ids, classification and language codes outside the code lists',
  },
  'old-birth-request': { rules: ['R-EDM-REQ-C008'], why: 'pre-release requirement identifier form' },
  'old-tax-request': { rules: ['R-EDM-REQ-C008'], why: 'pre-release requirement identifier form' },
  TC09_Response_2: {
    rules: ['R-EDM-ERR-C022'],
    why: 'a PreviewLocation slot on an EDM:ERR:0005 timeout; the official C022 assert is always true and misses it',
  },
  'connectathon-request1-preview': { rules: ['XSD', 'R-EDM-REQ-S019', 'R-EDM-REQ-C008', 'R-EDM-REQ-C003'], why: 'early-2023 draft predating EDM v1.0' },
  'connectathon-request2-after-preview': { rules: ['R-EDM-REQ-S004', 'R-EDM-REQ-S019', 'R-EDM-REQ-C008'], why: 'early-2023 draft (requestID attribute)' },
  'connectathon-exception-preview': { rules: ['XSD', 'R-EDM-ERR-S003', 'R-EDM-ERR-C014'], why: 'early-2023 draft (severity="FAILURE")' },
  'connectathon-response': { rules: ['XSD', 'R-EDM-RESP-S003', 'R-EDM-RESP-S037'], why: 'early-2023 draft' },
  'v2.0-incoming-requete': { rules: ['R-EDM-REQ-S022', 'R-EDM-REQ-C027'], why: 'payload as received, with slots elided by its authors' },
  'v2.0-incoming-reponseAvecPieceJointe': { rules: ['R-EDM-RESP-S015', 'R-EDM-RESP-S033'], why: 'payload as received, with slots elided' },
  'v2.0-incoming-erreurAutorisationRequise': { rules: ['R-EDM-ERR-S09', 'R-EDM-ERR-S10', 'R-EDM-ERR-S11'], why: 'payload as received, with slots elided' },
  'v2.0-incoming-erreurObjetIntrouvable': { rules: ['R-EDM-ERR-S09', 'R-EDM-ERR-S10', 'R-EDM-ERR-S11'], why: 'payload as received, with slots elided' },
};

let xsd: EdmXsdValidator;
beforeAll(() => {
  xsd = loadEdmXsdValidator();
});
afterAll(() => xsd.dispose());

test('the catalogue names every exception that exists', () => {
  const names = new Set(SAMPLE_MESSAGES.map((s) => s.name));
  for (const name of Object.keys(KNOWN_INVALID)) expect(names).toContain(name);
});

test.each(SAMPLE_MESSAGES.map((s) => [s.name, s] as const))('%s', (name, s) => {
  const report = validateMessage(s.load(), { xsd });
  expect(report.kind).toBe(s.kind);
  if (s.version !== undefined) expect(report.version).toBe(s.version);
  const known = KNOWN_INVALID[name];
  if (known === undefined) {
    expect(report.errors).toEqual([]);
    expect(report.valid).toBe(true);
  } else {
    expect(report.valid).toBe(false);
    const rules = new Set(report.errors.map((e) => e.rule));
    for (const rule of known.rules) expect(rules).toContain(rule);
  }
});

test('a broken v1.0 request is reported by the XSD with a line and a path', () => {
  const text = SAMPLE_MESSAGES.find((s) => s.name === 'birth-request')!.load().replace('<sdg:FamilyName>', '<sdg:Nickname>x</sdg:Nickname><sdg:FamilyName>');
  const report = validateMessage(text, { xsd });
  const finding = report.errors.find((e) => e.rule === 'XSD');
  expect(finding).toBeDefined();
  expect(finding!.line).toBeGreaterThan(1);
  expect(finding!.message).toMatch(/Nickname/);
});
