/**
 * The DAGR sandbox as the embedded default runs it: the shipped synthetic datasets, and a
 * connection key pair kept under `var/` so that every local process (api, workers) signs its token
 * requests with the key the sandbox knows.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../infra/logger.js';
import { loadSandboxDatasets } from './dagr-data-loader.js';
import { startDagrSandbox, type StartedDagrSandbox } from './dagr-server.js';

/** Reads the sandbox connection key from `file`, creating it (RSA 2048, mode 0600) if absent. */
export function ensureSandboxClientKey(file: string): {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly created: boolean;
} {
  if (existsSync(file)) {
    const privateKey = createPrivateKey(readFileSync(file, 'utf8'));
    return { privateKey, publicKey: createPublicKey(privateKey), created: false };
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  try {
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return ensureSandboxClientKey(file);
    throw error;
  }
  return { privateKey, publicKey, created: true };
}

export interface EmbeddedDagrOptions {
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  readonly clientId: string;
  /** Where the connection key lives (e.g. `var/dagr-sandbox-client.pem`). */
  readonly keyFile: string;
  /** Dataset directory; default the shipped `src/sandbox/dagr-data`. */
  readonly dataDir?: string;
  /** How long a record being prepared takes (see DagrSandboxOptions). */
  readonly preparingDelaySeconds?: number;
  readonly logger?: Logger;
}

export interface EmbeddedDagr extends StartedDagrSandbox {
  /** The key the DAGR client must sign with (pass it as `privateKey`). */
  readonly privateKey: KeyObject;
}

export async function startEmbeddedDagrSandbox(opts: EmbeddedDagrOptions): Promise<EmbeddedDagr> {
  const { datasets, permissions, preparing } = loadSandboxDatasets(opts.dataDir);
  const key = ensureSandboxClientKey(opts.keyFile);
  const started = await startDagrSandbox({
    host: opts.host,
    port: opts.port,
    datasets,
    permissions,
    clientId: opts.clientId,
    clientPublicKey: key.publicKey,
    preparing,
    ...(opts.preparingDelaySeconds === undefined ? {} : { preparingDelaySeconds: opts.preparingDelaySeconds }),
    ...(opts.logger === undefined ? {} : { logger: opts.logger }),
  });
  opts.logger?.info(
    { dagrSandbox: { url: started.url, datasets: datasets.map((d) => d.service_name), keyCreated: key.created } },
    'DAGR sandbox listening',
  );
  return { ...started, privateKey: key.privateKey };
}
