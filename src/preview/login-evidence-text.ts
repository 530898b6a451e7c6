/**
 * Page text of the evidence produced at the login (./routes/login-evidence.ts), in English and
 * Latvian: kept beside the main catalogue (./i18n.ts) so that each can grow on its own.
 */
import type { Lang } from './i18n.js';

export interface LoginEvidenceText {
  readonly unavailableTitle: string;
  readonly unavailableBody: string;
  readonly tryAgain: string;
  readonly noneTitle: string;
  readonly noneBody: string;
  readonly goneTitle: string;
  readonly goneBody: string;
}

const EN: LoginEvidenceText = {
  unavailableTitle: 'Please try again later',
  unavailableBody:
    'The register that holds this evidence cannot be reached just now. Nothing has been lost and nothing has been sent. Please try again in a few minutes, before the deadline of this preview.',
  tryAgain: 'Try again',
  noneTitle: 'No evidence was found',
  noneBody:
    'No record about you was found for this request, so there is nothing to preview and nothing will be sent. You can close this window and go back to the portal.',
  goneTitle: 'This evidence can no longer be prepared',
  goneBody:
    'The evidence could not be prepared as it was requested, and nothing has been sent. Go back to the portal where you started to request it again.',
};

const LV: LoginEvidenceText = {
  unavailableTitle: 'Lūdzu, mēģiniet vēlreiz vēlāk',
  unavailableBody:
    'Reģistrs, kurā glabājas šis apliecinājums, pašlaik nav sasniedzams. Nekas nav zaudēts un nekas nav nosūtīts. Lūdzu, mēģiniet vēlreiz pēc dažām minūtēm, pirms beidzas šī priekšskatījuma termiņš.',
  tryAgain: 'Mēģināt vēlreiz',
  noneTitle: 'Apliecinājums netika atrasts',
  noneBody:
    'Šim pieprasījumam par jums netika atrasts neviens ieraksts, tāpēc nav ko priekšskatīt un nekas netiks nosūtīts. Varat aizvērt šo logu un atgriezties portālā.',
  goneTitle: 'Šo apliecinājumu vairs nevar sagatavot',
  goneBody:
    'Apliecinājumu nevarēja sagatavot tā, kā tas tika pieprasīts, un nekas nav nosūtīts. Atgriezieties portālā, kurā sākāt, lai to pieprasītu vēlreiz.',
};

export function loginEvidenceText(lang: Lang): LoginEvidenceText {
  return lang === 'lv' ? LV : EN;
}
