/** Timing helpers for the benchmarks: medians over rounds, printed, never asserted. */

export interface Figure {
  readonly name: string;
  /** Median microseconds per operation over the rounds. */
  readonly medianUs: number;
  readonly rounds: number;
  readonly perRound: number;
}

/** Runs `op` `perRound` times per round after a warm-up, and returns the median per-op time. */
export function measure(name: string, op: () => unknown, perRound = 500, rounds = 9): Figure {
  for (let i = 0; i < Math.min(perRound, 200); i++) op();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) op();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / perRound);
  }
  samples.sort((a, b) => a - b);
  return { name, medianUs: samples[Math.floor(samples.length / 2)]!, rounds, perRound };
}

export function printFigures(title: string, figures: readonly Figure[], floor?: Figure): void {
  console.log(`\n${title}`);
  const width = Math.max(...figures.map((f) => f.name.length));
  for (const f of figures) {
    const ratio = floor === undefined ? '' : `  ${(f.medianUs / floor.medianUs).toFixed(2)}x floor`;
    console.log(
      `  ${f.name.padEnd(width)}  ${f.medianUs.toFixed(1).padStart(9)} µs  ${(1e6 / f.medianUs).toFixed(0).padStart(7)} msg/s${ratio}`,
    );
  }
}
