/**
 * Text that names a message (AS4 MessageId, ConversationId, RefToMessageId, parties, properties):
 * well-formed Unicode without control characters, checked at the intake before any dedupe.
 *
 * - A lone UTF-16 surrogate (`\ud800` in JSON) is not a character: once encoded as UTF-8 (Redis
 *   keys, logs, the ebMS header) every lone surrogate becomes U+FFFD, so two ids that differ only
 *   in one would collapse into one and the second message be taken for a duplicate of the first.
 * - C0 and C1 controls, U+2028 and U+2029 break header lines, SOAP, logs and JavaScript strings.
 *
 * Pure.
 */

/** C0, DEL, C1, LINE SEPARATOR, PARAGRAPH SEPARATOR. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `s` may not name a message, or undefined when it may. */
export function textProblem(s: string): string | undefined {
  if (LONE_SURROGATE.test(s)) return 'is not well-formed Unicode (it holds a lone UTF-16 surrogate)';
  if (CONTROL.test(s)) return 'holds a control character (C0, C1, U+2028 or U+2029)';
  return undefined;
}

export interface TextProblem {
  /** JSON pointer of the field, e.g. `/userMessage/messageId`. */
  readonly field: string;
  readonly message: string;
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every string under `value` (objects and arrays walked) that `textProblem` refuses, by JSON pointer. */
export function textProblems(value: unknown, pointer: string): TextProblem[] {
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message === undefined ? [] : [{ field: pointer, message }];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => textProblems(v, `${pointer}/${String(i)}`));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => textProblems(v, `${pointer}/${escapePointer(k)}`));
  return [];
}
