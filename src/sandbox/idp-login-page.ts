/**
 * The login page of the sandbox identity provider: pick one of the synthetic people (no password)
 * and the level of assurance the login is to have (the ID token's `acr`, an eIDAS LoA URI), so that
 * a tester can log in below the level an evidence needs. The level the client asked for first
 * (`acr_values`) is preselected; without one, High.
 */
import { EIDAS_LOA_URI } from '../edm/loa.js';
import type { SandboxPerson } from './idp-people.js';
import { escapeHtml as esc } from '../infra/html.js';
import type { AuthorizeParams } from './idp-state.js';

/** The levels a tester can choose, lowest first. */
export const SANDBOX_LEVELS: readonly { readonly acr: string; readonly en: string; readonly lv: string }[] = [
  { acr: EIDAS_LOA_URI.Low, en: 'Low (e.g. a password)', lv: 'Zems (piemēram, parole)' },
  { acr: EIDAS_LOA_URI.Substantial, en: 'Substantial (e.g. a mobile eID)', lv: 'Būtisks (piemēram, mobilais eID)' },
  { acr: EIDAS_LOA_URI.High, en: 'High (e.g. an eID card)', lv: 'Augsts (piemēram, eID karte)' },
];

/** The level of a login: the one posted if it is ours, else the first requested one we know, else High. */
export function chosenLevel(posted: unknown, acrValues: string | undefined): string {
  const known = (v: unknown): v is string => SANDBOX_LEVELS.some((l) => l.acr === v);
  if (known(posted)) return posted;
  return (acrValues ?? '').split(' ').find(known) ?? EIDAS_LOA_URI.High;
}

export function loginPage(p: AuthorizeParams, people: readonly SandboxPerson[]): string {
  const t =
    p.lang === 'lv'
      ? {
          title: 'Smilškastes identitātes nodrošinātājs',
          legend: 'Izvēlieties, kā kuru pieteikties',
          login: 'Pieteikties',
          cancel: 'Atcelt',
          note: 'Tikai testēšanai: izdomātas personas, bez paroles.',
          level: 'Pieteikšanās uzticamības līmenis',
        }
      : {
          title: 'Sandbox identity provider',
          legend: 'Choose who to log in as',
          login: 'Log in',
          cancel: 'Cancel',
          note: 'For testing only: invented people, no password.',
          level: 'Level of assurance of this login',
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
  const preselected = chosenLevel(undefined, p.acrValues);
  const levels = SANDBOX_LEVELS.map(
    (l, i) =>
      `<div><input type="radio" name="acr" id="l${i}" value="${esc(l.acr)}"${l.acr === preselected ? ' checked' : ''}>` +
      ` <label for="l${i}">${esc(p.lang === 'lv' ? l.lv : l.en)}</label></div>`,
  ).join('\n');
  return `<!doctype html>
<html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title}</title></head>
<body><main>
<h1>${t.title}</h1>
<p>${t.note}</p>
<form method="post" action="authorize">
${hidden('client_id', p.clientId)}${hidden('redirect_uri', p.redirectUri)}${hidden('response_type', 'code')}${hidden('scope', p.scope)}
${hidden('state', p.state)}${hidden('nonce', p.nonce)}${hidden('code_challenge', p.codeChallenge)}${hidden('code_challenge_method', 'S256')}
${hidden('ui_locales', p.lang)}${hidden('acr_values', p.acrValues)}
<fieldset><legend>${t.legend}</legend>
${options}
</fieldset>
<fieldset><legend>${t.level}</legend>
${levels}
</fieldset>
<p><button type="submit" name="login" value="1">${t.login}</button> <button type="submit" name="cancel" value="1">${t.cancel}</button></p>
</form>
</main></body></html>`;
}
