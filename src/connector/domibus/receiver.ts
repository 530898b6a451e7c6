/**
 * Receiving from the Domibus WS plugin: pull (listPendingMessages then retrieveMessage), push
 * (a notification, then the same retrieve; or a pushed full message), and a sweep that collects
 * what push missed and re-enqueues stored requests whose processing job was lost.
 *
 * Order per message, the point of this module: retrieve → store durably (acceptInbound) → only
 * then anything else (markMessageAsDownloaded in `confirm` mode, the process job). With the
 * PMode's `retention_downloaded="0"` a destructive retrieve is Domibus's last copy: the store
 * comes first and is retried briefly on a Redis error; the process job can always be recreated
 * from the store (the sweep's `listReceived`). In `confirm` mode (Domibus 5.1+) the message stays
 * pending until stored, so even a crash mid-retrieve loses nothing.
 *
 * Concurrency across api processes: a pull runs under a Redis lock (SET NX PX, token-checked
 * release and extension), and every retrieve under a per-message lock, so two processes never
 * retrieve the same message at once; a message delivered twice anyway collapses in the store by
 * its AS4 MessageId.
 */
import express from 'express';
import type { Cluster, Redis } from 'ioredis';
import { opaqueKeyPart } from '../../infra/keys.js';
import { acquireLock, extendLock, releaseLock } from '../../infra/lock.js';
import type { UserMessage } from '../../ebms/model.js';
import { AdapterError, XmlInputError } from '../../errors.js';
import type { Logger } from '../../infra/logger.js';
import type { ExchangeStore } from '../../store/exchange-store.js';
import { basicAuthorization, sameSecret } from './auth.js';
import { DomibusError, type DomibusClient } from './client.js';
import {
  isPushedMessage,
  parseNotification,
  parsePushedMessage,
  type PendingFilter,
  type WsMessage,
} from './messages.js';
import {
  faultEnvelope,
  readSoap,
  SOAP12_CONTENT_TYPE,
  SOAP_XML_LIMITS,
  SoapProtocolError,
  soapEnvelope,
  type FaultSpec,
  type SoapDocument,
} from './soap.js';

export interface DomibusReceiverOptions {
  readonly client: Pick<DomibusClient, 'listPendingMessages' | 'retrieveMessage' | 'markMessageAsDownloaded'>;
  readonly store: Pick<ExchangeStore, 'acceptInbound' | 'getState' | 'listReceived'>;
  readonly queues: { enqueueProcess(exchangeRef: string): Promise<void> };
  /** Redis for the locks (the store's client is fine). */
  readonly redis: Redis | Cluster;
  /** Key prefix of the locks, e.g. `{oots}:domibus:`. */
  readonly prefix: string;
  readonly logger: Logger;
  /** See DOMIBUS_RETRIEVE_MODE. Default `destructive`. */
  readonly retrieveMode?: 'destructive' | 'confirm';
  /** listPendingMessages filter (e.g. our finalRecipient). Default none. */
  readonly filter?: PendingFilter;
  /** Scheduled pull period; 0 = none. */
  readonly pullIntervalMs: number;
  /** Sweep period (pull + re-enqueue of stored requests left in `received`); 0 = none. */
  readonly sweepIntervalMs: number;
  /** Requests stored at least this long ago and still `received` are re-enqueued by the sweep. Default 60000. */
  readonly recoverAfterMs?: number;
  /** Most messages retrieved per pull. Default 100. */
  readonly maxPerRun?: number;
  /** Lifetime of a lock, ms (extended while a pull runs). Default 120000. */
  readonly lockTtlMs?: number;
  readonly now?: () => Date;
}

export type FetchOutcome = 'stored' | 'duplicate' | 'ignored' | 'gone' | 'busy' | 'failed';

export interface PullReport {
  /** True when another process held the pull lock (nothing done here). */
  readonly skipped: boolean;
  readonly listed: number;
  readonly outcomes: Readonly<Record<FetchOutcome, number>>;
}

export interface DomibusReceiver {
  /** One pull now (single-flight in this process and across processes). Never throws for one bad message. */
  pullNow(): Promise<PullReport>;
  /** Retrieves one message by id, stores it, enqueues it (push notifications, tests). */
  fetch(messageId: string, source: 'pull' | 'push'): Promise<FetchOutcome>;
  /** Stores a message that arrived whole (a push of the full message), then enqueues it. */
  accept(message: WsMessage, source: 'push'): Promise<FetchOutcome>;
  /** Re-enqueues stored requests still `received` (lost enqueue after a crash). Returns how many. */
  recover(): Promise<number>;
  /** Pull + recover. */
  sweep(): Promise<PullReport & { readonly recovered: number }>;
  /** Starts the schedules (pull, sweep). */
  start(): void;
  /** Stops the schedules and waits for a running pull. */
  stop(): Promise<void>;
}

const STORE_ATTEMPTS = 4;

const emptyOutcomes = (): Record<FetchOutcome, number> => ({
  stored: 0,
  duplicate: 0,
  ignored: 0,
  gone: 0,
  busy: 0,
  failed: 0,
});

const errInfo = (err: unknown): { code?: string; message: string } =>
  err instanceof AdapterError
    ? { code: err.code, message: err.message }
    : { message: err instanceof Error ? err.message : String(err) };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the receiver's steps share: the options with their defaults applied. */
interface ReceiverState {
  readonly opts: DomibusReceiverOptions;
  readonly log: Logger;
  readonly mode: 'destructive' | 'confirm';
  readonly ttl: number;
  readonly now: () => Date;
  readonly pullKey: string;
  /** The pull running in this process, if any (single-flight). */
  running: Promise<PullReport> | undefined;
}

// Message ids are not personal data, but keys stay opaque like the store's.
const msgKey = (r: ReceiverState, id: string): string => `${r.opts.prefix}lock:msg:${opaqueKeyPart(id)}`;

async function unlock(r: ReceiverState, key: string, token: string): Promise<void> {
  await releaseLock(r.opts.redis, key, token).catch((err: unknown) =>
    r.log.warn({ err: errInfo(err) }, 'lock release failed'),
  );
}

const isRequest = (message: WsMessage): boolean => message.userMessage.action === 'ExecuteQueryRequest';

/** The durable store, retried briefly: after a destructive retrieve it holds the only copy. */
async function storeAndEnqueue(r: ReceiverState, message: WsMessage, source: 'pull' | 'push'): Promise<FetchOutcome> {
  const { store, queues } = r.opts;
  const um: UserMessage = message.userMessage;
  let result: { exchangeRef: string; duplicate: boolean } | undefined;
  for (let attempt = 1; result === undefined; attempt++) {
    try {
      result = await store.acceptInbound({
        userMessage: um,
        payloads: message.payloads,
        receivedAt: r.now().toISOString(),
      });
    } catch (err) {
      if (attempt >= STORE_ATTEMPTS) throw err;
      r.log.warn({ err: errInfo(err), messageId: um.messageId, attempt }, 'store failed; retrying');
      await sleep(200 * 2 ** (attempt - 1));
    }
  }
  const { exchangeRef, duplicate } = result;
  // Like the REST intake: a duplicate still enqueues while the exchange waits in `received`
  // (its first enqueue may have been lost in a crash); the job id collapses the rest.
  if (!duplicate || (await store.getState(exchangeRef)) === 'received') await queues.enqueueProcess(exchangeRef);
  r.log.info(
    { exchangeRef, messageId: um.messageId, conversationId: um.conversationId, duplicate, source },
    'request accepted',
  );
  return duplicate ? 'duplicate' : 'stored';
}

/** Retrieves one message under its lock, stores it, enqueues it. */
async function fetchOne(r: ReceiverState, messageId: string, source: 'pull' | 'push'): Promise<FetchOutcome> {
  const { client } = r.opts;
  const key = msgKey(r, messageId);
  const token = await acquireLock(r.opts.redis, key, r.ttl);
  if (token === undefined) return 'busy';
  try {
    let message: WsMessage;
    try {
      message = await client.retrieveMessage(messageId, r.mode === 'confirm' ? { markAsDownloaded: false } : {});
    } catch (err) {
      if (
        err instanceof DomibusError &&
        err.code === 'ERR_DOMIBUS_FAULT' &&
        /WS_PLUGIN:0009|not found/i.test(err.message)
      ) {
        r.log.info({ messageId, source }, 'message already retrieved elsewhere');
        return 'gone';
      }
      throw err;
    }
    if (!isRequest(message)) {
      // Already downloaded (destructive mode): nothing the pipeline can answer. Loud, not silent.
      r.log.error(
        { messageId, action: message.userMessage.action, service: message.userMessage.service, source },
        'retrieved a message that is not an ExecuteQueryRequest; not processed',
      );
      if (r.mode === 'confirm') await client.markMessageAsDownloaded(messageId);
      return 'ignored';
    }
    const outcome = await storeAndEnqueue(r, message, source);
    if (r.mode === 'confirm') {
      // After the store: a failure here only means the next pull retrieves a duplicate.
      await client
        .markMessageAsDownloaded(messageId)
        .catch((err: unknown) =>
          r.log.warn({ err: errInfo(err), messageId }, 'markMessageAsDownloaded failed; the next pull retries'),
        );
    }
    return outcome;
  } finally {
    await unlock(r, key, token);
  }
}

async function acceptWhole(r: ReceiverState, message: WsMessage, source: 'push'): Promise<FetchOutcome> {
  if (!isRequest(message)) {
    r.log.error(
      { messageId: message.userMessage.messageId, action: message.userMessage.action },
      'pushed message is not an ExecuteQueryRequest; not processed',
    );
    return 'ignored';
  }
  return storeAndEnqueue(r, message, source);
}

/** One pull under the cross-process pull lock, extended after each message. */
async function pullOnce(r: ReceiverState): Promise<PullReport> {
  const { redis, client } = r.opts;
  const token = await acquireLock(redis, r.pullKey, r.ttl);
  if (token === undefined) return { skipped: true, listed: 0, outcomes: emptyOutcomes() };
  const outcomes = emptyOutcomes();
  try {
    const ids = await client.listPendingMessages(r.opts.filter);
    for (const id of ids.slice(0, r.opts.maxPerRun ?? 100)) {
      try {
        outcomes[await fetchOne(r, id, 'pull')]++;
      } catch (err) {
        outcomes.failed++;
        r.log.warn({ err: errInfo(err), messageId: id }, 'retrieving a pending message failed; the next pull retries');
      }
      if (!(await extendLock(redis, r.pullKey, token, r.ttl))) {
        r.log.warn('pull lock lost; stopping this pull');
        break;
      }
    }
    if (ids.length > 0) r.log.info({ listed: ids.length, ...outcomes }, 'pull done');
    return { skipped: false, listed: ids.length, outcomes };
  } finally {
    await unlock(r, r.pullKey, token);
  }
}

function pullNow(r: ReceiverState): Promise<PullReport> {
  r.running ??= pullOnce(r).finally(() => {
    r.running = undefined;
  });
  return r.running;
}

async function recover(r: ReceiverState): Promise<number> {
  const refs = await r.opts.store.listReceived(r.opts.recoverAfterMs ?? 60_000, 1000);
  for (const ref of refs) await r.opts.queues.enqueueProcess(ref);
  if (refs.length > 0) r.log.warn({ count: refs.length }, 're-enqueued stored requests still waiting for processing');
  return refs.length;
}

/** Runs named jobs every period (a new round only after the last one ended); stop waits for running rounds. */
function createSchedules(log: Logger): {
  schedule(name: string, periodMs: number, run: () => Promise<unknown>): void;
  readonly stopped: boolean;
  resume(): void;
  stop(): Promise<void>;
} {
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  let stopped = true;
  function schedule(name: string, periodMs: number, run: () => Promise<unknown>): void {
    if (periodMs <= 0) return;
    const tick = (): void => {
      const t = setTimeout(() => {
        timers.delete(t);
        if (stopped) return;
        const p: Promise<unknown> = run()
          .catch((err: unknown) => log.warn({ err: errInfo(err), schedule: name }, `scheduled ${name} failed`))
          .finally(() => {
            inFlight.delete(p);
            if (!stopped) tick();
          });
        inFlight.add(p);
      }, periodMs);
      timers.add(t);
    };
    tick();
  }
  return {
    schedule,
    get stopped() {
      return stopped;
    },
    resume() {
      stopped = false;
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}

export function createDomibusReceiver(opts: DomibusReceiverOptions): DomibusReceiver {
  const log = opts.logger.child({ component: 'domibus-receiver' });
  const r: ReceiverState = {
    opts,
    log,
    mode: opts.retrieveMode ?? 'destructive',
    ttl: opts.lockTtlMs ?? 120_000,
    now: opts.now ?? (() => new Date()),
    pullKey: `${opts.prefix}lock:pull`,
    running: undefined,
  };
  const schedules = createSchedules(log);
  const sweep = async (): Promise<PullReport & { recovered: number }> => {
    const report = await pullNow(r);
    const recovered = await recover(r);
    return { ...report, recovered };
  };
  return {
    pullNow: () => pullNow(r),
    fetch: (messageId, source) => fetchOne(r, messageId, source),
    accept: (message, source) => acceptWhole(r, message, source),
    recover: () => recover(r),
    sweep,
    start() {
      if (!schedules.stopped) return;
      schedules.resume();
      schedules.schedule('pull', opts.pullIntervalMs, () => pullNow(r));
      schedules.schedule('sweep', opts.sweepIntervalMs, sweep);
    },
    async stop() {
      await schedules.stop();
      await r.running?.catch(() => undefined);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Push endpoint

export const DOMIBUS_PUSH_PATH = '/connector/domibus/push';

export interface DomibusPushDeps {
  readonly receiver: Pick<DomibusReceiver, 'fetch' | 'accept'>;
  /** Basic-auth credentials Domibus presents (wsplugin.push.auth.username / .password). */
  readonly user: string;
  readonly password: string;
  readonly logger: Logger;
  /** Largest pushed body (a full message carries base64 payloads). Default 128 MiB. */
  readonly maxBodyBytes?: number;
  /** Reads a pushed body; production passes the parse threads' (a time limit, off the event loop). */
  readonly readSoap?: (body: Uint8Array) => SoapDocument | Promise<SoapDocument>;
}

/**
 * `POST /connector/domibus/push`, the endpoint of WS plugin push rules. It speaks
 * BackendService.wsdl (namespace `eu.domibus`, children unqualified), the API the plugin pushes:
 * - `receiveSuccess` (push rule RECEIVE_SUCCESS): retrieve + store + enqueue before the answer,
 *   so a failure answers a fault with 503 and the rule's retry applies (the sweep collects
 *   anything left);
 * - `submitRequest` with its `{eu.domibus}Messaging` header (push rule SUBMIT_MESSAGE, the full
 *   message): stored durably first, then answered with the WSDL's `submitRequestResponse`, which
 *   has no part: an empty body;
 * - the other notifications of the WSDL (sendSuccess, sendFailure, receiveFailure,
 *   messageStatusChange, delete, deleteBatch): acknowledged (empty body) and logged; the submitter
 *   tracks its submissions by status.
 * Anything else (another namespace, an unknown element, a full message that is not an
 * ExecuteQueryRequest) is refused with a SOAP fault, which Domibus retries and then lists as a
 * failed push: never a 200 that drops it.
 */
export function createDomibusPushRouter(deps: DomibusPushDeps): express.Router {
  if (deps.password.length < 16) throw new Error('Domibus push password must be at least 16 characters');
  const router = express.Router();
  const log = deps.logger.child({ route: DOMIBUS_PUSH_PATH });
  const expected = basicAuthorization(deps.user, deps.password);
  const ack = (res: express.Response): void => {
    res.status(200).type(SOAP12_CONTENT_TYPE).send(soapEnvelope(''));
  };
  const refuse = (res: express.Response, status: number, spec: FaultSpec): void => {
    res.status(status).type(SOAP12_CONTENT_TYPE).send(faultEnvelope(spec));
  };

  router.post(
    DOMIBUS_PUSH_PATH,
    (req, res, next) => {
      if (!sameSecret(req.get('authorization') ?? '', expected)) {
        res.set('WWW-Authenticate', 'Basic realm="domibus-push"').status(401).type('text/plain').send('Unauthorized');
        return;
      }
      next();
    },
    express.raw({ type: () => true, limit: deps.maxBodyBytes ?? SOAP_XML_LIMITS.maxBytes }),
    async (req: express.Request, res: express.Response) => {
      let doc: SoapDocument;
      try {
        doc = await (deps.readSoap ?? readSoap)(req.body as Buffer);
      } catch (err) {
        if (!(err instanceof XmlInputError || err instanceof SoapProtocolError)) {
          // Not the body's fault (the parse threads are busy, or one died): Domibus pushes it again.
          log.warn({ err: errInfo(err) }, 'push not read this time');
          refuse(res, 503, { code: 'Receiver', reason: 'temporarily unable to read the message; retry later' });
          return;
        }
        log.info({ err: errInfo(err) }, 'unreadable push');
        refuse(res, 400, { code: 'Sender', reason: 'not a SOAP 1.2 envelope' });
        return;
      }
      try {
        if (isPushedMessage(doc)) {
          const message = parsePushedMessage(doc);
          const outcome = await deps.receiver.accept(message, 'push');
          if (outcome === 'ignored') {
            refuse(res, 500, {
              code: 'Sender',
              reason: `message ${message.userMessage.messageId.slice(0, 255)} is not an ExecuteQueryRequest; not taken`,
            });
            return;
          }
          log.debug({ messageId: message.userMessage.messageId, outcome }, 'pushed message stored');
          ack(res);
          return;
        }
        const note = parseNotification(doc);
        if (note.kind === 'receiveSuccess') {
          if (note.messageId === undefined) throw new SoapProtocolError('receiveSuccess without messageID');
          const outcome = await deps.receiver.fetch(note.messageId, 'push');
          log.debug({ messageId: note.messageId, outcome }, 'receiveSuccess handled');
        } else {
          log.debug({ kind: note.kind, messageId: note.messageId }, 'push notification acknowledged');
        }
        ack(res);
      } catch (err) {
        const info = errInfo(err);
        if (err instanceof AdapterError && (err.code === 'ERR_EDM_INVALID' || err.code === 'ERR_DOMIBUS_PROTOCOL')) {
          log.warn({ err: info }, 'push refused');
          refuse(res, 500, { code: 'Sender', reason: info.message.slice(0, 300) });
          return;
        }
        log.error({ err: info }, 'push could not be handled; Domibus retries, the sweep collects');
        refuse(res, 503, { code: 'Receiver', reason: 'temporarily unable to take the message; retry later' });
      }
    },
  );
  return router;
}
