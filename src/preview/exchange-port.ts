/**
 * The exchange's PreviewPort over the preview session store: request #1 opens a session there with
 * what produces the evidence at the login (no DAGR read before it); request #2 finds its session
 * (v2.0 by ExchangeId, else by PreviewLocation), checks it is about the same subject, and gets the
 * approved evidence, a wait (v2.0), or nothing.
 * It writes no Redis key itself: the session store owns the preview keyspace (./keys.ts).
 */
import type { EvidenceInput } from '../edm/build/types.js';
import type { PreparedEvidence, PreviewPort, PreviewRecipe, PreviewResolution } from '../exchange/ports.js';
import type { QueryRequest, Subject } from '../edm/model.js';
import type { PreviewEvidenceInput, PreviewStore } from './session-store.js';

interface EvidenceExtra {
  readonly metadata: EvidenceInput;
  readonly href: string;
  /**
   * The parts of its associated documents (v2.0), sealed with the rest: they travel with their
   * main evidence, shown, approved and declined with it.
   */
  readonly associated?: readonly { readonly href: string; readonly mimeType: string; readonly base64: string }[];
}

/** What a session opened by request #1 keeps (sealed) to produce the evidence at the login. */
export interface SessionRecipe {
  readonly request: QueryRequest;
  readonly recipe: PreviewRecipe;
}

/** A prepared evidence as the session keeps it (the answer's metadata and href sealed with it). */
export function previewEvidenceOf(e: PreparedEvidence): PreviewEvidenceInput {
  return {
    id: e.metadata.registryObjectId,
    title: e.title,
    mimeType: e.attachment.mimeType,
    bytes: e.attachment.bytes,
    fields: e.fields,
    extra: {
      metadata: e.metadata,
      href: e.attachment.href,
      ...(e.associated === undefined
        ? {}
        : {
            associated: e.associated.map((a) => ({
              href: a.href,
              mimeType: a.mimeType,
              base64: Buffer.from(a.bytes).toString('base64'),
            })),
          }),
    } satisfies EvidenceExtra,
  };
}

export interface PreviewPortAdapter extends PreviewPort {
  /** After the answer to request #2 was delivered: the documents are dropped at once. */
  afterDelivered(exchangeRef: string): Promise<void>;
}

export function createPreviewPort(deps: {
  store: PreviewStore;
  /** How long request #2's link to its session is kept: the exchange's lifetime. */
  ttlSeconds: number;
  /** The base of the PreviewLocations this adapter issues. */
  publicBaseUrl: () => string;
}): PreviewPortAdapter {
  return {
    isOwnLoopbackLocation(location) {
      const base = deps.publicBaseUrl();
      return (
        /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(base) && location.startsWith(`${base}/preview/`)
      );
    },
    async open(input) {
      const req = input.request;
      const requester = req.evidenceRequesters.find((a) => a.classification === 'ER') ?? req.evidenceRequesters[0];
      const { location } = await deps.store.create({
        exchangeRef: input.exchangeRef,
        version: req.version,
        subject: req.subject!,
        representative: req.authorizedRepresentative,
        evidences: input.evidences.map(previewEvidenceOf),
        ...(input.recipe === undefined
          ? {}
          : { recipe: { request: req, recipe: input.recipe } satisfies SessionRecipe }),
        previewDescription: input.description,
        requester: requester?.names[0]?.value,
        exchangeId: input.exchangeId,
        requestId: req.id,
        conversationId: input.conversationId,
        login: input.login,
      });
      return { location };
    },

    async resolve(input): Promise<PreviewResolution> {
      const req = input.request;
      const sessionId =
        (input.exchangeId === undefined ? undefined : await deps.store.findByExchangeId(input.exchangeId)) ??
        (req.previewLocation === undefined ? undefined : await deps.store.findByLocation(req.previewLocation));
      if (sessionId === undefined) return { status: 'not-found' };
      const session = await deps.store.get(sessionId);
      // A leaked link must not release one person's evidence into another person's request.
      if (session?.content !== undefined && !sameSubject(session.content.subject, req.subject))
        return { status: 'not-found' };
      const v2 = req.version === 'oots-edm:v2.0';
      if (v2 && req.returnLocation !== undefined) await deps.store.setReturnLocation(sessionId, req.returnLocation);
      const attached = await deps.store.attachRequest(sessionId, input.exchangeRef, { park: v2 });
      switch (attached.status) {
        case 'parked':
          return { status: 'parked' };
        case 'duplicate':
          return { status: 'duplicate' };
        case 'expired':
        case 'not-found':
          return { status: attached.status };
        case 'decided': {
          await deps.store.linkExchange(input.exchangeRef, sessionId, deps.ttlSeconds);
          const approved = await deps.store.approvedEvidences(sessionId);
          const prepared: PreparedEvidence[] = approved.map((e) => {
            const extra = e.extra as EvidenceExtra;
            return {
              metadata: extra.metadata,
              attachment: { href: extra.href, mimeType: e.mimeType, bytes: e.bytes },
              ...(extra.associated === undefined
                ? {}
                : {
                    associated: extra.associated.map((a) => ({
                      href: a.href,
                      mimeType: a.mimeType,
                      bytes: new Uint8Array(Buffer.from(a.base64, 'base64')),
                    })),
                  }),
              title: e.title,
              fields: e.fields,
            };
          });
          // Read after the attach: a login that found nothing may have decided in between.
          const nothingFound = (await deps.store.get(sessionId))?.nothingFound === true;
          return { status: 'decided', sessionId, approved: prepared, ...(nothingFound ? { nothingFound } : {}) };
        }
      }
    },

    afterDelivered: (exchangeRef) => deps.store.purgeAfterDelivery(exchangeRef),
  };
}

function sameSubject(a: Subject, b: Subject | undefined): boolean {
  if (b === undefined || a.kind !== b.kind) return false;
  if (a.kind === 'NaturalPerson' && b.kind === 'NaturalPerson') {
    return (
      (a.identifier?.value ?? '') === (b.identifier?.value ?? '') && (a.dateOfBirth ?? '') === (b.dateOfBirth ?? '')
    );
  }
  if (a.kind === 'LegalPerson' && b.kind === 'LegalPerson') {
    return (a.legalPersonIdentifier?.value ?? '') === (b.legalPersonIdentifier?.value ?? '');
  }
  return false;
}
