/**
 * Where the browser goes after the preview: the v1.x `returnurl` + `returnmethod` query parameters
 * or the v2.0 `ReturnLocation` of request #2. Only exact allow-listed origins are accepted, so the
 * preview space cannot be used as an open redirect.
 */

export type ReturnMethod = 'GET' | 'POST';

export interface ReturnTarget {
  readonly url: string;
  readonly method: ReturnMethod;
}

export type ReturnCheck =
  | { readonly ok: true; readonly target: ReturnTarget }
  | { readonly ok: false; readonly reason: 'malformed' | 'scheme' | 'credentials' | 'origin' | 'method' | 'too-long' };

const MAX_LENGTH = 2048;

/**
 * Checks a return URL against `allowedOrigins` (normalised `scheme://host[:port]`). `method`
 * defaults to GET; GET and POST are accepted (case-insensitive), PUT is not (a browser form cannot).
 */
export function checkReturn(url: unknown, method: unknown, allowedOrigins: readonly string[]): ReturnCheck {
  if (typeof url !== 'string' || url.trim() === '') return { ok: false, reason: 'malformed' };
  if (url.length > MAX_LENGTH) return { ok: false, reason: 'too-long' };
  let m: ReturnMethod;
  if (method === undefined || method === '') m = 'GET';
  else if (typeof method === 'string' && /^(get|post)$/i.test(method)) m = method.toUpperCase() as ReturnMethod;
  else return { ok: false, reason: 'method' };
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { ok: false, reason: 'scheme' };
  if (parsed.username !== '' || parsed.password !== '') return { ok: false, reason: 'credentials' };
  if (!allowedOrigins.includes(parsed.origin)) return { ok: false, reason: 'origin' };
  return { ok: true, target: { url: parsed.href, method: m } };
}

/** Normalises configured origins the way `URL#origin` writes them; drops what is not an origin. */
export function normaliseOrigins(origins: readonly string[]): string[] {
  const out: string[] = [];
  for (const o of origins) {
    try {
      const u = new URL(o);
      if ((u.protocol === 'https:' || u.protocol === 'http:') && u.pathname === '/' && u.search === '' && u.hash === '')
        out.push(u.origin);
    } catch {
      // not an origin: ignored (config validation reports it)
    }
  }
  return out;
}
