/**
 * What later EDM releases change in the error-response rules (notes §8, "Known rule deltas"):
 * value sets that move with the version, and rules that only exist in 1.2.5 / 2.0.1. The 1.2.5
 * and 2.0.1 Schematron files are not available offline; descriptions of the rules added here are
 * paraphrased from the notes, not the official text.
 */
import type { EdmVersion } from '../model.js';
import type { Rule } from './engine.js';
import { allSlots, attr, each, slotsOf, viewRule } from './response-tree.js';

/**
 * R-EDM-ERR-C011: the v1.0 assert counts exactly one `rs:Exception`; from 1.1.2 on an error
 * response may carry several (notes §4). Unknown versions are judged as v1.0.
 */
export function exceptionsAllowed(version: EdmVersion | undefined): number {
  return version === undefined || version === 'oots-edm:v1.0' ? 1 : Number.POSITIVE_INFINITY;
}

const GET_POST: ReadonlySet<string> = new Set(['GET', 'POST']);
const GET_POST_PUT: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT']);

/** R-EDM-ERR-C021: HTTP verbs a `PreviewMethod` may name (1.2.5 admits PUT as well). */
export function previewMethods(version: EdmVersion | undefined): ReadonlySet<string> {
  return version === 'oots-edm:v1.2' ? GET_POST_PUT : GET_POST;
}

/** Slots an `rs:Exception` may carry in v2.0 (PreviewMethod removed). */
const EXCEPTION_SLOTS_V2: ReadonlySet<string> = new Set(['Timestamp', 'PreviewLocation', 'PreviewDescription']);

export const ERROR_VERSION_RULES: readonly Rule[] = [
  viewRule(
    'ErrorResponse',
    'R-EDM-ERR-S031',
    'The rim:Slot name="PreviewMethod" MUST be present in the rs:Exception when a rim:Slot name="PreviewLocation" is present.',
    (v, ctx) =>
      each(
        ctx,
        v.exceptions,
        (e) => slotsOf(e, 'PreviewLocation').length === 0 || slotsOf(e, 'PreviewMethod').length > 0,
      ),
    { versions: ['oots-edm:v1.2'] },
  ),
  viewRule(
    'ErrorResponse',
    'R-EDM-ERR-S027',
    'An rs:Exception MUST not contain other rim:Slots than Timestamp, PreviewLocation and PreviewDescription.',
    (v, ctx) => {
      for (const e of v.exceptions) each(ctx, allSlots(e), (s) => EXCEPTION_SLOTS_V2.has(attr(s, 'name') ?? ''));
    },
    { versions: ['oots-edm:v2.0'] },
  ),
];
