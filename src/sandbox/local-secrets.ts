/**
 * Secrets of the embedded default, generated once under DATA_DIR and reused across restarts
 * (the encryption key must survive a restart, or stored requests could not be read). Production
 * configures them in the environment instead; the adapter refuses to invent them there.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function readOrCreate(file: string, make: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(file, make() + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process of the embedded default created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file, 'utf8').trim();
}

export function localEncryptionKey(dataDir: string): Buffer {
  return Buffer.from(
    readOrCreate(path.join(dataDir, 'encryption.key'), () => randomBytes(32).toString('base64')),
    'base64',
  );
}

export function localConnectorToken(dataDir: string): string {
  return readOrCreate(path.join(dataDir, 'connector.token'), () => randomBytes(24).toString('base64url'));
}

/** Plugin-user password of the embedded Domibus stand-in (CONNECTOR_MODE=domibus-ws without DOMIBUS_WS_URL). */
export function localDomibusPassword(dataDir: string): string {
  return readOrCreate(path.join(dataDir, 'domibus-standin.password'), () => randomBytes(18).toString('base64url'));
}
