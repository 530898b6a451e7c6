/**
 * A Domibus WS plugin stand-in (SOAP 1.2, Domibus 5 operations) for tests and the embedded
 * default, held to the real plugin's artefacts: it behaves like a Domibus 5.1.9/5.2 with
 * `wsplugin.schema.validation.enabled=true` whose PMode is the oots-france one:
 *
 * - every request is validated against the official WS-plugin schemas (schemas/domibus, with
 *   libxml2); a schema-invalid one is answered with the fault CXF gives (HTTP 500, soap:Sender,
 *   `Unmarshalling Error: ...`) and never acted on;
 * - answers use the plugin's element names, namespaces and enumerations: faults carry the WSDL's
 *   `FaultDetail` (code, message), error codes are `EBMS_0005`-style, `submitResponse` carries
 *   5.2's `messageEntityID`; `?wsdl` serves the official WebServicePlugin.wsdl (and `?xsd=` its
 *   schemas) with the stand-in's address, as CXF does;
 * - a pending inbox: `deliver()` (or POST /sandbox/domibus/inbox with a REST connector envelope)
 *   puts a message in it, and with `pushUrl` set, pushes as BackendService.wsdl defines it
 *   (namespace `eu.domibus`): a `receiveSuccess` notification (push rule RECEIVE_SUCCESS) or the
 *   full message as `submitRequest` (SUBMIT_MESSAGE); with `pushMarkAsDownloaded` (default false,
 *   the documented setting) a successful push marks the message downloaded;
 * - `listPendingMessages` (every filter of the schema; at most 500 ids, as
 *   `wsplugin.messages.pending.list.max`);
 * - `retrieveMessage` is destructive (retention_downloaded=0): the message is gone once its answer
 *   has been written, unless the request's `markAsDownloaded` **attribute** is `false` (Domibus
 *   5.1+; a child element of that name fails validation, as on the real plugin), in which case
 *   `markMessageAsDownloaded` removes it;
 * - `submitMessage` checks what Domibus checks (a PartInfo for every payload and the reverse,
 *   service/action of a PMode leg, the required originalSender/finalRecipient properties, a unique
 *   MessageId) and records the submission; `getStatus` and `getMessageErrors` report on it;
 * - basic auth of one plugin user on every route (401 without a SOAP body, like Spring Security).
 *
 * Fault knobs (in-process, and POST /sandbox/domibus/faults): fail the next N submits (SOAP fault
 * or HTTP 503), fail the next N retrieves (HTTP 503), accept the next N submits but answer late (a lost answer), answer every call after a latency, end the next N submissions in SEND_FAILURE
 * with an ebMS error, keep submissions WAITING_FOR_RECEIPT for N status polls.
 *
 * State lives in memory: one stand-in per process (tests, or the `all` role of the embedded default).
 * The parts: domibus-standin-state.ts (shapes, state, knobs, answers), -ws.ts (the WS plugin
 * endpoint), -submit.ts (submitMessage), -push.ts (inbox and push rule), -control.ts (control routes).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express from 'express';
import { basicAuthorization, sameSecret } from '../connector/domibus/auth.js';
import type { WsMessage } from '../connector/domibus/messages.js';
import { loadWsPluginValidator } from '../resources/domibus-schemas.js';
import { mountControl } from './domibus-standin-control.js';
import { deliver } from './domibus-standin-push.js';
import {
  createStandinFaults,
  createStandinState,
  STANDIN_WS_PATH,
  type DomibusStandinOptions,
  type StandinFaults,
  type StandinState,
  type Submission,
} from './domibus-standin-state.js';
import { mountWsPlugin } from './domibus-standin-ws.js';

export {
  STANDIN_CONTROL_PATH,
  STANDIN_WS_PATH,
  type DomibusStandinOptions,
  type StandinEvent,
  type StandinFaults,
  type Submission,
} from './domibus-standin-state.js';

export interface DomibusStandin {
  /** The WS plugin endpoint (what DOMIBUS_WS_URL would be). */
  readonly url: string;
  /** Base URL of the server (control routes under /sandbox/domibus). */
  readonly baseUrl: string;
  /** Puts a message in the pending inbox (and pushes a notification when configured). */
  deliver(message: WsMessage): Promise<void>;
  pending(): string[];
  submissions(): readonly Submission[];
  /** Requests refused by the schemas so far (each one also emitted as an `invalid` event). */
  invalidRequests(): readonly { readonly operation: string; readonly problems: readonly string[] }[];
  /** Problems the official schemas find in the stand-in's own answers and pushes (must stay empty). */
  invalidAnswers(): readonly string[];
  readonly faults: StandinFaults;
  close(): Promise<void>;
}

export async function startDomibusStandin(opts: DomibusStandinOptions): Promise<DomibusStandin> {
  const validator = loadWsPluginValidator();
  const st = createStandinState(opts, validator);
  const faults = createStandinFaults(st);
  const app = createStandinApp(st, faults);

  const server = http.createServer(app);
  server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  st.baseUrl = `http://${host}:${addr.port}`;

  return {
    url: `${st.baseUrl}${STANDIN_WS_PATH}`,
    baseUrl: st.baseUrl,
    deliver: (message) => deliver(st, message),
    pending: () => [...st.inbox.keys()],
    submissions: () => [...st.subs.values()],
    invalidRequests: () => [...st.invalid],
    invalidAnswers: () => [...st.invalidAnswers],
    faults,
    async close() {
      validator.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Basic auth of the one plugin user and the latency knob in front of every route. */
function createStandinApp(st: StandinState, faults: StandinFaults): express.Express {
  const expected = basicAuthorization(st.opts.user, st.opts.password);
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    if (!sameSecret(req.get('authorization') ?? '', expected)) {
      res.set('WWW-Authenticate', 'Basic realm="domibus"').status(401).type('text/plain').send('Unauthorized');
      return;
    }
    if (st.knobs.latencyMs > 0) setTimeout(next, st.knobs.latencyMs);
    else next();
  });
  mountWsPlugin(app, st);
  mountControl(app, st, faults);
  return app;
}
