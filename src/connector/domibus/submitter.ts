/**
 * Sending answers through the Domibus WS plugin: `submitMessage` with the answer's ebMS header
 * (QueryManager service, ExecuteQueryResponse / ExceptionResponse, gateway roles, 4-corner
 * properties, ConversationId, v2.0 ExchangeId / SpecificationId, all from deriveReplyHeader), the
 * RegRep part and one part per evidence with matching cids; then tracking the submission until
 * the receiving access point acknowledged it.
 *
 * Same contract as the REST submitter (`Submitter.submit`), so the deliver job treats both alike:
 * - resolves once Domibus reports ACKNOWLEDGED (the receiving AP took it);
 * - ERR_CONNECTOR_UNAVAILABLE (retried): Domibus unreachable, timed out, a transient fault;
 * - ERR_DOMIBUS_PENDING (retried): submitted, not yet acknowledged (the next attempt only checks
 *   the status, it does not submit again);
 * - ERR_CONNECTOR_REFUSED (the job stops, visible as failed): the plugin refused the message for
 *   good (PMode, parties, payloads, invalid message) or Domibus gave up sending (SEND_FAILURE):
 *   the message carries Domibus's error text (getMessageErrors).
 *
 * Never twice: the Domibus messageID of each exchange is kept in Redis, and before a first submit
 * the status of our own AS4 MessageId is asked (Domibus keeps the MessageId a backend supplies and
 * refuses a duplicate), so a crash between Domibus's accept and our record, or a lost answer to
 * the submit, does not send the answer again.
 */
import type { Cluster, Redis } from 'ioredis';
import { AdapterError } from '../../errors.js';
import type { OutboundMessage, Submitter } from '../../exchange/ports.js';
import type { Logger } from '../../infra/logger.js';
import { DomibusError, type DomibusClient } from './client.js';
import { classifyStatus, describeErrors, outboundParts } from './messages.js';

export interface DomibusSubmitterOptions {
  readonly client: Pick<DomibusClient, 'submitMessage' | 'getStatus' | 'getMessageErrors'>;
  readonly redis: Redis | Cluster;
  /** Key prefix of the submission records, e.g. `{oots}:domibus:`. */
  readonly prefix: string;
  /** Lifetime of a submission record (the exchange TTL). */
  readonly ttlSeconds: number;
  readonly logger: Logger;
  /** getStatus calls right after a submit before handing back to the queue. Default 4. */
  readonly ackPolls?: number;
  /** Pause between those calls, ms. Default 500. */
  readonly ackPollIntervalMs?: number;
}

export interface SubmissionRecord {
  /** The messageID Domibus returned (our AS4 MessageId). */
  readonly domibusId: string;
  readonly submittedAt: string;
  /** Last status seen. */
  readonly status?: string;
}

export interface DomibusSubmitter extends Submitter {
  /** The submission record of an exchange (ops, tests). */
  record(exchangeRef: string): Promise<SubmissionRecord | undefined>;
}

/** Plugin fault codes that no retry can cure: PMode, parties, payloads, invalid message, conversion. */
const PERMANENT = new Set(['WS_PLUGIN:0003', 'WS_PLUGIN:0004', 'WS_PLUGIN:0005', 'WS_PLUGIN:0007', 'WS_PLUGIN:0008']);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function isDuplicate(err: DomibusError): boolean {
  const text = `${err.fault?.detailMessage ?? ''} ${err.fault?.reason ?? ''}`;
  return /already exists|must be unique|duplicate/i.test(text);
}

export function createDomibusSubmitter(opts: DomibusSubmitterOptions): DomibusSubmitter {
  const { client, redis, prefix } = opts;
  const polls = Math.max(1, opts.ackPolls ?? 4);
  const pause = opts.ackPollIntervalMs ?? 500;
  const key = (ref: string): string => `${prefix}sub:${ref}`;
  const log = opts.logger.child({ component: 'domibus-submitter' });

  async function load(ref: string): Promise<SubmissionRecord | undefined> {
    const raw = await redis.get(key(ref));
    return raw === null ? undefined : (JSON.parse(raw) as SubmissionRecord);
  }
  async function save(ref: string, rec: SubmissionRecord): Promise<void> {
    await redis.set(key(ref), JSON.stringify(rec), 'EX', opts.ttlSeconds);
  }

  const unavailable = (ref: string, err: unknown): AdapterError =>
    new AdapterError(
      'ERR_CONNECTOR_UNAVAILABLE',
      `Domibus delivery of ${ref}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );

  async function status(ref: string, id: string): Promise<string> {
    try {
      return await client.getStatus(id);
    } catch (err) {
      throw unavailable(ref, err);
    }
  }

  return {
    record: load,

    async submit(ref: string, outbound: OutboundMessage): Promise<void> {
      const asId = outbound.userMessage.messageId;
      let rec = await load(ref);
      if (rec === undefined) {
        // Was it submitted already (crash after Domibus's accept, lost answer)? Ask before sending.
        const earlier = await status(ref, asId);
        if (classifyStatus(earlier) !== 'not-found') {
          rec = { domibusId: asId, submittedAt: new Date().toISOString(), status: earlier };
          await save(ref, rec);
          log.info({ exchangeRef: ref, messageId: asId, status: earlier }, 'found an earlier submission; tracking it');
        }
      }
      if (rec === undefined) {
        let domibusId: string;
        try {
          domibusId = await client.submitMessage(outboundParts(outbound));
        } catch (err) {
          if (err instanceof DomibusError && err.code === 'ERR_DOMIBUS_FAULT') {
            if (isDuplicate(err)) {
              domibusId = asId;
              log.info({ exchangeRef: ref, messageId: asId }, 'Domibus already holds this message; tracking it');
            } else if (PERMANENT.has(err.fault?.detailCode ?? '') || err.fault?.code === 'Sender') {
              throw new AdapterError('ERR_CONNECTOR_REFUSED', `Domibus refused ${ref}: ${err.message}`, { cause: err });
            } else {
              throw unavailable(ref, err);
            }
          } else {
            throw unavailable(ref, err);
          }
        }
        rec = { domibusId, submittedAt: new Date().toISOString() };
        await save(ref, rec);
        log.info(
          { exchangeRef: ref, messageId: domibusId, action: outbound.userMessage.action },
          'submitted to Domibus',
        );
      }

      for (let i = 0; ; i++) {
        const st = await status(ref, rec.domibusId);
        if (st !== rec.status) {
          rec = { ...rec, status: st };
          await save(ref, rec);
        }
        switch (classifyStatus(st)) {
          case 'sent':
            log.info(
              { exchangeRef: ref, messageId: rec.domibusId, status: st },
              'acknowledged by the receiving access point',
            );
            return;
          case 'gone':
            // Deleted by retention after its outcome: nothing left to do or to learn.
            log.warn(
              { exchangeRef: ref, messageId: rec.domibusId, status: st },
              'submission no longer tracked by Domibus',
            );
            return;
          case 'failed': {
            let detail: string;
            try {
              detail = describeErrors(await client.getMessageErrors(rec.domibusId));
            } catch (err) {
              detail = `errors unavailable (${err instanceof Error ? err.message : String(err)})`;
            }
            log.error({ exchangeRef: ref, messageId: rec.domibusId, detail }, 'Domibus gave up sending the answer');
            throw new AdapterError(
              'ERR_CONNECTOR_REFUSED',
              `Domibus could not send ${ref} (${rec.domibusId}): SEND_FAILURE: ${detail}`,
            );
          }
          case 'not-found':
            // Recorded but unknown to Domibus (wiped?): forget it, so the next attempt submits again.
            await redis.del(key(ref));
            throw new AdapterError(
              'ERR_CONNECTOR_UNAVAILABLE',
              `Domibus no longer knows ${rec.domibusId} for ${ref}; submitting again on the next attempt`,
            );
          case 'pending':
            if (i + 1 >= polls) {
              throw new AdapterError(
                'ERR_DOMIBUS_PENDING',
                `${ref} submitted to Domibus as ${rec.domibusId}, status ${st}; checking again later`,
              );
            }
            await sleep(pause);
            break;
        }
      }
    },
  };
}
