/**
 * What the parts of the composition share with main.ts, which owns shutdown: each part registers
 * its stop steps by phase, and main.ts runs them in phase order (1 intake, 2 workers, 3 outside
 * services, 4 Redis), so that intake stops first, in-flight jobs finish, then what they depend on.
 */

/** 1 intake, 2 workers, 3 outside services (DAGR, stand-ins, parse threads), 4 Redis. */
export type StopPhase = 1 | 2 | 3 | 4;

/** Registers a shutdown step. */
export type OnStop = (phase: StopPhase, run: () => Promise<void> | void) => void;

/** Where the embedded stand-ins listen, when they run in this process (the "adapter ready" line). */
export interface SandboxUrls {
  dagr?: string;
  connector?: string;
  redis?: string;
  idp?: string;
  domibus?: string;
}
