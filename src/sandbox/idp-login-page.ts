/** The login page of the sandbox identity provider: pick one of the synthetic people (no password). */
import type { SandboxPerson } from './idp-people.js';
import { escapeHtml as esc } from '../infra/html.js';
import type { AuthorizeParams } from './idp-state.js';

export function loginPage(p: AuthorizeParams, people: readonly SandboxPerson[]): string {
  const t =
    p.lang === 'lv'
      ? {
          title: 'Smilškastes identitātes nodrošinātājs',
          legend: 'Izvēlieties, kā kuru pieteikties',
          login: 'Pieteikties',
          cancel: 'Atcelt',
          note: 'Tikai testēšanai: izdomātas personas, bez paroles.',
        }
      : {
          title: 'Sandbox identity provider',
          legend: 'Choose who to log in as',
          login: 'Log in',
          cancel: 'Cancel',
          note: 'For testing only: invented people, no password.',
        };
  const hidden = (name: string, value: string | undefined): string =>
    value === undefined ? '' : `<input type="hidden" name="${name}" value="${esc(value)}">`;
  const options = people
    .map(
      (x, i) =>
        `<div><input type="radio" name="person" id="p${i}" value="${esc(x.sub)}"${i === 0 ? ' checked' : ''}>` +
        ` <label for="p${i}">${esc(`${x.givenName} ${x.familyName}`)} (${esc(x.personalCode ?? x.personIdentifier)})</label></div>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title}</title></head>
<body><main>
<h1>${t.title}</h1>
<p>${t.note}</p>
<form method="post" action="authorize">
${hidden('client_id', p.clientId)}${hidden('redirect_uri', p.redirectUri)}${hidden('response_type', 'code')}${hidden('scope', p.scope)}
${hidden('state', p.state)}${hidden('nonce', p.nonce)}${hidden('code_challenge', p.codeChallenge)}${hidden('code_challenge_method', 'S256')}
${hidden('ui_locales', p.lang)}
<fieldset><legend>${t.legend}</legend>
${options}
</fieldset>
<p><button type="submit" name="login" value="1">${t.login}</button> <button type="submit" name="cancel" value="1">${t.cancel}</button></p>
</form>
</main></body></html>`;
}
