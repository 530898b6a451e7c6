/** DAGR HTTP 202 to a lookup: the record is being prepared; `Retry-After` says when to ask again. */
import { DEFAULT_DEFERRED_RETRY_MS, deferredAnswer } from '../../../src/dagr/response.js';

const NOW = Date.parse('2026-11-25T10:00:00.000Z');
const raw = (headers: Record<string, unknown>) => ({ status: 202, headers, body: '{"status":"being prepared"}' });

describe('deferredAnswer', () => {
  test('Retry-After in seconds', () => {
    expect(deferredAnswer(raw({ 'retry-after': '90' }), NOW)).toEqual({
      kind: 'deferred',
      retryAt: new Date('2026-11-25T10:01:30.000Z'),
    });
  });
  test('Retry-After as an HTTP date', () => {
    expect(deferredAnswer(raw({ 'retry-after': 'Wed, 25 Nov 2026 14:30:00 GMT' }), NOW).retryAt).toEqual(
      new Date('2026-11-25T14:30:00.000Z'),
    );
  });
  test('an HTTP date already past: now', () => {
    expect(deferredAnswer(raw({ 'retry-after': 'Tue, 24 Nov 2026 10:00:00 GMT' }), NOW).retryAt).toEqual(new Date(NOW));
  });
  test('a repeated header: the first value', () => {
    expect(deferredAnswer(raw({ 'retry-after': ['5', '600'] }), NOW).retryAt).toEqual(new Date(NOW + 5000));
  });
  test.each([
    [{}],
    [{ 'retry-after': '' }],
    [{ 'retry-after': '-5' }],
    [{ 'retry-after': '1.5' }],
    [{ 'retry-after': 'soon' }],
  ])('absent or unreadable (%p): the default wait', (headers) => {
    expect(deferredAnswer(raw(headers), NOW).retryAt).toEqual(new Date(NOW + DEFAULT_DEFERRED_RETRY_MS));
  });
});
