/**
 * The REST connector type (CONNECTOR_MODE=rest): requests arrive as JSON envelopes on
 * `POST /connector/messages` (rest-inbound.ts), answers are POSTed to CONNECTOR_OUTBOUND_URL
 * (rest-outbound.ts). Without CONNECTOR_OUTBOUND_URL an api process serves the connector stand-in
 * (`/sandbox/connector/...`) and answers go there.
 */
import type { HealthCheck } from '../infra/health-check.js';
import type { Connector, ConnectorDeps, ConnectorSubmitter, ConnectorType, Standin } from './port.js';
import { classifyByCode, standinOptions } from './port.js';
import { createInboundRouter } from './rest-inbound.js';
import { createRestSubmitter } from './rest-outbound.js';
import type { Submitter } from '../exchange/ports.js';

/** The connector answers HTTP at `url` (HEAD; any status counts: it is reachability, not auth). */
export function connectorCheck(
  url: string,
  opts: { readonly timeoutMs?: number; readonly required?: boolean } = {},
): HealthCheck {
  return {
    name: 'connector',
    required: opts.required ?? false,
    timeoutMs: opts.timeoutMs,
    async check(signal) {
      const res = await fetch(url, { method: 'HEAD', signal, redirect: 'manual' });
      await res.body?.cancel();
      return `HTTP ${res.status}`;
    },
  };
}

async function openRest(deps: ConnectorDeps): Promise<Connector> {
  const { config, role, logger } = deps;
  const c = config.connector;
  if (role !== 'worker' && deps.inboundToken === undefined)
    throw new Error('CONNECTOR_INBOUND_TOKEN is required when REDIS_URL is set');
  const start = deps.standins.rest;
  let standin: Standin | undefined;
  if (role !== 'worker' && c.outboundUrl === undefined && start !== undefined)
    standin = await start(standinOptions(deps));
  const configured = c.outboundUrl;
  // The stand-in's address is this process's own, known once it listens: read when first used.
  const outboundUrl: (() => string) | undefined =
    configured !== undefined ? () => configured : standin === undefined ? undefined : () => standin.url();

  let submitter: ConnectorSubmitter | undefined;
  if (role !== 'api') {
    if (outboundUrl === undefined)
      throw new Error('CONNECTOR_OUTBOUND_URL is required for a worker without the embedded stand-in');
    let rest: Submitter | undefined;
    const restSubmitter = (): Submitter =>
      (rest ??= createRestSubmitter({ url: outboundUrl(), token: c.outboundToken, timeoutMs: c.outboundTimeoutMs }));
    if (configured !== undefined) restSubmitter();
    submitter = {
      submit: (exchangeRef, message) => restSubmitter().submit(exchangeRef, message),
      close: () => rest?.close?.(),
      classifyFailure: classifyByCode,
    };
  }
  const routes =
    role === 'worker' || deps.intake === undefined
      ? []
      : [
          createInboundRouter({
            store: deps.intake.store,
            queues: deps.intake.queues,
            token: deps.inboundToken!,
            maxBodyBytes: c.maxBodyBytes,
            logger,
          }),
        ];
  return {
    mode: 'rest',
    routes: [...routes, ...(standin?.routes ?? [])],
    startIntake: () => undefined,
    stopIntake: () => Promise.resolve(),
    submitter,
    health: outboundUrl !== undefined && role !== 'api' ? lazyCheck(outboundUrl) : undefined,
    sandbox: () => standin?.sandbox() ?? {},
    async close() {
      submitter?.close?.();
      await standin?.close?.();
    },
  };
}

/** connectorCheck of an address resolved when the check runs. */
function lazyCheck(url: () => string): HealthCheck {
  const named = connectorCheck('');
  return { ...named, check: (signal) => connectorCheck(url()).check(signal) };
}

export const restConnectorType: ConnectorType = { open: openRest };
