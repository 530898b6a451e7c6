/**
 * The level of assurance an evidence needs: the mapping's `levelOfAssurance`, which is also what
 * its DSD registration states as AuthenticationLevelOfAssurance (dsd.ts). A mapping that says
 * nothing needs `Substantial`: eIDAS (Regulation (EU) 910/2014, Art. 6) makes a member state
 * recognise another's notified eID means only at substantial or high, so a user from another
 * country reaches the preview at one of those; nothing less is the default.
 */
import type { LevelOfAssurance } from '../edm/loa.js';
import type { EvidenceMapping } from './model.js';

export const DEFAULT_LEVEL_OF_ASSURANCE: LevelOfAssurance = 'Substantial';

export function requiredLevel(m: Pick<EvidenceMapping, 'levelOfAssurance'>): LevelOfAssurance {
  return m.levelOfAssurance ?? DEFAULT_LEVEL_OF_ASSURANCE;
}
