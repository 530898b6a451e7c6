import { CryptoError, generateKey, keyedDigest, open, parseKey, seal } from '../../../src/infra/aead.js';

describe('AES-256-GCM sealing', () => {
  const key = generateKey();
  const text = Buffer.from('Jānis Bērziņš 010190-12345 — evidence', 'utf8');

  test('round trip with and without AAD; fresh IV each time', () => {
    const a = seal(key, text, 'ref#in');
    const b = seal(key, text, 'ref#in');
    expect(a.equals(b)).toBe(false);
    expect(a[0]).toBe(1);
    expect(a.length).toBe(1 + 12 + text.length + 16);
    expect(open(key, a, 'ref#in').equals(text)).toBe(true);
    expect(open(key, seal(key, text)).equals(text)).toBe(true);
    expect(a.includes(text)).toBe(false);
  });

  test.each([
    ['version byte', 0],
    ['IV', 5],
    ['ciphertext', 20],
    ['tag', -1],
  ])('tampering with the %s is refused', (_what, index) => {
    const sealed = seal(key, text, 'ref#in');
    const i = index < 0 ? sealed.length + index : index;
    sealed[i] = sealed[i]! ^ 0x01;
    expect(() => open(key, sealed, 'ref#in')).toThrow(CryptoError);
  });

  test('wrong key, wrong AAD, missing AAD, truncated input are refused with ERR_CRYPTO_OPEN_FAILED', () => {
    const sealed = seal(key, text, 'ref#in');
    for (const attempt of [
      () => open(generateKey(), sealed, 'ref#in'),
      () => open(key, sealed, 'other#in'),
      () => open(key, sealed),
      () => open(key, sealed.subarray(0, 20), 'ref#in'),
      () => open(Buffer.alloc(16), sealed, 'ref#in'),
    ]) {
      let caught: unknown;
      try {
        attempt();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(CryptoError);
      expect((caught as CryptoError).code).toBe('ERR_CRYPTO_OPEN_FAILED');
    }
  });

  test('parseKey accepts exactly base64 of 32 bytes', () => {
    const b64 = key.toString('base64');
    expect(Buffer.isBuffer(parseKey(b64))).toBe(true);
    expect((parseKey(b64) as Buffer).equals(key)).toBe(true);
    expect(typeof parseKey(Buffer.alloc(16).toString('base64'))).toBe('string');
    expect(typeof parseKey(key.toString('base64url'))).toBe('string');
    expect(typeof parseKey(` ${b64}`)).toBe('string');
  });

  test('keyedDigest is stable per key and label, and differs across them', () => {
    const other = generateKey();
    expect(keyedDigest(key, 'request-id', 'urn:uuid:1')).toBe(keyedDigest(key, 'request-id', 'urn:uuid:1'));
    expect(keyedDigest(key, 'request-id', 'urn:uuid:1')).not.toBe(keyedDigest(other, 'request-id', 'urn:uuid:1'));
    expect(keyedDigest(key, 'request-id', 'urn:uuid:1')).not.toBe(keyedDigest(key, 'message-id', 'urn:uuid:1'));
    expect(keyedDigest(key, 'request-id', 'urn:uuid:1')).not.toContain('uuid');
  });
});
