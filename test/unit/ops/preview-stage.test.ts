/**
 * The preview funnel stage of a settled preview (oots_preview_total): a login that found no record
 * settles the session with nothing approved and nothing declined, and is counted apart from the
 * citizen's own decline.
 */
import { previewStageOf } from '../../../src/compose/api.js';

const decided = (approved: string[], declined: string[]) =>
  ({ sessionId: 's', outcome: 'decided', decision: { approved, declined }, releasedExchangeRef: undefined }) as const;

test.each([
  ['approved (one of two)', decided(['a'], ['b']), 'approved'],
  ['declined by the citizen', decided([], ['a', 'b']), 'declined'],
  ['no record found at the login', decided([], []), 'nothing-found'],
  ['expired', { sessionId: 's', outcome: 'expired', releasedExchangeRef: 'x' } as const, 'expired'],
])('%s', (_name, event, stage) => {
  expect(previewStageOf(event)).toBe(stage);
});
