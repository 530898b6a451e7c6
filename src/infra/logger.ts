/**
 * The structured logger (pino, JSON). Personal data never belongs in a log line; the redaction
 * paths are a second line of defence for fields that could carry it by mistake.
 * Every HTTP request gets its child logger from `request-log.ts`; jobs get theirs from
 * src/queue/queues.ts (`ctx.log`).
 */
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'subject',
  '*.subject',
  'subjectIdentifier',
  '*.subjectIdentifier',
  'person',
  '*.person',
  'personalCode',
  '*.personalCode',
  'familyName',
  '*.familyName',
  'givenName',
  '*.givenName',
  'dateOfBirth',
  '*.dateOfBirth',
  'evidence',
  '*.evidence',
  'attachments',
  '*.attachments',
  'payloads',
  '*.payloads',
  'body',
  '*.body',
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

/**
 * Lines go to stdout asynchronously by default: a synchronous write per line cost a quarter of the
 * worker's CPU under load (one syscall per line), while the asynchronous stream coalesces the lines
 * written during one write into the next. pino flushes what is still buffered synchronously on
 * exit and after every `fatal` line, but cannot wait for the one write already on the thread pool:
 * a SIGKILL right after a fatal can lose the lines of that write (or they land after the fatal
 * line). Never an exchange: the store and the audit trail are in Redis, not in the log.
 */
export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: false }),
): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'oots-adapter' } },
    destination,
  );
}

export type { Logger };
