import { AdapterError } from '../../../src/errors.js';
import { DAGR_FAILURE_CAUSES, DagrError, edmCodeFor, isTransient } from '../../../src/dagr/errors.js';

describe('DagrError', () => {
  test.each([
    ['timeout', 'EDM:ERR:0005', true],
    ['unavailable', 'EDM:ERR:0005', true],
    ['rate-limited', 'EDM:ERR:0005', true],
    ['forbidden', 'EDM:ERR:0008', false],
    ['bad-request', 'EDM:ERR:0008', false],
    ['protocol', 'EDM:ERR:0008', false],
  ] as const)('%s → %s (transient: %p)', (cause, edm, transient) => {
    expect(edmCodeFor(cause)).toBe(edm);
    expect(isTransient(cause)).toBe(transient);
    const error = new DagrError(cause, 'HTTP 503', { status: 503 });
    expect(error).toBeInstanceOf(AdapterError);
    expect(error.code).toBe('ERR_DAGR');
    expect(error.cause).toBe(cause);
    expect(error.edmCode).toBe(edm);
    expect(error.status).toBe(503);
    expect(error.message).toContain(cause);
  });

  test('every cause is listed', () => {
    expect([...DAGR_FAILURE_CAUSES].sort()).toEqual([
      'bad-request',
      'forbidden',
      'protocol',
      'rate-limited',
      'timeout',
      'unavailable',
    ]);
  });
});
