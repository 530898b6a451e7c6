/**
 * The HTML of the preview space: plain server-rendered pages that work without JavaScript, with
 * the `lang` attribute set, every control labelled, fieldsets with legends, an error summary that
 * names what to fix, visible focus and colours above WCAG AA contrast. Styles and the one script
 * (auto-submit of the POST return form, optional) are separate files so the CSP can forbid inline
 * code. Every value written into a page goes through `esc`.
 */
import { escapeHtml, htmlDocument } from '../infra/html.js';
import type { Lang, Messages } from './i18n.js';
import { messages } from './i18n.js';
import type { LocalText, PreviewEvidence } from './session-store.js';

export const STYLESHEET_PATH = '/preview/static/preview.css';
export const RETURN_SCRIPT_PATH = '/preview/static/return.js';
export const ICON_PATH = '/preview/static/icon.svg';
export const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#9e3039"/><rect y="6.5" width="16" height="3" fill="#fff"/></svg>';

export const STYLESHEET = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; font-size: 1.0625rem;
  line-height: 1.5; color: #1b1b1b; background: #ffffff; }
header { background: #9e3039; color: #ffffff; padding: 0.75rem 1rem; }
header p { margin: 0; font-weight: 600; }
nav.lang { float: right; }
nav.lang a { color: #ffffff; }
main { max-width: 48rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.75rem; line-height: 1.25; }
h2 { font-size: 1.375rem; margin-top: 2rem; }
a { color: #0b4fa8; }
a:focus, button:focus, input:focus { outline: 3px solid #ffbf47; outline-offset: 2px; }
dl.fields { display: grid; grid-template-columns: minmax(10rem, 1fr) 2fr; gap: 0.25rem 1rem; margin: 0 0 1rem; }
dl.fields dt { font-weight: 600; }
dl.fields dd { margin: 0; overflow-wrap: anywhere; }
section.evidence { border: 1px solid #6b6b6b; border-radius: 4px; padding: 0 1rem 1rem; margin-bottom: 1.5rem; }
fieldset { border: 0; padding: 0; margin: 1rem 0 0; }
legend { font-weight: 600; font-size: 1.125rem; }
.choice { display: flex; align-items: center; gap: 0.5rem; margin: 0.5rem 0; }
.choice input { width: 1.5rem; height: 1.5rem; margin: 0; }
button, .button { display: inline-block; font: inherit; font-weight: 600; padding: 0.625rem 1.25rem; border: 2px solid #0b4fa8;
  border-radius: 4px; background: #0b4fa8; color: #ffffff; cursor: pointer; text-decoration: none; }
.error-summary { border: 4px solid #b00020; padding: 0.75rem 1rem; margin-bottom: 1rem; }
.error-summary h2 { margin-top: 0; color: #b00020; }
.deadline { font-weight: 600; }
`;

export const RETURN_SCRIPT = `document.getElementById('return-form')?.submit();\n`;

/** Every value written into a page goes through it (the one HTML escape, src/infra/html.ts). */
export const esc: (s: string) => string = escapeHtml;

export function local(text: LocalText | undefined, lang: Lang): string | undefined {
  if (text === undefined) return undefined;
  return (lang === 'lv' ? text.lv : text.en) || text.en || text.lv;
}

interface Layout {
  readonly lang: Lang;
  readonly title: string;
  readonly body: string;
  /** Where the language switch points (this page in the other language); omitted when unsafe to repeat. */
  readonly switchHref?: string | undefined;
  readonly scripts?: readonly string[];
}

function layout(l: Layout): string {
  const t = messages(l.lang);
  const other: Lang = l.lang === 'en' ? 'lv' : 'en';
  const nav =
    l.switchHref === undefined
      ? ''
      : `<nav class="lang" aria-label="${esc(t.languageNav)}"><a href="${esc(l.switchHref)}" lang="${other}" hreflang="${other}">${esc(t.otherLanguage)}</a></nav>`;
  const scripts = (l.scripts ?? []).map((s) => `<script src="${esc(s)}"></script>`).join('');
  return htmlDocument({
    lang: l.lang,
    title: `${l.title} – ${t.siteTitle}`,
    head:
      '\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="referrer" content="no-referrer">' +
      `\n<link rel="icon" href="${ICON_PATH}" type="image/svg+xml">\n<link rel="stylesheet" href="${STYLESHEET_PATH}">`,
    body: `\n<header>${nav}<p>${esc(t.siteTitle)}</p></header>\n<main id="main">\n${l.body}\n</main>\n${scripts}`,
  });
}

/** A page that only says something: title, text, and optionally one link. */
export function messagePage(opts: {
  lang: Lang;
  title: (t: Messages) => string;
  body: (t: Messages) => string;
  link?: { href: string; text: (t: Messages) => string } | undefined;
  switchHref?: string | undefined;
}): string {
  const t = messages(opts.lang);
  const link =
    opts.link === undefined
      ? ''
      : `<p><a class="button" href="${esc(opts.link.href)}">${esc(opts.link.text(t))}</a></p>`;
  return layout({
    lang: opts.lang,
    title: opts.title(t),
    switchHref: opts.switchHref,
    body: `<h1>${esc(opts.title(t))}</h1>\n<p>${esc(opts.body(t))}</p>\n${link}`,
  });
}

export interface EvidencePageInput {
  readonly lang: Lang;
  readonly sessionPath: string;
  readonly requester: string | undefined;
  readonly description: LocalText | undefined;
  readonly evidences: readonly PreviewEvidence[];
  readonly csrf: string;
  readonly decideBy: Date | undefined;
  /** Choices already made (re-shown after an error). */
  readonly chosen?: ReadonlyMap<number, 'approve' | 'decline'>;
  readonly missing?: readonly number[];
}

export function evidencePage(p: EvidencePageInput): string {
  const t = messages(p.lang);
  const parts: string[] = [];
  if (p.missing !== undefined && p.missing.length > 0) {
    const first = p.missing[0]!;
    parts.push(
      `<div class="error-summary" role="alert" aria-labelledby="error-title" tabindex="-1">` +
        `<h2 id="error-title">${esc(t.errorSummary)}</h2>` +
        `<p><a href="#choice-${first}-approve">${esc(t.errorMissing)}</a></p></div>`,
    );
  }
  parts.push(`<h1>${esc(t.siteTitle)}</h1>`);
  parts.push(`<p>${esc(t.lede)}</p>`);
  if (p.requester !== undefined) parts.push(`<p><strong>${esc(t.requestedBy)}:</strong> ${esc(p.requester)}</p>`);
  const description = local(p.description, p.lang);
  if (description !== undefined) parts.push(`<p>${esc(description)}</p>`);
  if (p.decideBy !== undefined) parts.push(`<p class="deadline">${esc(t.deadline(formatUtc(p.decideBy)))}</p>`);
  parts.push(`<form method="post" action="${esc(p.sessionPath)}/decision" novalidate>`);
  parts.push(`<input type="hidden" name="csrf" value="${esc(p.csrf)}">`);
  parts.push(`<input type="hidden" name="lang" value="${p.lang}">`);
  parts.push(`<h2>${esc(t.evidenceHeading)}</h2>`);
  p.evidences.forEach((e, i) => {
    const title = local(e.title, p.lang) ?? e.id;
    const isPdf = e.mimeType === 'application/pdf';
    const fields = e.fields
      .map((f) => `<dt>${esc(local(f.label, p.lang) ?? '')}</dt><dd>${esc(f.value)}</dd>`)
      .join('');
    const chosen = p.chosen?.get(i);
    const invalid = p.missing?.includes(i) === true;
    const radio = (value: 'approve' | 'decline', label: string): string =>
      `<div class="choice"><input type="radio" id="choice-${i}-${value}" name="choice_${i}" value="${value}"` +
      `${chosen === value ? ' checked' : ''}${invalid ? ' aria-invalid="true"' : ''} required>` +
      `<label for="choice-${i}-${value}">${esc(label)}</label></div>`;
    parts.push(
      `<section class="evidence" aria-labelledby="ev-${i}-title">` +
        `<h3 id="ev-${i}-title">${esc(title)}</h3>` +
        (fields === '' ? '' : `<dl class="fields">${fields}</dl>`) +
        `<p><a href="${esc(p.sessionPath)}/evidence/${encodeURIComponent(e.id)}">${esc(isPdf ? t.openPdf : t.download)}</a></p>` +
        `<fieldset${invalid ? ' aria-describedby="error-title"' : ''}><legend>${esc(t.decisionLegend(title))}</legend>` +
        radio('approve', t.approve) +
        radio('decline', t.decline) +
        `</fieldset></section>`,
    );
  });
  parts.push(`<p><button type="submit">${esc(t.submit)}</button></p>`);
  parts.push(`</form>`);
  return layout({
    lang: p.lang,
    title: t.siteTitle,
    switchHref: `${p.sessionPath}?lang=${p.lang === 'en' ? 'lv' : 'en'}`,
    body: parts.join('\n'),
  });
}

/** The POST return: a form to the return address, submitted by the script or by the button. */
export function postReturnPage(lang: Lang, url: string): string {
  const t = messages(lang);
  return layout({
    lang,
    title: t.doneTitle,
    scripts: [RETURN_SCRIPT_PATH],
    body:
      `<h1>${esc(t.doneTitle)}</h1>\n<p>${esc(t.returning)}</p>\n` +
      `<form id="return-form" method="post" action="${esc(url)}"><p><button type="submit">${esc(t.continueToPortal)}</button></p></form>`,
  });
}

function formatUtc(d: Date): string {
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}`;
}
