/** The real DAGR sandbox on loopback with a client signed by its generated key (the embedded default's pair). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createDagrClient, type DagrClient } from '../../src/dagr/client.js';
import { dagrClientOptions } from '../../src/dagr/from-config.js';
import { startEmbeddedDagrSandbox } from '../../src/sandbox/dagr-embedded.js';

export async function startSandboxDagrClient(): Promise<{ client: DagrClient; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagr-sandbox-'));
  const config = loadConfig({}).dagr;
  const embedded = await startEmbeddedDagrSandbox({
    host: '127.0.0.1',
    port: 0,
    clientId: config.clientId,
    keyFile: path.join(dir, 'dagr-sandbox-client.pem'),
  });
  const client = createDagrClient(
    dagrClientOptions(config, { baseUrl: embedded.url, privateKey: embedded.privateKey }),
  );
  return {
    client,
    async stop() {
      client.close();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
