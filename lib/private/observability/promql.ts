/** The multi-window, multi-burn-rate conditions of the SRE workbook for a 30-day SLO. */
export const BURN_RATE_WINDOWS = [
  { severity: 'critical', long: '1h', short: '5m', factor: 14.4 },
  { severity: 'critical', long: '6h', short: '30m', factor: 6 },
  { severity: 'warning', long: '3d', short: '6h', factor: 1 },
] as const;

/** One burn-rate condition: a long and a short window that must both burn `factor` times the budget. */
export type BurnRateWindow = typeof BURN_RATE_WINDOWS[number];

/** Windows recorded for each SLI. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '6h', '3d'];

/** Name of the recorded error-ratio series (suffixed with its window). */
export const RECORDED_ERRORS = 'inference:request_errors:ratio_rate';
/** Name of the recorded slow-request-ratio series (suffixed with its window). */
export const RECORDED_SLOW = 'inference:request_slow:ratio_rate';

/** A Prometheus duration, rounded up to whole minutes. */
export function promDuration(seconds: number): string {
  const m = Math.ceil(seconds / 60);
  return m % 60 === 0 ? `${m / 60}h` : `${m}m`;
}

/** PromQL label matchers for the series of a service scraped through its ServiceMonitor. */
export function serviceSelector(namespace: string, service: string): string {
  return `namespace="${namespace}",service="${service}"`;
}

/**
 * Matchers for the pods of a workload by its kind and name: a Deployment's are
 * `<name>-<replicaset hash>-<pod hash>`; a LeaderWorkerSet's leaders are `<name>-<group>` and its
 * workers `<name>-<group>-<rank>`.
 */
const POD_PATTERNS: { readonly [kind: string]: (name: string) => string } = {
  Deployment: (name) => `${name}-[a-z0-9]{5,10}-[a-z0-9]{5}`,
  LeaderWorkerSet: (name) => `${name}-[0-9]+(-[0-9]+)?`,
};

/** Matcher for the pods of the workload `name` of `kind`. */
export function podPattern(name: string, kind = 'Deployment'): string {
  return POD_PATTERNS[kind](name);
}

/** PromQL label matchers for the pods of the workload `name` of `kind`. */
export function podSelector(namespace: string, name: string, kind = 'Deployment'): string {
  return `namespace="${namespace}",pod=~"${podPattern(name, kind)}"`;
}
