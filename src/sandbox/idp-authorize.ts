/**
 * The authorization endpoint of the sandbox identity provider: `GET /authorize` shows the login
 * page (authorization code flow, PKCE S256 required), `POST /authorize` turns the chosen person
 * into a single-use code and redirects (303) to `redirect_uri?code&state&iss`.
 */
import { randomBytes } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { chosenLevel, loginPage } from './idp-login-page.js';
import { CODE_TTL_MS, type AuthorizeParams, type IdpState, type SandboxIdpClient } from './idp-state.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

export function mountAuthorize(app: Express, st: IdpState): void {
  app.get('/authorize', (req: Request, res: Response) => {
    const params = authorizeParams(st, req.query);
    if ('error' in params) {
      res.status(400).type('text/plain').send(params.error);
      return;
    }
    res.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    res.type('html').send(loginPage(params, st.people));
  });

  app.post('/authorize', express.urlencoded({ extended: false, limit: '16kb' }), (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    const params = authorizeParams(st, body);
    if ('error' in params) {
      res.status(400).type('text/plain').send(params.error);
      return;
    }
    const target = new URL(params.redirectUri);
    if (params.state !== undefined) target.searchParams.set('state', params.state);
    target.searchParams.set('iss', st.issuer);
    const person = st.people.find((x) => x.sub === body.person);
    if (body.cancel !== undefined || person === undefined) {
      target.searchParams.set('error', 'access_denied');
      res.redirect(303, target.href);
      return;
    }
    const code = randomBytes(24).toString('base64url');
    st.codes.set(code, {
      clientId: params.clientId,
      redirectUri: params.redirectUri,
      codeChallenge: params.codeChallenge,
      nonce: params.nonce,
      person,
      acr: chosenLevel(body.acr, params.acrValues),
      expiresAt: st.now().getTime() + CODE_TTL_MS,
    });
    target.searchParams.set('code', code);
    res.redirect(303, target.href);
  });
}

function authorizeParams(st: IdpState, src: Record<string, unknown>): { error: string } | AuthorizeParams {
  const p = (k: string): string | undefined => (typeof src[k] === 'string' ? src[k] : undefined);
  const clientId = p('client_id');
  const client = st.clients.find((c) => c.clientId === clientId);
  const redirectUri = p('redirect_uri');
  if (client === undefined) return { error: 'unknown client_id' };
  if (redirectUri === undefined || !redirectAllowed(client, redirectUri))
    return { error: 'redirect_uri is not registered for this client' };
  if (p('response_type') !== 'code') return { error: 'only response_type=code is supported' };
  if (!(p('scope') ?? '').split(' ').includes('openid')) return { error: 'scope must include openid' };
  const challenge = p('code_challenge');
  if (challenge === undefined || p('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge))
    return { error: 'PKCE with code_challenge_method=S256 is required' };
  return {
    clientId: client.clientId,
    redirectUri,
    state: p('state'),
    nonce: p('nonce'),
    scope: p('scope')!,
    codeChallenge: challenge,
    lang: (p('ui_locales') ?? '').split(' ').includes('lv') ? 'lv' : 'en',
    acrValues: p('acr_values'),
  };
}

function redirectAllowed(client: SandboxIdpClient, uri: string): boolean {
  if (client.redirectUris !== undefined) return client.redirectUris.includes(uri);
  try {
    const u = new URL(uri);
    return /^https?:$/.test(u.protocol) && LOOPBACK.test(u.hostname) && u.hash === '';
  } catch {
    return false;
  }
}
