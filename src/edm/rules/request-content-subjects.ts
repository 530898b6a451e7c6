/**
 * QueryRequest content rules about the subject of the request (official `EDM-REQ-C.sch`, v1.0
 * snapshot, by ID): the NaturalPerson, LegalPerson and AuthorizedRepresentative slots. Part of
 * REQUEST_CONTENT_RULES (request-content.ts); departures are listed in request-index.ts.
 */
import { COUNTRY_CODES, LEVELS_OF_ASSURANCE } from '../codelists.js';
import { NS } from '../xml/namespaces.js';
import { attr } from '../xml/tree.js';
import { hasKid, hasSdgValue, inList, isEidasIdentifier, isXsdDate, sdgKids, stringValue } from './common.js';
import type { Rule } from './engine.js';

import {
  DOB_FORMAT,
  EIDAS_FORMAT,
  SCHEME_PRESENT,
  addressCountries,
  codeListText,
  each,
  schemePresent,
  subjects,
  text,
} from './request-content-common.js';

const AR = 'AuthorizedRepresentative';

/** NaturalPerson, LegalPerson and AuthorizedRepresentative, in the official order. */
export const REQUEST_SUBJECT_RULES: readonly Rule[] = [
  // NaturalPerson
  each(
    'R-EDM-REQ-C036',
    'error',
    "The Element 'LevelOfAssurance' must be provided (minOccurs=\"1)' in the EvidenceRequest when rim:Slot[@name='NaturalPerson'] is used.",
    (v) => subjects(v, 'NaturalPerson'),
    (p) => hasSdgValue(p, 'LevelOfAssurance'),
  ),
  each(
    'R-EDM-REQ-C037',
    'error',
    codeListText(
      'LevelsOfAssurance-CodeList',
      "query:QueryRequest/query:Query/rim:Slot[@name='NaturalPerson']/rim:SlotValue/sdg:Person/sdg:LevelOfAssurance",
    ),
    (v) => sdgKids(subjects(v, 'NaturalPerson'), 'LevelOfAssurance'),
    (el) => inList(LEVELS_OF_ASSURANCE, stringValue(el)),
  ),
  each(
    'R-EDM-REQ-C038',
    'warning',
    "The value of a Person 'Identifier' SHOULD be provided.",
    (v) => subjects(v, 'NaturalPerson'),
    (p) => hasSdgValue(p, 'Identifier'),
  ),
  each(
    'R-EDM-REQ-C039',
    'error',
    EIDAS_FORMAT,
    (v) => sdgKids(subjects(v, 'NaturalPerson'), 'Identifier'),
    (el) => isEidasIdentifier(text(el)),
  ),
  each(
    'R-EDM-REQ-C041',
    'error',
    SCHEME_PRESENT,
    (v) => sdgKids(subjects(v, 'NaturalPerson'), 'Identifier'),
    schemePresent,
  ),
  each(
    'R-EDM-REQ-C042',
    'error',
    "The 'schemeID' attribute of the 'Identifier' MUST have the fixed value 'eidas'.",
    (v) => sdgKids(subjects(v, 'NaturalPerson'), 'Identifier'),
    (el) => attr(el, 'schemeID') === 'eidas',
  ),
  each(
    'R-EDM-REQ-C043',
    'error',
    DOB_FORMAT,
    (v) => sdgKids(subjects(v, 'NaturalPerson'), 'DateOfBirth'),
    (el) => isXsdDate(text(el)),
  ),
  each(
    'R-EDM-REQ-C045',
    'warning',
    codeListText(
      'CountryIdentificationCode-2.3',
      "query:QueryRequest/query:Query/rim:Slot[@name='NaturalPerson']/rim:SlotValue/sdg:Person/sdg:CurrentAddress/sdg:AdminUnitLevel1",
    ),
    (v) => addressCountries(subjects(v, 'NaturalPerson'), 'CurrentAddress'),
    (el) => inList(COUNTRY_CODES, stringValue(el)),
  ),

  // LegalPerson
  each(
    'R-EDM-REQ-C047',
    'error',
    "The Element 'LevelOfAssurance' must be provided (minOccurs=\"1)' in the EvidenceRequest when rim:Slot[@name='LegalPerson'] is used.",
    (v) => subjects(v, 'LegalPerson'),
    (p) => hasSdgValue(p, 'LevelOfAssurance'),
  ),
  each(
    'R-EDM-REQ-C048',
    'error',
    codeListText(
      'LevelsOfAssurance-CodeList',
      "query:QueryRequest/query:Query/rim:Slot[@name='LegalPerson']/rim:SlotValue/sdg:LegalPerson/sdg:LevelOfAssurance",
    ),
    (v) => sdgKids(subjects(v, 'LegalPerson'), 'LevelOfAssurance'),
    (el) => inList(LEVELS_OF_ASSURANCE, stringValue(el)),
  ),
  each(
    'R-EDM-REQ-C049',
    'warning',
    "The value of a Legal Person 'LegalPersonIdentifier' SHOULD be provided.",
    (v) => subjects(v, 'LegalPerson'),
    (p) => hasSdgValue(p, 'LegalPersonIdentifier'),
  ),
  each(
    'R-EDM-REQ-C050',
    'error',
    "The value of a 'LegalPersonIdentifier' MUST have the format XX/YY/ZZZZZZZZZ where XX is the Nationality Code of the identifier and YY is the Nationality Code of the destination country and ZZZZZZZZZ is an undefined combination of characters which uniquely identifies the identity asserted in the country of origin. Example: ES/AT/02635542Y",
    (v) => sdgKids(subjects(v, 'LegalPerson'), 'LegalPersonIdentifier'),
    (el) => isEidasIdentifier(text(el)),
  ),
  each(
    'R-EDM-REQ-C052',
    'error',
    "The 'schemeID' attribute of 'LegalPersonIdentifier' MUST be present.",
    (v) => sdgKids(subjects(v, 'LegalPerson'), 'LegalPersonIdentifier'),
    schemePresent,
  ),
  each(
    'R-EDM-REQ-C053',
    'error',
    "The 'schemeID' attribute of the 'LegalPersonIdentifier' MUST have the fixed value 'eidas'.",
    (v) => sdgKids(subjects(v, 'LegalPerson'), 'LegalPersonIdentifier'),
    (el) => attr(el, 'schemeID') === 'eidas',
  ),
  each(
    'R-EDM-REQ-C054',
    'error',
    SCHEME_PRESENT,
    (v) => sdgKids(subjects(v, 'LegalPerson'), 'Identifier'),
    schemePresent,
  ),
  each(
    'R-EDM-REQ-C056',
    'warning',
    codeListText(
      'CountryIdentificationCode-2.3',
      "query:QueryRequest/query:Query/rim:Slot[@name='LegalPerson']/rim:SlotValue/sdg:LegalPerson/sdg:RegisteredAddress/sdg:AdminUnitLevel1",
    ),
    (v) => addressCountries(subjects(v, 'LegalPerson'), 'RegisteredAddress'),
    (el) => inList(COUNTRY_CODES, stringValue(el)),
  ),

  // AuthorizedRepresentative
  each(
    'R-EDM-REQ-C058',
    'error',
    "The Element 'LevelOfAssurance' must be provided (minOccurs=\"1)' in the EvidenceRequest when rim:Slot[@name='AuthorizedRepresentative'] is used.",
    (v) => subjects(v, AR),
    (p) => hasSdgValue(p, 'LevelOfAssurance'),
  ),
  each(
    'R-EDM-REQ-C059',
    'error',
    codeListText(
      'LevelsOfAssurance-CodeList',
      "query:QueryRequest/query:Query/rim:Slot[@name='AuthorizedRepresentative']/rim:SlotValue/sdg:Person/sdg:LevelOfAssurance",
    ),
    (v) => sdgKids(subjects(v, AR), 'LevelOfAssurance'),
    (el) => inList(LEVELS_OF_ASSURANCE, stringValue(el)),
  ),
  each(
    'R-EDM-REQ-C060',
    'warning',
    "The value of a Person 'Identifier' SHOULD be provided.",
    (v) => subjects(v, AR),
    (p) => hasKid(p, NS.sdg, 'Identifier'),
  ),
  each(
    'R-EDM-REQ-C061',
    'error',
    EIDAS_FORMAT,
    (v) => sdgKids(subjects(v, AR), 'Identifier'),
    (el) => isEidasIdentifier(text(el)),
  ),
  each('R-EDM-REQ-C062', 'error', SCHEME_PRESENT, (v) => sdgKids(subjects(v, AR), 'Identifier'), schemePresent),
  each(
    'R-EDM-REQ-C063',
    'error',
    "The 'schemeID' attribute of the 'Identifier' MUST have the fixed value 'eidas'.",
    (v) => sdgKids(subjects(v, AR), 'Identifier'),
    (el) => attr(el, 'schemeID') === 'eidas',
  ),
  each(
    'R-EDM-REQ-C064',
    'error',
    DOB_FORMAT,
    (v) => sdgKids(subjects(v, AR), 'DateOfBirth'),
    (el) => isXsdDate(text(el)),
  ),
  each(
    'R-EDM-REQ-C067',
    'warning',
    codeListText(
      'CountryIdentificationCode-2.3',
      "query:QueryRequest/query:Query/rim:Slot[@name='AuthorizedRepresentative']/rim:SlotValue/sdg:Person/sdg:CurrentAddress/sdg:AdminUnitLevel1",
    ),
    (v) => addressCountries(subjects(v, AR), 'CurrentAddress'),
    (el) => inList(COUNTRY_CODES, stringValue(el)),
  ),
];
