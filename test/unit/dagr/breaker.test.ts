import { createCircuitBreaker, type BreakerState } from '../../../src/dagr/breaker.js';

function setup(threshold = 3, resetAfterMs = 1000) {
  let now = 0;
  const transitions: [BreakerState, BreakerState][] = [];
  const breaker = createCircuitBreaker({
    failureThreshold: threshold,
    resetAfterMs,
    clock: () => now,
    onStateChange: (from, to) => transitions.push([from, to]),
  });
  return { breaker, transitions, advance: (ms: number) => (now += ms) };
}

describe('circuit breaker', () => {
  test('opens after N consecutive failures, not before', () => {
    const { breaker } = setup(3);
    breaker.failure();
    breaker.failure();
    expect(breaker.state()).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state()).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });

  test('a success resets the count of consecutive failures', () => {
    const { breaker } = setup(3);
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state()).toBe('closed');
    expect(breaker.failures()).toBe(2);
  });

  test('half-opens after the delay and lets exactly one trial through', () => {
    const { breaker, advance } = setup(1, 1000);
    breaker.failure();
    advance(999);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1);
    expect(breaker.state()).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
  });

  test('a successful trial closes the circuit', () => {
    const { breaker, advance, transitions } = setup(1, 1000);
    breaker.failure();
    advance(1000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.success();
    expect(breaker.state()).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    expect(transitions).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'closed'],
    ]);
  });

  test('a failed trial opens it again for a full delay', () => {
    const { breaker, advance } = setup(5, 1000);
    for (let i = 0; i < 5; i++) breaker.failure();
    advance(1000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state()).toBe('open');
    advance(999);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1);
    expect(breaker.tryAcquire()).toBe(true);
  });

  test('refuses nonsense thresholds', () => {
    expect(() => createCircuitBreaker({ failureThreshold: 0, resetAfterMs: 1, clock: () => 0 })).toThrow(RangeError);
  });
});
