/**
 * Errors of the renderers. Messages name the mapping and the field path, never a record value:
 * they end up in logs and audit trails, which must hold no personal data.
 */
import { AdapterError } from '../errors.js';
import type { EdmErrorCode } from '../errors.js';

export type RenderErrorCode = 'ERR_RENDER_UNSUPPORTED_FORMAT' | 'ERR_RENDER_FIELD_MISSING' | 'ERR_RENDER_FIELD_INVALID';

const EDM_CODE: Record<RenderErrorCode, EdmErrorCode> = {
  // The requested DistributedAs/Format cannot be produced: UnsupportedCapabilityException.
  ERR_RENDER_UNSUPPORTED_FORMAT: 'EDM:ERR:0007',
  // The record and the mapping disagree: a provider-side problem, EDM:ERR:0008.
  ERR_RENDER_FIELD_MISSING: 'EDM:ERR:0008',
  ERR_RENDER_FIELD_INVALID: 'EDM:ERR:0008',
};

export class RenderError extends AdapterError {
  override readonly name = 'RenderError';
  declare readonly code: RenderErrorCode;
  /** The mapping field (`from` path, or element path for XML) the error is about, when there is one. */
  readonly field: string | undefined;

  constructor(code: RenderErrorCode, message: string, options?: { cause?: unknown; field?: string }) {
    super(code, message, { cause: options?.cause, edmCode: EDM_CODE[code] });
    this.field = options?.field;
  }
}
