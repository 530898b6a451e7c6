/**
 * The connector wiring, in one function: how requests arrive (the REST intake, the Domibus WS
 * plugin's receiver and push endpoint) and how answers leave (the submitter), with the connector
 * stand-in or the Domibus stand-in of the embedded default, and the connector's health check.
 * Kept in one place so that it can be replaced by the connector port as a whole.
 */
import type express from 'express';
import type { Config, Role } from '../config.js';
import { createRestSubmitter } from '../connector/rest-outbound.js';
import { createDomibusConnector, type DomibusConnector } from '../connector/domibus/index.js';
import type { Submitter } from '../exchange/ports.js';
import type { AppDeps } from '../http/app.js';
import { connectorCheck, type HealthCheck } from '../ops/health.js';
import { createConnectorStandin, STANDIN_INBOX_PATH } from '../sandbox/connector-standin.js';
import { startDomibusStandin } from '../sandbox/domibus-standin.js';
import { localDomibusPassword } from '../sandbox/local-secrets.js';
import path from 'node:path';
import type { Core } from './core.js';

export interface ComposedConnector {
  /** The REST intake (`POST /connector/messages`), for buildApp; roles api and all. */
  readonly intake: AppDeps['connector'];
  /** Further intake routes (the Domibus push endpoint). */
  readonly routers: readonly express.Router[];
  /** The connector stand-in's routes (`/sandbox/connector/...`), when this process runs it. */
  readonly standin: express.Router | undefined;
  /** Starts receiving (the Domibus pull and sweep): call once the workers run. */
  readonly receiver: { start(): void } | undefined;
  /** Sends the answers; roles worker and all. */
  readonly submitter: Submitter | undefined;
  /** Readiness of the connector the answers go to; roles worker and all. */
  readonly check: HealthCheck | undefined;
}

/**
 * Composes the connector of CONNECTOR_MODE for `role`. The stand-in's address is the process's
 * own, known once it listens: the submitter and the check resolve it when first used.
 */
export async function composeConnector(config: Config, core: Core, role: Role): Promise<ComposedConnector> {
  const { redis, keys, onStop, logger, store, queues, parsePool, sandbox } = core;
  const dataDir = path.resolve(config.dataDir);
  const standin =
    role !== 'worker' && config.connector.outboundUrl === undefined
      ? createConnectorStandin({ redis, prefix: keys.standin, token: config.connector.outboundToken })
      : undefined;
  const configuredUrl = config.connector.outboundUrl;
  const outboundUrl: (() => string) | undefined =
    configuredUrl !== undefined
      ? () => configuredUrl
      : standin === undefined
        ? undefined
        : () => `${core.self.get()}${STANDIN_INBOX_PATH}`;

  // The Domibus WS plugin connector (CONNECTOR_MODE=domibus-ws), with its stand-in in the embedded default.
  let domibus: DomibusConnector | undefined;
  if (config.connector.mode === 'domibus-ws') {
    let endpoint: { url: string; user: string; password: string } | undefined;
    if (config.domibus.url === undefined) {
      // config.ts refuses DOMIBUS_WS_URL unset in other roles than all.
      const user = 'oots-adapter';
      const password = localDomibusPassword(dataDir);
      const domibusStandin = await startDomibusStandin({ host: config.http.host, port: 0, user, password });
      onStop(3, () => domibusStandin.close());
      endpoint = { url: domibusStandin.url, user, password };
      sandbox.domibus = domibusStandin.url;
    }
    const conn = createDomibusConnector({
      config,
      ...(endpoint === undefined ? {} : { endpoint }),
      redis,
      prefix: keys.domibus,
      store,
      queues,
      logger,
      readSoap: (bytes) => parsePool.readSoap(bytes),
    });
    domibus = conn;
    onStop(1, () => conn.close());
  }

  let submitter: Submitter | undefined;
  if (role !== 'api') {
    // Without Domibus there is an outbound URL: config.ts refuses a worker with neither. The
    // stand-in's is this process's own, known once it listens: that REST submitter is built on
    // first use (after listen, as the workers start then); a configured URL's at once.
    let rest: Submitter | undefined;
    const restSubmitter = (): Submitter =>
      (rest ??= createRestSubmitter({
        url: outboundUrl!(),
        token: config.connector.outboundToken,
        timeoutMs: config.connector.outboundTimeoutMs,
      }));
    if (domibus === undefined && config.connector.outboundUrl !== undefined) restSubmitter();
    const used: Submitter = domibus?.submitter ?? {
      submit: (exchangeRef, message) => restSubmitter().submit(exchangeRef, message),
      close: () => rest?.close?.(),
    };
    submitter = used;
    onStop(3, () => used.close?.());
  }

  const intake =
    role === 'worker' || core.intake === undefined
      ? undefined
      : {
          store: core.intake.store,
          queues: core.intake.queues,
          token: core.secrets.inboundToken!,
          maxBodyBytes: config.connector.maxBodyBytes,
        };
  return {
    intake,
    routers: role !== 'worker' && domibus?.pushRouter !== undefined ? [domibus.pushRouter] : [],
    standin,
    receiver: role === 'worker' ? undefined : domibus?.receiver,
    submitter,
    check: outboundUrl !== undefined && role !== 'api' ? lazyCheck(outboundUrl) : undefined,
  };
}

/** connectorCheck of an address resolved when the check runs. */
function lazyCheck(url: () => string): HealthCheck {
  return { ...connectorCheck(STANDIN_INBOX_PATH), check: (signal) => connectorCheck(url()).check(signal) };
}
