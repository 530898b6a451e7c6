/**
 * The timer of the sweeps: runs `round` every `intervalMs`, never two rounds at once (a slow
 * round is not stacked on by the next tick), without keeping the process alive; a failed round is
 * reported and the next one runs as usual.
 */
export function startPeriodic(
  intervalMs: number,
  round: () => Promise<unknown>,
  onError: (error: unknown) => void,
): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    round()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
