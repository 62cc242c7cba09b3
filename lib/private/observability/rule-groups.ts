import type { PrometheusRuleGroup, ServiceRuleSettings } from '../../prometheus-rules';
import { RuleContext } from './rule-context';
import { serverGroup } from './server-rules';
import { sloGroup } from './slo-rules';
import { workloadGroup } from './workload-rules';

/** Builds one rule group of a service, or nothing when the group does not apply to it. */
type RuleGroupBuilder = (ctx: RuleContext) => PrometheusRuleGroup | undefined;

/** The groups of every service, in the order they appear in the PrometheusRule. */
const RULE_GROUPS: RuleGroupBuilder[] = [sloGroup, workloadGroup, serverGroup];

/**
 * The rule groups for one InferenceService: SLI recording rules, SLO burn-rate alerts,
 * workload alerts with kubernetes-mixin semantics, and model-server alerts.
 */
export function serviceRuleGroups(settings: ServiceRuleSettings): PrometheusRuleGroup[] {
  const ctx = new RuleContext(settings);
  return RULE_GROUPS.map((group) => group(ctx)).filter((g): g is PrometheusRuleGroup => g !== undefined);
}
