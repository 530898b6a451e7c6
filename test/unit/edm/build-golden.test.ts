/**
 * Builder outputs compared byte for byte with test/golden (fixed ids and times). After an
 * intended change, regenerate with `UPDATE_GOLDEN=1` and review the diff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildDeferredResponse,
  buildErrorResponse,
  buildQueryResponse,
  requestEcho,
} from '../../../src/edm/build/index.js';
import { parseQueryRequest } from '../../../src/edm/parse-request.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { sample } from '../../support/samples.js';
import { deferredInput, ISSUED, LV_PROVIDER, RESPONSE_ID, responseInput } from './build-fixtures.js';

const GOLDEN = path.resolve(process.cwd(), 'test', 'golden');
const request = (name: string) => parseQueryRequest(parseXml(sample(name).load()));

const error = (name: string, exceptions: Parameters<typeof buildErrorResponse>[0]['exceptions']) =>
  buildErrorResponse({
    ...requestEcho(request(name)),
    responseId: RESPONSE_ID,
    issueDateTime: ISSUED,
    errorProvider: LV_PROVIDER,
    exceptions,
  });

const PREVIEW = {
  location: 'https://preview.oots.example.lv/p/7f1d2c3b-4a5e-4f60-8172-93a4b5c6d7e8',
  description: [{ lang: 'EN', value: 'Please review the evidence before it is sent.' }],
};

const CASES: Record<string, () => string> = {
  'v1.0-response-pdf.xml': () => buildQueryResponse(responseInput(request('birth-request'), ['pdf'])),
  'v1.0-response-legal-two.xml': () => buildQueryResponse(responseInput(request('tax-request'), ['xml', 'pdf'])),
  'v1.0-error-preview.xml': () =>
    error('TC06_Request_1', [
      { code: 'EDM:ERR:0002', detail: 'The evidence must be previewed by the user', preview: PREVIEW },
    ]),
  'v1.2-error-timeout.xml': () =>
    error('v1.2-second-request', [{ code: 'EDM:ERR:0005', detail: 'The preview was not completed in time' }]),
  'v2.0-response-pdf.xml': () => buildQueryResponse(responseInput(request('v2.0-requete'), ['pdf'])),
  'v2.0-deferred.xml': () => buildDeferredResponse(deferredInput(request('v2.0-requete'))),
  'v2.0-error-preview.xml': () => error('v2.0-requete', [{ code: 'EDM:ERR:0002', preview: PREVIEW }]),
};

test.each(Object.keys(CASES).map((k) => [k]))('%s', (file) => {
  const built = CASES[file]!();
  const target = path.join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(target, built);
  expect(built).toBe(readFileSync(target, 'utf8'));
});
