/**
 * The sandbox identity provider of the embedded default: a small OpenID Connect provider with a
 * login page where you pick one of the synthetic people (no password). It speaks just enough of
 * OIDC for the preview login, and speaks it strictly, so the adapter's production code path
 * (openid-client) runs unchanged against it:
 *
 *   GET  /.well-known/openid-configuration   discovery
 *   GET  /jwks                               the RS256 signing key (generated at start)
 *   GET  /authorize                          login page (authorization code flow; PKCE S256 required)
 *   POST /authorize                          the chosen person and level of assurance → 303 to
 *                                            redirect_uri?code&state&iss (the level is the token's acr)
 *   POST /token                              code + code_verifier → id_token (RS256), access_token
 *
 * Codes are single use and live 60 s, in memory: one sandbox provider per host. Never use it with
 * real people: it authenticates anyone as anyone.
 */
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { mountAuthorize } from './idp-authorize.js';
import { SANDBOX_LEVELS } from './idp-login-page.js';
import { SANDBOX_PEOPLE } from './idp-people.js';
import { CODE_TTL_MS, type IdpState, type SandboxIdpOptions } from './idp-state.js';
import { mountToken } from './idp-token.js';

export type { SandboxIdpClient, SandboxIdpOptions } from './idp-state.js';

export interface SandboxIdp {
  readonly issuer: string;
  stop(): Promise<void>;
}

export async function startSandboxIdp(opts: SandboxIdpOptions = {}): Promise<SandboxIdp> {
  const host = opts.host ?? '127.0.0.1';
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const st: IdpState = {
    issuer: '',
    people: opts.people ?? SANDBOX_PEOPLE,
    clients: opts.clients ?? [{ clientId: 'oots-preview' }],
    now: opts.now ?? (() => new Date()),
    tokenTtl: opts.tokenTtlSeconds ?? 300,
    privateKey,
    kid: randomBytes(8).toString('base64url'),
    codes: new Map(),
  };
  const app = createIdpApp(st);

  const sweep = setInterval(() => {
    const t = st.now().getTime();
    for (const [code, p] of st.codes) if (p.expiresAt < t) st.codes.delete(code);
  }, CODE_TTL_MS);
  sweep.unref();

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? 0);
  st.issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    issuer: st.issuer,
    async stop() {
      clearInterval(sweep);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

function createIdpApp(st: IdpState): Express {
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
      issuer: st.issuer,
      authorization_endpoint: `${st.issuer}/authorize`,
      token_endpoint: `${st.issuer}/token`,
      jwks_uri: `${st.issuer}/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      scopes_supported: ['openid', 'profile'],
      claims_supported: ['sub', 'acr', 'given_name', 'family_name', 'birthdate', 'person_identifier', 'personal_code'],
      acr_values_supported: SANDBOX_LEVELS.map((l) => l.acr),
      ui_locales_supported: ['en', 'lv'],
    });
  });

  app.get('/jwks', (_req, res) => {
    res.json({
      keys: [{ ...createPublicKey(st.privateKey).export({ format: 'jwk' }), kid: st.kid, alg: 'RS256', use: 'sig' }],
    });
  });

  mountAuthorize(app, st);
  mountToken(app, st);
  return app;
}
