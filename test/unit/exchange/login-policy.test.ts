import { previewLoginPolicy } from '../../../src/exchange/login-policy.js';
import { parseQueryRequest } from '../../../src/edm/parse-request.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { createMappingRegistry } from '../../../src/mapping/registry.js';
import { loadMappings } from '../../../src/resources/mappings.js';
import { exampleRequest } from '../../support/exchange-fixtures.js';

const registry = createMappingRegistry(loadMappings());
function policyFor(name: string) {
  const request = parseQueryRequest(parseXml(Buffer.from(exampleRequest(name), 'utf8')));
  const found = registry.find(request.evidenceRequest!.evidenceTypeClassification!, undefined);
  if (!found.ok) throw new Error('no mapping');
  return previewLoginPolicy(request.subject!, found.mapping);
}

test("a company's preview: the mapping's level and the register's key of the company", () => {
  expect(policyFor('lv-company-register-extract-pdf')).toEqual({
    levelOfAssurance: 'Substantial',
    representation: { service: 'ur_company_officers', permission: '31045', key: '40003527919' },
  });
});

test("a person's preview: the level only", () => {
  expect(policyFor('lv-birth-certificate-pdf')).toEqual({ levelOfAssurance: 'Substantial' });
});
