/**
 * The connector port: what every connector type (the eDelivery side of the adapter) gives the rest
 * of the adapter. A type is registered by CONNECTOR_MODE in src/connector/registry.ts; the
 * composition opens the configured one and never names it. How to add a type: docs/connectors.md.
 *
 * - intake: express routes the API mounts (the REST intake, the Domibus push endpoint) and
 *   receivers started once every route answers (the Domibus pull), stopped by `stopIntake`;
 * - a submitter for the workers: resolves when the far side accepted the answer; rejects
 *   otherwise, and `classifyFailure` says what the rejection means (pending / retry / give-up);
 * - a health check for /readyz (optional, never required: a connector outage delays answers but
 *   intake goes on);
 * - close.
 */
import type express from 'express';
import type { Cluster, Redis } from 'ioredis';
import type { Config } from '../config.js';
import { AdapterError } from '../errors.js';
import type { Submitter } from '../exchange/ports.js';
import type { Keyspaces } from '../infra/keys.js';
import type { Logger } from '../infra/logger.js';
import type { HealthCheck } from '../infra/health-check.js';
import type { ExchangeStore } from '../store/exchange-store.js';
import type { SoapDocument } from './domibus/soap.js';

/**
 * What a failed submission means, as the connector that made it judges:
 * - `pending`: the far side took the answer but has not confirmed it yet (the deliver queue asks
 *   again; not a failure);
 * - `retry`: not taken this time (unreachable, timed out, overloaded): delivered again with backoff;
 * - `give-up`: refused for good: the delivery stops and the exchange is marked failed. The queue
 *   recognises it by the error code ERR_CONNECTOR_REFUSED, so a submitter throws exactly that.
 */
export type SubmitFailure = 'pending' | 'retry' | 'give-up';

/** The answer side of a connector: `submit` resolves = accepted; rejects = pending / retry / give-up. */
export interface ConnectorSubmitter extends Submitter {
  classifyFailure(error: unknown): SubmitFailure;
}

/** The classification every connector starts from: ERR_CONNECTOR_REFUSED gives up, the rest is retried. */
export function classifyByCode(error: unknown): SubmitFailure {
  return error instanceof AdapterError && error.code === 'ERR_CONNECTOR_REFUSED' ? 'give-up' : 'retry';
}

/** Where the embedded stand-in of a connector's far side listens, once started. */
export interface Standin {
  /**
   * The endpoint the connector talks to. A function: a stand-in served on the adapter's own API
   * knows its address only once the process listens (read it when sending, never while opening).
   */
  url(): string;
  /** Credentials the stand-in expects, when it expects any. */
  readonly user?: string;
  readonly password?: string;
  /** Routes the stand-in serves on the adapter's own API (mounted with the connector's routes). */
  readonly routes?: readonly express.Router[];
  /** Shown in Running.sandbox (name → URL); read once the process listens. */
  sandbox(): Readonly<Record<string, string>>;
  close?(): Promise<void> | void;
}

export interface StandinOptions {
  readonly redis: Redis | Cluster;
  readonly keys: Keyspaces;
  readonly host: string;
  /** This process's HTTP base URL (a stand-in served on the API lives under it); known once it listens. */
  readonly baseUrl: () => string;
  readonly dataDir: string;
  readonly config: Config;
}

/** Stand-in starters by CONNECTOR_MODE (src/sandbox/connector-standins.ts); a type without one has none. */
export type StandinStarters = Readonly<Record<string, (opts: StandinOptions) => Standin | Promise<Standin>>>;

/** What the composition hands every connector type. */
export interface ConnectorDeps {
  readonly config: Config;
  readonly role: Config['role'];
  readonly redis: Redis | Cluster;
  readonly keys: Keyspaces;
  readonly logger: Logger;
  /** The exchange store and queues (what a receiver stores and enqueues with). */
  readonly store: Pick<ExchangeStore, 'acceptInbound' | 'getState' | 'listReceived'>;
  readonly queues: { enqueueProcess(exchangeRef: string): Promise<void> };
  /**
   * The intake's own store and queues on an api process: they answer 503 at once while Redis is
   * unreachable instead of holding the sender's request (src/compose/redis-roles.ts). Undefined on a worker.
   */
  readonly intake:
    | {
        readonly store: Pick<ExchangeStore, 'acceptInbound' | 'getState'>;
        readonly queues: { enqueueProcess(exchangeRef: string): Promise<void> };
      }
    | undefined;
  /** The bearer token of an authenticated intake (config, or the embedded default's generated one). */
  readonly inboundToken: string | undefined;
  /** Reads untrusted SOAP bodies in the parse threads (a time limit, off the event loop). */
  readonly readSoap?: (bytes: Uint8Array) => SoapDocument | Promise<SoapDocument>;
  /** This process's HTTP base URL, known once it listens: read it when used, not while opening. */
  readonly baseUrl: () => string;
  readonly dataDir: string;
  readonly standins: StandinStarters;
}

/** What a connector type hands its stand-in starter: taken from its own deps. */
export function standinOptions(deps: ConnectorDeps): StandinOptions {
  const { redis, keys, baseUrl, dataDir, config } = deps;
  return { redis, keys, host: config.http.host, baseUrl, dataDir, config };
}

export interface Connector {
  readonly mode: string;
  /** Routes the API mounts (intake, push endpoints, stand-ins); empty on a worker. */
  readonly routes: readonly express.Router[];
  /** Starts the receivers (pull schedules); called once every route answers, on api processes. */
  startIntake(): void;
  /** Stops the intake's receivers (shutdown phase 1). */
  stopIntake(): Promise<void>;
  /** The answer side; undefined on an api-only process. */
  readonly submitter: ConnectorSubmitter | undefined;
  /** For /readyz; undefined when the type has none for this role. */
  readonly health: HealthCheck | undefined;
  /** Where this connector's stand-ins listen (merged into Running.sandbox once the process listens). */
  sandbox(): Readonly<Record<string, string>>;
  /** Closes sockets and stand-ins (shutdown phase 3, after the workers finished). */
  close(): Promise<void>;
}

/** A connector type: opens the connector the configuration describes, for this process's role. */
export interface ConnectorType {
  /** Throws a ConfigError (or an Error naming the missing key) when the configuration cannot work. */
  open(deps: ConnectorDeps): Promise<Connector>;
}
