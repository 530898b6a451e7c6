/**
 * The HTTP security baseline, as middleware factories that src/compose/api.ts mounts per route family:
 *
 * - `securityHeaders(options)`: helmet with a strict Content-Security-Policy for the HTML pages
 *   (`default-src 'none'`, styles, images and — when asked — scripts only from this origin, forms
 *   only to this origin and the configured return origins, no framing, no <base> rewriting),
 *   `Referrer-Policy: no-referrer`, `X-Content-Type-Options: nosniff`, HSTS when served over https.
 * - `rateLimit(options)`: a fixed-window budget per client kept in Redis (rate-limiter-flexible),
 *   so every api process behind a load balancer shares one budget. Over budget: 429 problem+json
 *   with `Retry-After`. Keys are hashed before they reach Redis (no client addresses at rest). If
 *   Redis cannot answer, the request is let through (the route then meets the same Redis and
 *   answers 503 itself) and a warning is logged.
 */
import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { Cluster, Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { HttpProblem } from '../errors.js';
import { writeErrorProblem } from '../infra/http-problem.js';
import type { Logger } from '../infra/logger.js';

export interface SecurityHeadersOptions {
  /** Origins (`https://portal.example`) forms may post to besides this one: the preview's return origins. */
  readonly formActionOrigins?: readonly string[];
  /** Allow `<script src>` from this origin (the preview's return script, the queue dashboard). Default false. */
  readonly scripts?: boolean;
  /** Allow inline `style` attributes and elements (the queue dashboard's React UI needs them). Default false. */
  readonly inlineStyles?: boolean;
  /** Allow fetch/XHR to this origin (the queue dashboard's API calls). Default false. */
  readonly connect?: boolean;
  /**
   * Allow `<base href>` to this origin (the queue dashboard sets its own path as the base, and
   * every one of its scripts and styles is relative to it). Default false: `base-uri 'none'`.
   */
  readonly baseSelf?: boolean;
  /** Send Strict-Transport-Security (only when the public URL is https). Default false. */
  readonly hsts?: boolean;
}

/** The CSP directives `securityHeaders` sends (exported for tests and docs/reliability.md). */
export function cspDirectives(opts: SecurityHeadersOptions = {}): Record<string, string[]> {
  const self = ["'self'"];
  return {
    defaultSrc: ["'none'"],
    styleSrc: opts.inlineStyles === true ? ["'self'", "'unsafe-inline'"] : self,
    imgSrc: ["'self'", 'data:'],
    fontSrc: self,
    ...(opts.scripts === true ? { scriptSrc: self } : {}),
    ...(opts.connect === true ? { connectSrc: self } : {}),
    formAction: ["'self'", ...(opts.formActionOrigins ?? [])],
    frameAncestors: ["'none'"],
    baseUri: opts.baseSelf === true ? self : ["'none'"],
  };
}

/** helmet configured for the adapter's HTML pages; mount it before the routers it protects. */
export function securityHeaders(opts: SecurityHeadersOptions = {}): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(opts) },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: opts.hsts === true ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
}

export interface RateLimitOptions {
  readonly redis: Redis | Cluster;
  /** Redis key prefix of this budget, e.g. `{oots}:ratelimit:admin` (keep the {hash tag} on Cluster). */
  readonly prefix: string;
  /** Requests allowed per window and client. */
  readonly points: number;
  /** Window length in seconds. */
  readonly durationSeconds: number;
  /** The client a request counts against; undefined = not limited. Default: the remote address (`req.ip`). */
  readonly keyBy?: (req: Request) => string | undefined;
  readonly logger?: Logger;
}

export interface RateLimitMiddleware extends RequestHandler {
  /** The underlying limiter (tests, admin tools). */
  readonly limiter: RateLimiterRedis;
}

const digest = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64url').slice(0, 22);

/** A budget of `points` requests per `durationSeconds` per client, shared through Redis. */
export function rateLimit(opts: RateLimitOptions): RateLimitMiddleware {
  if (!Number.isInteger(opts.points) || opts.points < 1)
    throw new Error('rateLimit: points must be a positive integer');
  if (!Number.isInteger(opts.durationSeconds) || opts.durationSeconds < 1)
    throw new Error('rateLimit: durationSeconds must be a positive integer');
  const limiter = new RateLimiterRedis({
    storeClient: opts.redis,
    keyPrefix: opts.prefix,
    points: opts.points,
    duration: opts.durationSeconds,
  });
  const keyBy = opts.keyBy ?? ((req: Request) => req.ip ?? req.socket.remoteAddress);
  const log = opts.logger?.child({ rateLimit: opts.prefix });
  const headers = (res: Response, r: RateLimiterRes): void => {
    res.set('RateLimit-Limit', String(opts.points));
    res.set('RateLimit-Remaining', String(Math.max(0, r.remainingPoints)));
    res.set('RateLimit-Reset', String(Math.ceil(r.msBeforeNext / 1000)));
  };

  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    const key = keyBy(req);
    if (key === undefined) {
      next();
      return;
    }
    limiter
      .consume(digest(key))
      .then((r) => {
        headers(res, r);
        next();
      })
      .catch((err: unknown) => {
        if (err instanceof RateLimiterRes) {
          headers(res, err);
          const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
          log?.info({ retryAfter }, 'rate limit reached');
          const detail = `the request budget of ${opts.points} per ${opts.durationSeconds} s is spent; retry after ${retryAfter} s`;
          writeErrorProblem(
            new HttpProblem('ERR_HTTP_RATE_LIMITED', detail, { headers: { 'Retry-After': String(retryAfter) } }),
            req,
            res,
          );
          return;
        }
        // The budget store is unreachable: do not turn a Redis hiccup into an outage of this route.
        log?.warn(
          { err: err instanceof Error ? { message: err.message, name: err.name } : String(err) },
          'rate limit store unavailable; request let through',
        );
        next();
      });
  };
  return Object.assign(middleware, { limiter });
}
