/** The mappings admin page and a try's result, as HTML (escaped, no script). */
import { escapeHtml as esc, hiddenInput, htmlDocument } from '../../infra/html.js';
import type { MappingProblem } from '../../mapping/parse.js';
import type { MappingSummary } from '../../mapping-store/mapping-store.js';
import { describeTry, type TryResult } from '../../mapping-store/try-mapping.js';

export interface Message {
  readonly kind: 'ok' | 'bad';
  readonly text: string;
  readonly problems?: readonly MappingProblem[] | undefined;
}

function hidden(csrf: string): string {
  return hiddenInput('csrf', csrf);
}

export function renderTryResult(r: TryResult, evidenceToken: string | undefined): string {
  const evidence =
    r.evidence === undefined
      ? '<p class="none">no evidence in the answer</p>'
      : r.evidence.mimeType === 'application/pdf'
        ? `<p><a id="try-evidence" href="/admin/mappings/try/${esc(evidenceToken ?? '')}/evidence">Open the PDF evidence (${esc(r.evidence.fileName)})</a></p>`
        : `<p><a id="try-evidence" href="/admin/mappings/try/${esc(evidenceToken ?? '')}/evidence">${esc(r.evidence.fileName)}</a></p><pre id="try-evidence-xml">${esc(Buffer.from(r.evidence.bytes).toString('utf8'))}</pre>`;
  return `<section id="try-result"><h2>Try: ${esc(r.mappingId)} ${esc(r.mappingVersion)}</h2>
<ul>${describeTry(r)
    .slice(1)
    .map((l) => `<li>${esc(l)}</li>`)
    .join('')}</ul>
<h3>Evidence</h3>${evidence}
<h3>QueryResponse the requester receives</h3><pre id="try-response">${esc(r.responseXml)}</pre></section>`;
}

export function renderMappingsPage(input: {
  mappings: readonly MappingSummary[];
  role: string;
  csrf: string;
  message?: Message | undefined;
  result?: string | undefined;
}): string {
  const operator = input.role === 'operator';
  const csrf = hidden(input.csrf);
  const message =
    input.message === undefined
      ? ''
      : `<div id="message" class="msg ${input.message.kind}"><p>${esc(input.message.text)}</p>${
          input.message.problems === undefined || input.message.problems.length === 0
            ? ''
            : `<ul id="problems">${input.message.problems
                .map(
                  (p) =>
                    `<li>${esc(p.line === undefined ? p.file : `${p.file}:${String(p.line)}`)} <b>${esc(p.field)}</b>: ${esc(p.message)}. <i>Fix: ${esc(p.hint)}</i></li>`,
                )
                .join('')}</ul>`
        }</div>`;
  const rows = input.mappings
    .map((m) => {
      const actions = operator
        ? `${m.status === 'active' ? `<form method="post" action="/admin/mappings/${esc(m.id)}/deactivate">${csrf}<button>Deactivate</button></form>` : ''}
<form method="post" action="/admin/mappings/${esc(m.id)}/rollback">${csrf}<button>Roll back</button></form>`
        : '';
      const revisions = m.revisions
        .map(
          (r) =>
            `<li>${esc(r.version)} <small>${esc(r.source)} by ${esc(r.uploadedBy)}, ${esc(r.uploadedAt)}</small>${
              r.active
                ? ' <b class="ok">active</b>'
                : operator
                  ? ` <form class="inline" method="post" action="/admin/mappings/${esc(m.id)}/activate">${csrf}<input type="hidden" name="version" value="${String(r.revision)}"><button>Activate</button></form>`
                  : ''
            }</li>`,
        )
        .join('');
      return `<tr id="mapping-${esc(m.id)}"><td><b>${esc(m.id)}</b><br><small>${esc(m.title?.en ?? '')}</small></td><td class="${m.status === 'active' ? 'ok' : 'none'}">${esc(m.status)}</td><td>${esc(m.activeVersion ?? '—')}</td><td><ul>${revisions}</ul></td><td>${actions}</td></tr>`;
    })
    .join('\n');
  const options = input.mappings.map((m) => `<option value="${esc(m.id)}">${esc(m.id)}</option>`).join('');
  const forms = operator
    ? `<section><h2>Upload a mapping or a new version</h2>
<form id="upload" method="post" action="/admin/mappings/upload">${csrf}
<p><label>Mapping id (the file name without .yaml) <input name="id" required pattern="[a-z0-9](?:[a-z0-9]|-)*" size="40"></label></p>
<p><label>YAML<br><textarea name="text" rows="18" cols="100" required spellcheck="false"></textarea></label></p>
<p><label><input type="checkbox" name="activate"> activate after upload</label></p>
<p><button>Check and store</button></p></form></section>
<section><h2>Try a mapping on a test subject</h2>
<form id="try" method="post" action="/admin/mappings/try">${csrf}
<p><label>Mapping <select name="id">${options}</select></label>
<label>Revision <input name="version" size="4" placeholder="active"></label></p>
<p><label>Subject (personal code, registration number or eIDAS identifier) <input name="subject" required size="30"></label>
<label>Format <select name="format"><option value="">first offered</option><option value="pdf">PDF</option><option value="xml">XML</option></select></label></p>
<p><button>Try</button></p></form></section>`
    : '<p class="none">Signed in as viewer: changes need the operator role.</p>';
  return htmlDocument({
    title: 'OOTS adapter: evidence mappings',
    style: `body{font:14px system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin:.5em 0 1em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}.bad{color:#a00}.ok{color:#070}.none{color:#777}
.msg{border:1px solid;padding:.2em 1em;margin:1em 0}.msg.ok{border-color:#070}.msg.bad{border-color:#a00}
form.inline,td form{display:inline}pre{background:#f6f6f6;padding:.6em;overflow:auto;max-height:30em}ul{margin:.2em 0;padding-left:1.2em}`,
    body: `<h1>Evidence mappings</h1>
<p>Signed in as ${esc(input.role)}. <a href="/admin">Operations</a> · <a href="/admin/api/mappings">JSON</a></p>
${message}
${input.result ?? ''}
<h2>Mappings</h2>
<table><thead><tr><th>mapping</th><th>status</th><th>active version</th><th>versions (newest first)</th><th></th></tr></thead>
<tbody>${rows || '<tr><td colspan="5" class="none">none</td></tr>'}</tbody></table>
${forms}`,
  });
}
