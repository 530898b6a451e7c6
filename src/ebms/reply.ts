/**
 * The header of our answer, derived from the request's header (notes §6, §9): parties and the
 * 4-corner properties swapped, the conversation kept, the QueryManager service. v2.0 adds
 * ExchangeId (the request's, so the requester can correlate the preview round trips) and
 * SpecificationId; v1.x must carry exactly originalSender and finalRecipient (R-EDM-ebMS-018/-019).
 */
import { AdapterError } from '../errors.js';
import { type EdmVersion, generationOf } from '../edm/model.js';
import {
  EBRS_BINDING,
  type EbmsProperty,
  messageProperty,
  type PayloadPart,
  QUERY_MANAGER,
  type UserMessage,
} from './model.js';

export interface ReplyOptions {
  /** Our AS4 MessageId (`<uuid>@<domain>`). */
  readonly messageId: string;
  readonly timestamp: string;
  readonly action: 'ExecuteQueryResponse' | 'ExceptionResponse';
  /** The EDM version of the payload (the request's). */
  readonly version: EdmVersion;
  /** The RegRep part first, then one part per evidence attachment. */
  readonly payloads: readonly PayloadPart[];
}

export function deriveReplyHeader(request: UserMessage, opts: ReplyOptions): UserMessage {
  const sender = need(request, 'originalSender');
  const recipient = need(request, 'finalRecipient');
  const properties: EbmsProperty[] = [renamed(recipient, 'originalSender'), renamed(sender, 'finalRecipient')];
  if (generationOf(opts.version) === 'v2') {
    properties.push({ name: 'ExchangeId', value: need(request, 'ExchangeId').value });
    properties.push({ name: 'SpecificationId', value: opts.version });
  }
  return {
    messageId: opts.messageId,
    timestamp: opts.timestamp,
    from: request.to,
    to: request.from,
    service: QUERY_MANAGER,
    serviceType: EBRS_BINDING,
    action: opts.action,
    conversationId: request.conversationId,
    properties,
    payloads: opts.payloads,
  };
}

function need(request: UserMessage, name: string): EbmsProperty {
  const p = messageProperty(request, name);
  if (p === undefined || p.value === '') {
    throw new AdapterError('ERR_EDM_INVALID', `ebMS header: request ${request.messageId} has no ${name} property`, {
      edmCode: 'EDM:ERR:0003',
    });
  }
  return p;
}

function renamed(p: EbmsProperty, name: string): EbmsProperty {
  return p.type === undefined ? { name, value: p.value } : { name, value: p.value, type: p.type };
}
