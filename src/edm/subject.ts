/** Views of a request's subject that responses need. */
import type { NaturalPerson, Subject } from './model.js';

/** The minimum data set echoed in `sdg:IsAbout`: identity only, not the request's extra attributes. */
export function minimumDataSet(s: Subject): Subject {
  if (s.kind === 'LegalPerson') {
    return { ...s, levelOfAssurance: undefined, identifiers: [], registeredAddress: undefined, sectorSpecificAttributes: [] };
  }
  const mds: NaturalPerson = {
    kind: 'NaturalPerson',
    levelOfAssurance: undefined,
    identifier: s.identifier,
    familyName: s.familyName,
    givenName: s.givenName,
    dateOfBirth: s.dateOfBirth,
    birthName: undefined,
    placeOfBirth: undefined,
    currentAddress: undefined,
    gender: undefined,
    nationality: undefined,
    countryOfBirth: undefined,
    townOfBirth: undefined,
    countryOfResidence: undefined,
    phoneNumber: undefined,
    emailAddress: undefined,
    sectorSpecificAttributes: [],
  };
  return mds;
}
