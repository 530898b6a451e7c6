/**
 * The DAGR sandbox's token endpoint (client_credentials with an RS256 client assertion, RFC 7523,
 * dagr-notes A5) and the access-token check of the data routes.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { sendProblem } from '../infra/http-problem.js';
import express, { type Express, type Request, type Response } from 'express';
import type { SandboxState } from './dagr-sandbox-state.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Clock skew tolerated on `exp`/`iat`, seconds. */
const SKEW_SECONDS = 5;
/** Longest assertion lifetime accepted (dagr-notes A5 [A]). */
const MAX_ASSERTION_SECONDS = 60;

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
}

/** The client's RSA public key (RS256); throws on any other key type. */
export function clientPublicKey(key: KeyObject | string): KeyObject {
  const publicKey = toPublicKey(key);
  if (publicKey.asymmetricKeyType !== 'rsa') throw new TypeError('the client key must be an RSA key (RS256)');
  return publicKey;
}

function toPublicKey(key: KeyObject | string): KeyObject {
  if (typeof key !== 'string') return key.type === 'private' ? createPublicKey(key) : key;
  return createPublicKey(key); // accepts a PEM public key, a certificate or a private key
}

export function mountTokenEndpoint(app: Express, st: SandboxState, publicKey: KeyObject): void {
  const { opts, clock, counters, tokens } = st;
  const ttlSeconds = opts.tokenTtlSeconds ?? 600;
  app.post(
    opts.tokenPath ?? '/token',
    express.urlencoded({ extended: false, limit: '16kb' }),
    (req: Request, res: Response) => {
      counters.tokenRequests += 1;
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body['grant_type'] !== 'client_credentials') {
        oauthError(res, 400, 'unsupported_grant_type', 'grant_type must be client_credentials');
        return;
      }
      if (body['client_assertion_type'] !== JWT_BEARER || typeof body['client_assertion'] !== 'string') {
        oauthError(res, 400, 'invalid_request', `client_assertion_type must be ${JWT_BEARER} with a client_assertion`);
        return;
      }
      const expectedAud =
        opts.audience === undefined
          ? [`${req.protocol}://${req.get('host') ?? ''}${req.originalUrl.split('?')[0] ?? ''}`]
          : typeof opts.audience === 'string'
            ? [opts.audience]
            : opts.audience;
      const problemText = checkAssertion(body['client_assertion'], {
        clientId: opts.clientId,
        claimedClientId: body['client_id'],
        audiences: expectedAud,
        publicKey,
        nowSeconds: Math.floor(clock() / 1000),
        seenJti: st.seenJti,
      });
      if (problemText !== undefined) {
        st.logger?.info(
          { dagrSandbox: { token: 'refused' } },
          `DAGR sandbox refused a client assertion: ${problemText}`,
        );
        oauthError(res, 401, 'invalid_client', problemText);
        return;
      }
      const accessToken = randomBytes(32).toString('base64url');
      const now = clock();
      for (const [t, exp] of tokens) if (exp <= now) tokens.delete(t);
      tokens.set(accessToken, now + ttlSeconds * 1000);
      counters.tokensIssued += 1;
      res
        .set('Cache-Control', 'no-store')
        .json({ access_token: accessToken, token_type: 'Bearer', expires_in: ttlSeconds });
    },
  );
}

/** Does the request carry a live access token? Answers 401 itself when not. */
export function authenticated(st: SandboxState, req: Request, res: Response): boolean {
  const authScheme = st.opts.authScheme ?? 'Bearer';
  const header = req.get('authorization') ?? '';
  let token: string | undefined;
  if (authScheme === '') token = header.trim();
  else {
    const [scheme, value] = header.trim().split(/\s+/, 2);
    if (scheme !== undefined && scheme.toLowerCase() === authScheme.toLowerCase()) token = value;
  }
  const exp = token === undefined || token === '' ? undefined : st.tokens.get(token);
  if (exp === undefined || exp <= st.clock()) {
    if (authScheme !== '') res.set('WWW-Authenticate', `${authScheme} error="invalid_token"`);
    sendProblem(res, 401, 'Unauthorized', 'a valid access token is required');
    return false;
  }
  return true;
}

interface AssertionCheck {
  readonly clientId: string;
  readonly claimedClientId: unknown;
  readonly audiences: readonly string[];
  readonly publicKey: KeyObject;
  readonly nowSeconds: number;
  readonly seenJti: Map<string, number>;
}

/** RFC 7523 §3 checks on the client assertion; undefined when it is acceptable, else why not. */
export function checkAssertion(jws: string, c: AssertionCheck): string | undefined {
  if (c.claimedClientId !== undefined && c.claimedClientId !== c.clientId) return 'unknown client_id';
  const parts = jws.split('.');
  if (parts.length !== 3) return 'client_assertion is not a compact JWS';
  const [h, p, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return 'client_assertion header or payload is not base64url JSON';
  }
  if (header['alg'] !== 'RS256') return 'alg must be RS256';
  if (!verify('sha256', Buffer.from(`${h}.${p}`), c.publicKey, Buffer.from(s, 'base64url')))
    return 'signature does not verify';
  if (payload['iss'] !== c.clientId || payload['sub'] !== c.clientId) return 'iss and sub must be the client_id';
  const aud = payload['aud'];
  const auds = Array.isArray(aud) ? aud : [aud];
  if (!auds.some((a) => typeof a === 'string' && c.audiences.includes(a))) return 'aud must be the token endpoint URL';
  const exp = payload['exp'];
  if (typeof exp !== 'number') return 'exp is required';
  if (exp <= c.nowSeconds - SKEW_SECONDS) return 'the assertion has expired';
  if (exp > c.nowSeconds + MAX_ASSERTION_SECONDS + SKEW_SECONDS)
    return `exp may be at most ${MAX_ASSERTION_SECONDS} s ahead`;
  const iat = payload['iat'];
  if (iat !== undefined && (typeof iat !== 'number' || iat > c.nowSeconds + SKEW_SECONDS))
    return 'iat is in the future';
  const jti = payload['jti'];
  if (typeof jti !== 'string' || jti === '') return 'jti is required';
  for (const [seen, until] of c.seenJti) if (until < c.nowSeconds - SKEW_SECONDS) c.seenJti.delete(seen);
  if (c.seenJti.has(jti)) return 'jti was already used';
  c.seenJti.set(jti, exp);
  return undefined;
}
