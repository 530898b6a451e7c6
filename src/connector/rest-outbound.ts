/**
 * Outbound REST connector: POSTs an answer as the connector envelope (RegRep part first, then one
 * part per evidence attachment). 2xx = accepted. 4xx other than 408/429 = the connector refuses
 * this message for good (ERR_CONNECTOR_REFUSED: the deliver job stops and stays visible as
 * failed). Anything else (network, timeout, 408, 429, 5xx) = ERR_CONNECTOR_UNAVAILABLE, retried.
 * The AS4 MessageId goes along as `Idempotency-Key`, so a connector can drop a re-delivery after
 * a lost acknowledgement.
 */
import http from 'node:http';
import https from 'node:https';
import axios from 'axios';
import { AdapterError } from '../errors.js';
import type { Submitter } from '../exchange/ports.js';
import { toEnvelope } from './envelope.js';

export interface RestSubmitterOptions {
  readonly url: string;
  /** Bearer token; undefined or empty = no Authorization header. */
  readonly token?: string | undefined;
  /** Timeout of one attempt in ms. */
  readonly timeoutMs: number;
  /** Most sockets kept open to the connector (default 64). */
  readonly maxSockets?: number;
}

/** The most of a connector's answer body read (only its start goes into the error message). */
const MAX_ANSWER_BYTES = 1024 * 1024;

export function createRestSubmitter(opts: RestSubmitterOptions): Submitter {
  // Kept-alive sockets: a new connection per answer cost the worker more than the rest of the
  // HTTP exchange (this replaced global fetch, which also kept sockets but cost ~5 % of a worker).
  const agentOptions = { keepAlive: true, maxSockets: opts.maxSockets ?? 64 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, application/problem+json',
  };
  if (opts.token !== undefined && opts.token !== '') headers.authorization = `Bearer ${opts.token}`;
  const ax = axios.create({
    timeout: opts.timeoutMs,
    maxContentLength: MAX_ANSWER_BYTES,
    maxBodyLength: Infinity,
    maxRedirects: 0,
    responseType: 'text',
    // Bodies are kept as received: axios would otherwise try to parse JSON.
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    headers,
    httpAgent,
    httpsAgent,
    proxy: false,
  });
  return {
    async submit(exchangeRef, message) {
      const body = JSON.stringify(toEnvelope(message));
      let res;
      try {
        res = await ax.post<string>(opts.url, body, {
          headers: { 'idempotency-key': message.userMessage.messageId },
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
      } catch (cause) {
        const e = cause as { code?: string; name?: string; message?: string };
        const timedOut =
          e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || e.name === 'CanceledError' || e.name === 'AbortError';
        const what = timedOut
          ? `no answer within ${opts.timeoutMs} ms`
          : `network error (${e.code ?? e.name ?? 'unknown'})`;
        throw new AdapterError('ERR_CONNECTOR_UNAVAILABLE', `connector delivery of ${exchangeRef}: ${what}`, { cause });
      }
      if (res.status >= 200 && res.status < 300) return;
      const detail = (typeof res.data === 'string' ? res.data : '').slice(0, 300);
      const message_ = `connector answered HTTP ${res.status} for ${exchangeRef}${detail === '' ? '' : `: ${detail}`}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        throw new AdapterError('ERR_CONNECTOR_REFUSED', message_);
      }
      throw new AdapterError('ERR_CONNECTOR_UNAVAILABLE', message_);
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
