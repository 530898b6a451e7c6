/**
 * Inbound REST connector route: `POST /connector/messages` (docs/openapi.yaml).
 *
 * Order of checks: bearer token (constant-time), media type (415), body size (413), envelope
 * (400 problem+json naming each field), then the durable store and the enqueue. The answer is 202
 * only after Redis acknowledged the store and the process job exists; a duplicate delivery (same
 * AS4 MessageId) gets the same 202 and creates nothing new. When Redis is down the connector gets a
 * 503 with Retry-After and delivers again later: the store dedupes, so a retry is always safe.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { EBRS_MIME_TYPE } from '../ebms/model.js';
import { sendProblem } from '../infra/http-problem.js';
import type { Logger } from '../infra/logger.js';
import type { ExchangeStore } from '../store/exchange-store.js';
import {
  DEFAULT_ENVELOPE_LIMITS,
  EnvelopeError,
  type EnvelopeLimits,
  type EnvelopeProblem,
  parseEnvelope,
} from './envelope.js';

export const INBOUND_PATH = '/connector/messages';

export interface InboundDeps {
  readonly store: Pick<ExchangeStore, 'acceptInbound' | 'getState'>;
  readonly queues: { enqueueProcess(exchangeRef: string): Promise<void> };
  /** The bearer token the connector presents. */
  readonly token: string;
  /** Largest request body (JSON with base64 payloads), bytes. */
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  readonly limits?: EnvelopeLimits;
  readonly now?: () => Date;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time bearer check (compares digests, so lengths do not leak either). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (\S+)$/i.exec(header ?? '');
  const presented = digest(m?.[1] ?? '');
  return timingSafeEqual(presented, digest(token)) && m !== null;
}

export function createInboundRouter(deps: InboundDeps): express.Router {
  if (deps.token.length < 16) throw new Error('connector inbound token must be at least 16 characters');
  const router = express.Router();
  const now = deps.now ?? (() => new Date());
  const limits = deps.limits ?? DEFAULT_ENVELOPE_LIMITS;
  const log = deps.logger.child({ route: INBOUND_PATH });

  router.post(
    INBOUND_PATH,
    (req, res, next) => {
      if (!bearerMatches(req.get('authorization'), deps.token)) {
        res.set('WWW-Authenticate', 'Bearer realm="connector"');
        problem(res, 401, 'Unauthorized', 'a valid bearer token is required');
        return;
      }
      if (!req.is('application/json')) {
        problem(res, 415, 'Unsupported Media Type', 'send the envelope as application/json');
        return;
      }
      next();
    },
    express.json({ limit: deps.maxBodyBytes, strict: true, type: 'application/json' }),
    async (req: Request, res: Response) => {
      let parsed;
      try {
        parsed = parseEnvelope(req.body, { limits, action: 'ExecuteQueryRequest', requireMimeType: EBRS_MIME_TYPE });
      } catch (err) {
        if (err instanceof EnvelopeError) {
          log.info({ status: err.status, problems: err.problems }, 'refused envelope');
          const title = err.status === 413 ? 'Payload Too Large' : 'Invalid Envelope';
          problem(res, err.status, title, 'the envelope does not follow the connector contract', err.problems);
          return;
        }
        throw err;
      }
      const { userMessage, payloads } = parsed;
      try {
        const { exchangeRef, duplicate } = await deps.store.acceptInbound({
          userMessage,
          payloads,
          receivedAt: now().toISOString(),
        });
        // A duplicate still enqueues while the exchange waits in `received`: the first delivery may
        // have been stored and then lost its enqueue in a crash. The job id collapses the rest.
        if (!duplicate || (await deps.store.getState(exchangeRef)) === 'received')
          await deps.queues.enqueueProcess(exchangeRef);
        log.info(
          { exchangeRef, messageId: userMessage.messageId, conversationId: userMessage.conversationId, duplicate },
          'request accepted',
        );
        res
          .status(202)
          .json({ status: 'accepted', messageId: userMessage.messageId, delivery: duplicate ? 'duplicate' : 'new' });
      } catch (err) {
        log.error(
          { err: err instanceof Error ? { message: err.message, name: err.name } : String(err) },
          'intake failed',
        );
        res.set('Retry-After', '5');
        problem(res, 503, 'Service Unavailable', 'the request could not be stored; deliver it again later');
      }
    },
  );

  const onError: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.too.large') {
      problem(res, 413, 'Payload Too Large', `the envelope exceeds ${deps.maxBodyBytes} bytes`);
      return;
    }
    if (e.type === 'entity.parse.failed' || e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      problem(res, 400, 'Invalid Envelope', 'the body is not valid JSON', [
        { field: '', message: 'is not valid JSON' },
      ]);
      return;
    }
    next(err);
  };
  router.use(onError);
  return router;
}

/** RFC 9457 problem details; `problems` names each offending field by JSON pointer. */
function problem(
  res: Response,
  status: number,
  title: string,
  detail: string,
  problems?: readonly EnvelopeProblem[],
): void {
  sendProblem(res, status, title, detail, problems === undefined ? {} : { problems });
}
