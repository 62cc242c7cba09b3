import { Duration } from 'cdk8s';
import { IInferenceService } from './inference-service-ref';

/** One Prometheus rule, as in a rule file. */
export interface PrometheusRuleDefinition {
  /**
   * Name of the recorded series (recording rules).
   * @default - an alerting rule
   */
  readonly record?: string;
  /**
   * Name of the alert (alerting rules).
   * @default - a recording rule
   */
  readonly alert?: string;
  /** The PromQL expression. */
  readonly expr: string;
  /**
   * How long the condition must hold before the alert fires.
   * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
   * @default - fires at the first evaluation that matches
   */
  readonly for?: string;
  /**
   * Labels added to the alert or recorded series.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Alert annotations: summary, description, runbook_url.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/** A named group of rules, as in a rule file. */
export interface PrometheusRuleGroup {
  /** Group name, unique in the PrometheusRule. */
  readonly name: string;
  /** The rules. */
  readonly rules: PrometheusRuleDefinition[];
}

/** Service-level objectives of one service. */
export interface ServiceObjectives {
  /**
   * Share of requests that must succeed over 30 days (0–1).
   * @default 0.995
   */
  readonly availability?: number;

  /**
   * Share of requests that must finish within `latencyThreshold` over 30 days (0–1).
   * @default 0.95
   */
  readonly latency?: number;

  /**
   * End-to-end latency a request must stay under; must be a bucket bound of the server's
   * latency histogram, so the SLI is exact.
   * @default - 30 s for vLLM (none for servers without a latency histogram)
   */
  readonly latencyThreshold?: Duration;
}

/** The multi-window, multi-burn-rate conditions of the SRE workbook for a 30-day SLO. */
export const BURN_RATE_WINDOWS = [
  { severity: 'critical', long: '1h', short: '5m', factor: 14.4 },
  { severity: 'critical', long: '6h', short: '30m', factor: 6 },
  { severity: 'warning', long: '3d', short: '6h', factor: 1 },
] as const;

/** Windows recorded for each SLI. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '6h', '3d'];

/** Names of the recorded SLI series. */
export const RECORDED_ERRORS = 'inference:request_errors:ratio_rate';
export const RECORDED_SLOW = 'inference:request_slow:ratio_rate';

/** Objectives resolved for one service: shares (0–1) and the latency threshold in seconds. */
export interface ResolvedObjectives {
  /**
   * Share of requests that must succeed.
   * @default - availability is not measured for this server
   */
  readonly availability?: number;
  /**
   * Share of requests that must finish within `latencyThreshold`.
   * @default - latency is not measured for this server
   */
  readonly latency?: number;
  /**
   * The latency threshold, in seconds.
   * @default - latency is not measured for this server
   */
  readonly latencyThreshold?: number;
}

/** Settings the rules of one service are built from. */
export interface ServiceRuleSettings {
  /** The service the rules watch. */
  readonly service: IInferenceService;
  /** Its namespace. */
  readonly namespace: string;
  /** Resolved objectives: shares (0–1) and the latency threshold in seconds; absent where not measured. */
  readonly objectives: ResolvedObjectives;
  /**
   * Base URL of the runbooks.
   * @default - alerts carry no runbook_url
   */
  readonly runbookUrl?: string;
}

/** A Prometheus duration, rounded up to whole minutes. */
const duration = (seconds: number) => { const m = Math.ceil(seconds / 60); return m % 60 === 0 ? `${m / 60}h` : `${m}m`; };

/** PromQL label matchers for the series of a service scraped through its ServiceMonitor. */
export function serviceSelector(namespace: string, service: string): string {
  return `namespace="${namespace}",service="${service}"`;
}

/** Matcher for the pods of a Deployment: `<name>-<replicaset hash>-<pod hash>`. */
export function podPattern(name: string): string {
  return `${name}-[a-z0-9]{5,10}-[a-z0-9]{5}`;
}

/**
 * The rule groups for one InferenceService: SLI recording rules, SLO burn-rate alerts,
 * workload alerts with kubernetes-mixin semantics, and model-server alerts.
 */
export function serviceRuleGroups(settings: ServiceRuleSettings): PrometheusRuleGroup[] {
  const { service, namespace, objectives } = settings;
  const name = service.name;
  const sel = serviceSelector(namespace, name);
  const metrics = service.server._metrics;
  const groups: PrometheusRuleGroup[] = [];
  const annotate = (alert: string, summary: string, description: string) => ({
    summary,
    description,
    ...(settings.runbookUrl ? { runbook_url: `${settings.runbookUrl}#${alert.toLowerCase()}` } : {}),
  });
  // Every rule carries the service's name as a label: alerts route by it, and the rules of two
  // services never duplicate each other.
  const alert = (a: Omit<PrometheusRuleDefinition, 'annotations'> & { summary: string; description: string }): PrometheusRuleDefinition => ({
    alert: a.alert, expr: a.expr, for: a.for, labels: { ...a.labels, service: name }, annotations: annotate(a.alert!, a.summary, a.description),
  });

  // SLIs and SLO burn-rate alerts
  const sliRules: PrometheusRuleDefinition[] = [];
  const sloAlerts: PrometheusRuleDefinition[] = [];
  const burnAlerts = (sli: string, recorded: string, objective: number, what: string) => {
    const budget = +(1 - objective).toFixed(6);
    const cond = (w: typeof BURN_RATE_WINDOWS[number]) =>
      `(${recorded}${w.long}{${sel}} > ${+(w.factor * budget).toFixed(6)} and ${recorded}${w.short}{${sel}} > ${+(w.factor * budget).toFixed(6)})`;
    const page = BURN_RATE_WINDOWS.filter((w) => w.severity === 'critical');
    const ticket = BURN_RATE_WINDOWS.filter((w) => w.severity === 'warning');
    sloAlerts.push(alert({
      alert: `Inference${sli}BudgetBurn`,
      expr: page.map(cond).join(' or '),
      labels: { severity: 'critical' },
      summary: `${name} is burning its ${what} error budget fast`,
      description: `${name} in ${namespace} would spend its 30-day ${what} error budget (objective ${objective * 100}%) in under 5 days at the current rate.`,
    }));
    sloAlerts.push(alert({
      alert: `Inference${sli}BudgetBurnSlow`,
      expr: ticket.map(cond).join(' or '),
      labels: { severity: 'warning' },
      summary: `${name} is slowly burning its ${what} error budget`,
      description: `${name} in ${namespace} is spending its 30-day ${what} error budget (objective ${objective * 100}%) faster than it accrues.`,
    }));
  };
  if (metrics.requestRate && metrics.errorRate && objectives.availability !== undefined) {
    for (const w of SLI_WINDOWS) {
      sliRules.push({ record: `${RECORDED_ERRORS}${w}`, expr: `(${metrics.errorRate(sel, w)}) / (${metrics.requestRate(sel, w)})`, labels: { service: name } });
    }
    burnAlerts('Availability', RECORDED_ERRORS, objectives.availability, 'availability');
  }
  if (metrics.latencyHistogram && objectives.latencyThreshold !== undefined && objectives.latency !== undefined) {
    const h = metrics.latencyHistogram;
    const le = String(objectives.latencyThreshold).replace('.', '\\\\.');
    for (const w of SLI_WINDOWS) {
      sliRules.push({
        record: `${RECORDED_SLOW}${w}`,
        expr: `1 - (sum by (namespace, service) (rate(${h}_bucket{le=~"${le}(\\\\.0)?",${sel}}[${w}])) / sum by (namespace, service) (rate(${h}_count{${sel}}[${w}])))`,
        labels: { service: name },
      });
    }
    burnAlerts('Latency', RECORDED_SLOW, objectives.latency, `latency (${objectives.latencyThreshold} s)`);
  }
  // One group, recording rules first: Prometheus evaluates a group's rules in order, so the
  // alerts always read SLIs recorded in the same evaluation.
  if (sliRules.length) groups.push({ name: `${name}.slo`, rules: [...sliRules, ...sloAlerts] });

  // Workload alerts, scoped to this service's objects (kubernetes-mixin semantics)
  const pods = `namespace="${namespace}",pod=~"${podPattern(name)}"`;
  const deployment = `namespace="${namespace}",deployment="${name}"`;
  const notReadyFor = Math.max(15 * 60, service.startupTimeout.toSeconds() + (service.modelVolume?.downloadTimeout.toSeconds() ?? 0));
  const workload: PrometheusRuleDefinition[] = [
    alert({
      alert: 'InferencePodCrashLooping',
      expr: `max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff",${pods}}[5m]) >= 1`,
      for: '15m', labels: { severity: 'warning' },
      summary: `A ${name} pod is crash looping`,
      description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is in CrashLoopBackOff.',
    }),
    alert({
      alert: 'InferencePodNotReady',
      expr: `sum by (namespace, pod) (kube_pod_status_ready{condition="false",${pods}}) > 0`,
      // Longer than the start-up budget (download + load), so a legitimately loading pod never fires.
      for: duration(notReadyFor), labels: { severity: 'warning' },
      summary: `A ${name} pod has not been ready for longer than its start-up budget`,
      description: `Pod {{ $labels.namespace }}/{{ $labels.pod }} has been not ready for more than ${duration(notReadyFor)}.`,
    }),
    alert({
      alert: 'InferenceDeploymentReplicasMismatch',
      expr: `(kube_deployment_spec_replicas{${deployment}} > kube_deployment_status_replicas_available{${deployment}}) and (changes(kube_deployment_status_replicas_updated{${deployment}}[10m]) == 0)`,
      for: '15m', labels: { severity: 'warning' },
      summary: `${name} runs fewer replicas than desired`,
      description: `Deployment ${namespace}/${name} has not matched its desired replicas for 15 minutes.`,
    }),
    alert({
      alert: 'InferenceDeploymentRolloutStuck',
      expr: `kube_deployment_status_condition{condition="Progressing",status="false",${deployment}} != 0`,
      for: '15m', labels: { severity: 'warning' },
      summary: `The rollout of ${name} is stuck`,
      description: `Deployment ${namespace}/${name} exceeded its progress deadline.`,
    }),
  ];
  // KEDA's HorizontalPodAutoscaler is named like the service too.
  if (service.scaling.autoscaled && service.scaling.minReplicas !== service.scaling.maxReplicas) {
    const hpa = `namespace="${namespace}",horizontalpodautoscaler="${name}"`;
    workload.push(alert({
      alert: 'InferenceHpaMaxedOut',
      expr: `kube_horizontalpodautoscaler_status_current_replicas{${hpa}} == kube_horizontalpodautoscaler_spec_max_replicas{${hpa}}`,
      for: '15m', labels: { severity: 'warning' },
      summary: `${name} has run at its maximum replicas for 15 minutes`,
      description: `HPA ${namespace}/${name} is at maxReplicas (${service.scaling.maxReplicas}); raise it or the GPU quota.`,
    }));
  }
  if (service.scaledObject) {
    // KEDA's operator counts each failed poll of the trigger; with ignoreNullValues false that
    // includes a queue series gone missing. Scraped through a ServiceMonitor without honorLabels,
    // the ScaledObject's namespace arrives as exported_namespace.
    const errors = (ns: string) => `sum(rate(keda_scaled_object_errors_total{${ns}="${namespace}",scaledObject="${name}"}[5m]))`;
    workload.push(alert({
      alert: 'InferenceAutoscalerFailing',
      expr: `(${errors('namespace')} or ${errors('exported_namespace')}) > 0`,
      for: '10m', labels: { severity: 'warning' },
      summary: `KEDA cannot read the queue of ${name}; its replicas are frozen`,
      description: `ScaledObject ${namespace}/${name} has failed to query Prometheus for 10 minutes, so its HPA holds the replica count. Check the ScaledObject's events, the Prometheus address, and that the servers are scraped.`,
    }));
  }
  if (service.disruptionBudget) {
    const pdb = `namespace="${namespace}",poddisruptionbudget="${name}"`;
    workload.push(alert({
      alert: 'InferencePdbNotEnoughHealthyPods',
      expr: `kube_poddisruptionbudget_status_desired_healthy{${pdb}} - kube_poddisruptionbudget_status_current_healthy{${pdb}} > 0`,
      for: '15m', labels: { severity: 'warning' },
      summary: `${name} has fewer healthy pods than its disruption budget needs`,
      description: `PDB ${namespace}/${name} is short of healthy pods: node drains are blocked.`,
    }));
  }
  groups.push({ name: `${name}.workload`, rules: workload });

  // Model-server alerts
  const serverAlerts: PrometheusRuleDefinition[] = [];
  const queue = service.server.queueDepthMetric;
  if (queue) {
    // The autoscaler's target is the normal load; twice that, sustained, is a backlog.
    const queueTarget = service.scaling.queueTargetPerReplica;
    const threshold = queueTarget !== undefined ? 2 * queueTarget : 10;
    serverAlerts.push(alert({
      alert: 'InferenceQueueBacklog',
      expr: `avg by (namespace, service) (${queue}{${sel}}) > ${threshold}`,
      for: '10m', labels: { severity: 'warning' },
      summary: `Requests are queueing in ${name}`,
      description: `On average {{ $value }} requests wait in each ${name} replica's queue (threshold ${threshold}).`,
    }));
  }
  if (metrics.kvCacheUsage === 'vllm:kv_cache_usage_perc') {
    serverAlerts.push(alert({
      alert: 'InferenceKvCacheSaturated',
      expr: `max by (namespace, service, pod) (vllm:kv_cache_usage_perc{${sel}}) > 0.95`,
      for: '10m', labels: { severity: 'warning' },
      summary: `The KV cache of a ${name} replica is full`,
      description: 'Pod {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its KV cache: requests are preempted.',
    }));
  }
  if (service.gpu) {
    serverAlerts.push(alert({
      alert: 'InferenceGpuXidErrors',
      expr: `max by (namespace, pod, gpu) (DCGM_FI_DEV_XID_ERRORS{${pods}}) > 0`,
      labels: { severity: 'critical' },
      summary: `A GPU of ${name} reports XID errors`,
      description: 'GPU {{ $labels.gpu }} of pod {{ $labels.pod }} reported XID error {{ $value }}: check the node and drain it if the error repeats.',
    }));
    if (!service.server.isLlm) {
      // LLM servers pre-allocate GPU memory, so only other servers are judged by it.
      serverAlerts.push(alert({
        alert: 'InferenceGpuMemoryFull',
        expr: `max by (namespace, pod, gpu) (DCGM_FI_DEV_FB_USED{${pods}} / (DCGM_FI_DEV_FB_USED{${pods}} + DCGM_FI_DEV_FB_FREE{${pods}})) > 0.95`,
        for: '15m', labels: { severity: 'warning' },
        summary: `A GPU of ${name} is out of memory`,
        description: 'GPU {{ $labels.gpu }} of pod {{ $labels.pod }} has used {{ $value | humanizePercentage }} of its memory for 15 minutes.',
      }));
    }
  }
  if (serverAlerts.length) groups.push({ name: `${name}.server`, rules: serverAlerts });
  return groups;
}
