/**
 * Test-only clock jump for adapter child processes (load with NODE_OPTIONS="--import <this file>"):
 * when STRESS_CLOCK_FILE is set, `Date.now()` and `new Date()` run ahead by the milliseconds
 * written in that file, re-read on SIGUSR2. Everything else about Date is unchanged.
 */
import { readFileSync } from 'node:fs';

const file = process.env.STRESS_CLOCK_FILE;
if (file !== undefined && file !== '') {
  let offset = 0;
  const RealDate = globalThis.Date;
  const realNow = RealDate.now.bind(RealDate);
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + offset);
      else super(...args);
    }
    static now() {
      return realNow() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
  process.on('SIGUSR2', () => {
    offset = Number(readFileSync(file, 'utf8').trim()) || 0;
  });
}
