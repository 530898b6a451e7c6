/**
 * Builders of what produces evidence, shared by the worker and the CLI (`mappings try`, `mappings
 * validate --dagr`): the DAGR client (for the configured DAGR, or the embedded DAGR sandbox started
 * here), the renderer with its PDF assets, and the deps of a mapping try.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { providerAgent, type Config } from '../config.js';
import { createDagrClient, type DagrClient } from '../dagr/client.js';
import { dagrClientOptions, type DagrClientDeps } from '../dagr/from-config.js';
import type { XsdCheck } from '../edm/validate.js';
import type { RenderPort } from '../render/port.js';
import type { Logger } from '../infra/logger.js';
import type { TryDeps } from '../mapping-store/try-mapping.js';
import { createRenderer } from '../render/renderer.js';
import { readPdfAssets } from '../resources/fonts.js';
import { startEmbeddedDagrSandbox } from '../sandbox/dagr-embedded.js';

export interface DagrConnection {
  readonly client: DagrClient;
  /** The DAGR it talks to: the configured one, or the embedded sandbox's URL. */
  readonly url: string;
  /** True when this connection started the embedded DAGR sandbox. */
  readonly sandbox: boolean;
  /** Closes the client's sockets, then stops the sandbox it started. */
  close(): Promise<void>;
}

export interface ConnectDagrOptions extends Pick<DagrClientDeps, 'tokenCache' | 'onCall'> {
  /** Another DAGR than DAGR_BASE_URL (the CLI's `--dagr`); needs `privateKey`. */
  readonly baseUrl?: string | undefined;
  readonly privateKey?: KeyObject | string | undefined;
  /** Start the embedded DAGR sandbox even when DAGR_BASE_URL is set (the CLI without `--dagr`). */
  readonly sandbox?: boolean | undefined;
  /** Where the embedded sandbox listens; default HTTP_HOST. */
  readonly host?: string | undefined;
  readonly logger?: Logger | undefined;
}

/** The DAGR client of `opts.baseUrl` or DAGR_BASE_URL; with neither (or `opts.sandbox`), of the embedded DAGR sandbox. */
export async function connectDagr(config: Config, opts: ConnectDagrOptions = {}): Promise<DagrConnection> {
  const deps = {
    ...(opts.tokenCache === undefined ? {} : { tokenCache: opts.tokenCache }),
    ...(opts.onCall === undefined ? {} : { onCall: opts.onCall }),
    ...(opts.logger === undefined ? {} : { logger: opts.logger }),
  };
  const baseUrl = opts.sandbox === true ? undefined : (opts.baseUrl ?? config.dagr.baseUrl);
  if (baseUrl !== undefined) {
    const client = createDagrClient(dagrClientOptions(config.dagr, { ...deps, baseUrl, privateKey: opts.privateKey }));
    return { client, url: baseUrl, sandbox: false, close: () => Promise.resolve(client.close()) };
  }
  const dagrSandbox = await startEmbeddedDagrSandbox({
    host: opts.host ?? config.http.host,
    port: 0,
    clientId: config.dagr.clientId,
    keyFile: path.join(path.resolve(config.dataDir), 'dagr-sandbox-client.pem'),
    ...(opts.logger === undefined ? {} : { logger: opts.logger }),
  });
  const client = createDagrClient(
    dagrClientOptions(config.dagr, { ...deps, baseUrl: dagrSandbox.url, privateKey: dagrSandbox.privateKey }),
  );
  return {
    client,
    url: dagrSandbox.url,
    sandbox: true,
    async close() {
      client.close();
      await dagrSandbox.stop();
    },
  };
}

/** The renderer of the evidence (XML, PDF with the shipped fonts). */
export function createEvidenceRenderer(): RenderPort {
  return createRenderer(readPdfAssets());
}

/** What trying a mapping needs: the exchange's own DAGR client, renderer, provider and XSD. */
export function tryDepsFor(
  config: Config,
  deps: { readonly dagr: DagrClient; readonly renderer: RenderPort; readonly xsd: XsdCheck | undefined },
): TryDeps {
  return {
    dagr: deps.dagr,
    renderer: deps.renderer,
    provider: providerAgent(config.evidenceProvider),
    messageDomain: config.messageDomain,
    xsd: deps.xsd,
    uuid: randomUUID,
    now: () => new Date(),
  };
}
