/**
 * The preview's cookies: small JSON values sealed with AES-256-GCM (src/infra/aead.ts) under a
 * key derived from the encryption key, bound by AAD to their purpose and session, carrying their
 * own expiry. Sealed, not just signed: the login checks (PKCE verifier, nonce) and the CSRF token
 * must not be readable either.
 */
import { createHmac } from 'node:crypto';
import { open, seal } from '../infra/aead.js';

/** The cookie key: HMAC-SHA-256 of a fixed label under the encryption key (32 bytes). */
export function deriveCookieKey(encryptionKey: Buffer): Buffer {
  return createHmac('sha256', encryptionKey).update('oots-adapter/preview-cookie').digest();
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const value = part
      .slice(i + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name !== '' && !out.has(name)) out.set(name, value);
  }
  return out;
}

export function sealCookie(key: Buffer, purpose: string, value: object, expiresAt: Date): string {
  const body = Buffer.from(JSON.stringify({ ...value, exp: expiresAt.getTime() }), 'utf8');
  return seal(key, body, purpose).toString('base64url');
}

/** The value, or undefined when absent, tampered, for another purpose, or expired at `now`. */
export function openCookie<T extends object>(
  key: Buffer,
  purpose: string,
  raw: string | undefined,
  now: Date,
): T | undefined {
  if (raw === undefined || raw === '' || raw.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  try {
    const parsed = JSON.parse(open(key, Buffer.from(raw, 'base64url'), purpose).toString('utf8')) as T & {
      exp?: unknown;
    };
    if (typeof parsed.exp !== 'number' || parsed.exp <= now.getTime()) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}
