/** `GET /preview/:sid/evidence/:id`: the document itself, only to the matched person. */
import type { Request, Response, Router } from 'express';
import { isSessionId } from '../session-store.js';
import { closedSession, langOf, notFoundPage, readAuth, simplePage, type PreviewContext } from './context.js';

async function sendEvidence(
  ctx: PreviewContext,
  req: Request<{ sid: string; id: string }>,
  res: Response,
): Promise<void> {
  const lang = langOf(req);
  const { sid, id } = req.params;
  const auth = isSessionId(sid) ? readAuth(ctx, req, sid) : undefined;
  if (auth === undefined) {
    simplePage(
      res,
      403,
      lang,
      (t) => t.sessionEndedTitle,
      (t) => t.sessionEndedBody,
    );
    return;
  }
  const session = await ctx.deps.store.get(sid);
  if (closedSession(res, session, lang, undefined)) return;
  const evidence = session!.content!.evidences.find((e) => e.id === id);
  const bytes = evidence === undefined ? undefined : await ctx.deps.store.evidenceBytes(sid, id);
  if (evidence === undefined || bytes === undefined) {
    notFoundPage(res, lang);
    return;
  }
  const inline = evidence.mimeType === 'application/pdf';
  const ext = inline ? 'pdf' : evidence.mimeType.includes('xml') ? 'xml' : 'bin';
  const name =
    (evidence.title.en || 'evidence')
      .replace(/[^A-Za-z0-9 ._-]+/g, '')
      .trim()
      .replace(/\s+/g, '-') || 'evidence';
  // The document is not HTML: the page CSP does not apply to it (and would block the PDF viewer).
  res.removeHeader('Content-Security-Policy');
  res.set('Content-Security-Policy', "frame-ancestors 'none'");
  res.set('Content-Type', evidence.mimeType);
  res.set('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${name}.${ext}"`);
  res.send(Buffer.from(bytes));
}

export function mountEvidence(router: Router, ctx: PreviewContext): void {
  router.get('/preview/:sid/evidence/:id', (req: Request<{ sid: string; id: string }>, res: Response) =>
    sendEvidence(ctx, req, res),
  );
}
