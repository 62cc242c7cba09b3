import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chart, Duration, Size, Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { Gpu, InferencePool, InferenceService, ModelServer, ModelSource, ModelVolume, ObservabilityBundle, QueueMetricsApi, Scaling } from '../lib';
import { Manifest, only } from './util';

// Every alert is tested with Prometheus' own rule unit tests (promtool test rules): it fires on a
// synthetic failure series and stays silent on a healthy one. The rules come from a chart with a
// vLLM service (queue scaling, GPUs, latency SLO, a LoRA adapter, behind an InferencePool), a Triton
// service (CPU scaling, GPU memory), a TGI service scaled by KEDA and a multi-node vLLM service
// (two groups of two 8-GPU pods, run by a LeaderWorkerSet).
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const app = Testing.app();
const c = new Chart(app, 'alerts', { namespace: 'ml' });
const chat = new InferenceService(c, 'chat', {
  server: ModelServer.vllm({
    model: 'Qwen/Qwen2.5-7B-Instruct',
    adapters: [{
      name: 'sql', baseModel: 'Qwen/Qwen2.5-7B-Instruct', rank: 16,
      volume: new ModelVolume(c, 'sql', { source: ModelSource.huggingFace('acme/sql-lora', { revision: 'a'.repeat(40) }), size: Size.gibibytes(1) }),
    }],
  }),
  gpu: Gpu.nvidia(1),
  scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 4, targetPerReplica: 5 }),
  startupTimeout: Duration.minutes(20),
});
const vision = new InferenceService(c, 'vision', {
  server: ModelServer.triton(), gpu: Gpu.nvidia(1), scaling: Scaling.onCpu({ minReplicas: 2, maxReplicas: 4 }),
});
const embed = new InferenceService(c, 'embed', {
  server: ModelServer.tgi({ model: 'BAAI/bge-large-en-v1.5' }), gpu: Gpu.nvidia(1),
  scaling: Scaling.onQueueDepth({ maxReplicas: 3, metricsApi: QueueMetricsApi.KEDA }),
});
const big = new InferenceService(c, 'big', {
  server: ModelServer.vllm({ model: 'meta-llama/Llama-3.1-405B-Instruct', tensorParallelSize: 8, pipelineParallelSize: 2 }),
  gpu: Gpu.nvidia(16), gpusPerNode: 8, startupTimeout: Duration.minutes(20),
});
const bundle = new ObservabilityBundle(c, 'obs', { objectives: { availability: 0.995 }, runbookUrl: 'https://runbooks.example.com' });
bundle.addService(chat, { latency: 0.95, latencyThreshold: Duration.seconds(60) });
bundle.addService(vision);
bundle.addService(embed);
bundle.addService(big);
bundle.addPool(new InferencePool(c, 'chat-pool', { services: [chat] }));
const manifests = Testing.synth(c) as Manifest[];
const rule = only(manifests, 'PrometheusRule');

// The rules as promtool reads them. Annotations are left out of the unit-test copy only: they do
// not decide whether an alert fires, and `promtool check rules` checks their templates below.
const rulesFile = path.join(work, 'rules.yaml');
fs.writeFileSync(rulesFile, stringify({ groups: rule.spec.groups }));
const testRulesFile = path.join(work, 'rules-for-tests.yaml');
fs.writeFileSync(testRulesFile, stringify({
  groups: rule.spec.groups.map((g: any) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }: any) => r) })),
}));

const CHAT = 'namespace="ml",service="chat"';
const CHAT_POD = 'namespace="ml",pod="chat-7d4b9c6f5-x8k2p"';
const VISION_POD = 'namespace="ml",pod="vision-5f7c9d8b6-q2w3e"';

interface Scenario {
  /** Series in promtool's expanding notation, e.g. `0+60x120`. */
  readonly series: [string, string][];
  /** Time to evaluate, e.g. `65m`. */
  readonly at: string;
  /** Labels of the alert expected to fire; omitted for the healthy case. */
  readonly fires?: Record<string, string>;
}

interface AlertTest { readonly alert: string; readonly failing: Scenario; readonly healthy: Scenario; readonly interval?: string }

const requests = (ok: string, errors: string): [string, string][] => [
  [`http_requests_total{handler="/v1/chat/completions",status="2xx",${CHAT}}`, ok],
  [`http_requests_total{handler="/v1/chat/completions",status="5xx",${CHAT}}`, errors],
];
const latency = (fast: string, all: string): [string, string][] => [
  [`vllm:e2e_request_latency_seconds_bucket{le="60.0",${CHAT}}`, fast],
  [`vllm:e2e_request_latency_seconds_count{${CHAT}}`, all],
];
const svc = { namespace: 'ml', service: 'chat' };
// KEDA's operator metrics, scraped from its own namespace: without honorLabels the ScaledObject's
// namespace label arrives as exported_namespace.
const kedaErrors = (namespaceLabel: string, values: string): [string, string][] => [
  [`keda_scaled_object_errors_total{${namespaceLabel}="ml",scaledObject="embed"${namespaceLabel === 'exported_namespace' ? ',namespace="keda"' : ''}}`, values],
];

const tests: AlertTest[] = [
  {
    alert: 'InferenceAvailabilityBudgetBurn',
    failing: { series: requests('0+50x120', '0+50x120'), at: '65m', fires: { severity: 'critical', ...svc } },
    healthy: { series: requests('0+999x120', '0+1x120'), at: '65m' },
  },
  {
    // 1% errors against a 0.5% budget: a slow burn (1×–6×) over three days, below the page rates.
    alert: 'InferenceAvailabilityBudgetBurnSlow',
    interval: '10m',
    failing: { series: requests('0+990x450', '0+10x450'), at: '73h', fires: { severity: 'warning', ...svc } },
    healthy: { series: requests('0+999x450', '0+1x450'), at: '73h' },
  },
  {
    alert: 'InferenceLatencyBudgetBurn',
    failing: { series: latency('0+1x120', '0+10x120'), at: '65m', fires: { severity: 'critical', ...svc } },
    healthy: { series: latency('0+10x120', '0+10x120'), at: '65m' },
  },
  {
    // 10% slow against a 5% budget.
    alert: 'InferenceLatencyBudgetBurnSlow',
    interval: '10m',
    failing: { series: latency('0+90x450', '0+100x450'), at: '73h', fires: { severity: 'warning', ...svc } },
    healthy: { series: latency('0+99x450', '0+100x450'), at: '73h' },
  },
  {
    alert: 'InferencePodCrashLooping',
    failing: { series: [[`kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff",container="server",${CHAT_POD}}`, '1x40']], at: '30m',
      fires: { severity: 'warning', service: 'chat', reason: 'CrashLoopBackOff', container: 'server', namespace: 'ml', pod: 'chat-7d4b9c6f5-x8k2p' } },
    // A crash-looping pod of another service (chat-canary) is not this service's.
    healthy: { series: [[`kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff",container="server",namespace="ml",pod="chat-canary-7d4b9c6f5-x8k2p"}`, '1x40']], at: '30m' },
  },
  {
    // The start-up budget is 20 minutes: a pod loading for 18 minutes is fine, one stuck for 40 is not.
    alert: 'InferencePodNotReady',
    failing: { series: [[`kube_pod_status_ready{condition="false",${CHAT_POD}}`, '1x60']], at: '40m', fires: { severity: 'warning', service: 'chat', namespace: 'ml', pod: 'chat-7d4b9c6f5-x8k2p' } },
    healthy: { series: [[`kube_pod_status_ready{condition="false",${CHAT_POD}}`, '1x18 0x42']], at: '40m' },
  },
  {
    alert: 'InferenceDeploymentReplicasMismatch',
    failing: {
      series: [['kube_deployment_spec_replicas{namespace="ml",deployment="chat"}', '3x60'], ['kube_deployment_status_replicas_available{namespace="ml",deployment="chat"}', '2x60'],
        ['kube_deployment_status_replicas_updated{namespace="ml",deployment="chat"}', '3x60']],
      at: '40m', fires: { severity: 'warning', service: 'chat', namespace: 'ml', deployment: 'chat' },
    },
    healthy: {
      series: [['kube_deployment_spec_replicas{namespace="ml",deployment="chat"}', '3x60'], ['kube_deployment_status_replicas_available{namespace="ml",deployment="chat"}', '3x60'],
        ['kube_deployment_status_replicas_updated{namespace="ml",deployment="chat"}', '3x60']],
      at: '40m',
    },
  },
  {
    alert: 'InferenceDeploymentRolloutStuck',
    failing: { series: [['kube_deployment_status_condition{condition="Progressing",status="false",namespace="ml",deployment="chat"}', '1x40']], at: '30m',
      fires: { severity: 'warning', service: 'chat', condition: 'Progressing', status: 'false', namespace: 'ml', deployment: 'chat' } },
    healthy: { series: [['kube_deployment_status_condition{condition="Progressing",status="false",namespace="ml",deployment="chat"}', '0x40']], at: '30m' },
  },
  {
    alert: 'InferenceHpaMaxedOut',
    failing: {
      series: [['kube_horizontalpodautoscaler_status_current_replicas{namespace="ml",horizontalpodautoscaler="chat"}', '4x40'],
        ['kube_horizontalpodautoscaler_spec_max_replicas{namespace="ml",horizontalpodautoscaler="chat"}', '4x40']],
      at: '30m', fires: { severity: 'warning', service: 'chat', namespace: 'ml', horizontalpodautoscaler: 'chat' },
    },
    healthy: {
      series: [['kube_horizontalpodautoscaler_status_current_replicas{namespace="ml",horizontalpodautoscaler="chat"}', '3x40'],
        ['kube_horizontalpodautoscaler_spec_max_replicas{namespace="ml",horizontalpodautoscaler="chat"}', '4x40']],
      at: '30m',
    },
  },
  {
    alert: 'InferencePdbNotEnoughHealthyPods',
    failing: {
      series: [['kube_poddisruptionbudget_status_desired_healthy{namespace="ml",poddisruptionbudget="chat"}', '2x40'],
        ['kube_poddisruptionbudget_status_current_healthy{namespace="ml",poddisruptionbudget="chat"}', '1x40']],
      at: '30m', fires: { severity: 'warning', service: 'chat', namespace: 'ml', poddisruptionbudget: 'chat' },
    },
    healthy: {
      series: [['kube_poddisruptionbudget_status_desired_healthy{namespace="ml",poddisruptionbudget="chat"}', '1x40'],
        ['kube_poddisruptionbudget_status_current_healthy{namespace="ml",poddisruptionbudget="chat"}', '2x40']],
      at: '30m',
    },
  },
  {
    // Twice the autoscaler's target of 5 waiting requests per replica.
    alert: 'InferenceQueueBacklog',
    failing: { series: [[`vllm:num_requests_waiting{${CHAT},pod="a"}`, '12x30'], [`vllm:num_requests_waiting{${CHAT},pod="b"}`, '14x30']], at: '20m', fires: { severity: 'warning', ...svc } },
    healthy: { series: [[`vllm:num_requests_waiting{${CHAT},pod="a"}`, '9x30'], [`vllm:num_requests_waiting{${CHAT},pod="b"}`, '3x30']], at: '20m' },
  },
  {
    alert: 'InferenceKvCacheSaturated',
    failing: { series: [[`vllm:kv_cache_usage_perc{${CHAT},pod="a"}`, '0.99x30']], at: '20m', fires: { severity: 'warning', ...svc, pod: 'a' } },
    healthy: { series: [[`vllm:kv_cache_usage_perc{${CHAT},pod="a"}`, '0.9x30']], at: '20m' },
  },
  {
    // Requests for the adapter wait for a slot for 15 minutes; a moment of waiting is not an alert.
    alert: 'InferenceLoraAdapterStarved',
    failing: { series: [[`vllm:lora_requests_info{${CHAT},pod="a",max_lora="1",running_lora_adapters="other",waiting_lora_adapters="other,sql"}`, '1x30']], at: '20m',
      fires: { severity: 'warning', ...svc } },
    healthy: {
      series: [[`vllm:lora_requests_info{${CHAT},pod="a",max_lora="1",running_lora_adapters="sql",waiting_lora_adapters="sqlx"}`, '1x30'],
        [`vllm:lora_requests_info{${CHAT},pod="b",max_lora="1",running_lora_adapters="",waiting_lora_adapters="sql"}`, '1x3']],
      at: '20m',
    },
  },
  {
    // No ready picker for a minute: the pool's requests fail (it fails closed). A picker failover of seconds is not an alert.
    alert: 'InferencePoolPickerDown',
    failing: { series: [['kube_deployment_status_replicas_ready{namespace="ml",deployment="chat-pool-epp"}', '1x2 0x10']], at: '8m', fires: { severity: 'critical', pool: 'chat-pool' } },
    healthy: { series: [['kube_deployment_status_replicas_ready{namespace="ml",deployment="chat-pool-epp"}', '1x4 0 1x5']], at: '8m' },
  },
  {
    // One of two pickers has not run for 15 minutes: the next loss of the leader has no standby.
    alert: 'InferencePoolPickerStandbyMissing',
    failing: { series: [['kube_pod_container_status_running{namespace="ml",container="epp",pod="chat-pool-epp-5d9f8c7b6-abcde"}', '1x30']], at: '20m', fires: { severity: 'warning', pool: 'chat-pool' } },
    healthy: {
      series: [['kube_pod_container_status_running{namespace="ml",container="epp",pod="chat-pool-epp-5d9f8c7b6-abcde"}', '1x30'],
        ['kube_pod_container_status_running{namespace="ml",container="epp",pod="chat-pool-epp-5d9f8c7b6-fghij"}', '1x30'],
        // A server pod's container does not count as a picker.
        ['kube_pod_container_status_running{namespace="ml",container="epp",pod="chat-7d4b9c6f5-x8k2p"}', '1x30']],
      at: '20m',
    },
  },
  {
    // The leader sees no ready model server; the standby reports none, which does not count.
    alert: 'InferencePoolNoReadyEndpoints',
    failing: { series: [['llm_d_epp_ready_endpoints{namespace="ml",name="chat-pool",pod="leader"}', '0x10']], at: '8m', fires: { severity: 'critical', pool: 'chat-pool' } },
    healthy: {
      series: [['llm_d_epp_ready_endpoints{namespace="ml",name="chat-pool",pod="leader"}', '2x10'], ['llm_d_epp_ready_endpoints{namespace="ml",name="chat-pool",pod="standby"}', '0x10']],
      at: '8m',
    },
  },
  {
    alert: 'InferenceGpuXidErrors',
    failing: { series: [[`DCGM_FI_DEV_XID_ERRORS{gpu="0",${CHAT_POD}}`, '0x5 79x5']], at: '8m', fires: { severity: 'critical', service: 'chat', gpu: '0', namespace: 'ml', pod: 'chat-7d4b9c6f5-x8k2p' } },
    healthy: { series: [[`DCGM_FI_DEV_XID_ERRORS{gpu="0",${CHAT_POD}}`, '0x10']], at: '8m' },
  },
  {
    // Failing polls for 15 minutes (every 15 s, so 4 a minute); a single failed poll is not an alert.
    alert: 'InferenceAutoscalerFailing',
    failing: { series: kedaErrors('exported_namespace', '0+4x30'), at: '20m', fires: { severity: 'warning', service: 'embed' } },
    healthy: { series: kedaErrors('exported_namespace', '0x5 1x25'), at: '20m' },
  },
  {
    alert: 'InferenceGpuMemoryFull',
    failing: { series: [[`DCGM_FI_DEV_FB_USED{gpu="0",${VISION_POD}}`, '15800x30'], [`DCGM_FI_DEV_FB_FREE{gpu="0",${VISION_POD}}`, '300x30']], at: '20m',
      fires: { severity: 'warning', service: 'vision', gpu: '0', namespace: 'ml', pod: 'vision-5f7c9d8b6-q2w3e' } },
    healthy: { series: [[`DCGM_FI_DEV_FB_USED{gpu="0",${VISION_POD}}`, '8000x30'], [`DCGM_FI_DEV_FB_FREE{gpu="0",${VISION_POD}}`, '8000x30']], at: '20m' },
  },
  {
    alert: 'InferenceGroupsNotServing',
    failing: {
      series: [['kube_statefulset_replicas{namespace="ml",statefulset="big-group"}', '2x60'], ['kube_statefulset_status_replicas_ready{namespace="ml",statefulset="big-group"}', '1x60'],
        ['kube_statefulset_status_replicas_updated{namespace="ml",statefulset="big-group"}', '2x60']],
      at: '40m', fires: { severity: 'warning', service: 'big', namespace: 'ml', statefulset: 'big-group' },
    },
    healthy: {
      // A rollout of 6 groups, one surge group at a time for 40 minutes: desired stays above ready, and the update moves.
      series: [['kube_statefulset_replicas{namespace="ml",statefulset="big-group"}', '7x60'], ['kube_statefulset_status_replicas_ready{namespace="ml",statefulset="big-group"}', '6x60'],
        ['kube_statefulset_status_replicas_updated{namespace="ml",statefulset="big-group"}', '0+0.15x60']],
      at: '40m',
    },
  },
  {
    alert: 'InferenceGroupRestarting',
    // Each recreation of the group's leader is a new pod (a new uid) under the same name.
    failing: {
      series: [['u0', '1x10'], ['u1', '_x10 1x10'], ['u2', '_x20 1x10'], ['u3', '_x30 1x10']]
        .map(([uid, values]) => [`kube_pod_created{namespace="ml",pod="big-group-0",uid="${uid}"}`, values] as [string, string]),
      at: '40m', fires: { severity: 'warning', service: 'big', namespace: 'ml', pod: 'big-group-0' },
    },
    healthy: {
      series: [['kube_pod_created{namespace="ml",pod="big-group-0",uid="u0"}', '1x20'], ['kube_pod_created{namespace="ml",pod="big-group-0",uid="u1"}', '_x20 1x40'],
        ['kube_pod_created{namespace="ml",pod="big-group-1",uid="u2"}', '1x60']],
      at: '40m',
    },
  },
  {
    alert: 'InferenceGroupIncomplete',
    failing: {
      series: [['kube_statefulset_replicas{namespace="ml",statefulset="big-group-1"}', '1x60'], ['kube_statefulset_status_replicas_ready{namespace="ml",statefulset="big-group-1"}', '0x60']],
      at: '40m', fires: { severity: 'warning', service: 'big', namespace: 'ml', statefulset: 'big-group-1' },
    },
    healthy: {
      // The leader StatefulSet of another service whose name starts the same is not a group's workers.
      series: [['kube_statefulset_replicas{namespace="ml",statefulset="big-group-1"}', '1x60'], ['kube_statefulset_status_replicas_ready{namespace="ml",statefulset="big-group-1"}', '0x10 1x50'],
        ['kube_statefulset_replicas{namespace="ml",statefulset="big-group-extra"}', '1x60'], ['kube_statefulset_status_replicas_ready{namespace="ml",statefulset="big-group-extra"}', '0x60']],
      at: '40m',
    },
  },
];

/** The test of one alert; fails when there is none. */
function testOf(alert: string): AlertTest {
  const t = tests.find((x) => x.alert === alert);
  if (!t) throw new Error(`no test for ${alert}`);
  return t;
}

function promtoolTest(alert: string, scenario: Scenario, interval = '1m') {
  const file = path.join(work, `${alert}-${scenario.fires ? 'failing' : 'healthy'}.yaml`);
  fs.writeFileSync(file, stringify({
    rule_files: [testRulesFile],
    evaluation_interval: interval,
    tests: [{
      interval,
      input_series: scenario.series.map(([series, values]) => ({ series, values })),
      alert_rule_test: [{ eval_time: scenario.at, alertname: alert, exp_alerts: scenario.fires ? [{ exp_labels: scenario.fires }] : [] }],
    }],
  }));
  return spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
}

describe('PrometheusRule', () => {
  test('every rule group passes promtool check rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', rulesFile], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
  });

  test('every alert has a unit test here', () => {
    const alerts = new Set(rule.spec.groups.flatMap((g: any) => g.rules.filter((r: any) => r.alert).map((r: any) => r.alert)));
    expect([...alerts].sort()).toEqual(tests.map((t) => t.alert).sort());
  });

  test('every alert has severity, summary, description and runbook_url', () => {
    for (const r of rule.spec.groups.flatMap((g: any) => g.rules).filter((x: any) => x.alert)) {
      expect(r.labels.severity).toMatch(/^(critical|warning)$/);
      expect(Object.keys(r.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
      expect(r.annotations.runbook_url).toBe(`https://runbooks.example.com#${r.alert.toLowerCase()}`);
    }
  });

  test.each(tests)('$alert fires on a failure and stays silent when healthy', (t) => {
    const failing = promtoolTest(t.alert, t.failing, t.interval);
    expect(failing.stdout + failing.stderr).toContain('SUCCESS');
    const healthy = promtoolTest(t.alert, t.healthy, t.interval);
    expect(healthy.stdout + healthy.stderr).toContain('SUCCESS');
  });

  test('InferenceAutoscalerFailing also reads KEDA metrics scraped with honorLabels', () => {
    const t = testOf('InferenceAutoscalerFailing');
    const r = promtoolTest(t.alert, { ...t.failing, series: kedaErrors('namespace', '0+4x30') });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    // Another namespace's ScaledObject of the same name is not this one.
    const other = promtoolTest(t.alert, { series: [['keda_scaled_object_errors_total{namespace="staging",scaledObject="embed"}', '0+4x30']], at: '20m' });
    expect(other.stdout + other.stderr).toContain('SUCCESS');
  });

  test('a multi-node service\'s pod alerts see its leaders and workers, and no Deployment alert is made for it', () => {
    const notReady = (pod: string) => ({ series: [[`kube_pod_status_ready{condition="false",namespace="ml",pod="${pod}"}`, '1x60']] as [string, string][], at: '40m' });
    for (const pod of ['big-group-0', 'big-group-1-1']) {
      const r = promtoolTest('InferencePodNotReady', { ...notReady(pod), fires: { severity: 'warning', service: 'big', namespace: 'ml', pod } });
      expect(r.stdout + r.stderr).toContain('SUCCESS');
    }
    const bigRules = rule.spec.groups.find((g: any) => g.name === 'big.workload').rules.map((r: any) => r.alert);
    expect(bigRules).toEqual(expect.arrayContaining(['InferenceGroupsNotServing', 'InferenceGroupIncomplete', 'InferencePdbNotEnoughHealthyPods']));
    expect(bigRules).not.toContain('InferenceDeploymentReplicasMismatch');
  });

  test('a test that expects the wrong thing fails (the harness bites)', () => {
    const wrong = promtoolTest('InferenceQueueBacklog', { ...testOf('InferenceQueueBacklog').healthy, fires: { severity: 'warning', ...svc } });
    expect(wrong.status).not.toBe(0);
  });
});

describe('thresholds come from the services', () => {
  const rules = rule.spec.groups.flatMap((g: any) => g.rules);
  const expr = (alert: string, service = 'chat') => rules.find((r: any) => r.alert === alert && r.expr.includes(service)).expr;

  test('the queue backlog threshold is twice the autoscaler target', () => {
    expect(expr('InferenceQueueBacklog')).toMatch(/> 10$/);
  });

  test('not-ready waits out the start-up budget', () => {
    expect(rules.find((r: any) => r.alert === 'InferencePodNotReady' && r.expr.includes('chat')).for).toBe('20m');
    expect(rules.find((r: any) => r.alert === 'InferencePodNotReady' && r.expr.includes('vision')).for).toBe('15m');
  });

  test('burn-rate thresholds follow the objectives (14.4× and 6× page, 1× ticket)', () => {
    expect(expr('InferenceAvailabilityBudgetBurn')).toContain('ratio_rate1h{namespace="ml",service="chat"} > 0.072');
    expect(expr('InferenceAvailabilityBudgetBurn')).toContain('ratio_rate30m{namespace="ml",service="chat"} > 0.03');
    expect(expr('InferenceLatencyBudgetBurnSlow')).toContain('ratio_rate3d{namespace="ml",service="chat"} > 0.05');
  });

  test('a KEDA-scaled service keeps the HPA alert: KEDA names its HPA after the service', () => {
    const hpaName = only(manifests, 'ScaledObject').spec.advanced.horizontalPodAutoscalerConfig.name;
    expect(expr('InferenceHpaMaxedOut', 'embed')).toContain(`namespace="ml",horizontalpodautoscaler="${hpaName}"`);
  });

  test('the latency SLI counts the real 60 s bucket', () => {
    const slow = rules.find((r: any) => r.record === 'inference:request_slow:ratio_rate5m').expr;
    expect(slow).toContain('vllm:e2e_request_latency_seconds_bucket{le=~"60(\\\\.0)?",namespace="ml",service="chat"}[5m]');
  });
});

