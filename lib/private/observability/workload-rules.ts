import type { PrometheusRuleDefinition, PrometheusRuleGroup } from '../../prometheus-rules';
import { promDuration } from './promql';
import { RuleContext } from './rule-context';

/**
 * The `<service>.workload` group: alerts on the service's pods, Deployment, autoscaler and
 * disruption budget, with kubernetes-mixin semantics but scoped to this service's objects.
 */
export function workloadGroup(ctx: RuleContext): PrometheusRuleGroup {
  return {
    name: `${ctx.name}.workload`,
    rules: [
      ...podAlerts(ctx), ...WORKLOAD_ALERTS[ctx.service.workload.kind](ctx), ...hpaAlerts(ctx), ...kedaAlerts(ctx), ...disruptionBudgetAlerts(ctx),
    ],
  };
}

/** Longer than the start-up budget (download + load), so a legitimately loading pod never fires. */
function notReadyFor(ctx: RuleContext): string {
  const { service } = ctx;
  return promDuration(Math.max(15 * 60, service.startupTimeout.toSeconds() + (service.modelVolume?.downloadTimeout.toSeconds() ?? 0)));
}

/** Crash loops, and pods not ready for longer than the start-up budget. */
function podAlerts(ctx: RuleContext): PrometheusRuleDefinition[] {
  const { name, pods } = ctx;
  const wait = notReadyFor(ctx);
  return [
    ctx.alert({
      alert: 'InferencePodCrashLooping',
      expr: `max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff",${pods}}[5m]) >= 1`,
      for: '15m', severity: 'warning',
      summary: `A ${name} pod is crash looping`,
      description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is in CrashLoopBackOff.',
    }),
    ctx.alert({
      alert: 'InferencePodNotReady',
      expr: `sum by (namespace, pod) (kube_pod_status_ready{condition="false",${pods}}) > 0`,
      for: wait, severity: 'warning',
      summary: `A ${name} pod has not been ready for longer than its start-up budget`,
      description: `Pod {{ $labels.namespace }}/{{ $labels.pod }} has been not ready for more than ${wait}.`,
    }),
  ];
}

/** Missing replicas and stuck rollouts of the Deployment. */
function deploymentAlerts(ctx: RuleContext): PrometheusRuleDefinition[] {
  const { name, namespace } = ctx;
  const deployment = ctx.object('deployment');
  return [
    ctx.alert({
      alert: 'InferenceDeploymentReplicasMismatch',
      expr: `(kube_deployment_spec_replicas{${deployment}} > kube_deployment_status_replicas_available{${deployment}}) and (changes(kube_deployment_status_replicas_updated{${deployment}}[10m]) == 0)`,
      for: '15m', severity: 'warning',
      summary: `${name} runs fewer replicas than desired`,
      description: `Deployment ${namespace}/${name} has not matched its desired replicas for 15 minutes.`,
    }),
    ctx.alert({
      alert: 'InferenceDeploymentRolloutStuck',
      expr: `kube_deployment_status_condition{condition="Progressing",status="false",${deployment}} != 0`,
      for: '15m', severity: 'warning',
      summary: `The rollout of ${name} is stuck`,
      description: `Deployment ${namespace}/${name} exceeded its progress deadline.`,
    }),
  ];
}

/**
 * Groups of a multi-node service that do not serve, are incomplete, or keep restarting. The LWS
 * controller runs the leaders as a StatefulSet named like the LeaderWorkerSet (one pod per group)
 * and each group's workers as `<leaderworkerset>-<group>`, so kube-state-metrics' StatefulSet series count
 * serving and complete groups. A failing member restarts its group by recreating its pods, so
 * restart counters stay at 0 and no pod is ever in CrashLoopBackOff: the restarts show as new
 * pods (a new `uid`) under the leader's name.
 */
function groupAlerts(ctx: RuleContext): PrometheusRuleDefinition[] {
  const { name, namespace } = ctx;
  // A restarted group loads from the filled cache or its own download, not the fill Job's: the
  // start-up budget alone, as for a Deployment's replicas.
  const wait = promDuration(Math.max(15 * 60, ctx.service.startupTimeout.toSeconds()));
  const group = ctx.service.workload.name;
  const leaders = `namespace="${namespace}",statefulset="${group}"`;
  const workers = `namespace="${namespace}",statefulset=~"${group}-[0-9]+"`;
  const leaderPods = `namespace="${namespace}",pod=~"${group}-[0-9]+"`;
  return [
    ctx.alert({
      alert: 'InferenceGroupsNotServing',
      // Not while a rollout moves (its surge group counts as desired before it is ready).
      expr: `(kube_statefulset_replicas{${leaders}} > kube_statefulset_status_replicas_ready{${leaders}}) and (changes(kube_statefulset_status_replicas_updated{${leaders}}[10m]) == 0)`,
      for: wait, severity: 'warning',
      summary: `${name} serves with fewer groups than desired`,
      description: `LeaderWorkerSet ${namespace}/${group} has had fewer ready leaders than groups for more than ${wait}, outside a rollout: a group is loading, restarting or cannot be placed (a group needs ${ctx.service.groupSize} nodes at once).`,
    }),
    ctx.alert({
      alert: 'InferenceGroupIncomplete',
      expr: `kube_statefulset_replicas{${workers}} > kube_statefulset_status_replicas_ready{${workers}}`,
      for: wait, severity: 'warning',
      summary: `A ${name} group is missing workers`,
      description: `Workers {{ $labels.namespace }}/{{ $labels.statefulset }} have not all been running for more than ${wait} (pending for want of a node, or failing); the group cannot serve without every rank.`,
    }),
    ctx.alert({
      alert: 'InferenceGroupRestarting',
      expr: `count by (namespace, pod) (count_over_time(kube_pod_created{${leaderPods}}[1h])) > 3`,
      severity: 'warning',
      summary: `A ${name} group keeps restarting`,
      description: 'Group {{ $labels.namespace }}/{{ $labels.pod }} was recreated {{ $value }} times in the last hour: a member keeps failing and takes its group down each time. Check the logs of every member of the group.',
    }),
  ];
}

/** The alerts on the object that runs the pods, by its kind. */
const WORKLOAD_ALERTS: { readonly [kind: string]: (ctx: RuleContext) => PrometheusRuleDefinition[] } = {
  Deployment: deploymentAlerts,
  LeaderWorkerSet: groupAlerts,
};

/** An autoscaler stuck at its maximum, when the service scales between two different bounds. */
function hpaAlerts(ctx: RuleContext): PrometheusRuleDefinition[] {
  const { scaling } = ctx.service;
  if (!scaling.autoscaled || scaling.minReplicas === scaling.maxReplicas) return [];
  // KEDA's HorizontalPodAutoscaler is named like the service too.
  const hpa = ctx.object('horizontalpodautoscaler');
  return [ctx.alert({
    alert: 'InferenceHpaMaxedOut',
    expr: `kube_horizontalpodautoscaler_status_current_replicas{${hpa}} == kube_horizontalpodautoscaler_spec_max_replicas{${hpa}}`,
    for: '15m', severity: 'warning',
    summary: `${ctx.name} has run at its maximum replicas for 15 minutes`,
    description: `HPA ${ctx.namespace}/${ctx.name} is at maxReplicas (${scaling.maxReplicas}); raise it or the GPU quota.`,
  })];
}

/** KEDA failing to read the queue, when the service scales through a ScaledObject. */
function kedaAlerts(ctx: RuleContext): PrometheusRuleDefinition[] {
  if (!ctx.service.scaledObject) return [];
  const { name, namespace } = ctx;
  // KEDA's operator counts each failed poll of the trigger; with ignoreNullValues false that
  // includes a queue series gone missing. Scraped through a ServiceMonitor without honorLabels,
  // the ScaledObject's namespace arrives as exported_namespace.
  const errors = (ns: string) => `sum(rate(keda_scaled_object_errors_total{${ns}="${namespace}",scaledObject="${name}"}[5m]))`;
  return [ctx.alert({
    alert: 'InferenceAutoscalerFailing',
    expr: `(${errors('namespace')} or ${errors('exported_namespace')}) > 0`,
    for: '10m', severity: 'warning',
    summary: `KEDA cannot read the queue of ${name}; its replicas are frozen`,
    description: `ScaledObject ${namespace}/${name} has failed to query Prometheus for 10 minutes, so its HPA holds the replica count. Check the ScaledObject's events, the Prometheus address, and that the servers are scraped.`,
  })];
}

/** Too few healthy pods for the PodDisruptionBudget, which blocks node drains. */
function disruptionBudgetAlerts(ctx: RuleContext): PrometheusRuleDefinition[] {
  if (!ctx.service.disruptionBudget) return [];
  const pdb = ctx.object('poddisruptionbudget');
  return [ctx.alert({
    alert: 'InferencePdbNotEnoughHealthyPods',
    expr: `kube_poddisruptionbudget_status_desired_healthy{${pdb}} - kube_poddisruptionbudget_status_current_healthy{${pdb}} > 0`,
    for: '15m', severity: 'warning',
    summary: `${ctx.name} has fewer healthy pods than its disruption budget needs`,
    description: `PDB ${ctx.namespace}/${ctx.name} is short of healthy pods: node drains are blocked.`,
  })];
}
