import type { PrometheusRuleDefinition, PrometheusRuleGroup } from '../../prometheus-rules';
import { BURN_RATE_WINDOWS, BurnRateWindow, RECORDED_ERRORS, RECORDED_SLOW, SLI_WINDOWS } from './promql';
import { RuleContext } from './rule-context';

/** The recording rules of one SLI and the burn-rate alerts on its objective. */
interface SliRules {
  readonly records: PrometheusRuleDefinition[];
  readonly alerts: PrometheusRuleDefinition[];
}

/** What the burn-rate alerts of one SLI are about. */
interface BudgetSpec {
  /** `Availability` or `Latency`: the middle of the alert names. */
  readonly sli: string;
  /** The recorded bad-event ratio, without its window suffix. */
  readonly recorded: string;
  /** The objective, a share (0–1). */
  readonly objective: number;
  /** How the budget is named in summaries. */
  readonly what: string;
}

/**
 * The `<service>.slo` group: SLI recording rules, then the SLO burn-rate alerts; none when the
 * server measures no SLI. One group, recording rules first: Prometheus evaluates a group's rules
 * in order, so the alerts always read SLIs recorded in the same evaluation.
 */
export function sloGroup(ctx: RuleContext): PrometheusRuleGroup | undefined {
  const slis = [availabilitySli(ctx), latencySli(ctx)].filter((s): s is SliRules => s !== undefined);
  if (!slis.length) return undefined;
  return { name: `${ctx.name}.slo`, rules: [...slis.flatMap((s) => s.records), ...slis.flatMap((s) => s.alerts)] };
}

/** Error ratio per window, from the server's request and error counters. */
function availabilitySli(ctx: RuleContext): SliRules | undefined {
  const { requestRate, errorRate } = ctx.metrics;
  const objective = ctx.objectives.availability;
  if (!requestRate || !errorRate || objective === undefined) return undefined;
  return {
    records: SLI_WINDOWS.map((w) => ctx.record(`${RECORDED_ERRORS}${w}`, `(${errorRate(ctx.selector, w)}) / (${requestRate(ctx.selector, w)})`)),
    alerts: burnRateAlerts(ctx, { sli: 'Availability', recorded: RECORDED_ERRORS, objective, what: 'availability' }),
  };
}

/** Share of requests slower than the threshold per window, from the server's latency histogram. */
function latencySli(ctx: RuleContext): SliRules | undefined {
  const h = ctx.metrics.latencyHistogram;
  const { latency: objective, latencyThreshold: threshold } = ctx.objectives;
  if (!h || threshold === undefined || objective === undefined) return undefined;
  const le = String(threshold).replace('.', '\\\\.');
  const sel = ctx.selector;
  const ratio = (w: string) =>
    `1 - (sum by (namespace, service) (rate(${h}_bucket{le=~"${le}(\\\\.0)?",${sel}}[${w}])) / sum by (namespace, service) (rate(${h}_count{${sel}}[${w}])))`;
  return {
    records: SLI_WINDOWS.map((w) => ctx.record(`${RECORDED_SLOW}${w}`, ratio(w))),
    alerts: burnRateAlerts(ctx, { sli: 'Latency', recorded: RECORDED_SLOW, objective, what: `latency (${threshold} s)` }),
  };
}

/** The fast-burn (page) and slow-burn (ticket) alerts of one SLI. */
function burnRateAlerts(ctx: RuleContext, b: BudgetSpec): PrometheusRuleDefinition[] {
  const budget = +(1 - b.objective).toFixed(6);
  const threshold = (w: BurnRateWindow) => +(w.factor * budget).toFixed(6);
  const cond = (w: BurnRateWindow) =>
    `(${b.recorded}${w.long}{${ctx.selector}} > ${threshold(w)} and ${b.recorded}${w.short}{${ctx.selector}} > ${threshold(w)})`;
  const when = (severity: BurnRateWindow['severity']) => BURN_RATE_WINDOWS.filter((w) => w.severity === severity).map(cond).join(' or ');
  const { name, namespace } = ctx;
  return [
    ctx.alert({
      alert: `Inference${b.sli}BudgetBurn`,
      expr: when('critical'),
      severity: 'critical',
      summary: `${name} is burning its ${b.what} error budget fast`,
      description: `${name} in ${namespace} would spend its 30-day ${b.what} error budget (objective ${b.objective * 100}%) in under 5 days at the current rate.`,
    }),
    ctx.alert({
      alert: `Inference${b.sli}BudgetBurnSlow`,
      expr: when('warning'),
      severity: 'warning',
      summary: `${name} is slowly burning its ${b.what} error budget`,
      description: `${name} in ${namespace} is spending its 30-day ${b.what} error budget (objective ${b.objective * 100}%) faster than it accrues.`,
    }),
  ];
}
