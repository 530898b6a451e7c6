/**
 * Fault knobs of the DAGR sandbox: the programmatic control, the `/sandbox/dagr/*` control routes
 * (never faulted themselves) and the middleware that applies latency and `down` to everything
 * DAGR answers.
 */
import { sendProblem } from '../infra/http-problem.js';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import {
  type FailStatus,
  type FaultControl,
  type FaultSettings,
  type FaultState,
  type SandboxState,
} from './dagr-sandbox-state.js';

const FAIL_STATUSES: readonly number[] = [500, 502, 503, 429];

export function createFaultControl(st: SandboxState): FaultControl {
  const k = st.knobs;
  const state = (): FaultState => ({
    latencyMs: k.latencyMs,
    failNext: k.failNext,
    down: k.down,
    notFoundCount: k.notFound.size,
  });
  return {
    set(settings) {
      if (settings.latencyMs !== undefined) k.latencyMs = settings.latencyMs;
      if (settings.failNext !== undefined) k.failNext = settings.failNext.count > 0 ? { ...settings.failNext } : null;
      if (settings.down !== undefined) k.down = settings.down === true ? 'reset' : settings.down;
      if (settings.notFound !== undefined) k.notFound = new Set(settings.notFound);
      st.logger?.info({ dagrSandbox: { faults: state() } }, 'DAGR sandbox faults set');
      return state();
    },
    clear() {
      k.latencyMs = 0;
      k.failNext = null;
      k.down = false;
      k.notFound = new Set();
      return state();
    },
    current: state,
  };
}

/** `GET|POST|DELETE /sandbox/dagr/faults`, `GET /sandbox/dagr/stats`, `POST /sandbox/dagr/revoke-tokens`. */
export function mountSandboxControls(app: Express, st: SandboxState, faults: FaultControl): void {
  app.get('/sandbox/dagr/faults', (_req, res) => {
    res.json(faults.current());
  });
  app.post('/sandbox/dagr/faults', express.json({ limit: '64kb' }), (req: Request, res: Response) => {
    const parsed = parseFaultSettings(req.body);
    if (typeof parsed === 'string') {
      sendProblem(res, 400, 'Bad fault settings', parsed);
      return;
    }
    res.json(faults.set(parsed));
  });
  app.delete('/sandbox/dagr/faults', (_req, res) => {
    res.json(faults.clear());
  });
  app.get('/sandbox/dagr/stats', (_req, res) => {
    res.json({ ...st.counters });
  });
  app.post('/sandbox/dagr/revoke-tokens', (_req, res) => {
    st.tokens.clear();
    res.status(204).end();
  });
}

/** Faults that hit everything DAGR answers: latency, then a reset connection or a 503. */
export function faultMiddleware(st: SandboxState): express.RequestHandler {
  const k = st.knobs;
  return async (req: Request, res: Response, next: NextFunction) => {
    if (k.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, k.latencyMs));
    if (k.down === 'reset') {
      st.counters.resets += 1;
      req.socket.destroy();
      return;
    }
    if (k.down === '503') {
      res.set('Connection', 'close');
      sendProblem(res, 503, 'Service Unavailable', 'DAGR sandbox is down (fault knob)');
      return;
    }
    next();
  };
}

/** Validates the body of `POST /sandbox/dagr/faults`; a string is the problem. */
export function parseFaultSettings(body: unknown): FaultSettings | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'send a JSON object';
  const b = body as Record<string, unknown>;
  const known = new Set(['latencyMs', 'failNext', 'down', 'notFound']);
  const unknown = Object.keys(b).filter((k) => !known.has(k));
  if (unknown.length > 0) return `unknown knob(s): ${unknown.join(', ')}`;
  const out: { -readonly [K in keyof FaultSettings]: FaultSettings[K] } = {};
  if (b['latencyMs'] !== undefined) {
    const v = b['latencyMs'];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 120_000)
      return 'latencyMs must be an integer from 0 to 120000';
    out.latencyMs = v;
  }
  if (b['failNext'] !== undefined) {
    const f = parseFailNext(b['failNext']);
    if (typeof f === 'string') return f;
    out.failNext = f;
  }
  if (b['down'] !== undefined) {
    const d = b['down'];
    if (typeof d !== 'boolean' && d !== 'reset' && d !== '503') return 'down must be true, false, "reset" or "503"';
    out.down = d;
  }
  if (b['notFound'] !== undefined) {
    const n = b['notFound'];
    if (!Array.isArray(n) || !n.every((x) => typeof x === 'string')) return 'notFound must be an array of object ids';
    out.notFound = n;
  }
  return out;
}

function parseFailNext(f: unknown): NonNullable<FaultSettings['failNext']> | string {
  if (typeof f !== 'object' || f === null) return 'failNext must be {count, status, retryAfterSeconds?}';
  const { count, status, retryAfterSeconds } = f as Record<string, unknown>;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
    return 'failNext.count must be a non-negative integer';
  if (typeof status !== 'number' || !FAIL_STATUSES.includes(status))
    return 'failNext.status must be 500, 502, 503 or 429';
  if (
    retryAfterSeconds !== undefined &&
    (typeof retryAfterSeconds !== 'number' || !Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0)
  ) {
    return 'failNext.retryAfterSeconds must be a non-negative integer';
  }
  return {
    count,
    status: status as FailStatus,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
}
