/**
 * The embedded default (DESIGN §6): what this process provides itself when the configuration
 * leaves a service to it — a private Redis with AOF, the sandbox identity provider of the preview
 * login, and the local secrets (encryption key, connector inbound token, admin credentials) under
 * DATA_DIR. Each is replaced by configuration; the code paths that use them are the production ones.
 * The DAGR sandbox starts with the DAGR client (src/compose/evidence.ts); the connector and Domibus
 * stand-ins with the connector (src/compose/connector.ts).
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { loadOrCreateAdminCredentials, type AdminCredentials } from '../admin/auth.js';
import { startSandboxIdp } from '../sandbox/idp.js';
import { localConnectorToken, localEncryptionKey } from '../sandbox/local-secrets.js';
import { startPrivateRedis } from '../sandbox/redis.js';
import type { OnStop, SandboxUrls } from './shutdown.js';

/** True when no REDIS_URL is set: one process (role all) runs everything on this host. */
export function isEmbedded(config: Config): boolean {
  return config.redis.url === undefined;
}

/** REDIS_URL, or the private redis-server of the embedded default (started here). */
export async function redisUrlFor(config: Config, onStop: OnStop, sandbox: SandboxUrls): Promise<string> {
  if (config.redis.url !== undefined) return config.redis.url;
  const privateRedis = await startPrivateRedis({ dir: path.join(path.resolve(config.dataDir), 'redis') });
  onStop(4, () => privateRedis.stop());
  sandbox.redis = privateRedis.url;
  return privateRedis.url;
}

export interface Secrets {
  /** AES-256-GCM key of everything at rest. */
  readonly key: Buffer;
  /** Bearer token of the REST connector intake; undefined only in role worker. */
  readonly inboundToken: string | undefined;
}

/**
 * ENCRYPTION_KEY and CONNECTOR_INBOUND_TOKEN, or the embedded default's, generated once under
 * DATA_DIR. config.ts has already refused a start without them where there is no embedded default.
 */
export function secretsFor(config: Config): Secrets {
  const embedded = isEmbedded(config);
  const dataDir = path.resolve(config.dataDir);
  const key = config.encryptionKey ?? (embedded ? localEncryptionKey(dataDir) : undefined);
  if (key === undefined) throw new Error('ENCRYPTION_KEY is required when REDIS_URL is set');
  const inboundToken = config.connector.inboundToken ?? (embedded ? localConnectorToken(dataDir) : undefined);
  return { key, inboundToken };
}

/** The admin roles configured, else (embedded default only) both generated in <DATA_DIR>/admin-credentials.json. */
export function adminCredentialsFor(config: Config): AdminCredentials {
  const admin = config.ops.admin;
  if (admin.viewer !== undefined || admin.operator !== undefined) return admin;
  return isEmbedded(config)
    ? loadOrCreateAdminCredentials(path.join(path.resolve(config.dataDir), 'admin-credentials.json'))
    : {};
}

/** OIDC_ISSUER, or the sandbox identity provider with synthetic people (started here). */
export async function oidcIssuerFor(config: Config, onStop: OnStop, sandbox: SandboxUrls): Promise<string> {
  if (config.oidc.issuer !== undefined) return config.oidc.issuer;
  const idp = await startSandboxIdp({
    host: config.http.host,
    port: 0,
    clients: [{ clientId: config.oidc.clientId, clientSecret: config.oidc.clientSecret }],
  });
  onStop(3, () => idp.stop());
  sandbox.idp = idp.issuer;
  return idp.issuer;
}
