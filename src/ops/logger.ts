/**
 * The structured logger (pino, JSON). Personal data never belongs in a log line; the redaction
 * paths are a second line of defence for fields that could carry it by mistake.
 */
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'subject',
  '*.subject',
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
  'req.headers.authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'oots-adapter' } }, destination);
}

export type { Logger };
