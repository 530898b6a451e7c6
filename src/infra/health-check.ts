/**
 * One readiness check, as /readyz runs it (src/ops/health.ts). On the ground floor so that any room
 * can offer a check (the connector port, the durable writer) without importing ops.
 */
export interface HealthCheck {
  readonly name: string;
  /** Resolves (optionally with a short detail) when healthy; rejects when not. Honour `signal`. */
  check(signal: AbortSignal): Promise<string | void>;
  /** Default: the router's timeout. */
  readonly timeoutMs?: number | undefined;
  /** A failure makes the process not ready (503). Default true. */
  readonly required?: boolean | undefined;
}
