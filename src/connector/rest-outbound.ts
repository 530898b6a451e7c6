/**
 * Outbound REST connector: POSTs an answer as the connector envelope (RegRep part first, then one
 * part per evidence attachment). 2xx = accepted. 4xx other than 408/429 = the connector refuses
 * this message for good (ERR_CONNECTOR_REFUSED: the deliver job stops and stays visible as
 * failed). Anything else (network, timeout, 408, 429, 5xx) = ERR_CONNECTOR_UNAVAILABLE, retried.
 * The AS4 MessageId goes along as `Idempotency-Key`, so a connector can drop a re-delivery after
 * a lost acknowledgement.
 */
import { AdapterError } from '../errors.js';
import type { OutboundMessage } from '../exchange/ports.js';
import { toEnvelope } from './envelope.js';

export interface RestSubmitterOptions {
  readonly url: string;
  /** Bearer token; undefined or empty = no Authorization header. */
  readonly token?: string | undefined;
  /** Timeout of one attempt in ms. */
  readonly timeoutMs: number;
  /** Injectable transport (tests). Default: global fetch. */
  readonly fetch?: typeof fetch;
}

export interface Submitter {
  /** Resolves when the connector accepted the message; rejects with a typed AdapterError otherwise. */
  submit(exchangeRef: string, message: OutboundMessage): Promise<void>;
}

export function createRestSubmitter(opts: RestSubmitterOptions): Submitter {
  const doFetch = opts.fetch ?? fetch;
  return {
    async submit(exchangeRef, message) {
      const body = JSON.stringify(toEnvelope(message));
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json, application/problem+json',
        'idempotency-key': message.userMessage.messageId,
      };
      if (opts.token !== undefined && opts.token !== '') headers.authorization = `Bearer ${opts.token}`;
      let res: Response;
      try {
        res = await doFetch(opts.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs) });
      } catch (cause) {
        const what =
          cause instanceof Error && cause.name === 'TimeoutError'
            ? `no answer within ${opts.timeoutMs} ms`
            : 'network error';
        throw new AdapterError('ERR_CONNECTOR_UNAVAILABLE', `connector delivery of ${exchangeRef}: ${what}`, { cause });
      }
      const detail = (await res.text().catch(() => '')).slice(0, 300);
      if (res.ok) return;
      const message_ = `connector answered HTTP ${res.status} for ${exchangeRef}${detail === '' ? '' : `: ${detail}`}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        throw new AdapterError('ERR_CONNECTOR_REFUSED', message_);
      }
      throw new AdapterError('ERR_CONNECTOR_UNAVAILABLE', message_);
    },
  };
}
