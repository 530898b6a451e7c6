/** HTTP basic auth as the WS plugin and its push rules use it. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The `Authorization` header value of basic auth. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Constant-time comparison of a presented header with the expected one (digests: lengths do not leak). */
export function sameSecret(presented: string, expected: string): boolean {
  const d = (x: string): Buffer => createHash('sha256').update(x, 'utf8').digest();
  return timingSafeEqual(d(presented), d(expected));
}
