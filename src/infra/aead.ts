/**
 * Authenticated encryption of data at rest (AES-256-GCM). Sealed layout:
 *
 *   version (1 byte, 0x01) | IV (12 random bytes) | ciphertext | tag (16 bytes)
 *
 * The optional AAD binds a ciphertext to its place (for example the exchange reference and the
 * field), so a value copied to another key fails to open. A fresh random IV per seal is safe for
 * far more than 2^32 seals per key only in the NIST sense of "random IVs": rotate the key before
 * about 2^32 messages (decades at the target rate).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { AdapterError } from '../errors.js';

const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** A sealed value could not be opened: wrong key, tampered bytes, wrong AAD or unknown format. */
export class CryptoError extends AdapterError {
  override readonly name = 'CryptoError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CRYPTO_OPEN_FAILED', message, options);
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new CryptoError(`encryption key must be ${KEY_BYTES} bytes, got ${key.length}`);
}

/** Encrypts and authenticates `plaintext`; `aad` is authenticated but not stored. */
export function seal(key: Buffer, plaintext: Uint8Array, aad?: string): Buffer {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]);
}

/** Opens a value made by `seal` with the same key and AAD; throws CryptoError otherwise. */
export function open(key: Buffer, sealed: Uint8Array, aad?: string): Buffer {
  checkKey(key);
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (buf.length < 1 + IV_BYTES + TAG_BYTES) throw new CryptoError('sealed value is too short');
  if (buf[0] !== VERSION) throw new CryptoError(`unknown sealed-value version ${String(buf[0])}`);
  const iv = buf.subarray(1, 1 + IV_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const body = buf.subarray(1 + IV_BYTES, buf.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (cause) {
    throw new CryptoError('sealed value failed authentication (wrong key, wrong context or tampered)', { cause });
  }
}

/** A fresh random key (for the embedded default, which keeps one under var/). */
export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * Parses `ENCRYPTION_KEY`: standard base64 of exactly 32 bytes. Returns a problem text instead of
 * throwing so that config validation can report it with the other keys.
 */
export function parseKey(base64: string): Buffer | string {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(base64))
    return 'must be standard base64 of exactly 32 bytes (44 characters ending in "=")';
  const key = Buffer.from(base64, 'base64');
  return key.length === KEY_BYTES ? key : 'must decode to exactly 32 bytes';
}

/**
 * A keyed digest (HMAC-SHA-256, base64url) for identifiers we must recognise but not keep (request
 * ids, message ids): the key is derived from the encryption key with a fixed label.
 */
export function keyedDigest(key: Buffer, label: string, value: string): string {
  const sub = createHmac('sha256', key).update(`oots-adapter/${label}`).digest();
  return createHmac('sha256', sub).update(value, 'utf8').digest('base64url');
}
