/**
 * The connector of CONNECTOR_MODE (src/connector/registry.ts), opened for this role with the
 * stand-ins of the embedded default. The composition never names a connector type.
 */
import path from 'node:path';
import type { Role } from '../config.js';
import type { Connector } from '../connector/port.js';
import { openConnector } from '../connector/registry.js';
import { connectorStandins } from '../sandbox/connector-standins.js';
import type { Core } from './core.js';

export async function composeConnector(core: Core, role: Role): Promise<Connector> {
  const { config } = core;
  const connector = await openConnector(config.connector.mode, {
    config,
    role,
    redis: core.redis,
    keys: core.keys,
    logger: core.logger,
    store: core.store,
    queues: core.queues,
    intake: core.intake,
    inboundToken: core.secrets.inboundToken,
    readSoap: (bytes) => core.parsePool.readSoap(bytes),
    baseUrl: () => core.self.get(),
    dataDir: path.resolve(config.dataDir),
    standins: connectorStandins,
  });
  // Receivers stop with the intake; the rest after the workers' last submissions.
  core.onStop(1, () => connector.stopIntake());
  core.onStop(3, () => connector.close());
  return connector;
}
