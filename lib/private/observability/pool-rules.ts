import type { IInferencePool } from '../../inference-pool';
import type { PrometheusRuleDefinition, PrometheusRuleGroup } from '../../prometheus-rules';

/** What the pool's alerts are built from. */
export interface PoolRuleSettings {
  readonly pool: IInferencePool;
  readonly namespace: string;
  /** The picker's replicas. */
  readonly replicas: number;
  readonly runbookUrl?: string;
}

/**
 * The `<pool>.endpoint-picker` group. The gateway asks the picker for every request of the pool,
 * so no ready picker means no LLM traffic (a pool that fails closed answers 503); only the leading
 * picker is ready, so a lost standby is a warning and a lost leader is critical. The pool's own
 * view of its pods (`llm_d_epp_ready_endpoints`, the maximum over the pickers since a standby
 * reports none) says when the picker has nowhere to send requests.
 * @see https://github.com/llm-d/llm-d-router/blob/main/docs/metrics.md
 */
export function poolRuleGroup(settings: PoolRuleSettings): PrometheusRuleGroup {
  const { pool, namespace, replicas } = settings;
  const deployment = `namespace="${namespace}",deployment="${pool.pickerName}"`;
  const alert = (name: string, spec: Omit<PrometheusRuleDefinition, 'alert' | 'labels' | 'annotations'>, severity: string, summary: string, description: string) => ({
    alert: name,
    ...spec,
    labels: { severity, pool: pool.name },
    annotations: {
      summary, description,
      ...(settings.runbookUrl ? { runbook_url: `${settings.runbookUrl}#${name.toLowerCase()}` } : {}),
    },
  });
  return {
    name: `${pool.name}.endpoint-picker`,
    rules: [
      alert('InferencePoolPickerDown', {
        expr: `sum(kube_deployment_status_replicas_ready{${deployment}}) < 1 or absent(kube_deployment_status_replicas_ready{${deployment}})`,
        for: '1m',
      }, 'critical', `No endpoint picker of pool ${pool.name} is ready`,
      `The gateway asks ${pool.pickerName} for every request of ${pool.name} in ${namespace}; with failureMode ${pool.failureMode} ` +
        (pool.failureMode === 'FailClose' ? 'every request is refused until a picker is ready.' : 'requests are placed without scoring until then.')),
      alert('InferencePoolPickerStandbyMissing', {
        // Standbys are never ready: count running picker containers (a Pending or crash-looping standby is missing).
        expr: `sum(kube_pod_container_status_running{namespace="${namespace}",container="epp",pod=~"${pool.pickerName}-[a-z0-9]+-[a-z0-9]+"}) < ${replicas}`,
        for: '15m',
      }, 'warning', `Pool ${pool.name} runs fewer endpoint pickers than its ${replicas}`,
      `${pool.pickerName} in ${namespace} has had fewer than ${replicas} pods for 15 minutes: the next loss of its leader leaves no standby.`),
      alert('InferencePoolNoReadyEndpoints', {
        expr: `max(llm_d_epp_ready_endpoints{namespace="${namespace}",name="${pool.name}"}) == 0`,
        for: '5m',
      }, 'critical', `Pool ${pool.name} has no ready model server`,
      `The endpoint picker of ${pool.name} in ${namespace} has seen no ready pod of the pool for 5 minutes.`),
    ],
  };
}
