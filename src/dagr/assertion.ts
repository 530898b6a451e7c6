/**
 * The client assertion for DAGR's token endpoint (dagr-notes A5 [A]: RFC 7523 `private_key_jwt`):
 * a compact JWS, RS256, signed with the private key of the connection's registered certificate.
 *
 * Signed with node:crypto rather than `jose`: RS256 over `header.payload` is one `crypto.sign` call
 * (RSASSA-PKCS1-v1_5 + SHA-256 is the default for RSA keys), so a dependency buys nothing here, and
 * jose's ESM-only build would need extra jest configuration.
 */
import { createHash, createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';

export interface ClientAssertionInput {
  readonly clientId: string;
  /** `aud`: the token endpoint URL [A]. */
  readonly audience: string;
  readonly privateKey: KeyObject;
  /** Epoch ms. */
  readonly nowMs: number;
  /** Unique per assertion (replay protection on the server side). */
  readonly jti: string;
  /** Lifetime in seconds (DAGR contract [A]: at most 60). */
  readonly lifetimeSeconds?: number;
  /** `x5t#S256` header: SHA-256 thumbprint of the registered certificate (base64url), when known. */
  readonly x5tS256?: string | undefined;
}

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Accepts a PEM (PKCS#8 or PKCS#1) string or a KeyObject; refuses anything but an RSA private key. */
export function toRsaPrivateKey(key: KeyObject | string): KeyObject {
  const keyObject = typeof key === 'string' ? createPrivateKey(key) : key;
  if (keyObject.type !== 'private' || keyObject.asymmetricKeyType !== 'rsa') {
    throw new TypeError('the DAGR connection key must be an RSA private key (RS256)');
  }
  return keyObject;
}

/** `x5t#S256` of a PEM certificate: base64url(SHA-256(DER)). */
export function certificateThumbprint(certificatePem: string): string {
  return base64url(createHash('sha256').update(new X509Certificate(certificatePem).raw).digest());
}

export function createClientAssertion(input: ClientAssertionInput): string {
  const iat = Math.floor(input.nowMs / 1000);
  const header: Record<string, string> = { alg: 'RS256', typ: 'JWT' };
  if (input.x5tS256 !== undefined) header['x5t#S256'] = input.x5tS256;
  const payload = {
    iss: input.clientId,
    sub: input.clientId,
    aud: input.audience,
    jti: input.jti,
    iat,
    exp: iat + Math.min(input.lifetimeSeconds ?? 60, 60),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = sign('sha256', Buffer.from(signingInput), input.privateKey);
  return `${signingInput}.${base64url(signature)}`;
}
