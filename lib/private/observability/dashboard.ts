import type { IInferenceService } from '../../inference-service-ref';
import { listLabelContains } from '../servers/spec';
import { podSelector, RECORDED_ERRORS } from './promql';
import type { ServerMetrics } from './rule-context';

/** One Grafana panel: a title, its PromQL queries and the unit of its values. */
interface PanelSpec {
  readonly title: string;
  readonly unit: string;
  readonly targets: { expr: string; legend: string }[];
}

/** What the panels of one service are drawn from. */
interface PanelContext {
  readonly service: IInferenceService;
  readonly metrics: ServerMetrics;
  /** The availability objective, when the service has one. */
  readonly availability?: number;
}

/** Builds the panels of one row of concerns, none when the service does not measure it. */
type PanelBuilder = (ctx: PanelContext) => PanelSpec[];

/** Grafana's dashboard variables, as they appear in queries. */
const SEL = 'namespace="$namespace",service="$service"';
const RATE = '$__rate_interval';

/** The panels of every dashboard, in order. */
const PANELS: PanelBuilder[] = [trafficPanels, latencyPanels, serverPanels, loraPanels, gpuPanels, workloadPanels, budgetPanels];

/**
 * The panels of a service's dashboard: traffic, errors, latency, queue, KV cache, GPU, replicas,
 * restarts and error budget. Every query uses the `$namespace` and `$service` variables.
 */
export function dashboardPanels(service: IInferenceService, availability: number | undefined): PanelSpec[] {
  const ctx: PanelContext = { service, metrics: service.server._metrics, availability };
  return PANELS.flatMap((panels) => panels(ctx));
}

/** A complete Grafana dashboard (JSON model) for one service. */
export function dashboardJson(service: IInferenceService, namespace: string, availability: number | undefined): object {
  const constant = (name: string, value: string) => ({
    name, type: 'custom', query: value, current: { text: value, value }, options: [{ text: value, value, selected: true }], hide: 0,
  });
  return {
    uid: `inference-${namespace}-${service.name}`.slice(0, 40),
    title: `Inference / ${namespace} / ${service.name}`,
    tags: ['inference', service.server.kind],
    schemaVersion: 39,
    editable: false,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', current: { text: 'Prometheus', value: 'prometheus' }, hide: 0 },
        constant('namespace', namespace),
        constant('service', service.name),
      ],
    },
    panels: dashboardPanels(service, availability).map(panelJson),
  };
}

/** A panel's JSON model, laid out two to a row. */
function panelJson(p: PanelSpec, i: number): object {
  return {
    id: i + 1,
    type: 'timeseries',
    title: p.title,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
    targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), expr: t.expr, legendFormat: t.legend })),
  };
}

/** Request rate and error ratio. */
function trafficPanels({ metrics: m }: PanelContext): PanelSpec[] {
  if (!m.requestRate) return [];
  const panels = [{ title: 'Request rate', unit: 'reqps', targets: [{ expr: m.requestRate(SEL, RATE), legend: 'requests/s' }] }];
  if (m.errorRate) {
    panels.push({ title: 'Error rate', unit: 'percentunit', targets: [{ expr: `(${m.errorRate(SEL, RATE)}) / (${m.requestRate(SEL, RATE)})`, legend: 'errors' }] });
  }
  return panels;
}

/** End-to-end latency and time to first token, as p50, p95 and p99. */
function latencyPanels({ metrics: m }: PanelContext): PanelSpec[] {
  const quantiles = (h: string, what: string) => [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(${h}_bucket{${SEL}}[${RATE}])))`,
    legend: `${what} p${q * 100}`,
  }));
  return [
    ...(m.latencyHistogram ? [{ title: 'End-to-end latency', unit: 's', targets: quantiles(m.latencyHistogram, 'e2e') }] : []),
    ...(m.ttftHistogram ? [{ title: 'Time to first token', unit: 's', targets: quantiles(m.ttftHistogram, 'ttft') }] : []),
  ];
}

/** Queue depth, running requests and KV-cache use. */
function serverPanels({ service, metrics: m }: PanelContext): PanelSpec[] {
  const queue = service.server.queueDepthMetric;
  const panels: PanelSpec[] = [];
  if (queue || m.running) {
    panels.push({
      title: 'Queue depth and running requests', unit: 'short',
      targets: [
        ...(queue ? [{ expr: `sum by (pod) (${queue}{${SEL}})`, legend: 'waiting {{pod}}' }] : []),
        ...(m.running ? [{ expr: `sum by (pod) (${m.running}{${SEL}})`, legend: 'running {{pod}}' }] : []),
      ],
    });
  }
  if (m.kvCacheUsage) panels.push({ title: 'KV-cache use', unit: 'percentunit', targets: [{ expr: `max by (pod) (${m.kvCacheUsage}{${SEL}})`, legend: '{{pod}}' }] });
  return panels;
}

/** Per LoRA adapter: the replicas running it and those with requests waiting for it (vLLM). */
function loraPanels({ service, metrics: m }: PanelContext): PanelSpec[] {
  const info = m.loraInfo;
  const adapters = service.server.adapters;
  if (!info || adapters.length === 0) return [];
  const replicas = (label: string, name: string) => `count(max by (pod) (${info}{${SEL},${listLabelContains(label, name)}})) or vector(0)`;
  return [{
    title: 'LoRA adapters: replicas running them, and with requests waiting', unit: 'short',
    targets: adapters.flatMap((a) => [
      { expr: replicas('running_lora_adapters', a.name), legend: `${a.name} running` },
      { expr: replicas('waiting_lora_adapters', a.name), legend: `${a.name} waiting` },
    ]),
  }];
}

/** GPU utilization and memory, from the DCGM exporter. */
function gpuPanels({ service }: PanelContext): PanelSpec[] {
  if (!service.gpu) return [];
  const PODS = pods(service);
  return [
    { title: 'GPU utilization', unit: 'percent', targets: [{ expr: `avg by (pod, gpu) (DCGM_FI_DEV_GPU_UTIL{${PODS}})`, legend: '{{pod}} gpu {{gpu}}' }] },
    {
      title: 'GPU memory used', unit: 'percentunit',
      targets: [{ expr: `max by (pod, gpu) (DCGM_FI_DEV_FB_USED{${PODS}} / (DCGM_FI_DEV_FB_USED{${PODS}} + DCGM_FI_DEV_FB_FREE{${PODS}}))`, legend: '{{pod}} gpu {{gpu}}' }],
    },
  ];
}

/** The name of the service's workload in queries: through the `$service` variable (a LeaderWorkerSet's name adds a suffix to it). */
function workload(service: IInferenceService): string {
  return `$service${service.workload.name.slice(service.name.length)}`;
}

/** The pods of the dashboard's service, by the kind of its workload. */
function pods(service: IInferenceService): string {
  return podSelector('$namespace', workload(service), service.workload.kind);
}

/** Replicas against desired of the workload `name` by its kind: a Deployment's pods, or a LeaderWorkerSet's groups (its leader StatefulSet's ready pods). */
const REPLICA_SERIES: { readonly [kind: string]: (name: string) => { available: string; desired: string } } = {
  Deployment: (name) => ({
    available: `kube_deployment_status_replicas_available{namespace="$namespace",deployment="${name}"}`,
    desired: `kube_deployment_spec_replicas{namespace="$namespace",deployment="${name}"}`,
  }),
  LeaderWorkerSet: (name) => ({
    available: `kube_statefulset_status_replicas_ready{namespace="$namespace",statefulset="${name}"}`,
    desired: `kube_statefulset_replicas{namespace="$namespace",statefulset="${name}"}`,
  }),
};

/** Replicas (groups, for a multi-node service) available against desired, and container restarts. */
function workloadPanels({ service }: PanelContext): PanelSpec[] {
  const replicas = REPLICA_SERIES[service.workload.kind](workload(service));
  return [
    {
      title: 'Replicas: available vs desired', unit: 'short',
      targets: [
        { expr: `sum(${replicas.available})`, legend: 'available' },
        { expr: `sum(${replicas.desired})`, legend: 'desired' },
      ],
    },
    { title: 'Container restarts (1h)', unit: 'short', targets: [{ expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total{${pods(service)}}[1h]))`, legend: '{{pod}}' }] },
  ];
}

/** The availability error budget left over 30 days, when the service has an availability objective. */
function budgetPanels({ availability, metrics: m }: PanelContext): PanelSpec[] {
  if (availability === undefined || !m.errorRate) return [];
  return [{
    title: `Error budget left (30 days, objective ${availability * 100}%)`, unit: 'percentunit',
    targets: [{ expr: `1 - avg_over_time(${RECORDED_ERRORS}5m{${SEL}}[30d]) / ${+(1 - availability).toFixed(6)}`, legend: 'budget left' }],
  }];
}
