/**
 * The connector stand-in of the embedded default (and of tests): it receives outbound envelopes
 * like a REST connector would and records them in Redis, so every adapter process (and the CLI)
 * sees the same outbox.
 *
 *   POST   /sandbox/connector/inbox             receive an envelope (bearer token when configured)
 *   GET    /sandbox/connector/outbox            summaries, newest first (?conversationId, ?requestId,
 *                                               ?messageId, ?limit)
 *   GET    /sandbox/connector/outbox/:messageId the full envelope last received with that MessageId
 *   DELETE /sandbox/connector/outbox            forget everything recorded
 *   GET    /sandbox/connector/faults            current fault settings
 *   POST   /sandbox/connector/faults            { "refuseNext": n, "status": 503 } refuse the next n
 *
 * Each accepted POST is recorded once, so a duplicate delivery by the adapter shows up twice. The
 * recorded envelopes hold evidence (synthetic in the sandbox): they expire after `ttlSeconds`.
 */
import express, { type Request, type Response } from 'express';
import type { Cluster, Redis } from 'ioredis';
import { EBRS_MIME_TYPE } from '../ebms/model.js';
import { bearerMatches } from '../connector/rest-inbound.js';
import { EnvelopeError, parseEnvelope, type RestEnvelope } from '../connector/envelope.js';
import { sendProblem } from '../infra/http-problem.js';
import { luaScript } from '../infra/lua-script.js';

export const STANDIN_INBOX_PATH = '/sandbox/connector/inbox';

export interface StandinOptions {
  readonly redis: Redis | Cluster;
  /** Key prefix, e.g. `{oots}:standin:`. */
  readonly prefix: string;
  /** Bearer token the adapter must present; undefined = no authentication. */
  readonly token?: string | undefined;
  /** Lifetime of recorded envelopes. Default 86400 (one day). */
  readonly ttlSeconds?: number;
  /** Most summaries kept. Default 1000. */
  readonly maxEntries?: number;
  /** Largest envelope accepted, bytes. Default 64 MiB. */
  readonly maxBodyBytes?: number;
}

export interface OutboxSummary {
  readonly messageId: string;
  readonly receivedAt: string;
  readonly conversationId: string;
  readonly action: string;
  /** The QueryResponse `requestId` (the request it answers), read from the RegRep part. */
  readonly requestId: string | undefined;
  /** RegRep status (`Success`, `Failure`, `Unavailable`), when found. */
  readonly status: string | undefined;
  /** EDM error code of an exception response, when found. */
  readonly errorCode: string | undefined;
  readonly payloads: readonly { readonly href: string; readonly mimeType: string; readonly bytes: number }[];
}

const REFUSE = `
local n = tonumber(redis.call('HGET', KEYS[1], 'refuseNext') or '0')
if n > 0 then
  redis.call('HINCRBY', KEYS[1], 'refuseNext', -1)
  return tonumber(redis.call('HGET', KEYS[1], 'status') or '503')
end
return 0
`;

const RECORD = `
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[4]) - 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

const REFUSE_SCRIPT = luaScript(REFUSE);
const RECORD_SCRIPT = luaScript(RECORD);

export function createConnectorStandin(opts: StandinOptions): express.Router {
  const { redis, prefix } = opts;
  const ttl = opts.ttlSeconds ?? 86_400;
  const maxEntries = opts.maxEntries ?? 1000;
  const listKey = `${prefix}outbox`;
  const faultsKey = `${prefix}faults`;
  const msgKey = (id: string): string => `${prefix}msg:${id}`;
  const router = express.Router();

  router.post(
    STANDIN_INBOX_PATH,
    express.json({ limit: opts.maxBodyBytes ?? 64 * 1024 * 1024 }),
    async (req: Request, res: Response) => {
      if (opts.token !== undefined && !bearerMatches(req.get('authorization'), opts.token)) {
        sendProblem(res, 401, 'Unauthorized', 'a valid bearer token is required');
        return;
      }
      const refused = (await REFUSE_SCRIPT.run(redis, [faultsKey], [])) as number;
      if (refused > 0) {
        sendProblem(res, refused, 'Refused (fault knob)', 'the connector stand-in was told to refuse this delivery');
        return;
      }
      let envelope: RestEnvelope;
      try {
        parseEnvelope(req.body);
        envelope = req.body as RestEnvelope;
      } catch (err) {
        if (err instanceof EnvelopeError) {
          sendProblem(res, 400, 'Invalid Envelope', err.message, { problems: err.problems });
          return;
        }
        throw err;
      }
      const summary = summarise(envelope, new Date().toISOString());
      await RECORD_SCRIPT.run(
        redis,
        [listKey, msgKey(summary.messageId)],
        [JSON.stringify(summary), JSON.stringify(envelope), String(ttl), String(maxEntries)],
      );
      res.status(202).json({ status: 'accepted', messageId: summary.messageId });
    },
  );

  router.get('/sandbox/connector/outbox', async (req: Request, res: Response) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = Math.min(Math.max(Number(q.limit ?? '100') || 100, 1), maxEntries);
    const raw = await redis.lrange(listKey, 0, maxEntries - 1);
    const messages = raw
      .map((s) => JSON.parse(s) as OutboxSummary)
      .filter(
        (m) =>
          (q.conversationId === undefined || m.conversationId === q.conversationId) &&
          (q.requestId === undefined || m.requestId === q.requestId) &&
          (q.messageId === undefined || m.messageId === q.messageId),
      )
      .slice(0, limit);
    res.json({ messages });
  });

  router.get('/sandbox/connector/outbox/:messageId', async (req: Request, res: Response) => {
    const raw = await redis.get(msgKey(String(req.params.messageId)));
    if (raw === null) {
      sendProblem(res, 404, 'Not Found', 'no message with that MessageId was recorded (or it expired)');
      return;
    }
    res.type('application/json').send(raw);
  });

  router.delete('/sandbox/connector/outbox', async (_req: Request, res: Response) => {
    const raw = await redis.lrange(listKey, 0, -1);
    const ids = [...new Set(raw.map((s) => (JSON.parse(s) as OutboxSummary).messageId))];
    for (const id of ids) await redis.del(msgKey(id));
    await redis.del(listKey);
    res.status(204).end();
  });

  router.get('/sandbox/connector/faults', async (_req: Request, res: Response) => {
    res.json(await faults());
  });

  router.post('/sandbox/connector/faults', express.json(), async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as { refuseNext?: unknown; status?: unknown };
    const refuseNext = typeof body.refuseNext === 'number' ? body.refuseNext : body.refuseNext === undefined ? 0 : NaN;
    const status = typeof body.status === 'number' ? body.status : body.status === undefined ? 503 : NaN;
    if (!Number.isInteger(refuseNext) || refuseNext < 0 || !Number.isInteger(status) || status < 400 || status > 599) {
      sendProblem(
        res,
        400,
        'Bad Request',
        'refuseNext must be an integer >= 0 and status an HTTP status from 400 to 599',
      );
      return;
    }
    await redis.hset(faultsKey, 'refuseNext', String(refuseNext), 'status', String(status));
    await redis.expire(faultsKey, ttl);
    res.json(await faults());
  });

  async function faults(): Promise<{ refuseNext: number; status: number }> {
    const [n, s] = await redis.hmget(faultsKey, 'refuseNext', 'status');
    return { refuseNext: Number(n ?? '0'), status: Number(s ?? '503') };
  }

  return router;
}

/** A summary of an envelope for the outbox list (no evidence content). */
export function summarise(envelope: RestEnvelope, receivedAt: string): OutboxSummary {
  const regrep = envelope.payloads.find((p) => p.mimeType === EBRS_MIME_TYPE);
  const xml = regrep === undefined ? '' : Buffer.from(regrep.contentBase64, 'base64').toString('utf8');
  return {
    messageId: envelope.userMessage.messageId,
    receivedAt,
    conversationId: envelope.userMessage.conversationId,
    action: envelope.userMessage.action,
    requestId: /\brequestId="([^"]+)"/.exec(xml)?.[1],
    status: /\bstatus="[^"]*ResponseStatusType:(\w+)"/.exec(xml)?.[1],
    errorCode: /\bcode="(EDM:ERR:\d{4})"/.exec(xml)?.[1],
    payloads: envelope.payloads.map((p) => ({
      href: p.href,
      mimeType: p.mimeType,
      bytes:
        Math.floor((p.contentBase64.length * 3) / 4) -
        (p.contentBase64.endsWith('==') ? 2 : p.contentBase64.endsWith('=') ? 1 : 0),
    })),
  };
}
