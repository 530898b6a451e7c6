/**
 * Connector types by CONNECTOR_MODE. `rest` (the JSON connector) and `domibus-ws` (the Domibus WS
 * plugin) are built in; another type registers itself here (docs/connectors.md) and is then a valid
 * CONNECTOR_MODE. The composition calls `openConnector(config.connector.mode, deps)` and names no type.
 */
import { ConfigError } from '../config.js';
import { domibusConnectorType } from './domibus/index.js';
import type { Connector, ConnectorDeps, ConnectorType } from './port.js';
import { restConnectorType } from './rest.js';

const types = new Map<string, ConnectorType>([
  ['rest', restConnectorType],
  ['domibus-ws', domibusConnectorType],
]);

/** Adds a connector type under `mode`; a mode is registered once. */
export function registerConnectorType(mode: string, type: ConnectorType): void {
  if (!/^[a-z][a-z0-9-]*$/.test(mode)) throw new Error(`connector mode "${mode}": lower-case letters, digits, dashes`);
  if (types.has(mode)) throw new Error(`connector mode "${mode}" is already registered`);
  types.set(mode, type);
}

/** The registered modes, built-in first. */
export function connectorModes(): readonly string[] {
  return [...types.keys()];
}

/** Opens the connector of `mode`; an unknown mode is a configuration error. */
export function openConnector(mode: string, deps: ConnectorDeps): Promise<Connector> {
  const type = types.get(mode);
  if (type === undefined)
    return Promise.reject(new ConfigError([`CONNECTOR_MODE="${mode}" must be one of ${connectorModes().join(', ')}`]));
  return type.open(deps);
}
