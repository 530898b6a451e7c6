/**
 * The sandbox identity provider of the embedded default: a small OpenID Connect provider with a
 * login page where you pick one of the synthetic people (no password). It speaks just enough of
 * OIDC for the preview login, and speaks it strictly, so the adapter's production code path
 * (openid-client) runs unchanged against it:
 *
 *   GET  /.well-known/openid-configuration   discovery
 *   GET  /jwks                               the RS256 signing key (generated at start)
 *   GET  /authorize                          login page (authorization code flow; PKCE S256 required)
 *   POST /authorize                          the chosen person → 303 to redirect_uri?code&state&iss
 *   POST /token                              code + code_verifier → id_token (RS256), access_token
 *
 * Codes are single use and live 60 s, in memory: one sandbox provider per host. Never use it with
 * real people: it authenticates anyone as anyone.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import { escapeHtml as esc } from '../infra/html.js';
import { SANDBOX_PEOPLE, type SandboxPerson } from './idp-people.js';

export interface SandboxIdpClient {
  readonly clientId: string;
  /** Undefined = public client (PKCE only). */
  readonly clientSecret?: string | undefined;
  /** Exact redirect URIs; undefined = any http(s) URI on a loopback host. */
  readonly redirectUris?: readonly string[] | undefined;
}

export interface SandboxIdpOptions {
  readonly host?: string;
  /** 0 = any free port. */
  readonly port?: number;
  readonly people?: readonly SandboxPerson[];
  /** Default: one public client `oots-preview` with loopback redirect URIs. */
  readonly clients?: readonly SandboxIdpClient[];
  /** Lifetime of ID tokens. Default 300 s. */
  readonly tokenTtlSeconds?: number;
  readonly now?: () => Date;
}

export interface SandboxIdp {
  readonly issuer: string;
  stop(): Promise<void>;
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly nonce: string | undefined;
  readonly person: SandboxPerson;
  readonly expiresAt: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;
const CODE_TTL_MS = 60_000;

export async function startSandboxIdp(opts: SandboxIdpOptions = {}): Promise<SandboxIdp> {
  const host = opts.host ?? '127.0.0.1';
  const people = opts.people ?? SANDBOX_PEOPLE;
  const clients = opts.clients ?? [{ clientId: 'oots-preview' }];
  const now = opts.now ?? (() => new Date());
  const tokenTtl = opts.tokenTtlSeconds ?? 300;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('base64url');
  const codes = new Map<string, PendingCode>();
  let issuer = '';

  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });

  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });

  app.get('/.well-known/openid-configuration', (_req, res) => {
    res.json({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      scopes_supported: ['openid', 'profile'],
      claims_supported: ['sub', 'given_name', 'family_name', 'birthdate', 'person_identifier', 'personal_code'],
      ui_locales_supported: ['en', 'lv'],
    });
  });

  app.get('/jwks', (_req, res) => {
    res.json({ keys: [{ ...createPublicKey(privateKey).export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
  });

  const authorizeParams = (src: Record<string, unknown>): { error: string } | AuthorizeParams => {
    const p = (k: string): string | undefined => (typeof src[k] === 'string' ? src[k] : undefined);
    const clientId = p('client_id');
    const client = clients.find((c) => c.clientId === clientId);
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
    };
  };

  app.get('/authorize', (req: Request, res: Response) => {
    const params = authorizeParams(req.query);
    if ('error' in params) {
      res.status(400).type('text/plain').send(params.error);
      return;
    }
    res.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    res.type('html').send(loginPage(params, people));
  });

  app.post('/authorize', express.urlencoded({ extended: false, limit: '16kb' }), (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    const params = authorizeParams(body);
    if ('error' in params) {
      res.status(400).type('text/plain').send(params.error);
      return;
    }
    const target = new URL(params.redirectUri);
    if (params.state !== undefined) target.searchParams.set('state', params.state);
    target.searchParams.set('iss', issuer);
    const person = people.find((x) => x.sub === body.person);
    if (body.cancel !== undefined || person === undefined) {
      target.searchParams.set('error', 'access_denied');
      res.redirect(303, target.href);
      return;
    }
    const code = randomBytes(24).toString('base64url');
    codes.set(code, {
      clientId: params.clientId,
      redirectUri: params.redirectUri,
      codeChallenge: params.codeChallenge,
      nonce: params.nonce,
      person,
      expiresAt: now().getTime() + CODE_TTL_MS,
    });
    target.searchParams.set('code', code);
    res.redirect(303, target.href);
  });

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
      iss: issuer,
      sub: p.sub,
      aud: client.clientId,
      iat,
      exp: iat + tokenTtl,
      ...(pending.nonce === undefined ? {} : { nonce: pending.nonce }),
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

  const sweep = setInterval(() => {
    const t = now().getTime();
    for (const [code, p] of codes) if (p.expiresAt < t) codes.delete(code);
  }, CODE_TTL_MS);
  sweep.unref();

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? 0);
  issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    issuer,
    async stop() {
      clearInterval(sweep);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

interface AuthorizeParams {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly nonce: string | undefined;
  readonly scope: string;
  readonly codeChallenge: string;
  readonly lang: 'en' | 'lv';
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

function loginPage(p: AuthorizeParams, people: readonly SandboxPerson[]): string {
  const t =
    p.lang === 'lv'
      ? {
          title: 'Smilškastes identitātes nodrošinātājs',
          legend: 'Izvēlieties, kā kuru pieteikties',
          login: 'Pieteikties',
          cancel: 'Atcelt',
          note: 'Tikai testēšanai: izdomātas personas, bez paroles.',
        }
      : {
          title: 'Sandbox identity provider',
          legend: 'Choose who to log in as',
          login: 'Log in',
          cancel: 'Cancel',
          note: 'For testing only: invented people, no password.',
        };
  const hidden = (name: string, value: string | undefined): string =>
    value === undefined ? '' : `<input type="hidden" name="${name}" value="${esc(value)}">`;
  const options = people
    .map(
      (x, i) =>
        `<div><input type="radio" name="person" id="p${i}" value="${esc(x.sub)}"${i === 0 ? ' checked' : ''}>` +
        ` <label for="p${i}">${esc(`${x.givenName} ${x.familyName}`)} (${esc(x.personalCode ?? x.personIdentifier)})</label></div>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title}</title></head>
<body><main>
<h1>${t.title}</h1>
<p>${t.note}</p>
<form method="post" action="authorize">
${hidden('client_id', p.clientId)}${hidden('redirect_uri', p.redirectUri)}${hidden('response_type', 'code')}${hidden('scope', p.scope)}
${hidden('state', p.state)}${hidden('nonce', p.nonce)}${hidden('code_challenge', p.codeChallenge)}${hidden('code_challenge_method', 'S256')}
${hidden('ui_locales', p.lang)}
<fieldset><legend>${t.legend}</legend>
${options}
</fieldset>
<p><button type="submit" name="login" value="1">${t.login}</button> <button type="submit" name="cancel" value="1">${t.cancel}</button></p>
</form>
</main></body></html>`;
}
