/**
 * The Domibus WS plugin connector against the stand-in, on a real Redis: pull and push deliver
 * into the store and the process queue; a crash between the store and the job (a child process
 * SIGKILLed) and a crash mid-retrieve in confirm mode lose nothing; a submit that fails twice is
 * sent once; a lost submit answer is not sent twice; SEND_FAILURE is surfaced with Domibus's text.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Redis } from 'ioredis';
import { createDomibusClient, domibusSelfTest, type DomibusClient } from '../../src/connector/domibus/client.js';
import {
  outboundParts,
  parseSubmitRequest,
  pushedMessageRequest,
  pushNotification,
  receiveSuccessNotification,
  retrieveMessageRequest,
  submitRequest,
  type PendingFilter,
  type WsMessage,
} from '../../src/connector/domibus/messages.js';
import { basicAuthorization } from '../../src/connector/domibus/auth.js';
import {
  createDomibusPushRouter,
  createDomibusReceiver,
  DOMIBUS_PUSH_PATH,
  type DomibusReceiver,
} from '../../src/connector/domibus/receiver.js';
import { readSoap } from '../../src/connector/domibus/soap.js';
import { checkPluginWsdl } from '../../src/connector/domibus/wsdl-check.js';
import { createDomibusSubmitter } from '../../src/connector/domibus/submitter.js';
import { createDomibusConnector } from '../../src/connector/domibus/index.js';
import { loadConfig } from '../../src/config.js';
import { parseEnvelope } from '../../src/connector/envelope.js';
import { generateKey } from '../../src/infra/aead.js';
import { findMessaging, parseUserMessage } from '../../src/ebms/parse-header.js';
import { AdapterError } from '../../src/errors.js';
import { createLogger } from '../../src/infra/logger.js';
import { createQueues, type Queues } from '../../src/queue/queues.js';
import { startDomibusStandin, type DomibusStandin, type StandinEvent } from '../../src/sandbox/domibus-standin.js';
import { loadWsPluginValidator } from '../../src/resources/domibus-schemas.js';
import { createExchangeStore } from '../../src/store/exchange-store.js';
import {
  deleteKeys,
  MARKER,
  outboundMessage,
  REDIS_URL,
  requestEnvelope,
  testPrefix,
} from '../support/connector-fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const logger = createLogger('silent');
const redis = new Redis(REDIS_URL);
const prefix = testPrefix('domibus');
const storePrefix = `${prefix}store:`;
const lockPrefix = `${prefix}domibus:`;
const queuePrefix = prefix.slice(0, -1);
const key = generateKey();
const store = createExchangeStore(redis, { prefix: storePrefix, key, ttlSeconds: 600 });
const USER = 'oots_backend';
const PASSWORD = 'plugin-user-password-1';
const PUSH_PASSWORD = 'push-password-0123456789';

const events: StandinEvent[] = [];
const validator = loadWsPluginValidator();
const listeners = new Set<(e: StandinEvent) => void>();
let standin: DomibusStandin;
let client: DomibusClient;
let queues: Queues;
const processed: string[] = [];
const failed: { name: string; ref: string; error: unknown }[] = [];
const deliverAttempts = new Map<string, number>();
let submitter: ReturnType<typeof createDomibusSubmitter>;
let pushServer: http.Server;
const children = new Set<ChildProcess>();
const receivers: DomibusReceiver[] = [];

function request(opts: { messageId?: string } = {}): WsMessage {
  const { userMessage, payloads } = parseEnvelope(requestEnvelope({ ...opts, withPdf: true }));
  return { userMessage, payloads };
}

function receiver(extra: Partial<Parameters<typeof createDomibusReceiver>[0]> = {}): DomibusReceiver {
  const r = createDomibusReceiver({
    client,
    store,
    queues,
    redis,
    prefix: lockPrefix,
    logger,
    pullIntervalMs: 0,
    sweepIntervalMs: 0,
    recoverAfterMs: 0,
    ...extra,
  });
  receivers.push(r);
  return r;
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The exchange stored for an AS4 MessageId (via a duplicate accept: same ref, nothing stored). */
async function refOf(message: WsMessage): Promise<{ exchangeRef: string; duplicate: boolean }> {
  return store.acceptInbound({
    userMessage: message.userMessage,
    payloads: message.payloads,
    receivedAt: '2024-01-01T00:00:00Z',
  });
}

beforeAll(async () => {
  standin = await startDomibusStandin({
    user: USER,
    password: PASSWORD,
    onEvent: (e) => {
      events.push(e);
      for (const l of listeners) l(e);
    },
  });
  client = createDomibusClient({ url: standin.url, user: USER, password: PASSWORD, timeoutMs: 2000 });
  queues = createQueues({
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    prefix: queuePrefix,
    logger,
    deliveryBackoffMs: 20,
    deliveryBackoffMaxMs: 100,
  });
  submitter = createDomibusSubmitter({
    client,
    redis,
    prefix: lockPrefix,
    ttlSeconds: 600,
    logger,
    ackPolls: 2,
    ackPollIntervalMs: 10,
  });
  await queues.startWorkers(
    {
      process: async (ref) => {
        processed.push(ref);
        await store.markState(ref, 'processing');
      },
      deliver: async (ref) => {
        deliverAttempts.set(ref, (deliverAttempts.get(ref) ?? 0) + 1);
        const out = await store.loadOutbound(ref);
        if (out === undefined) throw new Error('no outbound');
        await submitter.submit(ref, out);
        await store.markState(ref, 'delivered');
      },
      onFailed: (name, ref, error) => {
        failed.push({ name, ref, error });
        return Promise.resolve();
      },
    },
    { concurrency: 4 },
  );
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const r of receivers) await r.stop();
  await queues.close(2000);
  client.close();
  await standin.close();
  if (pushServer !== undefined) await new Promise<void>((r) => pushServer.close(() => r()));
  validator.dispose();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('receiving by pull', () => {
  test('a pending request is retrieved, stored, enqueued; the destructive retrieve empties the inbox', async () => {
    const msg = request();
    await standin.deliver(msg);
    const report = await receiver().pullNow();
    expect(report).toMatchObject({ skipped: false, listed: 1, outcomes: { stored: 1, failed: 0 } });
    expect(standin.pending()).not.toContain(msg.userMessage.messageId);
    const { exchangeRef, duplicate } = await refOf(msg);
    expect(duplicate).toBe(true);
    const loaded = await store.loadInbound(exchangeRef);
    expect(loaded?.userMessage).toEqual(msg.userMessage);
    expect(Buffer.from(loaded!.payloads[0]!.bytes).toString()).toContain(MARKER);
    expect(loaded!.payloads.map((p) => [p.href, p.mimeType])).toEqual(msg.payloads.map((p) => [p.href, p.mimeType]));
    await eventually(() => processed.includes(exchangeRef), 'the process job');
  });

  test('the same message delivered again collapses into the first exchange', async () => {
    const msg = request();
    await standin.deliver(msg);
    await receiver().pullNow();
    await standin.deliver(msg);
    const report = await receiver().pullNow();
    expect(report.outcomes).toMatchObject({ duplicate: 1, stored: 0 });
  });

  test('scheduled: a message is pulled without anyone asking', async () => {
    const r = receiver({ pullIntervalMs: 30 });
    r.start();
    const msg = request();
    await standin.deliver(msg);
    await eventually(() => !standin.pending().includes(msg.userMessage.messageId), 'the scheduled pull');
    const { exchangeRef } = await refOf(msg);
    await eventually(() => processed.includes(exchangeRef), 'the process job');
    await r.stop();
  });

  test('two processes pulling at once retrieve every message exactly once', async () => {
    const msgs = Array.from({ length: 6 }, () => request());
    for (const m of msgs) await standin.deliver(m);
    const before = events.length;
    standin.faults.setLatency(20);
    const otherClient = createDomibusClient({ url: standin.url, user: USER, password: PASSWORD, timeoutMs: 5000 });
    try {
      const [a, b] = await Promise.all([receiver().pullNow(), receiver({ client: otherClient }).pullNow()]);
      expect(a.outcomes.stored + b.outcomes.stored).toBe(6);
      expect(a.outcomes.duplicate + b.outcomes.duplicate).toBe(0);
    } finally {
      standin.faults.setLatency(0);
      otherClient.close();
    }
    const retrieves = events.slice(before).filter((e) => e.type === 'retrieve');
    const ids = msgs.map((m) => m.userMessage.messageId);
    for (const id of ids) expect(retrieves.filter((e) => e.type === 'retrieve' && e.messageId === id)).toHaveLength(1);
  });

  test('a message that is not an ExecuteQueryRequest is not stored', async () => {
    const msg = request();
    const odd = { ...msg, userMessage: { ...msg.userMessage, action: 'ExecuteQueryResponse' } };
    await standin.deliver(odd);
    const report = await receiver().pullNow();
    expect(report.outcomes.ignored).toBe(1);
    expect((await refOf(odd)).duplicate).toBe(false);
  });
});

describe('receiving by push', () => {
  let pushing: DomibusStandin;
  let pushClient: DomibusClient;
  let pushUrl: string;
  // The router's receiver talks to the stand-in that pushes to it; both need the other's URL.
  const lazy: Pick<DomibusClient, 'listPendingMessages' | 'retrieveMessage' | 'markMessageAsDownloaded'> = {
    listPendingMessages: (f) => pushClient.listPendingMessages(f),
    retrieveMessage: (id, o) => pushClient.retrieveMessage(id, o),
    markMessageAsDownloaded: (id) => pushClient.markMessageAsDownloaded(id),
  };

  beforeAll(async () => {
    const app = express();
    app.use(
      createDomibusPushRouter({
        receiver: receiver({ client: lazy }),
        user: 'domibus-push',
        password: PUSH_PASSWORD,
        logger,
      }),
    );
    pushServer = http.createServer(app).listen(0, '127.0.0.1');
    await once(pushServer, 'listening');
    pushUrl = `http://127.0.0.1:${(pushServer.address() as AddressInfo).port}${DOMIBUS_PUSH_PATH}`;
    pushing = await startDomibusStandin({
      user: USER,
      password: PASSWORD,
      pushUrl,
      pushUser: 'domibus-push',
      pushPassword: PUSH_PASSWORD,
      onEvent: (e) => events.push(e),
    });
    pushClient = createDomibusClient({ url: pushing.url, user: USER, password: PASSWORD, timeoutMs: 300 });
  });
  afterAll(async () => {
    pushClient.close();
    await pushing.close();
  });
  afterEach(() => expect(pushing.invalidAnswers()).toEqual([]));

  test('receiveSuccess: retrieved, stored and enqueued before the push is answered', async () => {
    const msg = request();
    await pushing.deliver(msg); // resolves once the push was answered
    expect(events.filter((e) => e.type === 'push' && e.messageId === msg.userMessage.messageId)).toEqual([
      { type: 'push', messageId: msg.userMessage.messageId, kind: 'receiveSuccess', httpStatus: 200, ok: true },
    ]);
    expect(pushing.pending()).not.toContain(msg.userMessage.messageId);
    const { exchangeRef, duplicate } = await refOf(msg);
    expect(duplicate).toBe(true);
    await eventually(() => processed.includes(exchangeRef), 'the process job');
  });

  test('a push that cannot be handled answers 503 and leaves the message for the sweep', async () => {
    const msg = request();
    pushing.faults.failNextRetrieves(1); // Domibus briefly unavailable
    await pushing.deliver(msg);
    expect(events.filter((e) => e.type === 'push' && e.messageId === msg.userMessage.messageId)).toEqual([
      { type: 'push', messageId: msg.userMessage.messageId, kind: 'receiveSuccess', httpStatus: 503, ok: false },
    ]);
    expect(pushing.pending()).toContain(msg.userMessage.messageId);
    const report = await receiver({ client: lazy }).sweep();
    expect(report.outcomes.stored).toBe(1);
    expect(pushing.pending()).not.toContain(msg.userMessage.messageId);
    const { duplicate } = await refOf(msg);
    expect(duplicate).toBe(true);
  });

  const post = (body: string, password = PUSH_PASSWORD): Promise<Response> =>
    fetch(pushUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/soap+xml',
        authorization: basicAuthorization('domibus-push', password),
      },
      body,
    });

  test('a pushed full message ({eu.domibus}submitRequest) is stored, then answered with the empty submitRequestResponse; wrong credentials get 401', async () => {
    const msg = request();
    const bad = await post(pushedMessageRequest(msg), 'wrong-password-0000000');
    expect(bad.status).toBe(401);
    expect((await refOf(msg)).duplicate).toBe(false);
    const msg2 = request();
    const body = pushedMessageRequest(msg2);
    expect(validator.validate(body)).toEqual([]);
    const ok = await post(body);
    expect(ok.status).toBe(200);
    const answer = readSoap(await ok.text());
    expect(answer.fault).toBeUndefined();
    expect(answer.body.children).toEqual([]); // submitRequestResponse has no part
    const { exchangeRef, duplicate } = await refOf(msg2);
    expect(duplicate).toBe(true);
    const stored = await store.loadInbound(exchangeRef);
    expect(stored?.userMessage).toEqual(msg2.userMessage);
    expect(stored!.payloads.map((p) => [p.href, p.mimeType, Buffer.from(p.bytes).toString('base64')])).toEqual(
      msg2.payloads.map((p) => [p.href, p.mimeType, Buffer.from(p.bytes).toString('base64')]),
    );
    await eventually(() => processed.includes(exchangeRef), 'the process job');
  });

  /** A stand-in whose push rule is SUBMIT_MESSAGE with wsplugin.push.markAsDownloaded=true. */
  const submitMessagePusher = (url: string): Promise<DomibusStandin> =>
    startDomibusStandin({
      user: USER,
      password: PASSWORD,
      pushUrl: url,
      pushUser: 'domibus-push',
      pushPassword: PUSH_PASSWORD,
      pushType: 'submitRequest',
      pushMarkAsDownloaded: true,
      onEvent: (e) => events.push(e),
    });

  test('a stand-in with push rule SUBMIT_MESSAGE: the full message is pushed, stored, and marked downloaded on success', async () => {
    const full = await submitMessagePusher(pushUrl);
    try {
      const msg = request();
      await full.deliver(msg);
      expect(events.filter((e) => e.type === 'push' && e.messageId === msg.userMessage.messageId)).toEqual([
        { type: 'push', messageId: msg.userMessage.messageId, kind: 'submitRequest', httpStatus: 200, ok: true },
      ]);
      expect(full.pending()).not.toContain(msg.userMessage.messageId);
      expect(full.invalidAnswers()).toEqual([]); // the push itself is a valid BackendService.wsdl message
      const { exchangeRef, duplicate } = await refOf(msg);
      expect(duplicate).toBe(true);
      await eventually(() => processed.includes(exchangeRef), 'the process job');
    } finally {
      await full.close();
    }
  });

  test('the same full message pushed twice (a push retry): both answered, one exchange, processed once', async () => {
    const msg = request();
    const [a, b] = await Promise.all([post(pushedMessageRequest(msg)), post(pushedMessageRequest(msg))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const { exchangeRef, duplicate } = await refOf(msg);
    expect(duplicate).toBe(true);
    await eventually(() => processed.includes(exchangeRef), 'the process job');
    expect(processed.filter((r) => r === exchangeRef)).toHaveLength(1);
  });

  test('a full message that cannot be stored is answered with a retried fault, never 200; the stand-in keeps it pending', async () => {
    const failing = express();
    failing.use(
      createDomibusPushRouter({
        receiver: receiver({
          client: lazy,
          store: {
            ...store,
            acceptInbound: () => Promise.reject(new Error('Redis down (test)')),
          },
        }),
        user: 'domibus-push',
        password: PUSH_PASSWORD,
        logger,
      }),
    );
    const server = http.createServer(failing).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${DOMIBUS_PUSH_PATH}`;
    const full = await submitMessagePusher(url);
    try {
      const msg = request();
      await full.deliver(msg);
      expect(events.filter((e) => e.type === 'push' && e.messageId === msg.userMessage.messageId)).toEqual([
        { type: 'push', messageId: msg.userMessage.messageId, kind: 'submitRequest', httpStatus: 503, ok: false },
      ]);
      expect(full.pending()).toContain(msg.userMessage.messageId);
      expect((await refOf(msg)).duplicate).toBe(false);
    } finally {
      await full.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 20_000);

  test.each([
    ['a submitRequest in the pull API namespace (Domibus never pushes that)', () => submitRequest(request())],
    ['an element BackendService.wsdl does not define', () => pushNotification('receiveSomething', 'm@x')],
    [
      'a notification in the pull API namespace',
      () => receiveSuccessNotification('m@x').replace(/eu\.domibus"/, 'http://eu.domibus.wsplugin/"'),
    ],
    [
      'a full message that is not an ExecuteQueryRequest',
      () => {
        const m = request();
        return pushedMessageRequest({ ...m, userMessage: { ...m.userMessage, action: 'ExecuteQueryResponse' } });
      },
    ],
  ])(
    'refused with a SOAP fault (Domibus retries it, then lists it as failed), never a 200: %s',
    async (_name, body) => {
      const xml = body();
      const res = await post(xml);
      expect(res.status).toBe(500);
      expect(readSoap(await res.text()).fault).toMatchObject({ code: 'Sender' });
    },
  );

  test('other notifications of the WSDL are acknowledged with an empty body', async () => {
    for (const kind of ['sendSuccess', 'sendFailure', 'receiveFailure']) {
      const res = await post(pushNotification(kind, 'm@x'));
      expect(res.status).toBe(200);
      expect(readSoap(await res.text()).body.children).toEqual([]);
    }
    const change = await post(
      pushNotification('messageStatusChange', 'm@x', '      <messageStatus>ACKNOWLEDGED</messageStatus>\n'),
    );
    expect(change.status).toBe(200);
  });
});

describe('no message lost', () => {
  const childPath = path.join(here, 'domibus-receiver-child.ts');

  function runChild(env: Record<string, string>): {
    child: ChildProcess;
    line: (re: RegExp) => Promise<string>;
    exited: Promise<unknown>;
  } {
    const base = { ...process.env };
    delete base.NODE_OPTIONS;
    const child = spawn(process.execPath, ['--import', 'tsx', childPath], {
      cwd: path.join(here, '../..'),
      env: {
        ...base,
        REDIS_URL,
        STORE_PREFIX: storePrefix,
        STORE_KEY: key.toString('base64'),
        QUEUE_PREFIX: queuePrefix,
        LOCK_PREFIX: lockPrefix,
        DOMIBUS_URL: standin.url,
        DOMIBUS_USER: USER,
        DOMIBUS_PASSWORD: PASSWORD,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    let err = '';
    const waiters: { re: RegExp; resolve: (s: string) => void }[] = [];
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const w of [...waiters]) {
        const m = w.re.exec(out);
        if (m !== null) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m[0]);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited: Promise<unknown> = once(child, 'exit').then((r: unknown) => {
      children.delete(child);
      return r;
    });
    const line = (re: RegExp): Promise<string> =>
      new Promise((resolve, reject) => {
        const m = re.exec(out);
        if (m !== null) return resolve(m[0]);
        waiters.push({ re, resolve });
        void exited.then(() =>
          setTimeout(() => reject(new Error(`child exited before ${String(re)}: ${out} ${err}`)), 50),
        );
      });
    return { child, line, exited };
  }

  /** Runs sweeps in fresh child processes until one gets the pull lock (a killed one may hold it for its TTL). */
  async function sweepInChild(mode: string): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const c = runChild({ ACTION: 'sweep', RETRIEVE_MODE: mode, HANG_BEFORE_ENQUEUE: '0' });
      const done = await c.line(/done .*\n/);
      await c.exited;
      if (!done.includes('"skipped":true')) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('no sweep got the pull lock');
  }

  test('a crash between the store and the enqueue: the sweep re-enqueues the stored request', async () => {
    const msg = request();
    await standin.deliver(msg);
    const crashing = receiver({
      queues: {
        enqueueProcess: () => Promise.reject(new Error('process died here')),
      },
    });
    const report = await crashing.pullNow();
    expect(report.outcomes.failed).toBe(1);
    expect(standin.pending()).not.toContain(msg.userMessage.messageId); // retrieved: Domibus's copy is gone
    const { exchangeRef, duplicate } = await refOf(msg);
    expect(duplicate).toBe(true); // … but ours is stored
    expect(await store.getState(exchangeRef)).toBe('received');
    expect(processed).not.toContain(exchangeRef);
    expect(await receiver().recover()).toBeGreaterThanOrEqual(1);
    await eventually(() => processed.includes(exchangeRef), 'the re-enqueued process job');
  });

  test('SIGKILL after a destructive retrieve (stored, not yet enqueued): a restarted receiver still gets it processed', async () => {
    const msg = request();
    await standin.deliver(msg);
    const c = runChild({ ACTION: 'pull', RETRIEVE_MODE: 'destructive', HANG_BEFORE_ENQUEUE: '1' });
    const storedLine = await c.line(/stored (\S+)\n/);
    c.child.kill('SIGKILL');
    const [, signal] = (await c.exited) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    const exchangeRef = storedLine.trim().split(' ')[1]!;
    expect(standin.pending()).not.toContain(msg.userMessage.messageId);
    expect((await store.loadInbound(exchangeRef))?.userMessage.messageId).toBe(msg.userMessage.messageId);
    expect(await store.getState(exchangeRef)).toBe('received');
    await sweepInChild('destructive');
    await eventually(() => processed.includes(exchangeRef), 'processing after the restart');
  });

  test('confirm mode: SIGKILL the moment Domibus answers the retrieve; the restarted receiver collects it once', async () => {
    const msg = request();
    await standin.deliver(msg);
    const c = runChild({ ACTION: 'pull', RETRIEVE_MODE: 'confirm', HANG_BEFORE_ENQUEUE: '0' });
    const killer = (e: StandinEvent): void => {
      if (e.type === 'retrieve' && e.messageId === msg.userMessage.messageId) c.child.kill('SIGKILL');
    };
    listeners.add(killer);
    try {
      await c.line(/ready\n/);
      await c.exited;
    } finally {
      listeners.delete(killer);
    }
    expect(c.child.signalCode).toBe('SIGKILL');
    const retrieve = events.find((e) => e.type === 'retrieve' && e.messageId === msg.userMessage.messageId);
    expect(retrieve).toEqual({ type: 'retrieve', messageId: msg.userMessage.messageId, removed: false });
    await sweepInChild('confirm');
    expect(standin.pending()).not.toContain(msg.userMessage.messageId);
    const { exchangeRef, duplicate } = await refOf(msg);
    expect(duplicate).toBe(true);
    await eventually(() => processed.includes(exchangeRef), 'processing after the restart');
    expect(events.filter((e) => e.type === 'mark' && e.messageId === msg.userMessage.messageId)).toHaveLength(1);
  });
});

describe('sending', () => {
  async function deliver(out = outboundMessage()): Promise<{ ref: string; out: typeof out }> {
    const { exchangeRef } = await store.acceptInbound({ ...request(), receivedAt: '2024-01-01T00:00:00Z' });
    expect(await store.saveAnswer(exchangeRef, out)).toBe('saved');
    await queues.enqueueDelivery(exchangeRef);
    return { ref: exchangeRef, out };
  }
  const sentFor = (messageId: string) => standin.submissions().filter((s) => s.messageId === messageId);

  test('a submit that fails twice is retried and sent once, with the header and parts of the answer', async () => {
    standin.faults.failNextSubmits(2);
    const { ref, out } = await deliver();
    await eventually(async () => (await store.getState(ref)) === 'delivered', 'delivery');
    expect(deliverAttempts.get(ref)).toBe(3);
    const sent = sentFor(out.userMessage.messageId);
    expect(sent).toHaveLength(1);
    const doc = readSoap(sent[0]!.envelope);
    expect(parseUserMessage(findMessaging(doc.header!)!)).toEqual(out.userMessage);
    const parts = parseSubmitRequest(doc).payloads;
    expect(parts.map((p) => [p.href, p.mimeType])).toEqual([
      ['cid:resp@lv.oots.example', 'application/x-ebrs+xml'],
      ['cid:ev1@lv.oots.example', 'application/pdf'],
    ]);
    expect(Buffer.from(parts[0]!.bytes).toString('utf8')).toBe(out.regrep);
    expect(Buffer.from(parts[1]!.bytes)).toEqual(Buffer.from(out.attachments[0]!.bytes));
    expect((await submitter.record(ref))?.status).toBe('ACKNOWLEDGED');
  });

  test('an answer to the submit lost to a timeout: the retry finds the submission and does not send again', async () => {
    standin.faults.slowNextSubmits(1, 2600); // the client gives up after 2000 ms
    const { ref, out } = await deliver();
    await eventually(async () => (await store.getState(ref)) === 'delivered', 'delivery');
    expect(deliverAttempts.get(ref)).toBeGreaterThanOrEqual(2);
    expect(sentFor(out.userMessage.messageId)).toHaveLength(1);
  });

  test('Domibus refusing a re-submit as a duplicate (WS_PLUGIN:0007): the submission it holds is tracked, not failed', async () => {
    // The status check before a first submit normally finds an earlier submission; this covers the
    // case where it does not yet (Domibus accepted but had not committed when we asked).
    const { exchangeRef } = await store.acceptInbound({ ...request(), receivedAt: '2024-01-01T00:00:00Z' });
    const out = outboundMessage();
    expect(await client.submitMessage(outboundParts(out))).toBe(out.userMessage.messageId);
    let statusCalls = 0;
    const blind = createDomibusSubmitter({
      client: {
        submitMessage: (m) => client.submitMessage(m),
        getMessageErrors: (id) => client.getMessageErrors(id),
        getStatus: (id) => (statusCalls++ === 0 ? Promise.resolve('NOT_FOUND') : client.getStatus(id)),
      },
      redis,
      prefix: lockPrefix,
      ttlSeconds: 600,
      logger,
      ackPolls: 2,
      ackPollIntervalMs: 10,
    });
    const duplicateRefusals = (): number =>
      events.filter((e) => e.type === 'submit' && !e.accepted && e.reason?.startsWith('WS_PLUGIN:0007') === true)
        .length;
    const refusedBefore = duplicateRefusals();
    await blind.submit(exchangeRef, out);
    expect(duplicateRefusals()).toBe(refusedBefore + 1);
    expect(sentFor(out.userMessage.messageId)).toHaveLength(1);
    expect(await blind.record(exchangeRef)).toMatchObject({
      domibusId: out.userMessage.messageId,
      status: 'ACKNOWLEDGED',
    });
  });

  test('not yet acknowledged: the job checks again later, without submitting again', async () => {
    standin.faults.ackAfterPolls(3);
    const { ref, out } = await deliver();
    await eventually(async () => (await store.getState(ref)) === 'delivered', 'delivery');
    standin.faults.ackAfterPolls(0);
    expect(deliverAttempts.get(ref)).toBe(2);
    expect(sentFor(out.userMessage.messageId)).toHaveLength(1);
  });

  test('SEND_FAILURE is surfaced with the Domibus error text and not retried', async () => {
    standin.faults.failNextSends(1, [
      { code: 'EBMS_0005', detail: 'Error dispatching message', mshRole: 'SENDING', timestamp: '2026-10-06T15:29:31Z' },
      {
        code: 'EBMS_0003',
        detail: 'Sender party could not be found',
        mshRole: 'RECEIVING',
        timestamp: '2026-10-06T15:29:30Z',
      },
    ]);
    const { ref, out } = await deliver();
    await eventually(() => failed.some((f) => f.ref === ref), 'the failed delivery');
    const f = failed.find((x) => x.ref === ref)!;
    expect(f.name).toBe('deliver');
    expect(f.error).toBeInstanceOf(AdapterError);
    expect((f.error as AdapterError).code).toBe('ERR_CONNECTOR_REFUSED');
    expect((f.error as Error).message).toContain('SEND_FAILURE: EBMS_0003 Sender party could not be found; EBMS_0005');
    expect(deliverAttempts.get(ref)).toBe(1);
    expect(sentFor(out.userMessage.messageId)).toHaveLength(1);
  });

  test('a message no PMode leg matches is refused for good, not retried', async () => {
    const base = outboundMessage();
    const { ref } = await deliver({ ...base, userMessage: { ...base.userMessage, action: 'SomethingElse' } });
    await eventually(() => failed.some((f) => f.ref === ref), 'the failed delivery');
    const f = failed.find((x) => x.ref === ref)!;
    expect((f.error as AdapterError).code).toBe('ERR_CONNECTOR_REFUSED');
    expect((f.error as Error).message).toContain('WS_PLUGIN:0003');
    expect(deliverAttempts.get(ref)).toBe(1);
  });
});

describe('client and self-test', () => {
  test('self-test lists pending messages', async () => {
    const msg = request();
    await standin.deliver(msg);
    const r = await domibusSelfTest(client);
    expect(r.ok).toBe(true);
    expect(r.pending).toBe(standin.pending().length);
    await receiver().pullNow();
  });

  test('a wrong plugin password, an unreachable endpoint and a slow one fail typed and bounded', async () => {
    const wrong = createDomibusClient({ url: standin.url, user: USER, password: 'not-the-password', timeoutMs: 2000 });
    const r = await domibusSelfTest(wrong);
    expect(r).toMatchObject({ ok: false, pending: 0 });
    expect(r.detail).toContain('HTTP 401');
    await expect(wrong.getStatus('x')).rejects.toMatchObject({ code: 'ERR_DOMIBUS_UNAVAILABLE', status: 401 });
    wrong.close();
    const nowhere = createDomibusClient({
      url: 'http://127.0.0.1:9/domibus/services/wsplugin',
      user: USER,
      password: PASSWORD,
      timeoutMs: 500,
    });
    await expect(nowhere.listPendingMessages()).rejects.toMatchObject({ code: 'ERR_DOMIBUS_UNAVAILABLE' });
    nowhere.close();
    const slow = createDomibusClient({ url: standin.url, user: USER, password: PASSWORD, timeoutMs: 200 });
    standin.faults.setLatency(600);
    try {
      await expect(slow.listPendingMessages()).rejects.toThrow(/no answer within 200 ms/);
    } finally {
      standin.faults.setLatency(0);
      slow.close();
    }
  });

  test('retrieving an unknown message is a typed fault with the plugin code', async () => {
    await expect(client.retrieveMessage('nope@x')).rejects.toMatchObject({
      code: 'ERR_DOMIBUS_FAULT',
      fault: expect.objectContaining({ detailCode: 'WS_PLUGIN:0009' }),
    });
    expect(await receiver().fetch('nope@x', 'push')).toBe('gone');
  });
});

describe('assembled from configuration', () => {
  test('CONNECTOR_MODE=domibus-ws with DOMIBUS_* gives a working client, receiver, submitter and push router', async () => {
    const config = loadConfig({
      CONNECTOR_MODE: 'domibus-ws',
      DOMIBUS_WS_URL: standin.url,
      DOMIBUS_USER: USER,
      DOMIBUS_PASSWORD: PASSWORD,
      DOMIBUS_PULL_INTERVAL_MS: '0',
      DOMIBUS_PUSH_PASSWORD: PUSH_PASSWORD,
    });
    expect(config.connector.mode).toBe('domibus-ws');
    const c = createDomibusConnector({ config, redis, prefix: lockPrefix, store, queues, logger });
    try {
      expect(c.pushRouter).toBeDefined();
      expect((await domibusSelfTest(c.client)).ok).toBe(true);
      const msg = request();
      await standin.deliver(msg);
      expect((await c.receiver.pullNow()).outcomes.stored).toBe(1);
    } finally {
      await c.close();
    }
  });

  test('a Domibus URL without a plugin user, or a short push password, is refused at start', () => {
    expect(() => loadConfig({ DOMIBUS_WS_URL: 'https://ap.example/domibus/services/wsplugin' })).toThrow(
      /DOMIBUS_USER and DOMIBUS_PASSWORD/,
    );
    expect(() => loadConfig({ DOMIBUS_PUSH_PASSWORD: 'short' })).toThrow(/DOMIBUS_PUSH_PASSWORD must be at least 16/);
  });
});

describe('the stand-in holds the adapter to the official schemas', () => {
  test('a schema-invalid request (the old <markAsDownloaded> child) gets the CXF fault and is not acted on', async () => {
    const msg = request();
    await standin.deliver(msg);
    const id = msg.userMessage.messageId;
    const before = standin.invalidRequests().length;
    const res = await fetch(standin.url, {
      method: 'POST',
      headers: { 'content-type': 'application/soap+xml', authorization: basicAuthorization(USER, PASSWORD) },
      body: retrieveMessageRequest(id).replace(
        '</messageID>',
        '</messageID><markAsDownloaded>false</markAsDownloaded>',
      ),
    });
    expect(res.status).toBe(500);
    const fault = readSoap(await res.text()).fault;
    expect(fault).toMatchObject({ code: 'Sender' });
    expect(fault?.reason).toMatch(/^Unmarshalling Error: .*Element 'markAsDownloaded': This element is not expected/);
    expect(standin.invalidRequests()).toHaveLength(before + 1);
    expect(standin.pending()).toContain(id); // nothing retrieved, nothing marked
    await receiver().pullNow();
  });

  test('every request the adapter sent in this file was valid (only the deliberate one above was refused)', () => {
    const refused = standin.invalidRequests();
    expect(refused).toHaveLength(1);
    expect(refused[0]!.problems.join(' ')).toMatch(/markAsDownloaded/);
  });

  test('every answer the stand-in wrote in this file was valid against the same schemas', () => {
    expect(standin.invalidAnswers()).toEqual([]);
  });

  test('?wsdl serves the official WSDL with this endpoint as address', async () => {
    const res = await fetch(`${standin.url}?wsdl`, { headers: { authorization: basicAuthorization(USER, PASSWORD) } });
    expect(res.status).toBe(200);
    const wsdl = await res.text();
    expect(wsdl).toContain(`<soap12:address location="${standin.url}"`);
    expect(wsdl).toContain(`schemaLocation="${standin.url}?xsd=webservicePlugin-body.xsd"`);
  });

  test('the self-test WSDL check, over HTTP against the served WSDL and schemas, finds what confirm mode needs', async () => {
    const report = await checkPluginWsdl({
      url: standin.url,
      user: USER,
      password: PASSWORD,
      timeoutMs: 5000,
      mode: 'confirm',
    });
    expect(report.ok).toBe(true);
    expect(report.lines.join('\n')).toContain('retrieveMessageRequest has the markAsDownloaded attribute');
    const wrong = await checkPluginWsdl({
      url: standin.url,
      user: USER,
      password: 'nope',
      timeoutMs: 5000,
      mode: 'confirm',
    });
    expect(wrong).toEqual({ ok: false, lines: ['?wsdl answered HTTP 401'] });
  });
});

describe("the stand-in's listPendingMessages applies every filter of the schema", () => {
  test('each filter, as the adapter sends it, narrows the list as the plugin would', async () => {
    const own = await startDomibusStandin({ user: USER, password: PASSWORD });
    const c = createDomibusClient({ url: own.url, user: USER, password: PASSWORD, timeoutMs: 5000 });
    try {
      const msg = request();
      const um = msg.userMessage;
      await own.deliver(msg);
      const prop = (name: string): string => um.properties.find((p) => p.name === name)!.value;
      const past = '2000-01-01T00:00:00Z';
      const future = '2100-01-01T00:00:00Z';
      const cases: [PendingFilter, boolean][] = [
        [{}, true],
        [{ messageId: um.messageId }, true],
        [{ messageId: 'other@x' }, false],
        [{ conversationId: um.conversationId }, true],
        [{ conversationId: 'other' }, false],
        [{ refToMessageId: um.messageId }, false], // a request refers to no message
        [{ fromPartyId: um.from.partyId }, true],
        [{ fromPartyId: 'AP_XX_99' }, false],
        [{ finalRecipient: prop('finalRecipient') }, true],
        [{ finalRecipient: 'urn:other' }, false],
        [{ originalSender: prop('originalSender') }, true],
        [{ originalSender: 'urn:other' }, false],
        [{ receivedFrom: past, receivedTo: future }, true],
        [{ receivedFrom: future }, false],
        [{ receivedTo: past }, false],
      ];
      for (const [filter, listed] of cases) {
        expect([filter, (await c.listPendingMessages(filter)).includes(um.messageId)]).toEqual([filter, listed]);
      }
      expect(own.invalidRequests()).toEqual([]);
    } finally {
      c.close();
      await own.close();
    }
  });
});
