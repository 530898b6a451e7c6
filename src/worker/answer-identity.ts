/**
 * Everything that identifies an answer is derived from its exchange, not drawn at random: the
 * AS4 MessageId and the ids inside the message (response id, Content-IDs, evidence ids). A job
 * that runs again for the same exchange (after a Redis fail-over lost the stored answer or the
 * job's completion, or a worker that lost its lock) then builds a message with the same
 * MessageId, which the access point's duplicate detection (ebMS3 reception awareness, Domibus by
 * MessageId) and the REST connector's Idempotency-Key absorb: the requester never sees two
 * different answers to one request.
 *
 * The ids are name-based UUIDs (RFC 4122 version 5, SHA-1) of the exchange reference, which is
 * random and opaque: they reveal nothing about the request, and differ between exchanges.
 */
import { createHash } from 'node:crypto';
import type { ExchangeDeps } from '../exchange/answer.js';
import type { OutboundMessage } from '../exchange/ports.js';

/** Namespace of the adapter's name-based ids (a fixed random UUID). */
const NAMESPACE = Buffer.from('5b0e6f3c8a2d4f71b9c4e2a7d1f08e36', 'hex');

/** The RFC 4122 version-5 UUID of `name` in the adapter's namespace. */
export function nameUuid(name: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The AS4 MessageId of the answer to exchange `ref`. */
export function answerMessageId(ref: string, messageDomain: string): string {
  return `${nameUuid(`${ref}#message-id`)}@${messageDomain}`;
}

/**
 * Exchange dependencies whose `uuid()` yields the same sequence for every run on `ref` (the n-th
 * call gives the same id each time), so a re-run with the same outcome builds the same message.
 */
export function exchangeDepsFor(deps: ExchangeDeps, ref: string): ExchangeDeps {
  let n = 0;
  let m = 0;
  // A deferred notice draws from a sequence of its own: the later answer never repeats its ids.
  return { ...deps, uuid: () => nameUuid(`${ref}#${n++}`), noticeUuid: () => nameUuid(`${ref}#notice#${m++}`) };
}

/**
 * The AS4 MessageId of the deferred notice of exchange `ref` (status Unavailable): a message of
 * its own before the answer, which keeps `answerMessageId`.
 */
export function noticeMessageId(ref: string, messageDomain: string): string {
  return `${nameUuid(`${ref}#notice-message-id`)}@${messageDomain}`;
}

/** The answer with the exchange's own MessageId (whatever the run drew). */
export function withAnswerMessageId(outbound: OutboundMessage, ref: string, messageDomain: string): OutboundMessage {
  return { ...outbound, userMessage: { ...outbound.userMessage, messageId: answerMessageId(ref, messageDomain) } };
}
