/**
 * The Domibus WS plugin stand-in's shapes and in-memory state (src/sandbox/domibus-standin.ts
 * composes it): the pending inbox, the recorded submissions, the fault knobs, and the one way an
 * answer is written (held to the official schemas like the requests).
 */
import type { Response } from 'express';
import type { MessageErrorItem, WsMessage } from '../connector/domibus/messages.js';
import { faultEnvelope, SOAP12_CONTENT_TYPE, type FaultSpec } from '../connector/domibus/soap.js';
import type { WsPluginValidator } from '../connector/domibus/wsplugin-schema.js';

export const STANDIN_WS_PATH = '/domibus/services/wsplugin';
export const STANDIN_CONTROL_PATH = '/sandbox/domibus';

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

/** A message in the pending inbox. */
export interface PendingEntry {
  readonly message: WsMessage;
  readonly receivedAt: string;
}

/** Current values of the fault knobs (what {@link StandinFaults} sets). */
export interface Knobs {
  failSubmits: number;
  failKind: 'fault' | 'http503';
  latencyMs: number;
  failSends: number;
  failSendErrors: MessageErrorItem[];
  pendingPolls: number;
  slowSubmits: number;
  failRetrieves: number;
  slowSubmitMs: number;
}

/** Everything one stand-in holds; the route modules read and change it. */
export interface StandinState {
  readonly opts: DomibusStandinOptions;
  readonly inbox: Map<string, PendingEntry>;
  readonly subs: Map<string, Submission>;
  readonly knobs: Knobs;
  /** The last `messageEntityID` given out (5.2's submitResponse). */
  entityIds: bigint;
  readonly invalid: { operation: string; problems: readonly string[] }[];
  readonly invalidAnswers: string[];
  readonly validator: WsPluginValidator;
  /** Base URL of the server once it listens (the served WSDL points at it). */
  baseUrl: string;
  emit(e: StandinEvent): void;
}

export const DEFAULT_SEND_FAILURE: MessageErrorItem[] = [
  {
    code: 'EBMS_0005',
    detail: 'Error dispatching message to [http://receiver.example/domibus/services/msh]',
    mshRole: 'SENDING',
    timestamp: undefined,
  },
];

const healthyKnobs = (): Knobs => ({
  failSubmits: 0,
  failKind: 'fault',
  latencyMs: 0,
  failSends: 0,
  failSendErrors: DEFAULT_SEND_FAILURE,
  pendingPolls: 0,
  slowSubmits: 0,
  failRetrieves: 0,
  slowSubmitMs: 0,
});

export function createStandinState(opts: DomibusStandinOptions, validator: WsPluginValidator): StandinState {
  return {
    opts,
    inbox: new Map(),
    subs: new Map(),
    knobs: healthyKnobs(),
    entityIds: 874945832007903000n,
    invalid: [],
    invalidAnswers: [],
    validator,
    baseUrl: '',
    emit: (e) => opts.onEvent?.(e),
  };
}

const count = (n: number): number => Math.max(0, Math.floor(n));

/** The fault knobs of one stand-in (in-process; POST /sandbox/domibus/faults sets the same). */
export function createStandinFaults(st: StandinState): StandinFaults {
  const k = st.knobs;
  return {
    failNextSubmits(n, kind = 'fault') {
      k.failSubmits = count(n);
      k.failKind = kind;
    },
    slowNextSubmits(n, ms) {
      k.slowSubmits = count(n);
      k.slowSubmitMs = count(ms);
    },
    failNextRetrieves(n) {
      k.failRetrieves = count(n);
    },
    setLatency(ms) {
      k.latencyMs = count(ms);
    },
    failNextSends(n, errors) {
      k.failSends = count(n);
      if (errors !== undefined) k.failSendErrors = [...errors];
    },
    ackAfterPolls(n) {
      k.pendingPolls = count(n);
    },
    setStatus(messageId, status, errors) {
      const sub = st.subs.get(messageId);
      if (sub === undefined) throw new Error(`no submission ${messageId}`);
      sub.status = status;
      sub.pollsLeft = 0;
      if (errors !== undefined) sub.errors = [...errors];
    },
    reset() {
      // The fault kind and the slow-answer delay are left as they were (only the counts matter).
      k.failSubmits = 0;
      k.latencyMs = 0;
      k.failSends = 0;
      k.pendingPolls = 0;
      k.slowSubmits = 0;
      k.failRetrieves = 0;
      k.failSendErrors = DEFAULT_SEND_FAILURE;
    },
  };
}

/** Writes a SOAP answer. */
export function soap(st: StandinState, res: Response, status: number, xml: string): void {
  // Its own answers are held to the same schemas (5.2's messageEntityID aside): no drift either way.
  const own = st.validator.validate(xml, 'plugin').filter((p) => !p.includes("'messageEntityID'"));
  if (own.length > 0) st.invalidAnswers.push(...own);
  res.status(status).type(SOAP12_CONTENT_TYPE).send(xml);
}

export function fault(st: StandinState, res: Response, spec: FaultSpec): void {
  soap(st, res, 500, faultEnvelope(spec));
}

/** A plugin fault: the WSDL's fault parts are all `tns:FaultDetail` (code, message). */
export function pluginFault(st: StandinState, res: Response, reason: string, code: string, message: string): void {
  fault(st, res, { code: 'Receiver', reason, detail: { name: 'FaultDetail', code, message } });
}

/** HTTP 503 with an HTML page, not SOAP (the fault knobs' unavailable plugin). */
export function unavailable(res: Response): void {
  res.status(503).type('text/html').send('<html><body>Service Unavailable</body></html>');
}
