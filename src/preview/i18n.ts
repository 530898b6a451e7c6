/**
 * Page text of the preview space in English and Latvian. The language comes from `?lang=`, then the
 * `pv_lang` cookie (set by `?lang=`), then Accept-Language, then English: the person is by
 * definition from another country.
 */

export type Lang = 'en' | 'lv';
export const LANGS: readonly Lang[] = ['en', 'lv'];

export function isLang(v: unknown): v is Lang {
  return v === 'en' || v === 'lv';
}

/** The first of our languages in an Accept-Language header, by q-value then order. */
export function langFromAcceptLanguage(header: string | undefined): Lang | undefined {
  if (header === undefined) return undefined;
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find((m) => m !== null);
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', q: q ? Number(q[1]) : 1, i };
    })
    .filter((x) => x.q > 0 && Number.isFinite(x.q))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((x) => x.base).find(isLang);
}

export function pickLang(query: unknown, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(query)) return query;
  if (isLang(cookie)) return cookie;
  return langFromAcceptLanguage(acceptLanguage) ?? 'en';
}

export interface Messages {
  readonly siteTitle: string;
  readonly lede: string;
  readonly requestedBy: string;
  readonly evidenceHeading: string;
  readonly openPdf: string;
  readonly download: string;
  readonly decisionLegend: (title: string) => string;
  readonly approve: string;
  readonly decline: string;
  readonly submit: string;
  readonly deadline: (time: string) => string;
  readonly errorSummary: string;
  readonly errorMissing: string;
  readonly notForYouTitle: string;
  readonly notForYouBody: string;
  readonly expiredTitle: string;
  readonly expiredBody: string;
  readonly decidedTitle: string;
  readonly decidedBody: string;
  readonly notFoundTitle: string;
  readonly notFoundBody: string;
  readonly badReturnTitle: string;
  readonly badReturnBody: string;
  readonly loginFailedTitle: string;
  readonly loginFailedBody: string;
  readonly loginCancelledBody: string;
  readonly retryLogin: string;
  readonly doneTitle: string;
  readonly doneBody: string;
  readonly continueToPortal: string;
  readonly returning: string;
  readonly sessionEndedTitle: string;
  readonly sessionEndedBody: string;
  readonly backToPortal: string;
  readonly errorTitle: string;
  readonly errorBody: string;
  readonly otherLanguage: string;
  readonly languageNav: string;
  readonly loaTooLowTitle: string;
  readonly loaTooLowBody: string;
}

const EN: Messages = {
  siteTitle: 'Evidence preview',
  lede: 'An authority in another EU country has asked Latvia for official evidence about you. Nothing is sent until you approve it.',
  requestedBy: 'Requested by',
  evidenceHeading: 'Evidence to be sent',
  openPdf: 'Open the document (PDF)',
  download: 'Download the document',
  decisionLegend: (title) => `Send “${title}”?`,
  approve: 'Yes, send it',
  decline: 'No, do not send it',
  submit: 'Confirm my decision',
  deadline: (time) => `Please decide by ${time} (UTC).`,
  errorSummary: 'There is a problem',
  errorMissing: 'Choose “send” or “do not send” for each document.',
  notForYouTitle: 'This preview is not for you',
  notForYouBody:
    'The person you logged in as is not the person this evidence is about. Nothing has been shown or sent. If you followed a link meant for someone else, please close this window.',
  expiredTitle: 'This preview link has expired',
  expiredBody:
    'The time to open the link or to decide has passed, and the evidence has been deleted. Go back to the portal where you started to request it again.',
  decidedTitle: 'A decision has already been made',
  decidedBody: 'This link can be used once. The decision has been recorded; there is nothing more to do here.',
  notFoundTitle: 'Preview link not found',
  notFoundBody: 'The link is wrong or no longer valid.',
  badReturnTitle: 'Return address refused',
  badReturnBody:
    'The link you followed asks to send you back to an address this service does not trust. Go back to the portal and start again.',
  loginFailedTitle: 'Login did not complete',
  loginFailedBody: 'The login could not be completed. Please try again.',
  loginCancelledBody: 'The login was cancelled. Nothing has been shown or sent.',
  retryLogin: 'Log in again',
  doneTitle: 'Thank you',
  doneBody: 'Your decision has been recorded. You can close this window and go back to the portal.',
  continueToPortal: 'Continue to the portal',
  returning: 'Your decision has been recorded. Returning you to the portal.',
  sessionEndedTitle: 'Your session has ended',
  sessionEndedBody: 'For your protection this page is no longer valid. Open the preview link again.',
  backToPortal: 'Back to the portal',
  errorTitle: 'Something went wrong',
  errorBody: 'The page could not be shown. Please try again in a few minutes.',
  otherLanguage: 'Latviešu valodā',
  languageNav: 'Language',
  loaTooLowTitle: 'Your login is not strong enough for this evidence',
  loaTooLowBody:
    'This evidence can only be shown after a login at a higher level of assurance (for example with an eID card or a mobile eID rather than a password). Nothing has been shown or sent. Log in again with a stronger means of identification.',
};

const LV: Messages = {
  siteTitle: 'Apliecinājuma priekšskatījums',
  lede: 'Iestāde citā ES valstī ir pieprasījusi no Latvijas oficiālu apliecinājumu par jums. Nekas netiek nosūtīts, kamēr jūs to neapstiprināt.',
  requestedBy: 'Pieprasītājs',
  evidenceHeading: 'Nosūtāmie apliecinājumi',
  openPdf: 'Atvērt dokumentu (PDF)',
  download: 'Lejupielādēt dokumentu',
  decisionLegend: (title) => `Vai nosūtīt “${title}”?`,
  approve: 'Jā, nosūtīt',
  decline: 'Nē, nenosūtīt',
  submit: 'Apstiprināt manu izvēli',
  deadline: (time) => `Lūdzu, izlemiet līdz ${time} (UTC).`,
  errorSummary: 'Radās problēma',
  errorMissing: 'Katram apliecinājumam izvēlieties “nosūtīt” vai “nenosūtīt”.',
  notForYouTitle: 'Šis priekšskatījums nav paredzēts jums',
  notForYouBody:
    'Persona, kā kuru jūs pieteicāties, nav tā persona, par kuru ir šis apliecinājums. Nekas netika parādīts vai nosūtīts. Ja sekojāt saitei, kas paredzēta kādam citam, lūdzu, aizveriet šo logu.',
  expiredTitle: 'Priekšskatījuma saites derīgums ir beidzies',
  expiredBody:
    'Laiks saites atvēršanai vai lēmuma pieņemšanai ir beidzies, un apliecinājums ir dzēsts. Atgriezieties portālā, kurā sākāt, lai to pieprasītu vēlreiz.',
  decidedTitle: 'Lēmums jau ir pieņemts',
  decidedBody: 'Šo saiti var izmantot vienu reizi. Lēmums ir reģistrēts; šeit vairs nekas nav jādara.',
  notFoundTitle: 'Priekšskatījuma saite nav atrasta',
  notFoundBody: 'Saite ir nepareiza vai vairs nav derīga.',
  badReturnTitle: 'Atgriešanās adrese noraidīta',
  badReturnBody:
    'Saite, kurai sekojāt, prasa jūs nosūtīt uz adresi, kurai šis pakalpojums neuzticas. Atgriezieties portālā un sāciet no jauna.',
  loginFailedTitle: 'Pieteikšanās netika pabeigta',
  loginFailedBody: 'Pieteikšanos neizdevās pabeigt. Lūdzu, mēģiniet vēlreiz.',
  loginCancelledBody: 'Pieteikšanās tika atcelta. Nekas netika parādīts vai nosūtīts.',
  retryLogin: 'Pieteikties vēlreiz',
  doneTitle: 'Paldies',
  doneBody: 'Jūsu lēmums ir reģistrēts. Varat aizvērt šo logu un atgriezties portālā.',
  continueToPortal: 'Turpināt uz portālu',
  returning: 'Jūsu lēmums ir reģistrēts. Jūs tiekat novirzīts atpakaļ uz portālu.',
  sessionEndedTitle: 'Jūsu sesija ir beigusies',
  sessionEndedBody: 'Jūsu drošībai šī lapa vairs nav derīga. Atveriet priekšskatījuma saiti vēlreiz.',
  backToPortal: 'Atpakaļ uz portālu',
  errorTitle: 'Radās kļūda',
  errorBody: 'Lapu neizdevās parādīt. Lūdzu, mēģiniet vēlreiz pēc dažām minūtēm.',
  otherLanguage: 'In English',
  languageNav: 'Valoda',
  loaTooLowTitle: 'Pieteikšanās nav pietiekami droša šim apliecinājumam',
  loaTooLowBody:
    'Šo apliecinājumu var parādīt tikai pēc pieteikšanās ar augstāku uzticamības līmeni (piemēram, ar eID karti vai mobilo eID, nevis ar paroli). Nekas netika parādīts vai nosūtīts. Piesakieties vēlreiz ar drošāku identifikācijas līdzekli.',
};

export function messages(lang: Lang): Messages {
  return lang === 'lv' ? LV : EN;
}
