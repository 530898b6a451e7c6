/**
 * Asking DAGR's token endpoint for an access token (dagr-notes A2): OAuth 2.0 client credentials
 * with a signed client assertion (RFC 7523). The token manager (token-cache.ts) decides when.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { createClientAssertion } from './assertion.js';
import { AttemptFailure, failureForStatus, isObject, parseJson, type RawResponse } from './response.js';
import type { CachedToken } from './token-cache.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface TokenRequestOptions {
  readonly clientId: string;
  /** `aud` of the client assertion. */
  readonly audience: string;
  /** The token endpoint's absolute URL. */
  readonly tokenUrl: string;
  readonly privateKey: KeyObject;
  /** `x5t#S256` of the registered certificate, when known. */
  readonly x5tS256: string | undefined;
  /** Fraction of `expires_in` after which the token is refreshed. */
  readonly refreshRatio: number;
  /** Epoch ms. */
  readonly clock: () => number;
  /** Sends one bounded HTTP request (the client's transport). */
  readonly post: (request: {
    method: 'POST';
    url: string;
    headers: Record<string, string>;
    data: string;
  }) => Promise<RawResponse>;
}

export async function fetchToken(o: TokenRequestOptions): Promise<CachedToken> {
  const assertion = createClientAssertion({
    clientId: o.clientId,
    audience: o.audience,
    privateKey: o.privateKey,
    nowMs: o.clock(),
    jti: randomUUID(),
    x5tS256: o.x5tS256,
  });
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: o.clientId,
    client_assertion_type: JWT_BEARER,
    client_assertion: assertion,
  });
  const raw = await o.post({
    method: 'POST',
    url: o.tokenUrl,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    data: form.toString(),
  });
  if (raw.status === 400 || raw.status === 401 || raw.status === 403) {
    throw new AttemptFailure('forbidden', `the token endpoint refused the client assertion (HTTP ${raw.status})`, {
      retryable: false,
      outage: false,
      status: raw.status,
    });
  }
  const failure = failureForStatus(raw, o.clock());
  if (failure !== undefined) throw failure;
  const parsed = parseJson(raw.body);
  const record = isObject(parsed) ? parsed : undefined;
  const accessToken = record?.['access_token'];
  const expiresIn = Number(record?.['expires_in']);
  if (typeof accessToken !== 'string' || accessToken === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new AttemptFailure('protocol', 'the token endpoint answered without access_token/expires_in', {
      retryable: false,
      outage: false,
      status: raw.status,
    });
  }
  const now = o.clock();
  const tokenType = typeof record?.['token_type'] === 'string' ? record['token_type'] : 'Bearer';
  return {
    accessToken,
    tokenType,
    expiresAt: now + expiresIn * 1000,
    refreshAt: now + Math.floor(expiresIn * 1000 * o.refreshRatio),
  };
}
