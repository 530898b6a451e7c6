import { answerMessageId, exchangeDepsFor, nameUuid } from '../../../src/worker/answer-identity.js';
import { testDeps } from '../../support/exchange-fixtures.js';

describe('answer identity', () => {
  test('name-based ids are RFC 4122 version 5, stable, and differ between exchanges', () => {
    const id = nameUuid('xAbc#0');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nameUuid('xAbc#0')).toBe(id);
    expect(nameUuid('xAbd#0')).not.toBe(id);
    expect(answerMessageId('xAbc', 'oots.test.lv')).toBe(answerMessageId('xAbc', 'oots.test.lv'));
    expect(answerMessageId('xAbc', 'oots.test.lv')).not.toBe(answerMessageId('xAbd', 'oots.test.lv'));
    expect(answerMessageId('xAbc', 'oots.test.lv')).toMatch(/@oots\.test\.lv$/);
  });

  test('each run on an exchange draws the same sequence of ids', () => {
    const a = exchangeDepsFor(testDeps(), 'xRef1');
    const b = exchangeDepsFor(testDeps(), 'xRef1');
    const seqA = [a.uuid(), a.uuid(), a.uuid()];
    expect([b.uuid(), b.uuid(), b.uuid()]).toEqual(seqA);
    expect(new Set(seqA).size).toBe(3);
    expect(exchangeDepsFor(testDeps(), 'xRef2').uuid()).not.toBe(seqA[0]);
  });
});
