/**
 * How an exchange ends early: a Refusal carries the EDM error the requester gets, and the library
 * errors that mean one (unreadable XML, adapter errors with an EDM code) are translated into it.
 */
import { AdapterError, XmlInputError, type EdmErrorCode } from '../errors.js';
import type { PreviewInput } from '../edm/build/index.js';
import type { Violation } from '../edm/violation.js';
import type { ExchangeSummary } from './ports.js';

/** Ends an exchange early with an EDM error; caught in `answerRequest`. */
export class Refusal extends Error {
  constructor(
    readonly code: EdmErrorCode,
    readonly detail: string,
    readonly outcome: ExchangeSummary['outcome'] = 'error',
    readonly preview?: PreviewInput,
  ) {
    super(detail);
  }
}

export function toRefusal(e: unknown): Refusal | undefined {
  if (e instanceof Refusal) return e;
  if (e instanceof XmlInputError)
    return new Refusal('EDM:ERR:0003', `the RegRep payload is not acceptable XML: ${e.message}`);
  if (e instanceof AdapterError && e.edmCode !== undefined) return new Refusal(e.edmCode, e.message);
  return undefined;
}

export function describeViolations(errors: readonly Violation[]): string {
  const shown = errors.slice(0, 5).map((v) => `${v.rule}: ${v.message}${v.path === undefined ? '' : ` (${v.path})`}`);
  const more = errors.length > shown.length ? ` (+${errors.length - shown.length} more)` : '';
  return shown.join('; ') + more;
}
