/**
 * Reads the official Domibus WS-plugin schemas and WSDLs shipped in `schemas/domibus` (see the
 * NOTICE there): for the validator of SOAP envelopes (src/connector/domibus/wsplugin-schema.ts)
 * and the WSDL the stand-in serves at `?wsdl`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createWsPluginValidator, type WsPluginValidator } from '../connector/domibus/wsplugin-schema.js';
import { packageRoot, readSchemaFiles } from './schema-files.js';

/** Entry schema (ours, imports only) of the WS-plugin set, as a key of {@link readDomibusSchemaFiles}. */
export const WSPLUGIN_ENTRY = 'schemas/domibus/wsplugin-validation.xsd';
/** The official files, relative to the package root. */
export const WSPLUGIN_DIR = 'schemas/domibus/wsplugin-5.1.9';

/** Every `.xsd` under `schemas/domibus`, keyed by its path relative to the package root. */
export function readDomibusSchemaFiles(root: string = packageRoot()): Record<string, Uint8Array> {
  return readSchemaFiles(root, 'domibus');
}

/** An official file of the set by name (e.g. `webservicePlugin-body.xsd`), for `?xsd=` requests. */
export function readWsPluginFile(name: string, root: string = packageRoot()): string | undefined {
  if (!/^[\w.-]+\.(xsd|wsdl)$/.test(name)) return undefined;
  try {
    return readFileSync(path.join(root, WSPLUGIN_DIR, name), 'utf8');
  } catch {
    return undefined;
  }
}

/** The compiled validator of the official WS-plugin schema set. */
export function loadWsPluginValidator(root: string = packageRoot()): WsPluginValidator {
  return createWsPluginValidator(readDomibusSchemaFiles(root), WSPLUGIN_ENTRY);
}
