import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../../src/errors.js';

describe('error catalogue', () => {
  test('docs/errors.md documents exactly the codes of src/errors.ts, with their meaning and HTTP status', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    const documented = [
      ...doc.matchAll(/^\| `(ERR_[A-Z_]+)` \| ([^|]+) \| [^|]+ \| (\d{3})(?: \(([^)]+)\))? \|$/gm),
    ].map((m) => [
      m[1],
      { status: Number(m[3]), ...(m[4] === undefined ? {} : { title: m[4] }), description: m[2]!.trim() },
    ]);
    expect(Object.fromEntries(documented)).toEqual(ERROR_CODES);
  });

  test('every status is an HTTP error status', () => {
    for (const entry of Object.values(ERROR_CODES)) {
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
    }
  });
});
