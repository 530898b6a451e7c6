import { backoffDelay, parseRetryAfter, retryDelay } from '../../../src/dagr/backoff.js';

describe('backoffDelay (exponential, full jitter)', () => {
  test.each([
    [0, 0.5, 50],
    [1, 0.5, 100],
    [2, 0.5, 200],
    [3, 0.999, 799],
    [10, 0.5, 500], // capped at 1000
  ])('retry %i with random %f waits %i ms (base 100, cap 1000)', (retry, r, expected) => {
    expect(backoffDelay(retry, 100, 1000, () => r)).toBe(expected);
  });

  test('stays within [0, ceiling) whatever the random source says', () => {
    expect(backoffDelay(2, 100, 1000, () => 0)).toBe(0);
    expect(backoffDelay(2, 100, 1000, () => 1)).toBeLessThan(400);
    expect(backoffDelay(2, 100, 1000, () => -3)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');
  test.each<[string | undefined, number | undefined]>([
    ['3', 3000],
    [' 0 ', 0],
    ['120', 120_000],
    ['Sat, 01 Mar 2025 12:00:10 GMT', 10_000],
    ['Sat, 01 Mar 2025 11:00:00 GMT', 0],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%p → %p ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  test('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });
});

describe('retryDelay', () => {
  const base = { baseMs: 100, capMs: 1000, maxRetryAfterMs: 5000, random: () => 0.5 };
  test('backs off while the budget lasts, then gives up', () => {
    expect(retryDelay({ ...base, retry: 0, retries: 2, retryAfterMs: undefined })).toBe(50);
    expect(retryDelay({ ...base, retry: 1, retries: 2, retryAfterMs: undefined })).toBe(100);
    expect(retryDelay({ ...base, retry: 2, retries: 2, retryAfterMs: undefined })).toBe('give-up');
  });
  test('honours Retry-After exactly when it is within the bound', () => {
    expect(retryDelay({ ...base, retry: 0, retries: 3, retryAfterMs: 2000 })).toBe(2000);
    expect(retryDelay({ ...base, retry: 0, retries: 3, retryAfterMs: 0 })).toBe(0);
  });
  test('gives up rather than wait past the bound', () => {
    expect(retryDelay({ ...base, retry: 0, retries: 3, retryAfterMs: 5001 })).toBe('give-up');
  });
  test('no retries configured: never retries', () => {
    expect(retryDelay({ ...base, retry: 0, retries: 0, retryAfterMs: 10 })).toBe('give-up');
  });
});
