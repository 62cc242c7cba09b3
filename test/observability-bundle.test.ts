import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chart, Duration, Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { checkManifests, ErrorCode, Gpu, InferenceService, ModelServer, ObservabilityBundle, QueueMetricsApi, Scaling } from '../lib';
import { requireScrape } from '../lib/private/observability/scrape-registry';
import { chart, Manifest, only } from './util';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'observability-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function setup() {
  const c = new Chart(Testing.app(), 'obs', { namespace: 'ml' });
  const chat = new InferenceService(c, 'chat', {
    server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1), scaling: Scaling.onQueueDepth({ maxReplicas: 4 }),
  });
  const vision = new InferenceService(c, 'vision', { server: ModelServer.triton(), gpu: Gpu.nvidia(1) });
  const classifier = new InferenceService(c, 'classifier', { server: ModelServer.tfServing({ modelName: 'resnet' }) });
  return { c, chat, vision, classifier };
}

describe('ObservabilityBundle', () => {
  const { c, chat, vision, classifier } = setup();
  new ObservabilityBundle(c, 'observability', { services: [chat, vision, classifier] });
  const manifests = Testing.synth(c) as Manifest[];
  const mine = manifests.filter((m) => ['ServiceMonitor', 'PrometheusRule', 'ConfigMap'].includes(m.kind) && !m.metadata.name.endsWith('server-config'));

  test('snapshot of the defaults', () => {
    expect(mine.map((m) => ({ ...m, data: m.data && Object.keys(m.data) }))).toMatchSnapshot();
  });

  test('a ServiceMonitor per service scrapes exactly its metrics port', () => {
    expect(only(manifests, 'ServiceMonitor', 'chat').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'chat', 'app.kubernetes.io/component': 'model-server' } },
      namespaceSelector: { matchNames: ['ml'] },
      podTargetLabels: ['app.kubernetes.io/version', 'inference.cdk8s.io/server', 'inference.cdk8s.io/model', 'inference.cdk8s.io/model-version'],
      endpoints: [{ port: 'http', path: '/metrics', interval: '15s', scrapeTimeout: '10s' }],
    });
    expect(only(manifests, 'ServiceMonitor', 'vision').spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '10s' }]);
    expect(only(manifests, 'ServiceMonitor', 'classifier').spec.endpoints[0]).toMatchObject({ port: 'http', path: '/monitoring/prometheus/metrics' });
    // and each one matches its Service (cross-object rule)
    expect(checkManifests(manifests)).toEqual([]);
  });

  test('objects carry the label the Prometheus instance selects', () => {
    for (const kind of ['ServiceMonitor', 'PrometheusRule']) {
      for (const m of manifests.filter((x) => x.kind === kind)) expect(m.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    }
  });

  test('SLO rules only where the server counts errors or measures latency', () => {
    const groups = only(manifests, 'PrometheusRule').spec.groups.map((g: any) => g.name);
    expect(groups).toEqual([
      'chat.slo', 'chat.workload', 'chat.server',
      'vision.slo', 'vision.workload', 'vision.server',
      'classifier.workload',
    ]);
    const chatSlo = only(manifests, 'PrometheusRule').spec.groups.find((g: any) => g.name === 'chat.slo').rules.filter((r: any) => r.alert).map((r: any) => r.alert);
    expect(chatSlo).toEqual(['InferenceAvailabilityBudgetBurn', 'InferenceAvailabilityBudgetBurnSlow', 'InferenceLatencyBudgetBurn', 'InferenceLatencyBudgetBurnSlow']);
  });

  test('a dashboard ConfigMap per service for the Grafana sidecar', () => {
    const cm = only(manifests, 'ConfigMap', 'chat-dashboard');
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const dashboard = JSON.parse(cm.data['chat.json']);
    expect(dashboard.templating.list.map((v: any) => v.name)).toEqual(['datasource', 'namespace', 'service']);
    expect(dashboard.panels.map((p: any) => p.title)).toEqual([
      'Request rate', 'Error rate', 'End-to-end latency', 'Time to first token', 'Queue depth and running requests', 'KV-cache use',
      'GPU utilization', 'GPU memory used', 'Replicas: available vs desired', 'Container restarts (1h)', 'Error budget left (30 days, objective 99.5%)',
    ]);
    const latency = dashboard.panels.find((p: any) => p.title === 'End-to-end latency');
    expect(latency.targets.map((t: any) => t.legendFormat)).toEqual(['e2e p50', 'e2e p95', 'e2e p99']);
  });

  test('every dashboard expression parses (promtool)', () => {
    const exprs = manifests.filter((m) => m.kind === 'ConfigMap' && m.metadata.name.endsWith('-dashboard')).flatMap((m) => {
      const d = JSON.parse(Object.values(m.data)[0] as string);
      const service = d.templating.list.find((v: any) => v.name === 'service').query;
      return d.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr.replace(/\$namespace/g, 'ml').replace(/\$service/g, service).replace(/\$__rate_interval/g, '5m')));
    });
    expect(exprs.length).toBeGreaterThan(25);
    const file = path.join(work, 'dashboard-exprs.yaml');
    fs.writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:expr:${i}`, expr })) }] }));
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: \d+ rules found/);
  });

  test('a broken expression does fail the parse check (the check bites)', () => {
    const file = path.join(work, 'broken.yaml');
    fs.writeFileSync(file, stringify({ groups: [{ name: 'x', rules: [{ record: 'x:y', expr: 'sum by (pod (rate(x[5m]))' }] }] }));
    expect(spawnSync('promtool', ['check', 'rules', file]).status).not.toBe(0);
  });
});

describe('options', () => {
  test('services added later, custom labels, interval and objectives land', () => {
    const { c, chat } = setup();
    const bundle = new ObservabilityBundle(c, 'observability', {
      prometheusLabels: { prometheus: 'inference' }, dashboardLabels: { dashboards: 'ml' }, scrapeInterval: Duration.seconds(30),
      objectives: { availability: 0.99 },
    });
    bundle.addService(chat, { latencyThreshold: Duration.seconds(20), latency: 0.9 });
    const m = Testing.synth(c) as Manifest[];
    expect(only(m, 'ServiceMonitor').metadata.labels).toMatchObject({ prometheus: 'inference' });
    expect(only(m, 'ServiceMonitor').spec.endpoints[0].interval).toBe('30s');
    expect(only(m, 'ConfigMap', 'chat-dashboard').metadata.labels).toMatchObject({ dashboards: 'ml' });
    const rules = only(m, 'PrometheusRule').spec.groups.flatMap((g: any) => g.rules);
    expect(rules.find((r: any) => r.alert === 'InferenceAvailabilityBudgetBurnSlow').expr).toContain('> 0.01');
    expect(rules.find((r: any) => r.record === 'inference:request_slow:ratio_rate5m').expr).toContain('le=~"20(\\\\.0)?"');
    expect(rules.find((r: any) => r.alert === 'InferenceLatencyBudgetBurnSlow').expr).toContain('> 0.1');
  });
});

describe('ObservabilityBundle refuses bad input', () => {
  test('throws when the latency threshold is not a bucket bound of the histogram', () => {
    const { c, chat } = setup();
    expect(() => new ObservabilityBundle(c, 'o').addService(chat, { latencyThreshold: Duration.seconds(45) })).toThrow(
      "ObservabilityBundle 'obs/o': invalid objectives.latencyThreshold (chat): received '45 s'; allowed: a bucket bound of vllm:e2e_request_latency_seconds: " +
      '0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680 s. Fix: pick one of those bounds, so the SLI counts requests exactly [code: LatencyThresholdNotABucket]');
    const { c: c2, chat: chat2 } = setup();
    expect(() => new ObservabilityBundle(c2, 'o').addService(chat2, { latencyThreshold: Duration.seconds(45) })).toThrow(
      expect.objectContaining({ code: ErrorCode.LATENCY_THRESHOLD_NOT_A_BUCKET }));
  });

  test('throws when an objective is asked of a server with no SLI metrics', () => {
    const { c, classifier } = setup();
    expect(() => new ObservabilityBundle(c, 'o').addService(classifier, { availability: 0.999 })).toThrow(
      /invalid objectives.availability \(classifier\): received 0.999; allowed: a server with request and error counters \(vllm, tgi, triton\); tf-serving has none/);
    const { c: c2, vision } = setup();
    expect(() => new ObservabilityBundle(c2, 'o').addService(vision, { latencyThreshold: Duration.seconds(1) })).toThrow(/triton has none/);
    const { c: c3, classifier: tfServing, vision: triton } = setup();
    expect(() => new ObservabilityBundle(c3, 'o').addService(tfServing, { availability: 0.999 })).toThrow(expect.objectContaining({ code: ErrorCode.UNMEASURABLE_OBJECTIVE }));
    expect(() => new ObservabilityBundle(c3, 'o2').addService(triton, { latency: 0.9 })).toThrow(expect.objectContaining({ code: ErrorCode.UNMEASURABLE_OBJECTIVE }));
    expect(() => new ObservabilityBundle(c3, 'o3').addService(triton, { latencyThreshold: Duration.seconds(1) })).toThrow(/\[code: UnmeasurableObjective\]$/);
  });

  test('throws when an objective is not a share', () => {
    const { c, chat } = setup();
    expect(() => new ObservabilityBundle(c, 'o', { services: [chat], objectives: { availability: 99.9 } })).toThrow(
      /invalid objectives.availability \(chat\): received 99.9; allowed: a share between 0 and 1/);
    const { c: c2, chat: chat2 } = setup();
    expect(() => new ObservabilityBundle(c2, 'o', { services: [chat2], objectives: { latency: 0 } })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OBJECTIVE }));
    // A JavaScript or Python caller's string compares like a number; it is refused all the same.
    const { c: c3, chat: chat3 } = setup();
    expect(() => new ObservabilityBundle(c3, 'o').addService(chat3, { availability: '0.99' as any })).toThrow(
      /invalid objectives.availability \(chat\): received '0.99'; allowed: a share between 0 and 1.*\[code: InvalidObjective\]/);
  });

  test('throws when a service has no metrics or is added twice', () => {
    const c = chart();
    const quiet = new InferenceService(c, 'quiet', { server: ModelServer.custom({ image: 'ollama/ollama:0.12.3', httpPort: 11434, exposesMetrics: false }) });
    expect(() => new ObservabilityBundle(c, 'o', { services: [quiet] })).toThrow(/allowed: services whose server exposes Prometheus metrics/);
    expect(() => new ObservabilityBundle(c, 'o2', { services: [quiet] })).toThrow(expect.objectContaining({ code: ErrorCode.SERVICE_WITHOUT_METRICS }));
    const { c: c2, chat } = setup();
    const b = new ObservabilityBundle(c2, 'o', { services: [chat] });
    expect(() => b.addService(chat)).toThrow(/invalid services: received 'obs\/chat'; allowed: each service once/);
    expect(() => b.addService(chat)).toThrow(expect.objectContaining({ code: ErrorCode.DUPLICATE_WATCHED_SERVICE }));
  });
});

describe('a service scaling on queue depth needs its metrics scraped', () => {
  // The InferenceService makes this call itself (lib/inference-service.ts); here the test makes it.
  function queueScaled(metricsApi: QueueMetricsApi, scrapedExternally?: boolean) {
    const c = new Chart(Testing.app(), 'obs', { namespace: 'ml' });
    const scaling = Scaling.onQueueDepth({ maxReplicas: 4, metricsApi, scrapedExternally });
    const chat = new InferenceService(c, 'chat', { server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1), scaling });
    return { c, chat };
  }

  test('throws when no ObservabilityBundle watches it', () => {
    const { c } = queueScaled(QueueMetricsApi.KEDA);
    expect(() => Testing.synth(c)).toThrow(
      "[obs/chat] InferenceService 'obs/chat': invalid scaling: received 'Scaling.onQueueDepth (QueueMetricsApi KEDA), and no ObservabilityBundle " +
      "of the app watches the service'; allowed: queue-depth scaling of a service whose metrics Prometheus scrapes with the namespace and service " +
      'labels, or the autoscaler never gets the metric. Fix: add the service to an ObservabilityBundle (services: [...] or addService(chat)), ' +
      'or set scrapedExternally: true in Scaling.onQueueDepth if your own Prometheus scrapes it with those labels [code: QueueMetricsNotScraped]',
    );
    expect(ErrorCode.QUEUE_METRICS_NOT_SCRAPED).toBe('QueueMetricsNotScraped');
  });

  test('throws with the adapter APIs too', () => {
    for (const api of [QueueMetricsApi.PODS, QueueMetricsApi.EXTERNAL]) {
      expect(() => Testing.synth(queueScaled(api).c)).toThrow(new RegExp(`QueueMetricsApi ${api}.*\\[code: QueueMetricsNotScraped\\]`));
    }
  });

  test('passes when a bundle watches it, even one added after the check', () => {
    // GIVEN a queue-scaled service whose check is registered
    const { c, chat } = queueScaled(QueueMetricsApi.KEDA);
    // WHEN a bundle added afterwards watches it
    new ObservabilityBundle(c, 'observability').addService(chat);
    // THEN the synth passes
    expect(only(Testing.synth(c) as Manifest[], 'ServiceMonitor', 'chat')).toBeDefined();
  });

  test('a bundle watching another service does not count', () => {
    const { c } = queueScaled(QueueMetricsApi.KEDA);
    const other = new InferenceService(c, 'other', { server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1) });
    new ObservabilityBundle(c, 'observability', { services: [other] });
    expect(() => Testing.synth(c)).toThrow(/\[obs\/chat\].*\[code: QueueMetricsNotScraped\]/);
  });

  test('passes with scrapedExternally: true', () => {
    expect(Testing.synth(queueScaled(QueueMetricsApi.KEDA, true).c).length).toBeGreaterThan(0);
  });

  test('asks nothing of a service with fixed or CPU scaling', () => {
    const c = chart();
    for (const [id, scaling] of [['fixed', Scaling.fixed(2)], ['cpu', Scaling.onCpu({ maxReplicas: 4 })]] as const) {
      requireScrape(new InferenceService(c, id, { server: ModelServer.tfServing({ modelName: 'resnet' }), scaling }));
    }
    expect(Testing.synth(c).length).toBeGreaterThan(0);
  });
});

describe('imports/', () => {
  test('is exactly what `npm run import` generates from the upstream CRDs', () => {
    const out = path.join(work, 'imports');
    execFileSync('bash', ['scripts/import.sh', out], { cwd: path.resolve(__dirname, '..'), stdio: 'pipe' });
    const read = (dir: string) => Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    expect(read(out)).toEqual(read(path.resolve(__dirname, '..', 'imports')));
  });
});
