/**
 * The Domibus WS plugin client: SOAP 1.2 over HTTP(S) with the plugin user's basic auth, one
 * bounded attempt per call (a hard deadline covers connect, upload and the whole answer), and
 * typed errors:
 *
 * - a SOAP fault (CXF answers faults with HTTP 500) → DomibusError ERR_DOMIBUS_FAULT, with the
 *   plugin's code (`WS_PLUGIN:0003`...) and text;
 * - network errors, timeouts, HTTP 401/403, 5xx without a fault → ERR_DOMIBUS_UNAVAILABLE;
 * - an answer that is not the expected SOAP body → ERR_DOMIBUS_PROTOCOL.
 *
 * No retries here: the callers run on schedules (pull, sweep) or in queue jobs (deliver) that retry.
 * Never logged: payloads, header properties.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { AdapterError, type ErrorCode } from '../../errors.js';
import { XmlInputError } from '../../errors.js';
import {
  getMessageErrorsRequest,
  getStatusRequest,
  listPendingMessagesRequest,
  markMessageAsDownloadedRequest,
  parseListPendingResponse,
  parseMessageErrorsResponse,
  parseRetrieveResponse,
  parseStatusResponse,
  parseSubmitResponse,
  retrieveMessageRequest,
  submitRequest,
  expectBody,
  type MessageErrorItem,
  type PendingFilter,
  type WsMessage,
} from './messages.js';
import {
  describeFault,
  readSoap,
  SOAP12_CONTENT_TYPE,
  SOAP_XML_LIMITS,
  type SoapDocument,
  type SoapFault,
} from './soap.js';

export type DomibusOperation =
  | 'submitMessage'
  | 'listPendingMessages'
  | 'retrieveMessage'
  | 'markMessageAsDownloaded'
  | 'getStatus'
  | 'getMessageErrors';

export class DomibusError extends AdapterError {
  override readonly name = 'DomibusError';
  readonly operation: DomibusOperation;
  /** The SOAP fault, for ERR_DOMIBUS_FAULT. */
  readonly fault: SoapFault | undefined;
  /** HTTP status when one was received. */
  readonly status: number | undefined;
  constructor(
    code: Extract<ErrorCode, 'ERR_DOMIBUS_FAULT' | 'ERR_DOMIBUS_UNAVAILABLE' | 'ERR_DOMIBUS_PROTOCOL'>,
    operation: DomibusOperation,
    message: string,
    options: { fault?: SoapFault; status?: number; cause?: unknown } = {},
  ) {
    super(code, `Domibus ${operation}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = operation;
    this.fault = options.fault;
    this.status = options.status;
  }
}

export interface DomibusClientOptions {
  /** The WS plugin endpoint, e.g. `https://ap.example.lv/domibus/services/wsplugin`. */
  readonly url: string;
  /** Plugin user (basic auth). */
  readonly user: string;
  readonly password: string;
  /** Deadline of one call, ms. */
  readonly timeoutMs: number;
  /** Largest answer accepted, bytes. Default 128 MiB (a retrieve carries base64 payloads). */
  readonly maxResponseBytes?: number;
  /** Keep-alive sockets at most (per process). Default 16. */
  readonly maxSockets?: number;
}

export interface DomibusClient {
  /** Submits a message; resolves with the messageID Domibus assigned (the header's eb:MessageId). */
  submitMessage(message: WsMessage): Promise<string>;
  listPendingMessages(filter?: PendingFilter): Promise<string[]>;
  retrieveMessage(messageId: string, opts?: { markAsDownloaded?: boolean }): Promise<WsMessage>;
  markMessageAsDownloaded(messageId: string): Promise<void>;
  getStatus(messageId: string): Promise<string>;
  getMessageErrors(messageId: string): Promise<MessageErrorItem[]>;
  /** The endpoint, for logs and the self-test (no credentials). */
  readonly url: string;
  /** Closes kept-alive sockets. */
  close(): void;
}

export function createDomibusClient(opts: DomibusClientOptions): DomibusClient {
  const maxResponseBytes = opts.maxResponseBytes ?? SOAP_XML_LIMITS.maxBytes;
  const agentOptions = { keepAlive: true, maxSockets: opts.maxSockets ?? 16 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const ax: AxiosInstance = axios.create({
    baseURL: undefined,
    timeout: opts.timeoutMs,
    maxContentLength: maxResponseBytes,
    maxBodyLength: Infinity,
    maxRedirects: 0,
    responseType: 'arraybuffer',
    // Decide on statuses ourselves: CXF sends faults as HTTP 500 with a SOAP body.
    validateStatus: () => true,
    auth: { username: opts.user, password: opts.password },
    headers: { 'content-type': SOAP12_CONTENT_TYPE, accept: 'application/soap+xml, text/xml' },
    httpAgent,
    httpsAgent,
    proxy: false,
  });

  async function call(operation: DomibusOperation, envelope: string, expect: string): Promise<SoapDocument> {
    let res;
    try {
      res = await ax.post<ArrayBuffer>(opts.url, envelope, { signal: AbortSignal.timeout(opts.timeoutMs) });
    } catch (cause) {
      const e = cause as { code?: string; name?: string; message?: string };
      const timedOut =
        e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || e.name === 'CanceledError' || e.name === 'AbortError';
      const tooLarge = typeof e.message === 'string' && /maxContentLength/.test(e.message);
      const what = tooLarge
        ? `answer larger than ${maxResponseBytes} bytes`
        : timedOut
          ? `no answer within ${opts.timeoutMs} ms`
          : `network error (${e.code ?? e.name ?? 'unknown'})`;
      throw new DomibusError(tooLarge ? 'ERR_DOMIBUS_PROTOCOL' : 'ERR_DOMIBUS_UNAVAILABLE', operation, what, { cause });
    }
    const status = res.status;
    if (status === 401 || status === 403) {
      throw new DomibusError(
        'ERR_DOMIBUS_UNAVAILABLE',
        operation,
        `HTTP ${status}: check DOMIBUS_USER / DOMIBUS_PASSWORD (a plugin user of this domain)`,
        {
          status,
        },
      );
    }
    const contentType = String(res.headers['content-type'] ?? '');
    if (/multipart\/related/i.test(contentType)) {
      throw new DomibusError(
        'ERR_DOMIBUS_PROTOCOL',
        operation,
        'MTOM/multipart answer: set wsplugin.mtom.enabled=false',
        { status },
      );
    }
    const bytes = new Uint8Array(res.data);
    let doc: SoapDocument;
    try {
      doc = readSoap(bytes);
    } catch (cause) {
      const code =
        status >= 500 || status === 404 || status === 408 || status === 429
          ? 'ERR_DOMIBUS_UNAVAILABLE'
          : 'ERR_DOMIBUS_PROTOCOL';
      const why = cause instanceof XmlInputError || cause instanceof AdapterError ? cause.message : 'unreadable answer';
      throw new DomibusError(code, operation, `HTTP ${status}, not a SOAP 1.2 answer (${why})`, { status, cause });
    }
    if (doc.fault !== undefined) {
      throw new DomibusError('ERR_DOMIBUS_FAULT', operation, `SOAP fault ${describeFault(doc.fault)}`, {
        fault: doc.fault,
        status,
      });
    }
    if (status < 200 || status >= 300) {
      throw new DomibusError('ERR_DOMIBUS_UNAVAILABLE', operation, `HTTP ${status}`, { status });
    }
    try {
      expectBody(doc, expect);
    } catch (cause) {
      throw new DomibusError('ERR_DOMIBUS_PROTOCOL', operation, (cause as Error).message, { status, cause });
    }
    return doc;
  }

  /** Parser errors of an answer we asked for are protocol errors of this operation. */
  function read<T>(operation: DomibusOperation, f: () => T): T {
    try {
      return f();
    } catch (cause) {
      if (cause instanceof DomibusError) throw cause;
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new DomibusError('ERR_DOMIBUS_PROTOCOL', operation, message, { cause });
    }
  }

  return {
    url: opts.url,
    async submitMessage(message) {
      const doc = await call('submitMessage', submitRequest(message), 'submitResponse');
      const ids = read('submitMessage', () => parseSubmitResponse(doc));
      const id = ids[0];
      if (id === undefined)
        throw new DomibusError('ERR_DOMIBUS_PROTOCOL', 'submitMessage', 'submitResponse without messageID');
      return id;
    },
    async listPendingMessages(filter) {
      const doc = await call('listPendingMessages', listPendingMessagesRequest(filter), 'listPendingMessagesResponse');
      return read('listPendingMessages', () => parseListPendingResponse(doc));
    },
    async retrieveMessage(messageId, ropts) {
      const doc = await call('retrieveMessage', retrieveMessageRequest(messageId, ropts), 'retrieveMessageResponse');
      return read('retrieveMessage', () => parseRetrieveResponse(doc));
    },
    async markMessageAsDownloaded(messageId) {
      await call(
        'markMessageAsDownloaded',
        markMessageAsDownloadedRequest(messageId),
        'markMessageAsDownloadedResponse',
      );
    },
    async getStatus(messageId) {
      const doc = await call('getStatus', getStatusRequest(messageId), 'getStatusResponse');
      return read('getStatus', () => parseStatusResponse(doc));
    },
    async getMessageErrors(messageId) {
      const doc = await call('getMessageErrors', getMessageErrorsRequest(messageId), 'getMessageErrorsResponse');
      return read('getMessageErrors', () => parseMessageErrorsResponse(doc));
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** Self-test for `oots-adapter domibus selftest`: lists pending messages (read-only). */
export async function domibusSelfTest(client: Pick<DomibusClient, 'listPendingMessages' | 'url'>): Promise<{
  ok: boolean;
  pending: number;
  detail: string;
}> {
  try {
    const ids = await client.listPendingMessages();
    return {
      ok: true,
      pending: ids.length,
      detail: `${client.url}: plugin user accepted, ${ids.length} message(s) pending`,
    };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, pending: 0, detail: `${client.url}: ${detail}` };
  }
}
