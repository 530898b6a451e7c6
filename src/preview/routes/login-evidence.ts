/**
 * The evidence of a session opened without it (request #1 reads nothing: docs/preview.md, "When
 * DAGR is read"), produced once the login matched the request subject, by the exchange's own
 * evidence step (`deps.produceEvidence`, wired by compose with the DAGR port and the renderer).
 *
 * - Found: stored in the session once (the first of two racing logins wins; the other shows what
 *   the first stored), then the evidence page as always.
 * - Nothing found for the request and the login: a page that says so, shows nothing else, and the
 *   session is decided as a decline (request #2 gets what a declined preview gets).
 * - DAGR unavailable: a "try again later" page; the session stays open, its deadline still runs.
 * - The mapping revision of request #1 is gone: the session is expired (request #2: EDM:ERR:0005).
 */
import type { Response } from 'express';
import type { AuthenticatedIdentity } from '../../identity/preview-match.js';
import { previewEvidenceOf, type SessionRecipe } from '../exchange-port.js';
import type { Lang } from '../i18n.js';
import { loginEvidenceText } from '../login-evidence-text.js';
import type { ReturnTarget } from '../return-url.js';
import type { PreviewSession } from '../session-store.js';
import { auditLogin, closedSession, notFoundPage, sessionLog, simplePage, type PreviewContext } from './context.js';
import { settle } from './decision.js';

export interface LoginEvidenceArgs {
  readonly session: PreviewSession;
  readonly identity: AuthenticatedIdentity;
  readonly lang: Lang;
  /** Where "try again" leads (the preview link, which starts a new login). */
  readonly retryHref: string;
  readonly back: ReturnTarget | undefined;
}

/** True when the session holds its evidence and the evidence page may follow; else it answered. */
export async function evidenceReady(ctx: PreviewContext, res: Response, args: LoginEvidenceArgs): Promise<boolean> {
  const { session, lang } = args;
  if (!session.awaitingEvidence) return true;
  const sid = session.sessionId;
  const l = sessionLog(ctx, sid);
  const text = loginEvidenceText(lang);
  const stored = session.content?.recipe as SessionRecipe | undefined;
  const produce = ctx.deps.produceEvidence;
  if (stored === undefined || produce === undefined) {
    l.error({ recipe: stored !== undefined }, 'preview evidence cannot be produced: no evidence step configured');
    simplePage(
      res,
      503,
      lang,
      () => text.unavailableTitle,
      () => text.unavailableBody,
    );
    return false;
  }
  const outcome = await produce({
    request: stored.request,
    recipe: stored.recipe,
    exchangeRef: session.content!.exchangeRef,
    identity: args.identity,
  });
  const backLink = args.back?.method === 'GET' ? { href: args.back.url, text: () => text.tryAgain } : undefined;
  switch (outcome.kind) {
    case 'found': {
      const filled = await ctx.deps.store.fillEvidences(sid, outcome.evidences.map(previewEvidenceOf));
      l.info({ status: filled.status, evidences: outcome.evidences.length }, 'preview evidence produced at the login');
      return stillOpen(ctx, res, sid, args);
    }
    case 'none': {
      const r = await ctx.deps.store.settleNothingFound(sid);
      if (!r.ok && r.reason === 'already') return stillOpen(ctx, res, sid, args);
      if (!r.ok) {
        // The deadline passed (or a decision came) meanwhile: the page of that end, as for any link.
        if (r.reason === 'expired')
          await settle(ctx, l, { sessionId: sid, outcome: 'expired', releasedExchangeRef: r.releasedExchangeRef });
        l.info(
          { reason: r.reason, noRecord: outcome.reason },
          'preview login found no matching record; the session had ended',
        );
        if (!closedSession(res, await ctx.deps.store.get(sid), lang, args.back)) notFoundPage(res, lang);
        return false;
      }
      // Why (e.g. `ambiguous`: several people fit a foreign national's attributes): a code, no personal data.
      l.info({ noRecord: outcome.reason }, 'preview login found no matching record: decided as a decline');
      await auditLogin(ctx, sid, {
        kind: 'nothing-found',
        content: session.content!,
        detail: `no matching record at the preview login (${outcome.reason})`,
      });
      await settle(ctx, l, {
        sessionId: sid,
        outcome: 'decided',
        decision: { approved: [], declined: [] },
        releasedExchangeRef: r.releasedExchangeRef,
      });
      simplePage(
        res,
        200,
        lang,
        () => text.noneTitle,
        () => text.noneBody,
        backLink === undefined ? undefined : { ...backLink, text: (t) => t.backToPortal },
      );
      return false;
    }
    case 'unavailable':
      l.warn({ detail: outcome.detail.slice(0, 200) }, 'preview evidence not produced at the login: try again later');
      simplePage(
        res,
        503,
        lang,
        () => text.unavailableTitle,
        () => text.unavailableBody,
        { href: args.retryHref, text: () => text.tryAgain },
      );
      return false;
    case 'mapping-gone': {
      l.warn({ detail: outcome.detail }, 'preview evidence cannot be produced: mapping revision gone; expired');
      const expired = await ctx.deps.store.expire(sid);
      if (expired.expired)
        await settle(ctx, l, { sessionId: sid, outcome: 'expired', releasedExchangeRef: expired.releasedExchangeRef });
      simplePage(
        res,
        410,
        lang,
        () => text.goneTitle,
        () => text.goneBody,
        backLink === undefined ? undefined : { ...backLink, text: (t) => t.backToPortal },
      );
      return false;
    }
  }
}

/** After this or another login stored the evidence: the page follows if the session is still open with it. */
async function stillOpen(ctx: PreviewContext, res: Response, sid: string, args: LoginEvidenceArgs): Promise<boolean> {
  const now = await ctx.deps.store.get(sid);
  if (closedSession(res, now, args.lang, args.back)) return false;
  if (now!.awaitingEvidence || now!.content?.evidences.length === 0) {
    // Cannot happen after a fill; answered as "try again" rather than an empty page.
    const text = loginEvidenceText(args.lang);
    simplePage(
      res,
      503,
      args.lang,
      () => text.unavailableTitle,
      () => text.unavailableBody,
      { href: args.retryHref, text: () => text.tryAgain },
    );
    return false;
  }
  return true;
}
