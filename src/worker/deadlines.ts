/**
 * Answer and delivery deadlines. The answer deadline of a request is counted from its ebMS
 * Timestamp (the requester's clock: OOTS T1, EDM v2.0 chapter 4.4, is the requester's wait for
 * the first answer), or from its receipt when the header has none. A job that runs after it
 * answers EDM:ERR:0005 at once (src/exchange/answer.ts); an exchange left unanswered by a job run
 * (a base registry still failing, a wait for the same request's answer) is answered EDM:ERR:0005
 * by the deadline sweep (./deadline-sweep.ts) when its deadline comes, instead of evidence later. The delivery deadline is
 * counted from receipt: past it a delivery is given up (exchange `failed`, audit, alert).
 */
import type { InboundMessage } from '../store/exchange-store.js';
import type { DeadlineBook } from '../store/deadline-book.js';
import type { RequestLedger } from '../store/request-ledger.js';

export interface DeadlineDeps {
  /** ANSWER_DEADLINE_SECONDS; undefined = no answer deadline. */
  readonly answerDeadlineSeconds?: number | undefined;
  /** DELIVERY_DEADLINE_SECONDS; undefined = delivery retried until accepted. */
  readonly deliveryDeadlineSeconds?: number | undefined;
  readonly deadlines?: DeadlineBook | undefined;
  readonly ledger?: RequestLedger | undefined;
}

export function answerDeadlineOf(
  inbound: InboundMessage,
  deps: DeadlineDeps,
): { readonly at: Date; readonly basis: string } | undefined {
  const seconds = deps.answerDeadlineSeconds;
  if (seconds === undefined) return undefined;
  const stamped = inbound.userMessage.timestamp === undefined ? Number.NaN : Date.parse(inbound.userMessage.timestamp);
  const fromHeader = Number.isFinite(stamped);
  const base = fromHeader ? stamped : Date.parse(inbound.receivedAt);
  const at = new Date(base + seconds * 1000);
  const what = fromHeader ? `ebMS Timestamp ${new Date(base).toISOString()}` : `received ${inbound.receivedAt}`;
  return { at, basis: `${what} + ${seconds} s = ${at.toISOString()}` };
}

/** Why the delivery deadline has passed, or undefined while it has not. */
export function deliveryDeadlinePassed(
  receivedAt: string,
  deps: DeadlineDeps & { now?: () => Date },
): string | undefined {
  const seconds = deps.deliveryDeadlineSeconds;
  if (seconds === undefined) return undefined;
  const at = Date.parse(receivedAt) + seconds * 1000;
  const now = (deps.now ?? (() => new Date()))().getTime();
  if (!Number.isFinite(at) || now < at) return undefined;
  return `delivery deadline passed: received ${receivedAt} + ${seconds} s (DELIVERY_DEADLINE_SECONDS); the connector never accepted the answer`;
}
