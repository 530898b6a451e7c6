/**
 * EDM v2.0 languages and associated documents of an evidence (notes §3 "2.0 packaging", §8).
 *
 * - The languages of a rendering: those of the distribution's `Language` the mapping has, in the
 *   mapping's order; none asked, or none of them offered, gives the default: every language of the
 *   mapping (a language the provider lacks is not an error in v2.0).
 * - `HumanReadableVersion`: the PDF of the same record beside a structured (non-PDF) evidence, in
 *   the rendering languages. A PDF evidence is its own human-readable version: none is added.
 * - `Translation`: a single-language PDF per language of the mapping the evidence is not in.
 * - `Annex`: no mapping offers one.
 *
 * What is asked and not offered is left out: the main evidence is still answered. R-EDM-RESP-S047
 * asks a package for its MainEvidence only, and R-EDM-RESP-S050…S063 constrain the associated
 * documents present; no response rule requires an asked one, and EDM:ERR:0007 would withhold the
 * evidence itself. The names of the missing ones go into the answer's summary.
 */
import type { Distribution, EvidenceMapping, OfferedDocument, RenderLanguage } from '../mapping/model.js';

export const DEFAULT_LANGUAGES: readonly RenderLanguage[] = ['lv', 'en'];

/** One associated document to render: its role and the languages of its PDF. */
export interface AssociatedPlan {
  readonly role: OfferedDocument;
  readonly languages: readonly RenderLanguage[];
}

export function offeredLanguages(mapping: Pick<EvidenceMapping, 'languages'>): readonly RenderLanguage[] {
  return mapping.languages ?? DEFAULT_LANGUAGES;
}

/** The languages to render in, for the requested `Language`s (`LV`, `en`, ...). */
export function renderingLanguages(
  requested: readonly string[],
  mapping: Pick<EvidenceMapping, 'languages'>,
): RenderLanguage[] {
  const offered = offeredLanguages(mapping);
  const wanted = new Set(requested.map((l) => l.trim().toLowerCase()));
  const picked = offered.filter((l) => wanted.has(l));
  return picked.length > 0 ? picked : [...offered];
}

/**
 * The languages an evidence is in: a rendering (PDF) in the rendering languages; a structured
 * document carries the register's data as written, in the mapping's default language.
 */
export function evidenceLanguages(
  distribution: Pick<Distribution, 'format'>,
  rendering: readonly RenderLanguage[],
  mapping: Pick<EvidenceMapping, 'languages'>,
): RenderLanguage[] {
  return distribution.format === 'application/pdf' ? [...rendering] : [offeredLanguages(mapping)[0]!];
}

/** The associated documents to produce for `asked`, and the asked ones that are not offered. */
export function planAssociated(
  asked: readonly string[],
  mapping: Pick<EvidenceMapping, 'languages' | 'associatedDocuments'>,
  distribution: Pick<Distribution, 'format'>,
  rendering: readonly RenderLanguage[],
): { readonly plan: AssociatedPlan[]; readonly notOffered: string[] } {
  const offers = new Set<string>(mapping.associatedDocuments ?? []);
  const plan: AssociatedPlan[] = [];
  const notOffered: string[] = [];
  for (const role of new Set(asked.map((a) => a.trim()))) {
    const made = role === 'HumanReadableVersion' || role === 'Translation' ? planOf(role) : [];
    if (made.length === 0) notOffered.push(role);
    plan.push(...made);
  }
  return { plan, notOffered };

  function planOf(role: OfferedDocument): AssociatedPlan[] {
    if (!offers.has(role)) return [];
    if (role === 'HumanReadableVersion')
      return distribution.format === 'application/pdf' ? [] : [{ role, languages: [...rendering] }];
    const own = new Set(evidenceLanguages(distribution, rendering, mapping));
    return offeredLanguages(mapping)
      .filter((l) => !own.has(l))
      .map((l) => ({ role, languages: [l] }));
  }
}
