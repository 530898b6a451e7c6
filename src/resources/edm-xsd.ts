/** The compiled EDM v1.0 XSD validator, built from the schema files shipped with the adapter. */
import { createXsdValidator, type EdmXsdValidator } from '../edm/xsd.js';
import { EDM_V1_0_ENTRY, readSchemaFiles } from './schema-files.js';

export function loadEdmXsdValidator(): EdmXsdValidator {
  return createXsdValidator(readSchemaFiles(), EDM_V1_0_ENTRY);
}
