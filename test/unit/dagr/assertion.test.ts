import { generateKeyPairSync, verify } from 'node:crypto';
import { createClientAssertion, toRsaPrivateKey } from '../../../src/dagr/assertion.js';
import { checkAssertion } from '../../../src/sandbox/dagr-server.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = Date.parse('2025-03-01T12:00:00Z');
const nowSeconds = now / 1000;
const aud = 'http://127.0.0.1:9/token';

function assertion(overrides: Partial<Parameters<typeof createClientAssertion>[0]> = {}): string {
  return createClientAssertion({ clientId: 'conn-1', audience: aud, privateKey, nowMs: now, jti: 'j1', ...overrides });
}

function check(
  jws: string,
  seen = new Map<string, number>(),
  extra: Partial<Parameters<typeof checkAssertion>[1]> = {},
) {
  return checkAssertion(jws, {
    clientId: 'conn-1',
    claimedClientId: 'conn-1',
    audiences: [aud],
    publicKey,
    nowSeconds,
    seenJti: seen,
    ...extra,
  });
}

describe('client assertion (RS256 JWS)', () => {
  test('has the RFC 7523 claims and a signature node:crypto verifies', () => {
    const jws = assertion({ x5tS256: 'abc' });
    const [h, p, s] = jws.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', 'x5t#S256': 'abc' });
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual({
      iss: 'conn-1',
      sub: 'conn-1',
      aud,
      jti: 'j1',
      iat: nowSeconds,
      exp: nowSeconds + 60,
    });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))).toBe(true);
  });

  test('lifetime is capped at 60 s', () => {
    const p = assertion({ lifetimeSeconds: 3600 }).split('.')[1]!;
    expect(JSON.parse(Buffer.from(p, 'base64url').toString()).exp).toBe(nowSeconds + 60);
  });

  test('only RSA private keys are accepted', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => toRsaPrivateKey(ec.privateKey)).toThrow(/RSA private key/);
    expect(() => toRsaPrivateKey(publicKey)).toThrow(/RSA private key/);
    expect(toRsaPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).asymmetricKeyType).toBe(
      'rsa',
    );
  });
});

describe('sandbox assertion check', () => {
  test('accepts a good assertion once (jti replay refused)', () => {
    const seen = new Map<string, number>();
    const jws = assertion();
    expect(check(jws, seen)).toBeUndefined();
    expect(check(jws, seen)).toMatch(/jti/);
  });

  test.each([
    [
      'wrong key',
      () =>
        createClientAssertion({
          clientId: 'conn-1',
          audience: aud,
          privateKey: other.privateKey,
          nowMs: now,
          jti: 'x',
        }),
      /signature/,
    ],
    ['wrong audience', () => assertion({ audience: 'http://elsewhere/token' }), /aud/],
    ['other client', () => assertion({ clientId: 'conn-2' }), /iss and sub/],
    ['expired', () => assertion({ nowMs: now - 120_000 }), /expired/],
    ['issued in the future', () => assertion({ nowMs: now + 120_000 }), /at most 60 s|future/],
    ['not a JWS', () => 'abc.def', /compact JWS/],
  ])('refuses: %s', (_name, make, why) => {
    expect(check(make())).toMatch(why);
  });

  test('refuses a client_id that is not the registered one', () => {
    expect(check(assertion(), new Map(), { claimedClientId: 'intruder' })).toMatch(/client_id/);
  });

  test('refuses alg none', () => {
    const [, p] = assertion().split('.');
    const h = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    expect(check(`${h}.${p}.`)).toMatch(/RS256/);
  });
});
