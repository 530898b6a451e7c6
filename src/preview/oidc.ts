/**
 * The preview login: OpenID Connect authorization code flow with PKCE (S256), state and nonce,
 * against the configured issuer (in production a broker in front of Latvija.lv and the eIDAS node;
 * in the embedded default the sandbox provider of src/sandbox/idp.ts). openid-client validates the
 * ID token (signature from the issuer's JWKS, iss, aud, exp, nonce).
 *
 * Discovery runs on first use and is cached; a failed discovery is retried on the next login.
 * Plain http is accepted only for a loopback issuer (the embedded default).
 */
import * as client from 'openid-client';
import { AdapterError } from '../errors.js';
import type { AuthenticatedIdentity } from '../identity/preview-match.js';

export interface OidcOptions {
  readonly issuer: string;
  readonly clientId: string;
  /** Undefined = public client (PKCE only). */
  readonly clientSecret: string | undefined;
  /** Absolute redirect URI registered at the issuer (a function is read at each login). */
  readonly redirectUri: string | (() => string);
  /** Space-separated, starting with `openid`. */
  readonly scopes: string;
  /** Claim holding the person's identifier (eIDAS identifier or personal code). */
  readonly identifierClaim: string;
  /** Timeout of each call to the issuer. Default 10000 ms. */
  readonly timeoutMs?: number;
}

/** What must come back unchanged at the callback; kept in an encrypted, HttpOnly cookie. */
export interface LoginChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export interface OidcLogin {
  /** A login to start: where to send the browser, and the checks to keep until the callback. */
  begin(opts?: { uiLocales?: string; acrValues?: string }): Promise<{ url: string; checks: LoginChecks }>;
  /** Redeems the code at the callback URL; throws OidcError when anything fails. */
  complete(callbackUrl: URL, checks: LoginChecks): Promise<AuthenticatedIdentity>;
}

export class OidcError extends AdapterError {
  override readonly name = 'OidcError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OIDC', message, options);
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

export function createOidcLogin(opts: OidcOptions): OidcLogin {
  const issuerUrl = new URL(opts.issuer);
  const insecure = issuerUrl.protocol === 'http:';
  if (insecure && !LOOPBACK.test(issuerUrl.hostname))
    throw new OidcError('OIDC_ISSUER must use https (plain http only on loopback, for the embedded default)');
  const timeout = Math.ceil((opts.timeoutMs ?? 10_000) / 1000);
  let config: Promise<client.Configuration> | undefined;

  function configuration(): Promise<client.Configuration> {
    config ??= client
      .discovery(
        issuerUrl,
        opts.clientId,
        undefined,
        opts.clientSecret === undefined ? client.None() : client.ClientSecretBasic(opts.clientSecret),
        { timeout, ...(insecure ? { execute: [client.allowInsecureRequests] } : {}) },
      )
      .catch((cause: unknown) => {
        config = undefined;
        throw new OidcError('OpenID Connect discovery failed', { cause });
      });
    return config;
  }

  return {
    async begin(o) {
      const cfg = await configuration();
      const checks: LoginChecks = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
      };
      const params: Record<string, string> = {
        redirect_uri: typeof opts.redirectUri === 'function' ? opts.redirectUri() : opts.redirectUri,
        scope: opts.scopes,
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
        state: checks.state,
        nonce: checks.nonce,
      };
      if (o?.uiLocales !== undefined) params.ui_locales = o.uiLocales;
      // The level of assurance the evidence needs (identity/acr.ts); the callback checks the acr claim.
      if (o?.acrValues !== undefined && o.acrValues !== '') params.acr_values = o.acrValues;
      return { url: client.buildAuthorizationUrl(cfg, params).href, checks };
    },

    async complete(callbackUrl, checks) {
      const cfg = await configuration();
      let claims: client.IDToken | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(cfg, callbackUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (cause) {
        throw new OidcError('the authorization code could not be redeemed or the ID token is invalid', { cause });
      }
      if (claims === undefined) throw new OidcError('the issuer returned no ID token');
      return identityFromClaims(claims, opts.identifierClaim);
    },
  };
}

/** The identity the preview matches, from ID-token claims (standard OIDC names for the attributes). */
export function identityFromClaims(
  claims: Readonly<Record<string, unknown>>,
  identifierClaim: string,
): AuthenticatedIdentity {
  const text = (name: string): string | undefined => {
    const v = claims[name];
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  return {
    identifier: text(identifierClaim),
    givenName: text('given_name'),
    familyName: text('family_name'),
    birthDate: text('birthdate'),
    acr: text('acr'),
  };
}
