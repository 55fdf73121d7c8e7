// Shared by the simulator's tests.
import { DEFAULTS, type ScenarioOptions } from '../../simulator/options.js';
import type { Report } from '../../simulator/world/scenario.js';

/** Small scenario options for tests. */
export function small(over: Partial<ScenarioOptions> = {}): ScenarioOptions {
  return { ...DEFAULTS, cards: 10, payments: 60, seed: 't', qrShare: 0.2, ...over, faults: { ...DEFAULTS.faults, ...(over.faults ?? {}) } };
}

/** The report without what depends on the machine (wall time, memory, memo counts). */
export function portable(r: Report): Omit<Report, 'host'> {
  const { host: _host, ...rest } = r;
  void _host;
  return rest;
}

/** A readable line for assertion messages. */
export function failedChecks(r: Report): string {
  return r.conservation.checks
    .filter((c) => !c.ok)
    .map((c) => `${c.name}: ${c.detail}`)
    .join('; ');
}
