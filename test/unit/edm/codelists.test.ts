import { readFileSync } from 'node:fs';
import path from 'node:path';
import { codesOf, formatCodeListsModule, readGenericode } from '../../../scripts/extract-codelists.js';
import {
  AGENT_CLASSIFICATIONS,
  COUNTRY_CODES,
  EAS_CODES,
  EDM_ERROR_CODES,
  LANGUAGE_CODES,
  OOTS_MEDIA_TYPES,
  PROCEDURES,
  PROCEDURES_SINCE_1_1_2,
} from '../../../src/edm/codelists.js';
import { EDM_ARTEFACTS } from '../../support/schematron.js';

const DIR = path.join(EDM_ARTEFACTS, 'v1.0', 'codelists');
const MODULE = path.resolve('src', 'edm', 'codelists.ts');

describe('EDM code lists', () => {
  it('the committed module is exactly what the script extracts from the .gc files', async () => {
    expect(readFileSync(MODULE, 'utf8')).toBe(await formatCodeListsModule(DIR, MODULE));
  });

  it('reads the code from the key column, trimmed', () => {
    expect([...AGENT_CLASSIFICATIONS]).toEqual(['ER', 'IP', 'EP', 'ERRP']);
    expect(OOTS_MEDIA_TYPES.has('image/svg+xml')).toBe(true);
    expect(OOTS_MEDIA_TYPES.size).toBe(6);
    expect(EAS_CODES.has('0204')).toBe(true);
    expect(EAS_CODES.has('Code')).toBe(false);
    expect(LANGUAGE_CODES.has('EN')).toBe(true);
    expect(LANGUAGE_CODES.has('English')).toBe(false);
    expect(COUNTRY_CODES.has('EL')).toBe(true);
    expect(COUNTRY_CODES.has('GR')).toBe(false);
  });

  it('keeps later additions apart from the v1.0 list', () => {
    expect(PROCEDURES.size).toBe(21);
    expect(PROCEDURES.has('00')).toBe(false);
    expect(PROCEDURES_SINCE_1_1_2.has('00')).toBe(true);
  });

  it('reads the 8 EDM error codes from the malformed upstream file', () => {
    expect(EDM_ERROR_CODES.size).toBe(8);
    expect(EDM_ERROR_CODES.get('EDM:ERR:0003')).toEqual({
      xsiType: 'rs:InvalidRequestExceptionType',
      message: 'Syntactically or semantically invalid request',
    });
    expect(EDM_ERROR_CODES.get('EDM:ERR:0008')?.message).toBe('Problem during the processing of a QueryRequest');
    expect(codesOf(readGenericode(path.join(DIR, 'OOTS', 'EDMErrorCodes-CodeList.gc')))).toHaveLength(8);
  });
});
