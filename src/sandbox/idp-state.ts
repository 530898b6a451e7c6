/**
 * The sandbox identity provider's shapes and in-memory state (src/sandbox/idp.ts composes it):
 * its options, the signing key, and the pending authorization codes.
 */
import type { KeyObject } from 'node:crypto';
import type { SandboxPerson } from './idp-people.js';

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

export interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly nonce: string | undefined;
  readonly person: SandboxPerson;
  /** The level of assurance the tester chose (an eIDAS LoA URI): the ID token's `acr`. */
  readonly acr: string;
  readonly expiresAt: number;
}

export interface AuthorizeParams {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly nonce: string | undefined;
  readonly scope: string;
  readonly codeChallenge: string;
  readonly lang: 'en' | 'lv';
  /** `acr_values` of the request, space-separated as sent (undefined when none). */
  readonly acrValues: string | undefined;
}

/** Everything one provider holds; the route modules read and change it. */
export interface IdpState {
  /** Known once the server listens. */
  issuer: string;
  readonly people: readonly SandboxPerson[];
  readonly clients: readonly SandboxIdpClient[];
  readonly now: () => Date;
  /** Lifetime of ID tokens, s. */
  readonly tokenTtl: number;
  readonly privateKey: KeyObject;
  readonly kid: string;
  /** Single-use authorization codes, in memory. */
  readonly codes: Map<string, PendingCode>;
}

export const CODE_TTL_MS = 60_000;
