/**
 * The one HTML kit of the server-rendered pages (preview, admin, sandbox identity provider): an
 * escape for every value written into a page, and a plain page layout. Pages carry no inline
 * script; their Content-Security-Policy is set by the route.
 */

/** Escapes `& < > " '` as numeric references: safe in text and in quoted attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** `<input type="hidden">`, value escaped. */
export function hiddenInput(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

export interface HtmlDocument {
  readonly lang?: string;
  /** Plain text, escaped here. */
  readonly title: string;
  /** Further `<head>` elements before the title (trusted markup). */
  readonly head?: string;
  /** A stylesheet written inline (trusted CSS). */
  readonly style?: string;
  /** The body's markup (trusted: escape values with `escapeHtml` when building it). */
  readonly body: string;
}

/** A complete page: doctype, `<html lang>`, UTF-8, title, optional inline style, body. */
export function htmlDocument(d: HtmlDocument): string {
  const style = d.style === undefined ? '' : `\n<style>${d.style}</style>`;
  return `<!doctype html>
<html lang="${escapeHtml(d.lang ?? 'en')}"><head><meta charset="utf-8">${d.head ?? ''}
<title>${escapeHtml(d.title)}</title>${style}</head>
<body>${d.body}
</body></html>`;
}
