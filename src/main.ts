/**
 * Runs the adapter in a role: api (connector intake, preview, admin), worker (queue processing) or
 * all. Picks the parts of the composition (src/compose/): the core every role needs, the
 * connector, the worker part, the api part, and the stand-ins of the embedded default where the
 * configuration leaves a service to it (no REDIS_URL / DAGR_BASE_URL / CONNECTOR_OUTBOUND_URL /
 * OIDC_ISSUER). Builds the whole app, then listens, then starts the workers. Owns shutdown.
 */
import { assertStartable, loadConfig, type Config, type Role } from './config.js';
import { createLogger, type Logger } from './infra/logger.js';
import { buildApi } from './compose/api.js';
import { assembleApp, listen } from './compose/app.js';
import { composeConnector } from './compose/connector.js';
import { buildCore } from './compose/core.js';
import { adminCredentialsFor, oidcIssuerFor, redisUrlFor, secretsFor } from './compose/embedded.js';
import type { OnStop, SandboxUrls, StopPhase } from './compose/shutdown.js';
import { buildWorker, yieldCpuToIntake } from './compose/worker.js';

export type { Role } from './config.js';

export interface Running {
  readonly role: Role;
  /** Base URL of the HTTP API (roles api and all). */
  readonly url: string | undefined;
  /** Where the embedded stand-ins listen, when they run in this process. */
  readonly sandbox: Readonly<SandboxUrls>;
  stop(): Promise<void>;
}

export async function start(
  config: Config = loadConfig(),
  options: { role?: Role; logger?: Logger } = {},
): Promise<Running> {
  const role = options.role ?? config.role;
  assertStartable(config, role);
  const logger = options.logger ?? createLogger(config.logLevel);
  const stops: { phase: StopPhase; run: () => Promise<void> | void }[] = [];
  const onStop: OnStop = (phase, run) => stops.push({ phase, run });
  const stopAll = async (): Promise<void> => {
    // Intake first, then in-flight jobs finish, then what they depend on.
    for (const { run } of [...stops].sort((a, b) => a.phase - b.phase)) {
      try {
        await run();
      } catch (error) {
        logger.warn({ err: error }, 'error during shutdown');
      }
    }
    stops.length = 0;
  };
  try {
    return await compose(config, role, logger, onStop, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function compose(
  config: Config,
  role: Role,
  logger: Logger,
  onStop: OnStop,
  stopAll: () => Promise<void>,
): Promise<Running> {
  const sandbox: SandboxUrls = {};
  if (role === 'worker') yieldCpuToIntake(config.queue.workerNiceness, logger);
  const redisUrl = await redisUrlFor(config, onStop, sandbox);
  const core = await buildCore({ config, role, logger, onStop, redisUrl, secrets: secretsFor(config), sandbox });
  const connector = await composeConnector(core, role);
  const submitter = connector.submitter;
  if (role !== 'api' && submitter === undefined) throw new Error(`connector ${connector.mode} has no submitter`);
  const worker = submitter === undefined ? undefined : await buildWorker(core, submitter);
  const api =
    role === 'worker'
      ? undefined
      : buildApi(core, {
          worker,
          adminCredentials: adminCredentialsFor(config),
          oidcIssuer: await oidcIssuerFor(config, onStop, sandbox),
        });
  const url = await listen(core, assembleApp(core, { connector, worker, api }));
  Object.assign(sandbox, connector.sandbox());
  // Workers start once every route answers (in the embedded default they deliver to this process).
  await worker?.start();
  connector.startIntake();

  const apiUrl = role === 'worker' ? undefined : url;
  logger.info({ role, api: apiUrl, sandbox }, 'adapter ready');
  return { role, url: apiUrl, sandbox, stop: stopAll };
}
