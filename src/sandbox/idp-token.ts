/** The token endpoint of the sandbox identity provider: code + code_verifier → id_token (RS256), access_token. */
import { createHash, randomBytes, sign, timingSafeEqual, type KeyObject } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import type { IdpState } from './idp-state.js';

export function mountToken(app: Express, st: IdpState): void {
  const { clients, codes, now, tokenTtl, privateKey, kid } = st;
  app.post('/token', express.urlencoded({ extended: false, limit: '16kb' }), (req: Request, res: Response) => {
    const body = req.body as Record<string, string | undefined>;
    const fail = (status: number, error: string, description: string): void => {
      res.status(status).json({ error, error_description: description });
    };
    const auth = clientAuth(req.headers.authorization, body);
    const client = clients.find((c) => c.clientId === auth.clientId);
    if (client === undefined) return fail(401, 'invalid_client', 'unknown client');
    if (client.clientSecret !== undefined && !sameText(auth.secret ?? '', client.clientSecret))
      return fail(401, 'invalid_client', 'client authentication failed');
    if (body.grant_type !== 'authorization_code') return fail(400, 'unsupported_grant_type', 'authorization_code only');
    const pending = codes.get(body.code ?? '');
    codes.delete(body.code ?? '');
    if (pending === undefined || pending.expiresAt < now().getTime() || pending.clientId !== client.clientId)
      return fail(400, 'invalid_grant', 'unknown, used or expired code');
    if (body.redirect_uri !== pending.redirectUri) return fail(400, 'invalid_grant', 'redirect_uri differs');
    const verifier = body.code_verifier ?? '';
    if (
      !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) ||
      createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge
    )
      return fail(400, 'invalid_grant', 'PKCE verification failed');
    const iat = Math.floor(now().getTime() / 1000);
    const p = pending.person;
    const idToken = signJwt(privateKey, kid, {
      iss: st.issuer,
      sub: p.sub,
      aud: client.clientId,
      iat,
      exp: iat + tokenTtl,
      ...(pending.nonce === undefined ? {} : { nonce: pending.nonce }),
      acr: pending.acr,
      given_name: p.givenName,
      family_name: p.familyName,
      birthdate: p.birthDate,
      person_identifier: p.personIdentifier,
      ...(p.personalCode === undefined ? {} : { personal_code: p.personalCode }),
    });
    res.json({
      access_token: randomBytes(24).toString('base64url'),
      token_type: 'Bearer',
      expires_in: tokenTtl,
      id_token: idToken,
    });
  });
}

function clientAuth(
  header: string | undefined,
  body: Record<string, string | undefined>,
): { clientId: string | undefined; secret: string | undefined } {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (m) {
    const [id, secret] = Buffer.from(m[1]!, 'base64').toString('utf8').split(':');
    return { clientId: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
  }
  return { clientId: body.client_id, secret: body.client_secret };
}

function sameText(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function signJwt(key: KeyObject, kid: string, payload: Record<string, unknown>): string {
  const enc = (o: unknown): string => Buffer.from(JSON.stringify(o), 'utf8').toString('base64url');
  const input = `${enc({ alg: 'RS256', typ: 'JWT', kid })}.${enc(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}
