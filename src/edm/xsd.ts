/**
 * XSD validation of EDM messages with libxml2 (the same parser that reads them). The schema set
 * is handed in as bytes (src/resources/schema-files.ts reads it), compiled once, and reused for
 * every message: validating a parsed document costs tens of microseconds, compiling costs
 * milliseconds.
 */
import { XmlBufferInputProvider, XmlDocument, XmlLibError, xmlRegisterInputProvider, XsdValidator } from 'libxml2-wasm';
import type { Violation } from './violation.js';
import { DEFAULT_XML_LIMITS, parseXml, type XmlLimits } from './xml/parse.js';

export interface EdmXsdValidator {
  /** XSD findings for a document parsed by `parseXml(bytes, limits, (doc) => …)`; empty when valid. */
  validate(doc: XmlDocument): Violation[];
  /** Parses (with the usual guards) and validates; throws XmlInputError when not well-formed. */
  validateBytes(bytes: Uint8Array | string, limits?: XmlLimits): Violation[];
  /** Frees the compiled schema; the validator is unusable afterwards. */
  dispose(): void;
}

// libxml2 keeps input providers for the life of the process and cannot drop one of them, so all
// validators share one provider and lend it their files only while their schema compiles.
let provider: XmlBufferInputProvider | undefined;
function sharedProvider(): XmlBufferInputProvider {
  if (provider === undefined) {
    provider = new XmlBufferInputProvider({});
    xmlRegisterInputProvider(provider);
  }
  return provider;
}

/**
 * Compiles the schema `entry` (a key of `files`) whose imports and includes resolve, by relative
 * URL, to other keys of `files` (e.g. `schemas/edm/v1.0/sdg/oots_driver_v1.0.0.xsd` importing
 * `../regrep4/rim.xsd`). Throws when the schema set does not compile.
 */
export function createXsdValidator(files: Record<string, Uint8Array>, entry: string): EdmXsdValidator {
  const entryBytes = files[entry];
  if (entryBytes === undefined)
    throw new Error(`schema entry ${entry} is not among the ${Object.keys(files).length} schema files`);
  const shared = sharedProvider();
  const names = Object.keys(files);
  for (const name of names) shared.addBuffer(name, files[name]!);
  let schemaDoc: XmlDocument | undefined;
  let validator: XsdValidator;
  try {
    schemaDoc = XmlDocument.fromBuffer(entryBytes, { url: entry });
    validator = XsdValidator.fromDoc(schemaDoc);
  } catch (cause) {
    schemaDoc?.dispose();
    const detail =
      cause instanceof XmlLibError
        ? cause.details.map((d) => `${d.file ?? entry}:${d.line} ${d.message.trim()}`).join('; ')
        : String(cause);
    throw new Error(`XSD ${entry} does not compile: ${detail}`, { cause });
  } finally {
    for (const name of names) shared.removeBuffer(name);
  }
  // The compiled schema may point into the entry document's strings: keep it until dispose().
  const keptDoc = schemaDoc;

  const validate = (doc: XmlDocument): Violation[] => {
    try {
      validator.validate(doc);
      return [];
    } catch (cause) {
      if (!(cause instanceof XmlLibError)) throw cause;
      const details =
        cause.details.length > 0 ? cause.details : [{ message: cause.message, line: 0, xpath: undefined }];
      return details.map((d) => ({
        rule: 'XSD',
        severity: 'error' as const,
        message: d.message.trim(),
        ...(d.xpath === undefined ? {} : { path: d.xpath }),
        ...(d.line > 0 ? { line: d.line } : {}),
      }));
    }
  };

  return {
    validate,
    validateBytes(bytes, limits = DEFAULT_XML_LIMITS) {
      let found: Violation[] = [];
      parseXml(bytes, limits, (doc) => {
        found = validate(doc);
      });
      return found;
    },
    dispose() {
      validator.dispose();
      keptDoc.dispose();
    },
  };
}
