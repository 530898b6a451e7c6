/**
 * The stand-ins of the connectors' far sides, by CONNECTOR_MODE, for the embedded default: the
 * connector type opens one when its endpoint is not configured (src/connector/port.ts).
 */
import type { StandinStarters } from '../connector/port.js';
import { createConnectorStandin, STANDIN_INBOX_PATH } from './connector-standin.js';
import { startDomibusStandin } from './domibus-standin.js';
import { localDomibusPassword } from './local-secrets.js';

export const connectorStandins: StandinStarters = {
  // Served on the adapter's own API: answers are POSTed to this process.
  rest: ({ redis, keys, baseUrl, config }) => ({
    url: () => `${baseUrl()}${STANDIN_INBOX_PATH}`,
    routes: [createConnectorStandin({ redis, prefix: keys.standin, token: config.connector.outboundToken })],
    sandbox: () => ({ connector: `${baseUrl()}/sandbox/connector` }),
  }),
  'domibus-ws': async ({ host, dataDir }) => {
    const user = 'oots-adapter';
    const password = localDomibusPassword(dataDir);
    const standin = await startDomibusStandin({ host, port: 0, user, password });
    return {
      url: () => standin.url,
      user,
      password,
      sandbox: () => ({ domibus: standin.url }),
      close: () => standin.close(),
    };
  },
};
