/**
 * A small circuit breaker (closed → open → half-open → closed) with an injected clock. Written
 * here rather than taken from opossum/cockatiel: those wrap a function and keep their own timers,
 * while the DAGR client needs per-attempt permits, a testable clock, and no timers left running
 * (jest --detectOpenHandles). State is per process; each worker learns about an outage by itself.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  readonly resetAfterMs: number;
  readonly clock: () => number;
  readonly onStateChange?: (from: BreakerState, to: BreakerState) => void;
}

export interface CircuitBreaker {
  /** The current state (an open circuit whose delay has passed reads as `half-open`). */
  state(): BreakerState;
  /**
   * Asks to make one call. `false`: the circuit is open (or a half-open trial is already out); do
   * not call. `true`: call, then report the verdict with `success` or `failure`.
   */
  tryAcquire(): boolean;
  /** The call reached a healthy service (any answer that is not an outage). */
  success(): void;
  /** The call met an outage (5xx, connection error, timeout). */
  failure(): void;
  /** Consecutive failures counted so far. */
  failures(): number;
}

export function createCircuitBreaker(opts: BreakerOptions): CircuitBreaker {
  if (!(opts.failureThreshold >= 1)) throw new RangeError('failureThreshold must be at least 1');
  if (!(opts.resetAfterMs >= 0)) throw new RangeError('resetAfterMs must be non-negative');
  let current: BreakerState = 'closed';
  let consecutive = 0;
  let openedAt = 0;
  let trialOut = false;

  const moveTo = (next: BreakerState): void => {
    if (next === current) return;
    const from = current;
    current = next;
    opts.onStateChange?.(from, next);
  };
  const refresh = (): void => {
    if (current === 'open' && opts.clock() - openedAt >= opts.resetAfterMs) {
      trialOut = false;
      moveTo('half-open');
    }
  };
  const open = (): void => {
    openedAt = opts.clock();
    trialOut = false;
    moveTo('open');
  };

  return {
    state() {
      refresh();
      return current;
    },
    tryAcquire() {
      refresh();
      switch (current) {
        case 'closed':
          return true;
        case 'open':
          return false;
        case 'half-open':
          if (trialOut) return false;
          trialOut = true;
          return true;
      }
    },
    success() {
      consecutive = 0;
      trialOut = false;
      moveTo('closed');
    },
    failure() {
      consecutive += 1;
      refresh();
      if (current === 'half-open' || (current === 'closed' && consecutive >= opts.failureThreshold)) open();
    },
    failures() {
      return consecutive;
    },
  };
}
