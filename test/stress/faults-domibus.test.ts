/**
 * The fault suite in the Domibus WS-plugin mode (CONNECTOR_MODE=domibus-ws): real adapter
 * processes on the shared Redis (own key prefix, deleted afterwards), the DAGR sandbox and the
 * Domibus WS plugin stand-in in this process. Requests are put in the stand-in's pending inbox as
 * an access point receives them (POST /sandbox/domibus/inbox with a REST connector envelope); the
 * api process pulls them (listPendingMessages + destructive retrieveMessage), the workers answer
 * and submitMessage the answers back. Each scenario then reads the stand-in's record of
 * submissions and checks, per conversation: exactly one answer (one distinct AS4 MessageId), none
 * lost, none for a conversation nobody sent, evidence (Success) answering the request sent; and
 * that the inbox is empty and every exchange the adapter stored ended `delivered` (none `failed`,
 * e.g. by a re-submit refused as duplicate and taken for a refusal).
 *
 *   (g1) a worker SIGKILLed under load, at the first moment after a random point at which it holds
 *        answers Domibus has not acknowledged yet (answers wait two status polls for their
 *        acknowledgement), restarted; the killed worker's jobs come back when their lock expires
 *        (JOB_LOCK_MS=5000 here) and must end in the same single submission
 *   (g2) the stand-in failing the next submits with a SOAP fault (WS_PLUGIN:0001), then with HTTP
 *        503, answering some accepted submits after the workers' timeout (Domibus has the answer,
 *        the adapter did not hear: the "lost answer"), and acknowledging only after 5 status polls
 *   (g3) duplicate delivery: each message pushed (receiveSuccess) twice at once while the pull
 *        runs, ten of them also pushed as full messages, the first retrieves failing with 503; once
 *        all were retrieved the same messages are delivered into the inbox again, and ten requests
 *        re-sent under a new MessageId in the same conversation (the requester's resend)
 *   (g4) DOMIBUS_RETRIEVE_MODE=confirm against a stand-in that honours only the schema's
 *        `markAsDownloaded` attribute and refuses schema-invalid requests: the api process
 *        SIGKILLed the moment Domibus answers a retrieve (the message stays pending), restarted;
 *        every pending message received, stored and answered once, no request refused by the schemas
 *
 * Topology: one `api` process (pull, push endpoint) and two `worker` processes, all pointed at the
 * stand-in by DOMIBUS_WS_URL and the plugin user, as they would be at a real Domibus. The stand-in
 * runs here rather than in an adapter process: the adapter starts its embedded stand-in only in a
 * role `all` process without DOMIBUS_WS_URL, and that process also works the queues; here it
 * outlives any adapter kill, the api process only pulls (the faults.test.ts topology), and the
 * test sees the submits the stand-in refused (its events), which its HTTP routes do not list.
 *
 * Sized for CI on two cores (40–50 requests per scenario).
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { basicAuthorization } from '../../src/connector/domibus/auth.js';
import {
  pushedMessageRequest,
  receiveSuccessNotification,
  type WsMessage,
} from '../../src/connector/domibus/messages.js';
import { SOAP12_CONTENT_TYPE } from '../../src/connector/domibus/soap.js';
import { DOMIBUS_PUSH_PATH } from '../../src/connector/domibus/receiver.js';
import { parseEnvelope, type RestEnvelope } from '../../src/connector/envelope.js';
import { EBRS_MIME_TYPE } from '../../src/ebms/model.js';
import type { OutboxSummary } from '../../src/sandbox/connector-standin.js';
import { startEmbeddedDagrSandbox, type EmbeddedDagr } from '../../src/sandbox/dagr-embedded.js';
import {
  startDomibusStandin,
  STANDIN_CONTROL_PATH,
  type DomibusStandin,
  type StandinEvent,
  type Submission,
} from '../../src/sandbox/domibus-standin.js';
import { startAdapter, type AdapterProcess } from '../support/processes.js';
import {
  awaitTally,
  deleteKeysAt,
  outcomeCounts,
  pool,
  QUICK_RETRIES,
  sleep,
  stressEnv,
  stressPrefix,
  tally,
  type Tally,
  workload,
} from '../support/stress-harness.js';

const SHARED_REDIS = 'redis://127.0.0.1:6379';
const token = randomBytes(16).toString('hex');
const key = randomBytes(32).toString('base64');
const dataDir = mkdtempSync(path.join(tmpdir(), 'oots-faults-domibus-'));
const keyFile = path.join(dataDir, 'dagr-sandbox-client.pem');
const prefix = stressPrefix('domibus');
const PLUGIN_USER = 'oots-adapter-stress';
const PLUGIN_PASSWORD = randomBytes(16).toString('hex');
const PUSH_USER = 'domibus-push';
const PUSH_PASSWORD = randomBytes(16).toString('hex');
/** The workers' plugin-call deadline: a submit answered later than this is a lost answer. */
const WORKER_DOMIBUS_TIMEOUT_MS = 2000;

/** Quick retries (as faults.test.ts) and a short job lock, so that a killed worker's jobs return within seconds. */
const QUICK = { ...QUICK_RETRIES, JOB_LOCK_MS: '5000' };

let dagr: EmbeddedDagr;
let standin: DomibusStandin;
let api: AdapterProcess;
const workers: AdapterProcess[] = [];
/** Every worker process started (killed ones too), for their logs. */
const everyWorker: AdapterProcess[] = [];
let redis: Redis;
/** The stand-in's submit events (accepted and refused), in order. */
const submits: Extract<StandinEvent, { type: 'submit' }>[] = [];
let onSubmit: ((e: Extract<StandinEvent, { type: 'submit' }>) => void) | undefined;
let onRetrieve: ((e: Extract<StandinEvent, { type: 'retrieve' }>) => void) | undefined;
/** Conversations delivered by every scenario, and the QueryRequest id each carries. */
const requestIdOf = new Map<string, string>();

async function startWorker(): Promise<AdapterProcess> {
  const w = await startAdapter(
    {
      ...stressEnv({ redisUrl: SHARED_REDIS, prefix, token, key, dataDir }),
      ...QUICK,
      CONNECTOR_MODE: 'domibus-ws',
      DOMIBUS_WS_URL: standin.url,
      DOMIBUS_USER: PLUGIN_USER,
      DOMIBUS_PASSWORD: PLUGIN_PASSWORD,
      DOMIBUS_TIMEOUT_MS: String(WORKER_DOMIBUS_TIMEOUT_MS),
      DAGR_BASE_URL: dagr.url,
      DAGR_CLIENT_ID: 'oots-adapter-sandbox',
      DAGR_PRIVATE_KEY_FILE: keyFile,
    },
    ['--role', 'worker'],
  );
  everyWorker.push(w);
  return w;
}

const requestIdIn = (e: RestEnvelope): string =>
  /<query:QueryRequest\b[^>]*\bid="([^"]+)"/.exec(
    Buffer.from(e.payloads[0]!.contentBase64, 'base64').toString('utf8'),
  )![1]!;

/** Puts a message in the stand-in's pending inbox as its access point receives it; the HTTP status. */
async function putInInbox(e: RestEnvelope): Promise<number> {
  const res = await fetch(`${standin.baseUrl}${STANDIN_CONTROL_PATH}/inbox`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basicAuthorization(PLUGIN_USER, PLUGIN_PASSWORD) },
    body: JSON.stringify(e),
    signal: AbortSignal.timeout(15_000),
  });
  await res.arrayBuffer();
  if (res.status === 202) requestIdOf.set(e.userMessage.conversationId, requestIdIn(e));
  return res.status;
}

/** Puts every envelope in the inbox (request i no earlier than i × paceMs); the accepted conversations. */
async function deliverAll(envelopes: readonly RestEnvelope[], concurrency: number, paceMs = 0): Promise<string[]> {
  const start = Date.now();
  const statuses = await pool(envelopes, concurrency, async (e, i) => {
    const due = start + i * paceMs - Date.now();
    if (due > 0) await sleep(due);
    return putInInbox(e);
  });
  expect(statuses.filter((s) => s !== 202)).toEqual([]);
  return [...new Set(envelopes.map((e) => e.userMessage.conversationId))];
}

/** What Domibus's push would POST to the adapter's push endpoint; the HTTP status. */
async function push(body: string): Promise<number> {
  const res = await fetch(`${api.ready.api!}${DOMIBUS_PUSH_PATH}`, {
    method: 'POST',
    headers: { 'content-type': SOAP12_CONTENT_TYPE, authorization: basicAuthorization(PUSH_USER, PUSH_PASSWORD) },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  await res.arrayBuffer();
  return res.status;
}

/** A submission as the tally reads it (the REST stand-in's summary shape). */
function summaryOf(s: Submission): OutboxSummary {
  const regrep = s.message.payloads.find((p) => p.mimeType === EBRS_MIME_TYPE);
  const xml = regrep === undefined ? '' : Buffer.from(regrep.bytes).toString('utf8');
  return {
    messageId: s.messageId,
    receivedAt: s.submittedAt,
    conversationId: s.message.userMessage.conversationId,
    action: s.message.userMessage.action,
    requestId: /\brequestId="([^"]+)"/.exec(xml)?.[1],
    status: /\bstatus="[^"]*ResponseStatusType:(\w+)"/.exec(xml)?.[1],
    errorCode: /\bcode="(EDM:ERR:\d{4})"/.exec(xml)?.[1],
    payloads: s.message.payloads.map((p) => ({ href: p.href, mimeType: p.mimeType, bytes: p.bytes.byteLength })),
  };
}

/** State of every exchange the adapter stored under this run's prefix (ref → state). */
async function exchangeStates(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:store:ex:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) out.set(k, (await redis.hget(k, 'state')) ?? '(none)');
  } while (cursor !== '0');
  return out;
}

const histogram = (values: Iterable<string>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

const logCount = (
  procs: readonly AdapterProcess[],
  msg: string,
  where: (l: Record<string, unknown>) => boolean = () => true,
): number => procs.reduce((n, p) => n + p.logs.filter((l) => l.msg === msg && where(l)).length, 0);

/** Where a scenario starts in the records that only grow. */
interface Mark {
  readonly submissions: number;
  readonly submits: number;
  readonly exchanges: number;
  readonly foundEarlier: number;
  readonly heldAlready: number;
}

async function mark(): Promise<Mark> {
  return {
    submissions: standin.submissions().length,
    submits: submits.length,
    exchanges: (await exchangeStates()).size,
    foundEarlier: logCount(everyWorker, 'found an earlier submission; tracking it'),
    heldAlready: logCount(everyWorker, 'Domibus already holds this message; tracking it'),
  };
}

interface Outcome {
  readonly tally: Tally;
  /** Answers whose QueryResponse requestId is not the id of the request of their conversation. */
  readonly wrongRequest: string[];
  /** Exchanges stored during the scenario. */
  readonly newExchanges: number;
  /** States of every exchange of the run (all must be `delivered`). */
  readonly states: Record<string, number>;
  readonly pendingLeft: string[];
  /** Submits the stand-in refused during the scenario, by reason (fault knobs, WS_PLUGIN:0007 duplicates...). */
  readonly refused: Record<string, number>;
  /** Submits Domibus refused as a duplicate MessageId, whose MessageId is not a recorded submission (must be none). */
  readonly duplicateOfNothing: string[];
  /** Lost submit answers resolved by asking the status (worker logs). */
  readonly foundEarlier: number;
  /** WS_PLUGIN:0007 on a re-submit, taken as the same submission (worker logs). */
  readonly heldAlready: number;
}

/**
 * Waits for an answer to every accepted conversation in the submissions made since `m`, then for
 * an empty inbox and every exchange `delivered`, then `settleMs` more so that a late second answer
 * would show; returns what the scenario asserts.
 */
async function settle(m: Mark, accepted: readonly string[], settleMs = 2000): Promise<Outcome> {
  const since = (): OutboxSummary[] => standin.submissions().slice(m.submissions).map(summaryOf);
  await awaitTally(since, accepted, { timeoutMs: 60_000 });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const states = await exchangeStates();
    if (standin.pending().length === 0 && [...states.values()].every((s) => s === 'delivered')) break;
    await sleep(250);
  }
  await sleep(settleMs);
  const summaries = since();
  const states = await exchangeStates();
  const refusedEvents = submits.slice(m.submits).filter((e) => !e.accepted);
  const recorded = new Set(standin.submissions().map((s) => s.messageId));
  return {
    tally: tally(accepted, summaries),
    wrongRequest: summaries
      .filter((s) => requestIdOf.has(s.conversationId) && s.requestId !== requestIdOf.get(s.conversationId))
      .map((s) => s.conversationId),
    newExchanges: states.size - m.exchanges,
    states: histogram(states.values()),
    pendingLeft: standin.pending(),
    refused: histogram(refusedEvents.map((e) => (e.reason ?? '').replace(/ Message with id .*$/, ''))),
    duplicateOfNothing: refusedEvents
      .map((e) => /^WS_PLUGIN:0007 Message with id \[([^\]]+)\]/.exec(e.reason ?? '')?.[1])
      .filter((id): id is string => id !== undefined && !recorded.has(id)),
    foundEarlier: logCount(everyWorker, 'found an earlier submission; tracking it') - m.foundEarlier,
    heldAlready: logCount(everyWorker, 'Domibus already holds this message; tracking it') - m.heldAlready,
  };
}

function report(name: string, accepted: number, o: Outcome, extra: Record<string, unknown> = {}): void {
  const t = o.tally;
  process.stdout.write(
    `fault scenario ${name}: accepted ${accepted}, lost ${t.lost.length}, duplicate answers ${t.duplicated.length}, ` +
      `same-MessageId re-deliveries ${t.redeliveries}, strays ${t.strays.length}, outcomes ${JSON.stringify(outcomeCounts(t))} ` +
      JSON.stringify({
        exchanges: o.newExchanges,
        states: o.states,
        refusedSubmits: o.refused,
        lostSubmitAnswersFoundByStatus: o.foundEarlier,
        resubmitsRefusedAsDuplicate: o.heldAlready,
        ...extra,
      }) +
      '\n',
  );
}

/** Exactly one evidence answer per accepted conversation, nothing left behind, nothing failed. */
function expectExactlyOnce(o: Outcome, newExchanges: number): void {
  expect(o.tally.lost).toEqual([]);
  expect(o.tally.duplicated).toEqual([]);
  expect(o.tally.strays).toEqual([]);
  expect([...o.tally.outcomes.values()].filter((x) => x !== 'Success')).toEqual([]);
  expect(o.wrongRequest).toEqual([]);
  expect(o.pendingLeft).toEqual([]);
  expect(o.newExchanges).toBe(newExchanges);
  expect(Object.keys(o.states)).toEqual(['delivered']);
  // A re-submit Domibus refused as a duplicate (WS_PLUGIN:0007) is the answer it already holds, not a second
  // one: it is not in the record, and the states above show it was not taken for a refusal (`failed`).
  expect(o.duplicateOfNothing).toEqual([]);
}

beforeAll(async () => {
  redis = new Redis(SHARED_REDIS, { maxRetriesPerRequest: 3 });
  dagr = await startEmbeddedDagrSandbox({ host: '127.0.0.1', port: 0, clientId: 'oots-adapter-sandbox', keyFile });
  standin = await startDomibusStandin({
    host: '127.0.0.1',
    port: 0,
    user: PLUGIN_USER,
    password: PLUGIN_PASSWORD,
    onEvent: (e) => {
      if (e.type === 'retrieve') onRetrieve?.(e);
      if (e.type !== 'submit') return;
      submits.push(e);
      onSubmit?.(e);
    },
  });
  api = await startApi();
  workers.push(...(await Promise.all([startWorker(), startWorker()])));
}, 120_000);

function startApi(retrieveMode: 'destructive' | 'confirm' = 'destructive'): Promise<AdapterProcess> {
  return startAdapter(
    {
      ...stressEnv({ redisUrl: SHARED_REDIS, prefix, token, key, dataDir }),
      ...QUICK,
      CONNECTOR_MODE: 'domibus-ws',
      DOMIBUS_WS_URL: standin.url,
      DOMIBUS_USER: PLUGIN_USER,
      DOMIBUS_PASSWORD: PLUGIN_PASSWORD,
      // A destructive retrieve that times out loses the message (docs/domibus.md): a generous deadline here.
      DOMIBUS_TIMEOUT_MS: '10000',
      DOMIBUS_PULL_INTERVAL_MS: '200',
      DOMIBUS_SWEEP_INTERVAL_MS: '5000',
      DOMIBUS_PUSH_USER: PUSH_USER,
      DOMIBUS_PUSH_PASSWORD: PUSH_PASSWORD,
      DOMIBUS_RETRIEVE_MODE: retrieveMode,
    },
    ['--role', 'api'],
  );
}

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await api?.stop();
  await standin?.close();
  await dagr?.stop();
  if (redis !== undefined) {
    await deleteKeysAt(SHARED_REDIS, prefix);
    await redis.quit().catch(() => redis.disconnect());
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

afterEach(() => {
  onSubmit = undefined;
  onRetrieve = undefined;
  standin.faults.reset();
});

/** Exchanges `w` answered (stored the answer) that no process has logged as delivered yet. */
function answeredNotDelivered(w: AdapterProcess): string[] {
  const refs = new Set(w.logs.filter((l) => l.msg === 'request answered').map((l) => String(l.exchangeRef)));
  for (const p of everyWorker)
    for (const l of p.logs) if (l.msg === 'answer delivered') refs.delete(String(l.exchangeRef));
  return [...refs];
}

test('(g1) a worker SIGKILLed at a random point under load: every request answered once through Domibus', async () => {
  const m = await mark();
  // Acknowledged at the third status poll: each answer spends ~1 s between Domibus's accept and "delivered".
  standin.faults.ackAfterPolls(2);
  const victim = randomInt(2);
  const killAfterMs = randomInt(300, 2500);
  let stranded: string[] = [];
  let answeredByVictim = 0;
  let killedAtMs = 0;
  const t0 = Date.now();
  const chaos = (async () => {
    await sleep(killAfterMs);
    const w = workers[victim]!;
    // From that random point on, the first moment the victim holds answers Domibus has not acknowledged yet.
    const until = Date.now() + 10_000;
    while (answeredNotDelivered(w).length < 2 && Date.now() < until) await sleep(10);
    await w.stop('SIGKILL');
    killedAtMs = Date.now() - t0;
    await sleep(500); // the last lines it wrote before dying
    stranded = answeredNotDelivered(w);
    answeredByVictim = logCount([w], 'request answered');
    workers[victim] = await startWorker();
  })();
  const accepted = await deliverAll(workload(50), 4, 40);
  await chaos;
  // The killed worker's jobs come back when their lock expires (JOB_LOCK_MS=5000, checked as often).
  const o = await settle(m, accepted);
  const finishedByOthers = stranded.filter((ref) =>
    everyWorker.some((p) => p.logs.some((l) => l.msg === 'answer delivered' && l.exchangeRef === ref)),
  ).length;
  report('(g1) Domibus SIGKILL worker', accepted.length, o, {
    killedWorker: victim,
    randomPointMs: killAfterMs,
    killedAtMs,
    answeredByVictim,
    answeredNotAcknowledgedAtKill: stranded.length,
    thoseDeliveredByAnotherWorker: finishedByOthers,
  });
  // The kill hit answers between Domibus's accept (or the submit) and "delivered".
  expect(stranded.length).toBeGreaterThan(0);
  expectExactlyOnce(o, 50);
}, 150_000);

test('(g2) Domibus failing submits (SOAP fault, HTTP 503) and answering submits late: one submission per conversation', async () => {
  const m = await mark();
  const NOT_YET = 'answer submitted, not acknowledged yet; the deliver queue checks again';
  const notYetBefore = logCount(everyWorker, NOT_YET);
  const FAULTS = 12;
  const HTTP503 = 12;
  const SLOW = 8;
  standin.faults.failNextSubmits(FAULTS, 'fault');
  // Accepted and recorded, answered after the workers gave up: Domibus holds an answer the adapter did not hear of.
  standin.faults.slowNextSubmits(SLOW, WORKER_DOMIBUS_TIMEOUT_MS + 1000);
  // Not acknowledged within one submit call's polls: the deliver queue checks again, without a re-submit.
  standin.faults.ackAfterPolls(5);
  let faultsSeen = 0;
  onSubmit = (e) => {
    // Once the SOAP faults are spent, the next submits meet an unavailable Domibus (HTTP 503).
    if (!e.accepted && e.reason === 'fault knob (fault)' && ++faultsSeen === FAULTS)
      setImmediate(() => standin.faults.failNextSubmits(HTTP503, 'http503'));
  };
  const accepted = await deliverAll(workload(50), 4, 20);
  const o = await settle(m, accepted);
  const pendingChecks = logCount(everyWorker, NOT_YET) - notYetBefore;
  report('(g2) Domibus submit faults + lost submit answers', accepted.length, o, {
    injected: { soapFaults: FAULTS, http503: HTTP503, lateAnswers: SLOW, ackAfterPolls: 5 },
    submitCallsNotYetAcknowledged: pendingChecks,
  });
  expectExactlyOnce(o, 50);
  // The faults really happened, all of them.
  expect(o.refused['fault knob (fault)']).toBe(FAULTS);
  expect(o.refused['fault knob (http503)']).toBe(HTTP503);
  // Every late answer was a lost one, and the retry found Domibus's submission instead of sending again.
  expect(o.foundEarlier).toBeGreaterThanOrEqual(SLOW);
  expect(pendingChecks).toBeGreaterThan(0);
}, 150_000);

test('(g3) the same message pushed twice, pushed whole, delivered into the inbox again, and re-sent under a new MessageId: answered once', async () => {
  const m = await mark();
  const acceptedLogs = (duplicate: boolean): number =>
    logCount([api], 'request accepted', (l) => l.duplicate === duplicate);
  const before = { fresh: acceptedLogs(false), duplicate: acceptedLogs(true) };
  const envelopes = workload(40);
  const messages: WsMessage[] = envelopes.map((e) => {
    const { userMessage, payloads } = parseEnvelope(e);
    return { userMessage, payloads };
  });
  const FULL_PUSHES = 10;
  const RESENDS = 10;
  // Domibus briefly unable to answer retrieves: those pushes answer 503, the pull collects the messages.
  standin.faults.failNextRetrieves(6);
  const pushStatuses: number[] = [];
  const first = await pool(envelopes, 4, async (e, i) => {
    const status = await putInInbox(e);
    const id = e.userMessage.messageId;
    // Two receiveSuccess notifications at once (Domibus's push retry), racing each other and the pull.
    const pushes = [push(receiveSuccessNotification(id)), push(receiveSuccessNotification(id))];
    // Some also arrive whole (a push of the full message), besides the copy pending in the inbox.
    if (i < FULL_PUSHES) pushes.push(push(pushedMessageRequest(messages[i]!)));
    pushStatuses.push(...(await Promise.all(pushes)));
    return status;
  });
  expect(first.filter((s) => s !== 202)).toEqual([]);
  const deadline = Date.now() + 30_000;
  while (standin.pending().length > 0 && Date.now() < deadline) await sleep(100);
  expect(standin.pending()).toEqual([]);

  // Every message retrieved: the access point delivers the same messages again (same MessageId),
  // and ten requesters re-send their request under a new MessageId (in a conversation of its own).
  const resends = envelopes.slice(0, RESENDS).map((e) => ({
    ...e,
    userMessage: {
      ...e.userMessage,
      messageId: `${randomBytes(8).toString('hex')}@resend.invalid`,
      conversationId: randomUUID(),
    },
  }));
  await deliverAll([...envelopes, ...resends], 6);
  const accepted = [...envelopes, ...resends].map((e) => e.userMessage.conversationId);
  const o = await settle(m, accepted, 2500);
  const fresh = acceptedLogs(false) - before.fresh;
  const duplicates = acceptedLogs(true) - before.duplicate;
  report('(g3) Domibus duplicate deliveries', accepted.length, o, {
    inboxDeliveries: envelopes.length * 2 + RESENDS,
    receiveSuccessPushes: envelopes.length * 2,
    fullMessagePushes: FULL_PUSHES,
    pushStatuses: histogram(pushStatuses.map(String)),
    storedNew: fresh,
    storedAsDuplicate: duplicates,
  });
  // 40 requests and 10 resends (new MessageIds) are new exchanges, each answered once (a resend
  // with the first exchange's stored answer).
  expectExactlyOnce(o, envelopes.length + RESENDS);
  expect(fresh).toBe(envelopes.length + RESENDS);
  // The second inbox delivery of all 40, and the inbox copy or the whole push of 10, collapsed by MessageId.
  expect(duplicates).toBe(envelopes.length + FULL_PUSHES);
  expect(pushStatuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
}, 150_000);

test('(g4) confirm mode: the api SIGKILLed the moment Domibus answers a retrieve, restarted: every pending message received, stored and answered once', async () => {
  await api.stop();
  api = await startApi('confirm');
  const m = await mark();
  const invalidBefore = standin.invalidRequests().length;
  const retrieves: Extract<StandinEvent, { type: 'retrieve' }>[] = [];
  const KILL_AT = 8;
  let killed: Promise<unknown> | undefined;
  onRetrieve = (e) => {
    retrieves.push(e);
    if (retrieves.length === KILL_AT) killed = api.stop('SIGKILL');
  };
  const envelopes = workload(40);
  const accepted = await deliverAll(envelopes, 6);
  const until = Date.now() + 30_000;
  while (killed === undefined && Date.now() < until) await sleep(50);
  expect(killed).toBeDefined();
  await killed;
  // Killed after Domibus wrote its answer: in confirm mode the message is still pending.
  expect(retrieves[KILL_AT - 1]!.removed).toBe(false);
  expect(standin.pending()).toContain(retrieves[KILL_AT - 1]!.messageId);
  const pendingAtKill = standin.pending().length;
  api = await startApi('confirm');
  const o = await settle(m, accepted, 2500);
  report('(g4) Domibus confirm mode, api SIGKILL at a retrieve', accepted.length, o, {
    retrievesBeforeKill: KILL_AT,
    pendingAtKill,
    retrieves: retrieves.length,
    retrievesThatRemoved: retrieves.filter((r) => r.removed).length,
  });
  expectExactlyOnce(o, envelopes.length);
  // Only the attribute decides, and the adapter always sends it: no retrieve removed a message.
  expect(retrieves.filter((r) => r.removed)).toEqual([]);
  expect(standin.invalidRequests().slice(invalidBefore)).toEqual([]);
  // And the stand-in's own answers (all scenarios so far) held to the same schemas.
  expect(standin.invalidAnswers()).toEqual([]);
}, 150_000);

test('across the scenarios: the stand-in recorded one answer per conversation ever delivered, and nothing else', () => {
  const all = standin.submissions().map(summaryOf);
  const t = tally([...requestIdOf.keys()], all);
  expect(t.lost).toEqual([]);
  expect(t.duplicated).toEqual([]);
  expect(t.strays).toEqual([]);
  expect(all).toHaveLength(requestIdOf.size);
});
