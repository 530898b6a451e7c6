import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bearerOk,
  createAdminAuth,
  loadOrCreateAdminCredentials,
  parseBasic,
  safeEqual,
} from '../../../src/admin/auth.js';

describe('admin auth', () => {
  test('no password, no role; no role at all, no auth (the admin surfaces stay off)', () => {
    expect(createAdminAuth({})).toBeUndefined();
    expect(createAdminAuth({ viewer: { user: 'viewer', password: '' } })).toBeUndefined();
    expect(createAdminAuth({ operator: { user: 'op', password: 'operator-password-123' } })?.roles).toEqual([
      'operator',
    ]);
  });

  test('basic credentials parse; a password may hold colons', () => {
    const h = `Basic ${Buffer.from('ops:pa:ss:word').toString('base64')}`;
    expect(parseBasic(h)).toEqual({ user: 'ops', password: 'pa:ss:word' });
    expect(parseBasic('Bearer abc')).toBeUndefined();
    expect(parseBasic(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeUndefined();
    expect(parseBasic(undefined)).toBeUndefined();
  });

  test('constant-time comparisons answer like ===', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(bearerOk('Bearer token-0123456789abcdef', 'token-0123456789abcdef')).toBe(true);
    expect(bearerOk('Basic token-0123456789abcdef', 'token-0123456789abcdef')).toBe(false);
    expect(bearerOk(undefined, 'token-0123456789abcdef')).toBe(false);
  });

  test('the embedded default generates credentials once (0600) and reads them back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oots-admin-'));
    try {
      const file = join(dir, 'var', 'admin-credentials.json');
      const first = loadOrCreateAdminCredentials(file);
      expect(first.viewer.user).toBe('viewer');
      expect(first.operator.user).toBe('operator');
      expect(first.operator.password.length).toBeGreaterThanOrEqual(16);
      expect(first.viewer.password).not.toBe(first.operator.password);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(loadOrCreateAdminCredentials(file)).toEqual(first);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
