/**
 * What the preview login must prove for a mapping's evidence, handed to the preview space with the
 * evidence (request #1): the mapping's level of assurance and, for a company with a
 * `representation` dataset, where the Register of Enterprises lists who may represent it.
 */
import type { Subject } from '../edm/model.js';
import { lookupKey } from '../identity/match.js';
import { requiredLevel } from '../mapping/assurance.js';
import type { EvidenceMapping } from '../mapping/model.js';
import type { PreviewLoginPolicy } from './ports.js';

export function previewLoginPolicy(subject: Subject, mapping: EvidenceMapping): PreviewLoginPolicy {
  const levelOfAssurance = requiredLevel(mapping);
  const rep = mapping.representation;
  if (rep === undefined || subject.kind !== 'LegalPerson') return { levelOfAssurance };
  const key = lookupKey(subject, mapping.dagr.lookup);
  // The evidence was found with this key; should it ever fail here, an empty key matches no company.
  return {
    levelOfAssurance,
    representation: { service: rep.service, permission: rep.permission, key: key.ok ? key.key : '' },
  };
}
