/** Constant-time credential checks shared by the ops surfaces (admin basic auth, metrics bearer token). */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time equality of two strings (of any lengths): SHA-256 of both sides, then `timingSafeEqual`. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** `Authorization: Bearer <token>` matches `token` (constant time). */
export function bearerOk(header: string | undefined, token: string): boolean {
  const m = /^Bearer (\S+)$/i.exec(header ?? '');
  return safeEqual(m?.[1] ?? '', token) && m !== null;
}
