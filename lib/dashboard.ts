import { IInferenceService } from './inference-service-ref';
import { podPattern, RECORDED_ERRORS } from './prometheus-rules';

/** One Grafana panel: a title, its PromQL queries and the unit of its values. */
interface PanelSpec {
  readonly title: string;
  readonly unit: string;
  readonly targets: { expr: string; legend: string }[];
}

/** Grafana's dashboard variables, as they appear in queries. */
const SEL = 'namespace="$namespace",service="$service"';
const PODS = `namespace="$namespace",pod=~"${podPattern('$service')}"`;

/**
 * The panels of a service's dashboard: traffic, errors, latency, queue, KV cache, GPU, replicas,
 * restarts and error budget. Every query uses the `$namespace` and `$service` variables.
 */
export function dashboardPanels(service: IInferenceService, availability: number | undefined): PanelSpec[] {
  const m = service.server._metrics;
  const panels: PanelSpec[] = [];
  const quantiles = (h: string, what: string) => [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(${h}_bucket{${SEL}}[$__rate_interval])))`,
    legend: `${what} p${q * 100}`,
  }));
  if (m.requestRate) panels.push({ title: 'Request rate', unit: 'reqps', targets: [{ expr: m.requestRate(SEL, '$__rate_interval'), legend: 'requests/s' }] });
  if (m.requestRate && m.errorRate) {
    panels.push({ title: 'Error rate', unit: 'percentunit', targets: [{ expr: `(${m.errorRate(SEL, '$__rate_interval')}) / (${m.requestRate(SEL, '$__rate_interval')})`, legend: 'errors' }] });
  }
  if (m.latencyHistogram) panels.push({ title: 'End-to-end latency', unit: 's', targets: quantiles(m.latencyHistogram, 'e2e') });
  if (m.ttftHistogram) panels.push({ title: 'Time to first token', unit: 's', targets: quantiles(m.ttftHistogram, 'ttft') });
  const queue = service.server.queueDepthMetric;
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
  if (service.gpu) {
    panels.push({ title: 'GPU utilization', unit: 'percent', targets: [{ expr: `avg by (pod, gpu) (DCGM_FI_DEV_GPU_UTIL{${PODS}})`, legend: '{{pod}} gpu {{gpu}}' }] });
    panels.push({
      title: 'GPU memory used', unit: 'percentunit',
      targets: [{ expr: `max by (pod, gpu) (DCGM_FI_DEV_FB_USED{${PODS}} / (DCGM_FI_DEV_FB_USED{${PODS}} + DCGM_FI_DEV_FB_FREE{${PODS}}))`, legend: '{{pod}} gpu {{gpu}}' }],
    });
  }
  panels.push({
    title: 'Replicas: available vs desired', unit: 'short',
    targets: [
      { expr: 'sum(kube_deployment_status_replicas_available{namespace="$namespace",deployment="$service"})', legend: 'available' },
      { expr: 'sum(kube_deployment_spec_replicas{namespace="$namespace",deployment="$service"})', legend: 'desired' },
    ],
  });
  panels.push({ title: 'Container restarts (1h)', unit: 'short', targets: [{ expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total{${PODS}}[1h]))`, legend: '{{pod}}' }] });
  if (availability !== undefined && m.errorRate) {
    panels.push({
      title: `Error budget left (30 days, objective ${availability * 100}%)`, unit: 'percentunit',
      targets: [{ expr: `1 - avg_over_time(${RECORDED_ERRORS}5m{${SEL}}[30d]) / ${+(1 - availability).toFixed(6)}`, legend: 'budget left' }],
    });
  }
  return panels;
}

/** A complete Grafana dashboard (JSON model) for one service. */
export function dashboardJson(service: IInferenceService, namespace: string, availability: number | undefined): object {
  const panels = dashboardPanels(service, availability).map((p, i) => ({
    id: i + 1,
    type: 'timeseries',
    title: p.title,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
    targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), expr: t.expr, legendFormat: t.legend })),
  }));
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
    panels,
  };
}
