/**
 * A Domibus WS plugin stand-in (SOAP 1.2, Domibus 5 operations) for tests and the embedded
 * default, held to the real plugin's artefacts: it behaves like a Domibus 5.1.9/5.2 with
 * `wsplugin.schema.validation.enabled=true` whose PMode is the oots-france one:
 *
 * - every request is validated against the official WS-plugin schemas (schemas/domibus, with
 *   libxml2); a schema-invalid one is answered with the fault CXF gives (HTTP 500, soap:Sender,
 *   `Unmarshalling Error: ...`) and never acted on;
 * - answers use the plugin's element names, namespaces and enumerations: faults carry the WSDL's
 *   `FaultDetail` (code, message), error codes are `EBMS_0005`-style, `submitResponse` carries
 *   5.2's `messageEntityID`; `?wsdl` serves the official WebServicePlugin.wsdl (and `?xsd=` its
 *   schemas) with the stand-in's address, as CXF does;
 * - a pending inbox: `deliver()` (or POST /sandbox/domibus/inbox with a REST connector envelope)
 *   puts a message in it, and with `pushUrl` set, pushes as BackendService.wsdl defines it
 *   (namespace `eu.domibus`): a `receiveSuccess` notification (push rule RECEIVE_SUCCESS) or the
 *   full message as `submitRequest` (SUBMIT_MESSAGE); with `pushMarkAsDownloaded` (default false,
 *   the documented setting) a successful push marks the message downloaded;
 * - `listPendingMessages` (every filter of the schema; at most 500 ids, as
 *   `wsplugin.messages.pending.list.max`);
 * - `retrieveMessage` is destructive (retention_downloaded=0): the message is gone once its answer
 *   has been written, unless the request's `markAsDownloaded` **attribute** is `false` (Domibus
 *   5.1+; a child element of that name fails validation, as on the real plugin), in which case
 *   `markMessageAsDownloaded` removes it;
 * - `submitMessage` checks what Domibus checks (a PartInfo for every payload and the reverse,
 *   service/action of a PMode leg, the required originalSender/finalRecipient properties, a unique
 *   MessageId) and records the submission; `getStatus` and `getMessageErrors` report on it;
 * - basic auth of one plugin user on every route (401 without a SOAP body, like Spring Security).
 *
 * Fault knobs (in-process, and POST /sandbox/domibus/faults): fail the next N submits (SOAP fault
 * or HTTP 503), fail the next N retrieves (HTTP 503), accept the next N submits but answer late (a lost answer), answer every call after a latency, end the next N submissions in SEND_FAILURE
 * with an ebMS error, keep submissions WAITING_FOR_RECEIPT for N status polls.
 *
 * State lives in memory: one stand-in per process (tests, or the `all` role of the embedded default).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express, { type Request, type Response } from 'express';
import { basicAuthorization, sameSecret } from '../connector/domibus/auth.js';
import { EnvelopeError, parseEnvelope } from '../connector/envelope.js';
import {
  getMessageErrorsResponse,
  getStatusResponse,
  listPendingMessagesResponse,
  markMessageAsDownloadedResponse,
  parseSubmitRequest,
  pushedMessageRequest,
  receiveSuccessNotification,
  requestMessageId,
  retrieveMessageResponse,
  submitResponse,
  type MessageErrorItem,
  type WsMessage,
} from '../connector/domibus/messages.js';
import {
  faultEnvelope,
  readSoap,
  SOAP12_CONTENT_TYPE,
  WSPLUGIN_NS,
  type FaultSpec,
  type SoapDocument,
} from '../connector/domibus/soap.js';
import { EBRS_BINDING, messageProperty, QUERY_MANAGER } from '../ebms/model.js';
import { attr, type XmlElement } from '../edm/xml/tree.js';
import { loadWsPluginValidator, readWsPluginFile } from '../resources/domibus-schemas.js';

export const STANDIN_WS_PATH = '/domibus/services/wsplugin';
export const STANDIN_CONTROL_PATH = '/sandbox/domibus';

/** Actions of the oots-france PMode legs (service QueryManager). */
const PMODE_ACTIONS = ['ExecuteQueryRequest', 'ExecuteQueryResponse', 'ExceptionResponse'];

export type StandinEvent =
  | { readonly type: 'list'; readonly count: number }
  | { readonly type: 'retrieve'; readonly messageId: string; readonly removed: boolean }
  | { readonly type: 'mark'; readonly messageId: string }
  | { readonly type: 'submit'; readonly messageId: string; readonly accepted: boolean; readonly reason?: string }
  | { readonly type: 'status'; readonly messageId: string; readonly status: string }
  | {
      readonly type: 'push';
      readonly messageId: string;
      readonly kind: 'receiveSuccess' | 'submitRequest';
      readonly httpStatus: number | 'error';
      /** The backend answered 2xx without a fault. */
      readonly ok: boolean;
    }
  /** A request the official schemas refuse (answered with a fault, not acted on). */
  | { readonly type: 'invalid'; readonly operation: string; readonly problems: readonly string[] };

export interface Submission {
  readonly messageId: string;
  readonly message: WsMessage;
  readonly submittedAt: string;
  /** The envelope as received (for shape checks). */
  readonly envelope: string;
  status: string;
  pollsLeft: number;
  errors: MessageErrorItem[];
}

export interface DomibusStandinOptions {
  readonly host?: string;
  /** 0 = any free port (default). */
  readonly port?: number;
  /** The plugin user the adapter must present. */
  readonly user: string;
  readonly password: string;
  /** Where to push (a push rule's endpoint); undefined = no push. */
  readonly pushUrl?: string | undefined;
  /**
   * What the push rule sends: `receiveSuccess` (type RECEIVE_SUCCESS, the default) or the full
   * message as `submitRequest` (type SUBMIT_MESSAGE).
   */
  readonly pushType?: 'receiveSuccess' | 'submitRequest';
  /** `wsplugin.push.markAsDownloaded`: a successful push marks the message downloaded. Default false. */
  readonly pushMarkAsDownloaded?: boolean;
  /** Credentials sent with pushes (wsplugin.push.auth.*). */
  readonly pushUser?: string;
  readonly pushPassword?: string;
  /** Called on every operation (tests observe retrieves here). */
  readonly onEvent?: (event: StandinEvent) => void;
  /** Largest request accepted, bytes. Default 128 MiB. */
  readonly maxBodyBytes?: number;
}

export interface StandinFaults {
  /** The next `n` submits fail: a SOAP fault (soap:Receiver, WS_PLUGIN:0001) or HTTP 503. */
  failNextSubmits(n: number, kind?: 'fault' | 'http503'): void;
  /** The next `n` submits are accepted and recorded, but answered only after `ms`. */
  slowNextSubmits(n: number, ms: number): void;
  /** The next `n` retrieves answer HTTP 503 (the message stays pending). */
  failNextRetrieves(n: number): void;
  /** Every answer waits this long first (0 = none). */
  setLatency(ms: number): void;
  /** The next `n` accepted submissions end in SEND_FAILURE with these errors. */
  failNextSends(n: number, errors?: readonly MessageErrorItem[]): void;
  /** Accepted submissions stay WAITING_FOR_RECEIPT for `n` getStatus calls before ACKNOWLEDGED. */
  ackAfterPolls(n: number): void;
  /** Sets the outcome of one submission. */
  setStatus(messageId: string, status: string, errors?: readonly MessageErrorItem[]): void;
  reset(): void;
}

export interface DomibusStandin {
  /** The WS plugin endpoint (what DOMIBUS_WS_URL would be). */
  readonly url: string;
  /** Base URL of the server (control routes under /sandbox/domibus). */
  readonly baseUrl: string;
  /** Puts a message in the pending inbox (and pushes a notification when configured). */
  deliver(message: WsMessage): Promise<void>;
  pending(): string[];
  submissions(): readonly Submission[];
  /** Requests refused by the schemas so far (each one also emitted as an `invalid` event). */
  invalidRequests(): readonly { readonly operation: string; readonly problems: readonly string[] }[];
  /** Problems the official schemas find in the stand-in's own answers and pushes (must stay empty). */
  invalidAnswers(): readonly string[];
  readonly faults: StandinFaults;
  close(): Promise<void>;
}

const DEFAULT_SEND_FAILURE: MessageErrorItem[] = [
  {
    code: 'EBMS_0005',
    detail: 'Error dispatching message to [http://receiver.example/domibus/services/msh]',
    mshRole: 'SENDING',
    timestamp: undefined,
  },
];

/**
 * Does a pending message pass every filter of a (schema-valid) `listPendingMessagesRequest`, as the
 * plugin applies them: each given filter must match; a message has no RefToMessageId here (it holds
 * requests), so that filter matches none; receivedFrom/receivedTo bound the reception time.
 */
function matchesPendingFilter(request: XmlElement, entry: { message: WsMessage; receivedAt: string }): boolean {
  const um = entry.message.userMessage;
  const received = Date.parse(entry.receivedAt);
  const actual: Record<string, (want: string) => boolean> = {
    messageId: (w) => um.messageId === w,
    conversationId: (w) => um.conversationId === w,
    refToMessageId: () => false,
    fromPartyId: (w) => um.from.partyId === w,
    finalRecipient: (w) => messageProperty(um, 'finalRecipient')?.value === w,
    originalSender: (w) => messageProperty(um, 'originalSender')?.value === w,
    receivedFrom: (w) => received >= Date.parse(w),
    receivedTo: (w) => received <= Date.parse(w),
  };
  return request.children.every((c) => {
    const want = c.text.trim();
    return want === '' || (actual[c.local]?.(want) ?? true);
  });
}

export async function startDomibusStandin(opts: DomibusStandinOptions): Promise<DomibusStandin> {
  const inbox = new Map<string, { message: WsMessage; receivedAt: string }>();
  const subs = new Map<string, Submission>();
  let failSubmits = 0;
  let failKind: 'fault' | 'http503' = 'fault';
  let latencyMs = 0;
  let failSends = 0;
  let failSendErrors: MessageErrorItem[] = DEFAULT_SEND_FAILURE;
  let pendingPolls = 0;
  let slowSubmits = 0;
  let failRetrieves = 0;
  let slowSubmitMs = 0;
  let entityIds = 874945832007903000n;
  const invalid: { operation: string; problems: readonly string[] }[] = [];
  const invalidAnswers: string[] = [];
  const emit = (e: StandinEvent): void => opts.onEvent?.(e);
  const expected = basicAuthorization(opts.user, opts.password);
  const validator = loadWsPluginValidator();

  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    if (!sameSecret(req.get('authorization') ?? '', expected)) {
      res.set('WWW-Authenticate', 'Basic realm="domibus"').status(401).type('text/plain').send('Unauthorized');
      return;
    }
    if (latencyMs > 0) setTimeout(next, latencyMs);
    else next();
  });

  const soap = (res: Response, status: number, xml: string): void => {
    // Its own answers are held to the same schemas (5.2's messageEntityID aside): no drift either way.
    const own = validator.validate(xml, 'plugin').filter((p) => !p.includes("'messageEntityID'"));
    if (own.length > 0) invalidAnswers.push(...own);
    res.status(status).type(SOAP12_CONTENT_TYPE).send(xml);
  };
  const fault = (res: Response, spec: FaultSpec): void => soap(res, 500, faultEnvelope(spec));
  /** A plugin fault: the WSDL's fault parts are all `tns:FaultDetail` (code, message). */
  const pluginFault = (res: Response, reason: string, code: string, message: string): void =>
    fault(res, { code: 'Receiver', reason, detail: { name: 'FaultDetail', code, message } });

  // The WSDL as CXF serves it: the service address and the schema locations point at this endpoint.
  app.get(STANDIN_WS_PATH, (req: Request, res: Response) => {
    const self = `${baseUrl}${STANDIN_WS_PATH}`;
    const name = 'wsdl' in req.query ? 'WebServicePlugin.wsdl' : typeof req.query.xsd === 'string' ? req.query.xsd : '';
    const text = readWsPluginFile(name);
    if (text === undefined) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    res
      .type('text/xml')
      .send(
        text
          .replace(/(<soap12:address location=")[^"]*"/, `$1${self}"`)
          .replace(/schemaLocation="([\w.-]+\.xsd)"/g, `schemaLocation="${self}?xsd=$1"`),
      );
  });

  app.post(
    STANDIN_WS_PATH,
    express.raw({ type: () => true, limit: opts.maxBodyBytes ?? 128 * 1024 * 1024 }),
    (req: Request, res: Response) => {
      let doc: SoapDocument;
      let problems: string[];
      try {
        doc = readSoap(req.body as Buffer);
        problems = validator.validate(req.body as Buffer, 'plugin');
      } catch (err) {
        fault(res, { code: 'Sender', reason: `Unreadable SOAP request: ${(err as Error).message}` });
        return;
      }
      const el = doc.payload;
      if (problems.length > 0) {
        // What CXF answers when schema validation is on: nothing of the request is acted on.
        const operation = el === undefined ? '' : el.local;
        invalid.push({ operation, problems });
        emit({ type: 'invalid', operation, problems });
        fault(res, { code: 'Sender', reason: `Unmarshalling Error: ${problems.join(' ')}`.slice(0, 2000) });
        return;
      }
      if (el === undefined || el.ns !== WSPLUGIN_NS) {
        fault(res, {
          code: 'Sender',
          reason: `Unexpected wrapper element ${el === undefined ? '(none)' : `{${el.ns}}${el.local}`} found.`,
        });
        return;
      }
      switch (el.local) {
        case 'submitRequest':
          onSubmit(doc, req.body as Buffer, res);
          return;
        case 'listPendingMessagesRequest': {
          const ids = [...inbox.entries()]
            .filter(([, entry]) => matchesPendingFilter(el, entry))
            .map(([id]) => id)
            .slice(0, 500);
          emit({ type: 'list', count: ids.length });
          soap(res, 200, listPendingMessagesResponse(ids));
          return;
        }
        case 'retrieveMessageRequest': {
          const id = requestMessageId(el);
          if (failRetrieves > 0) {
            failRetrieves--;
            res.status(503).type('text/html').send('<html><body>Service Unavailable</body></html>');
            return;
          }
          const entry = id === undefined ? undefined : inbox.get(id);
          if (id === undefined || entry === undefined) {
            pluginFault(
              res,
              `Message not found, id [${id ?? ''}]`,
              'WS_PLUGIN:0009',
              `No message with id [${id ?? ''}] pending for download`,
            );
            return;
          }
          // Only the attribute counts (default true), as in the schema: a child element of that
          // name never gets here (it fails validation).
          const mark = (attr(el, 'markAsDownloaded') ?? 'true').trim().toLowerCase() !== 'false';
          // Domibus marks the message downloaded in the transaction that builds the answer: once the
          // answer is written, the message is no longer pending, whatever the client does next.
          if (mark) inbox.delete(id);
          res.on('finish', () => emit({ type: 'retrieve', messageId: id, removed: mark }));
          soap(res, 200, retrieveMessageResponse(entry.message));
          return;
        }
        case 'markMessageAsDownloadedRequest': {
          const id = requestMessageId(el);
          const entry = id === undefined ? undefined : inbox.get(id);
          if (id === undefined || entry === undefined) {
            pluginFault(
              res,
              `Message not found, id [${id ?? ''}]`,
              'WS_PLUGIN:0009',
              `No message with id [${id ?? ''}] pending for download`,
            );
            return;
          }
          inbox.delete(id);
          emit({ type: 'mark', messageId: id });
          soap(res, 200, markMessageAsDownloadedResponse(entry.message.userMessage));
          return;
        }
        case 'statusRequest': {
          const id = requestMessageId(el) ?? '';
          const sub = subs.get(id);
          let status = 'NOT_FOUND';
          if (sub !== undefined) {
            if (sub.pollsLeft > 0) sub.pollsLeft--;
            else if (sub.status === 'WAITING_FOR_RECEIPT') sub.status = 'ACKNOWLEDGED';
            status = sub.status;
          }
          emit({ type: 'status', messageId: id, status });
          soap(res, 200, getStatusResponse(status));
          return;
        }
        case 'getErrorsRequest': {
          const sub = subs.get(requestMessageId(el) ?? '');
          soap(res, 200, getMessageErrorsResponse(sub?.errors ?? []));
          return;
        }
        default:
          fault(res, { code: 'Sender', reason: `Unknown operation ${el.local}` });
      }
    },
  );

  function onSubmit(doc: SoapDocument, raw: Buffer, res: Response): void {
    if (failSubmits > 0) {
      failSubmits--;
      emit({ type: 'submit', messageId: '', accepted: false, reason: `fault knob (${failKind})` });
      if (failKind === 'http503')
        res.status(503).type('text/html').send('<html><body>Service Unavailable</body></html>');
      else pluginFault(res, 'Message submission failed', 'WS_PLUGIN:0001', 'Generic error (fault knob)');
      return;
    }
    let message: WsMessage;
    try {
      message = parseSubmitRequest(doc);
    } catch (err) {
      refuse(res, 'WS_PLUGIN:0005', (err as Error).message);
      return;
    }
    const um = message.userMessage;
    for (const p of message.payloads) {
      if (!um.payloads.some((q) => q.href === p.href)) {
        refuse(res, 'WS_PLUGIN:0005', `No PartInfo for payload with payloadId [${p.href}]`);
        return;
      }
    }
    if (um.service !== QUERY_MANAGER || um.serviceType !== EBRS_BINDING || !PMODE_ACTIONS.includes(um.action)) {
      refuse(res, 'WS_PLUGIN:0003', `No matching leg found for service [${um.service}] action [${um.action}]`);
      return;
    }
    for (const name of ['originalSender', 'finalRecipient']) {
      if ((messageProperty(um, name)?.value ?? '') === '') {
        refuse(res, 'WS_PLUGIN:0003', `Required property [${name}] is missing`);
        return;
      }
    }
    if (subs.has(um.messageId)) {
      refuse(
        res,
        'WS_PLUGIN:0007',
        `Message with id [${um.messageId}] already exists. Message identifiers must be unique`,
      );
      return;
    }
    const failing = failSends > 0;
    if (failing) failSends--;
    subs.set(um.messageId, {
      messageId: um.messageId,
      message,
      submittedAt: new Date().toISOString(),
      envelope: raw.toString('utf8'),
      status: failing ? 'SEND_FAILURE' : 'WAITING_FOR_RECEIPT',
      pollsLeft: failing ? 0 : pendingPolls,
      errors: failing ? [...failSendErrors] : [],
    });
    emit({ type: 'submit', messageId: um.messageId, accepted: true });
    const answer = submitResponse(um.messageId, String(++entityIds));
    if (slowSubmits > 0) {
      // Accepted and recorded, answered late: the client may give up and retry (a lost answer).
      slowSubmits--;
      setTimeout(() => soap(res, 200, answer), slowSubmitMs).unref();
      return;
    }
    soap(res, 200, answer);
  }

  function refuse(res: Response, code: string, message: string): void {
    emit({ type: 'submit', messageId: '', accepted: false, reason: `${code} ${message}` });
    pluginFault(res, 'Message submission failed', code, message);
  }

  // Control routes (same basic auth).
  app.post(`${STANDIN_CONTROL_PATH}/inbox`, express.json({ limit: '64mb' }), async (req: Request, res: Response) => {
    try {
      const parsed = parseEnvelope(req.body);
      await deliver({ userMessage: parsed.userMessage, payloads: parsed.payloads });
      res.status(202).json({ status: 'pending', messageId: parsed.userMessage.messageId });
    } catch (err) {
      if (err instanceof EnvelopeError) {
        res.status(400).json({ error: err.message });
        return;
      }
      throw err;
    }
  });
  app.get(`${STANDIN_CONTROL_PATH}/pending`, (_req, res) => {
    res.json({ pending: [...inbox.keys()] });
  });
  app.get(`${STANDIN_CONTROL_PATH}/submissions`, (_req, res) => {
    res.json({
      submissions: [...subs.values()].map((s) => ({
        messageId: s.messageId,
        action: s.message.userMessage.action,
        conversationId: s.message.userMessage.conversationId,
        submittedAt: s.submittedAt,
        status: s.status,
        payloads: s.message.payloads.map((p) => ({ href: p.href, mimeType: p.mimeType, bytes: p.bytes.byteLength })),
      })),
    });
  });
  app.post(`${STANDIN_CONTROL_PATH}/faults`, express.json(), (req: Request, res: Response) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.failNextSubmits === 'number')
      faults.failNextSubmits(b.failNextSubmits, b.kind === 'http503' ? 'http503' : 'fault');
    if (typeof b.latencyMs === 'number') faults.setLatency(b.latencyMs);
    if (typeof b.slowNextSubmits === 'number') faults.slowNextSubmits(b.slowNextSubmits, Number(b.slowMs ?? 0));
    if (typeof b.failNextRetrieves === 'number') faults.failNextRetrieves(b.failNextRetrieves);
    if (typeof b.failNextSends === 'number') faults.failNextSends(b.failNextSends);
    if (typeof b.ackAfterPolls === 'number') faults.ackAfterPolls(b.ackAfterPolls);
    res.json({
      failNextSubmits: failSubmits,
      kind: failKind,
      latencyMs,
      failNextSends: failSends,
      ackAfterPolls: pendingPolls,
    });
  });

  const faults: StandinFaults = {
    failNextSubmits(n, kind = 'fault') {
      failSubmits = Math.max(0, Math.floor(n));
      failKind = kind;
    },
    slowNextSubmits(n, ms) {
      slowSubmits = Math.max(0, Math.floor(n));
      slowSubmitMs = Math.max(0, Math.floor(ms));
    },
    failNextRetrieves(n) {
      failRetrieves = Math.max(0, Math.floor(n));
    },
    setLatency(ms) {
      latencyMs = Math.max(0, Math.floor(ms));
    },
    failNextSends(n, errors) {
      failSends = Math.max(0, Math.floor(n));
      if (errors !== undefined) failSendErrors = [...errors];
    },
    ackAfterPolls(n) {
      pendingPolls = Math.max(0, Math.floor(n));
    },
    setStatus(messageId, status, errors) {
      const sub = subs.get(messageId);
      if (sub === undefined) throw new Error(`no submission ${messageId}`);
      sub.status = status;
      sub.pollsLeft = 0;
      if (errors !== undefined) sub.errors = [...errors];
    },
    reset() {
      failSubmits = 0;
      latencyMs = 0;
      failSends = 0;
      pendingPolls = 0;
      slowSubmits = 0;
      failRetrieves = 0;
      failSendErrors = DEFAULT_SEND_FAILURE;
    },
  };

  /** One push of the rule (BackendService.wsdl): success is a 2xx answer without a SOAP fault. */
  async function push(message: WsMessage): Promise<void> {
    if (opts.pushUrl === undefined) return;
    const messageId = message.userMessage.messageId;
    const kind = opts.pushType ?? 'receiveSuccess';
    const headers: Record<string, string> = { 'content-type': SOAP12_CONTENT_TYPE };
    if (opts.pushUser !== undefined && opts.pushPassword !== undefined) {
      headers.authorization = basicAuthorization(opts.pushUser, opts.pushPassword);
    }
    const body = kind === 'submitRequest' ? pushedMessageRequest(message) : receiveSuccessNotification(messageId);
    // What it pushes is held to BackendService.xsd like its answers to the plugin's schemas.
    invalidAnswers.push(...validator.validate(body, 'push').map((p) => `push ${kind}: ${p}`));
    try {
      const r = await fetch(opts.pushUrl, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await r.text();
      let ok = r.status >= 200 && r.status < 300;
      if (ok) {
        try {
          const answer = readSoap(text);
          // Both outputs (receiveSuccessResponse, submitRequestResponse) have no part: an empty body.
          ok = answer.fault === undefined && answer.body.children.length === 0;
        } catch {
          ok = false;
        }
      }
      if (ok && opts.pushMarkAsDownloaded === true) inbox.delete(messageId);
      emit({ type: 'push', messageId, kind, httpStatus: r.status, ok });
    } catch {
      emit({ type: 'push', messageId, kind, httpStatus: 'error', ok: false });
    }
  }

  async function deliver(message: WsMessage): Promise<void> {
    inbox.set(message.userMessage.messageId, { message, receivedAt: new Date().toISOString() });
    await push(message);
  }

  const server = http.createServer(app);
  server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const baseUrl = `http://${host}:${addr.port}`;

  return {
    url: `${baseUrl}${STANDIN_WS_PATH}`,
    baseUrl,
    deliver,
    pending: () => [...inbox.keys()],
    submissions: () => [...subs.values()],
    invalidRequests: () => [...invalid],
    invalidAnswers: () => [...invalidAnswers],
    faults,
    async close() {
      validator.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
