/**
 * The Domibus WS plugin connector (CONNECTOR_MODE=domibus-ws), assembled from config.domibus:
 * the client, the receiver (pull/sweep schedules + push router) and the submitter that replaces
 * the REST submitter in the deliver job; `domibusConnectorType` puts it behind the connector port
 * (src/connector/port.ts). See docs/domibus.md.
 */
import type { Cluster, Redis } from 'ioredis';
import type express from 'express';
import type { Config } from '../../config.js';
import { AdapterError } from '../../errors.js';
import type { Logger } from '../../infra/logger.js';
import type { ExchangeStore } from '../../store/exchange-store.js';
import { createDomibusClient, type DomibusClient } from './client.js';
import type { PendingFilter } from './messages.js';
import {
  createDomibusPushRouter,
  createDomibusReceiver,
  type DomibusPushDeps,
  type DomibusReceiver,
} from './receiver.js';
import { createDomibusSubmitter, type DomibusSubmitter } from './submitter.js';
import {
  classifyByCode,
  standinOptions,
  type Connector,
  type ConnectorDeps,
  type ConnectorType,
  type Standin,
  type SubmitFailure,
} from '../port.js';

export { createDomibusClient, domibusSelfTest, DomibusError, type DomibusClient } from './client.js';
export { createDomibusPushRouter, createDomibusReceiver, DOMIBUS_PUSH_PATH, type DomibusReceiver } from './receiver.js';
export { createDomibusSubmitter, type DomibusSubmitter } from './submitter.js';

export interface DomibusConnectorDeps {
  readonly config: Pick<Config, 'domibus' | 'exchangeTtlSeconds'>;
  /** Endpoint and plugin user when config.domibus.url is unset (the embedded stand-in's). */
  readonly endpoint?: { readonly url: string; readonly user: string; readonly password: string };
  readonly redis: Redis | Cluster;
  /** Key prefix for locks and submission records, e.g. `{oots}:domibus:`. */
  readonly prefix: string;
  readonly store: Pick<ExchangeStore, 'acceptInbound' | 'getState' | 'listReceived'>;
  readonly queues: { enqueueProcess(exchangeRef: string): Promise<void> };
  readonly logger: Logger;
  readonly filter?: PendingFilter;
  /** Reads push bodies away from the event loop (the parse threads); in-process when absent. */
  readonly readSoap?: DomibusPushDeps['readSoap'];
}

export interface DomibusConnector {
  readonly client: DomibusClient;
  readonly receiver: DomibusReceiver;
  readonly submitter: DomibusSubmitter;
  /** The push endpoint's router; undefined when DOMIBUS_PUSH_PASSWORD is empty. */
  readonly pushRouter: express.Router | undefined;
  /** Stops the schedules and closes the client's sockets. */
  close(): Promise<void>;
}

export function createDomibusConnector(deps: DomibusConnectorDeps): DomibusConnector {
  const d = deps.config.domibus;
  const endpoint = d.url !== undefined ? { url: d.url, user: d.user ?? '', password: d.password ?? '' } : deps.endpoint;
  if (endpoint === undefined) throw new Error('DOMIBUS_WS_URL is unset and no embedded stand-in endpoint was given');
  const client = createDomibusClient({ ...endpoint, timeoutMs: d.timeoutMs });
  const receiver = createDomibusReceiver({
    client,
    store: deps.store,
    queues: deps.queues,
    redis: deps.redis,
    prefix: deps.prefix,
    logger: deps.logger,
    retrieveMode: d.retrieveMode,
    pullIntervalMs: d.pullIntervalMs,
    sweepIntervalMs: d.sweepIntervalMs,
    // A lock outlives one retrieve (extended per message): a crashed holder blocks pulls at most this long.
    lockTtlMs: d.timeoutMs * 2 + 10_000,
    ...(deps.filter === undefined ? {} : { filter: deps.filter }),
  });
  const submitter = createDomibusSubmitter({
    client,
    redis: deps.redis,
    prefix: deps.prefix,
    ttlSeconds: deps.config.exchangeTtlSeconds,
    logger: deps.logger,
  });
  const pushRouter =
    d.push === undefined
      ? undefined
      : createDomibusPushRouter({
          receiver,
          user: d.push.user,
          password: d.push.password,
          logger: deps.logger,
          ...(deps.readSoap === undefined ? {} : { readSoap: deps.readSoap }),
        });
  return {
    client,
    receiver,
    submitter,
    pushRouter,
    async close() {
      await receiver.stop();
      client.close();
    },
  };
}

/** Pending (submitted, not yet acknowledged) is Domibus's own; refusals and the rest as every connector. */
export function classifyDomibusFailure(error: unknown): SubmitFailure {
  return error instanceof AdapterError && error.code === 'ERR_DOMIBUS_PENDING' ? 'pending' : classifyByCode(error);
}

/** Without DOMIBUS_WS_URL the embedded default (one process, role all) brings its Domibus stand-in. */
async function startStandin(deps: ConnectorDeps): Promise<Standin | undefined> {
  const { config, role } = deps;
  if (config.domibus.url !== undefined) return undefined;
  const start = deps.standins['domibus-ws'];
  if (role !== 'all' || start === undefined)
    throw new Error(
      'DOMIBUS_WS_URL is required unless one process runs everything (role all) with the Domibus stand-in',
    );
  return start(standinOptions(deps));
}

async function openDomibus(deps: ConnectorDeps): Promise<Connector> {
  const { config, role } = deps;
  const standin = await startStandin(deps);
  let conn: DomibusConnector;
  try {
    conn = createDomibusConnector({
      config,
      ...(standin === undefined
        ? {}
        : { endpoint: { url: standin.url(), user: standin.user ?? '', password: standin.password ?? '' } }),
      redis: deps.redis,
      prefix: deps.keys.domibus,
      store: deps.store,
      queues: deps.queues,
      logger: deps.logger,
      ...(deps.readSoap === undefined ? {} : { readSoap: deps.readSoap }),
    });
  } catch (error) {
    await standin?.close?.();
    throw error;
  }
  const { submitter, receiver } = conn;
  return {
    mode: 'domibus-ws',
    routes: role === 'worker' || conn.pushRouter === undefined ? [] : [conn.pushRouter],
    startIntake() {
      if (role !== 'worker') receiver.start();
    },
    stopIntake: () => receiver.stop(),
    submitter:
      role === 'api'
        ? undefined
        : {
            submit: (ref, message) => submitter.submit(ref, message),
            classifyFailure: classifyDomibusFailure,
          },
    health: undefined,
    sandbox: () => standin?.sandbox() ?? {},
    // After the workers: their last submissions still use the client.
    async close() {
      await conn.close();
      await standin?.close?.();
    },
  };
}

export const domibusConnectorType: ConnectorType = { open: openDomibus };
