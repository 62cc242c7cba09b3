import { Chart, Size, Testing } from 'cdk8s';
import {
  ErrorCode, GatewayImplementation, Gpu, InferenceGateway, InferencePool, InferenceService, LoraAdapter, ModelServer, ModelSource,
  ModelVolume, ObservabilityBundle, PoolFailureMode, Scaling,
} from '../lib';
import { checkManifests } from '../lib/invariants';
import { chart, Manifest, only } from './util';

// Model-aware routing (Gateway API Inference Extension) and LoRA adapters: what a platform engineer
// gets from an InferencePool, and what is refused at synth with the construct path.

const QWEN = 'Qwen/Qwen2.5-7B-Instruct';
const COMMIT = '3f2c9a1b7e4d6058a9c1b2e3f4a5b6c7d8e9f012';

function adapter(c: Chart, name: string, extra: Partial<LoraAdapter> = {}): LoraAdapter {
  const volume = new ModelVolume(c, `${name}-adapter`, { source: ModelSource.huggingFace(`acme/${name}`, { revision: COMMIT }), size: Size.gibibytes(1) });
  return { name, volume, baseModel: QWEN, rank: 16, ...extra };
}

function llm(c: Chart, id: string, options: Partial<Parameters<typeof ModelServer.vllm>[0]> = {}): InferenceService {
  return new InferenceService(c, id, { server: ModelServer.vllm({ model: QWEN, ...options }), gpu: Gpu.nvidia(1), scaling: Scaling.fixed(2) });
}

/** Runs `build` once (constructs cannot be defined twice) and expects the refusal. */
function expectRefused(build: () => unknown, message: RegExp, code: ErrorCode, constructPath?: string): void {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toEqual(expect.objectContaining({ name: 'InferenceConfigError', code, ...(constructPath ? { constructPath } : {}) }));
  expect((error as Error).message).toMatch(message);
}

describe('InferencePool', () => {
  test('selects the pods of its services, on their port, through a picker Service that exists, and the gateway routes to it', () => {
    const c = chart();
    const chat = llm(c, 'chat');
    const pool = new InferencePool(c, 'chat-pool', { services: [chat] });
    new InferenceGateway(c, 'gateway', { host: 'llm.example.com' }).addPoolRoute(pool);
    const manifests: Manifest[] = Testing.synth(c);
    const resource = only(manifests, 'InferencePool', 'chat-pool');
    expect(resource.apiVersion).toBe('inference.networking.k8s.io/v1');
    expect(resource.spec).toEqual({
      selector: { matchLabels: { 'inference.cdk8s.io/pool': 'chat-pool' } },
      targetPorts: [{ number: 8000 }],
      appProtocol: 'http',
      endpointPickerRef: { name: 'chat-pool-epp', port: { number: 9002 }, failureMode: 'FailClose' },
    });
    expect(only(manifests, 'Deployment', 'chat').spec.template.metadata.labels['inference.cdk8s.io/pool']).toBe('chat-pool');
    const route = only(manifests, 'HTTPRoute', 'gateway-chat-pool');
    expect(route.spec.rules[0].backendRefs).toEqual([{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'chat-pool' }]);
    expect(route.spec.rules[0].matches[0].path).toEqual({ type: 'PathPrefix', value: '/v1' });
    // The library's cross-object rules (which run at synth) find nothing to say.
    expect(checkManifests(manifests)).toEqual([]);
  });

  test('the endpoint picker: two replicas with leader election, probes on its health services, a Role that only reads', () => {
    const c = chart();
    new InferencePool(c, 'chat-pool', { services: [llm(c, 'chat')] });
    const manifests: Manifest[] = Testing.synth(c);
    const picker = only(manifests, 'Deployment', 'chat-pool-epp');
    expect(picker.spec.replicas).toBe(2);
    // Only the leader is ready: a rolling update could never replace it, so the pickers are recreated (as upstream does).
    expect(picker.spec.strategy).toEqual({ type: 'Recreate' });
    const container = picker.spec.template.spec.containers[0];
    expect(container.args).toEqual(expect.arrayContaining(['--pool-name=chat-pool', '--ha-enable-leader-election', '--metrics-endpoint-auth=false']));
    expect(container.readinessProbe.grpc).toEqual({ port: 9003, service: 'readiness' });
    expect(container.livenessProbe.grpc).toEqual({ port: 9003, service: 'liveness' });
    const config = only(manifests, 'ConfigMap', 'chat-pool-epp').data['endpoint-picker.yaml'];
    expect(config).toContain('kind: EndpointPickerConfig');
    expect(config).toMatch(/pluginRef: prefix-cache-scorer\n\s+weight: 3/);
    expect(config).not.toContain('lora-affinity-scorer');
    const verbs = only(manifests, 'Role', 'chat-pool-epp').rules.flatMap((r: any) => r.verbs);
    expect(new Set(verbs)).toEqual(new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']));
    const writes = only(manifests, 'Role', 'chat-pool-epp').rules.filter((r: any) => r.verbs.includes('create')).flatMap((r: any) => r.resources);
    expect(writes).toEqual(['leases', 'events']);
    expect(only(manifests, 'RoleBinding', 'chat-pool-epp').subjects).toEqual([{ kind: 'ServiceAccount', name: 'chat-pool-epp', namespace: 'ml' }]);
  });

  test('one picker replica runs without leader election, and its probes use the single health service', () => {
    const c = chart();
    new InferencePool(c, 'p', { services: [llm(c, 'chat')], endpointPicker: { replicas: 1 } });
    const container = only(Testing.synth(c), 'Deployment', 'p-epp').spec.template.spec.containers[0];
    expect(container.args).not.toContain('--ha-enable-leader-election');
    expect(container.readinessProbe.grpc.service).toBe('inference-extension');
  });

  test('the gateway\'s proxies reach the picker and the pods; the picker reaches the pods; Prometheus reaches its metrics', () => {
    const c = chart();
    const chat = llm(c, 'chat');
    const pool = new InferencePool(c, 'chat-pool', { services: [chat] });
    new InferenceGateway(c, 'gateway').addPoolRoute(pool);
    const manifests: Manifest[] = Testing.synth(c);
    const picker = only(manifests, 'NetworkPolicy', 'chat-pool-epp').spec;
    const ingressPorts = picker.ingress.map((r: any) => r.ports[0].port).sort();
    expect(ingressPorts).toEqual([9002, 9090]);
    expect(picker.egress).toContainEqual({ ports: [{ port: 8000, protocol: 'TCP' }], to: [{ podSelector: { matchLabels: { 'inference.cdk8s.io/pool': 'chat-pool' } } }] });
    const servicePolicy = only(manifests, 'NetworkPolicy', 'chat').spec;
    const from = servicePolicy.ingress.flatMap((r: any) => r.from.map((f: any) => f.podSelector?.matchLabels));
    expect(from).toContainEqual(expect.objectContaining({ 'app.kubernetes.io/name': 'chat-pool-epp' }));
    expect(from).toContainEqual({ 'gateway.envoyproxy.io/owning-gateway-name': 'gateway' });
  });

  test('the ObservabilityBundle scrapes the picker and alerts when no picker is ready or the pool has no ready pod', () => {
    const c = chart();
    const chat = llm(c, 'chat');
    const pool = new InferencePool(c, 'chat-pool', { services: [chat] });
    new ObservabilityBundle(c, 'obs', { services: [chat], pools: [pool] });
    const manifests: Manifest[] = Testing.synth(c);
    expect(only(manifests, 'ServiceMonitor', 'chat-pool-epp').spec.endpoints[0].port).toBe('http-metrics');
    const group = only(manifests, 'PrometheusRule').spec.groups.find((g: any) => g.name === 'chat-pool.endpoint-picker');
    expect(group.rules.map((r: any) => [r.alert, r.labels.severity])).toEqual([
      ['InferencePoolPickerDown', 'critical'], ['InferencePoolPickerStandbyMissing', 'warning'], ['InferencePoolNoReadyEndpoints', 'critical'],
    ]);
    expect(group.rules[0].expr).toContain('kube_deployment_status_replicas_ready{namespace="ml",deployment="chat-pool-epp"}');
    // A standby is never ready: the alert counts running picker containers.
    expect(group.rules[1].expr).toBe('sum(kube_pod_container_status_running{namespace="ml",container="epp",pod=~"chat-pool-epp-[a-z0-9]+-[a-z0-9]+"}) < 2');
    expect(group.rules[0].annotations.description).toContain('every request is refused');
  });

  test('several versions of one model share a pool; the picker reads SGLang metrics for SGLang servers', () => {
    const c = chart();
    const a = new InferenceService(c, 'a', { server: ModelServer.sglang({ model: QWEN }), gpu: Gpu.nvidia(1) });
    const b = new InferenceService(c, 'b', { server: ModelServer.sglang({ model: QWEN }), gpu: Gpu.nvidia(1) });
    new InferencePool(c, 'p', { services: [a, b] });
    const manifests: Manifest[] = Testing.synth(c);
    for (const name of ['a', 'b']) expect(only(manifests, 'Deployment', name).spec.template.metadata.labels['inference.cdk8s.io/pool']).toBe('p');
    expect(only(manifests, 'ConfigMap', 'p-epp').data['endpoint-picker.yaml']).toContain('defaultEngine: sglang');
  });
});

describe('InferencePool: what is refused', () => {
  test('a gateway that cannot route to an InferencePool', () => {
    for (const implementation of [GatewayImplementation.TRAEFIK, GatewayImplementation.INGRESS_NGINX]) {
      const c = chart();
      const pool = new InferencePool(c, 'p', { services: [llm(c, 'chat')] });
      const gateway = new InferenceGateway(c, 'gw', { implementation });
      expectRefused(() => gateway.addPoolRoute(pool),
        new RegExp(`InferenceGateway 'test/gw': invalid pool: received 'test/p on ${implementation}'; allowed: InferencePools on Envoy Gateway`),
        ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION, 'test/gw');
    }
  });

  test('a pool that fails open on Envoy Gateway, which always fails closed', () => {
    const c = chart();
    const pool = new InferencePool(c, 'p', { services: [llm(c, 'chat')], failureMode: PoolFailureMode.FAIL_OPEN });
    expectRefused(() => new InferenceGateway(c, 'gw').addPoolRoute(pool),
      /invalid pool: received 'test\/p with failureMode FailOpen on envoy-gateway'; allowed: PoolFailureMode.FAIL_CLOSE/, ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION);
  });

  test('two pools on one service, a server whose metrics the picker cannot read, services of two servers, no services', () => {
    const c = chart();
    const chat = llm(c, 'chat');
    new InferencePool(c, 'p1', { services: [chat] });
    expectRefused(() => new InferencePool(c, 'p2', { services: [chat] }), /invalid services: received 'test\/chat'; allowed: a service in one pool only \(it is in 'test\/p1'\)/,
      ErrorCode.SERVICE_IN_TWO_POOLS, 'test/p2');
    const tgi = new InferenceService(c, 'tgi', { server: ModelServer.tgi({ model: QWEN }), gpu: Gpu.nvidia(1) });
    expectRefused(() => new InferencePool(c, 'p3', { services: [tgi] }), /received 'test\/tgi \(tgi server\)'; allowed: vLLM or SGLang servers/, ErrorCode.INVALID_POOL_SERVICE);
    const sglang = new InferenceService(c, 'sg', { server: ModelServer.sglang({ model: QWEN }), gpu: Gpu.nvidia(1) });
    const other = llm(c, 'other');
    expectRefused(() => new InferencePool(c, 'p4', { services: [other, sglang] }), /received 'test\/sg \(sglang on port 30000\)'; allowed: the server of other/,
      ErrorCode.INVALID_POOL_SERVICE);
    expectRefused(() => new InferencePool(c, 'p5', { services: [] }), /invalid services: .*allowed: one or more InferenceServices/, ErrorCode.POOL_WITHOUT_SERVICES);
  });

  test('a pool in a chart without a namespace, or a service of another namespace', () => {
    const app = Testing.app();
    const plain = new Chart(app, 'plain');
    expectRefused(() => new InferencePool(plain, 'p', { services: [llm(plain, 'chat')] }), /allowed: a chart with a namespace/, ErrorCode.POOL_WITHOUT_NAMESPACE);
    const other = new Chart(app, 'other', { namespace: 'other' });
    const here = new Chart(app, 'here', { namespace: 'here' });
    expectRefused(() => new InferencePool(here, 'p', { services: [llm(other, 'chat')] }), /received 'other\/chat \(namespace other\)'; allowed: services in namespace here/,
      ErrorCode.INVALID_POOL_SERVICE);
  });

  test('a failure mode, scoring, replicas or resources that are not what the picker takes', () => {
    const c = chart();
    const services = (id: string) => [llm(c, id)];
    expectRefused(() => new InferencePool(c, 'a', { services: services('s1'), failureMode: 'Open' as any }), /invalid failureMode: received 'Open'; allowed: one of FailOpen, FailClose/,
      ErrorCode.INVALID_FAILURE_MODE);
    expectRefused(() => new InferencePool(c, 'b', { services: services('s2'), endpointPicker: { scoring: { queue: 0, kvCache: 0, prefixCache: 0 } } }),
      /allowed: at least one weight above 0/, ErrorCode.INVALID_POOL_SCORING);
    expectRefused(() => new InferencePool(c, 'd', { services: services('s3'), endpointPicker: { replicas: 0 } }), /invalid endpointPicker.replicas: received 0/, ErrorCode.OUT_OF_RANGE);
    expectRefused(() => new InferencePool(c, 'e', { services: services('s4'), endpointPicker: { memory: '4Gi' as any } }), /invalid endpointPicker.memory/, ErrorCode.WRONG_TYPE);
    expectRefused(() => new InferencePool(c, 'f', { services: services('s5'), endpointPicker: { image: 'ghcr.io/llm-d/llm-d-router-endpoint-picker' } }),
      /endpointPicker.image/, ErrorCode.UNPINNED_IMAGE);
  });

  test('values of the wrong type from JavaScript fail with the construct path, never a TypeError', () => {
    const c = chart();
    const chat = llm(c, 'chat');
    expectRefused(() => new InferencePool(c, 'a', { services: [new ModelVolume(c, 'v', { source: ModelSource.s3('s3://models/m/v1/', { version: 'v1' }) }) as any] }),
      /invalid services: .*allowed: an InferenceService/, ErrorCode.WRONG_TYPE, 'test/a');
    expectRefused(() => new InferencePool(c, 'b', undefined as any), /invalid services: received nothing/, ErrorCode.POOL_WITHOUT_SERVICES, 'test/b');
    expectRefused(() => new InferencePool(c, 'd', { services: [chat], endpointPicker: { scoring: 3 as any } }), /invalid endpointPicker.scoring: received 3/, ErrorCode.WRONG_TYPE);
    expectRefused(() => new InferencePool(c, 'e', { services: [llm(c, 'chat2')], metricsScraper: 'prometheus' as any }), /invalid metricsScraper: received 'prometheus'/, ErrorCode.WRONG_TYPE);
    expectRefused(() => llm(c, 'chat3', { adapters: [{ ...adapter(c, 'sql'), volume: { mountPath: '/x' } as any }] }), /invalid server.adapters\[0\].volume/, ErrorCode.WRONG_TYPE);
    expectRefused(() => new ObservabilityBundle(c, 'obs', { pools: 5 as any }), /invalid pools: received 5; allowed: a list/, ErrorCode.WRONG_TYPE);
    expectRefused(() => new ObservabilityBundle(c, 'obs2').addPool(chat as any), /invalid pools: .*allowed: an InferencePool/, ErrorCode.WRONG_TYPE);
  });

  test('a pool is routed once per gateway (the routes would share a name)', () => {
    const c = chart();
    const pool = new InferencePool(c, 'p', { services: [llm(c, 'chat')] });
    const gateway = new InferenceGateway(c, 'gw');
    gateway.addPoolRoute(pool);
    expectRefused(() => gateway.addPoolRoute(pool, { pathPrefix: '/v2' }), /invalid pool: received 'test\/p'; allowed: one route per pool on a gateway/, ErrorCode.ROUTE_CONFLICT);
  });

  test('the cross-object rules catch a pool that selects no pods, targets an undeclared port or names no picker Service', () => {
    const c = chart();
    const pool = new InferencePool(c, 'chat-pool', { services: [llm(c, 'chat')] });
    const manifests: Manifest[] = Testing.synth(c);
    const broken = manifests.map((m) => (m.kind !== 'InferencePool' ? m : {
      ...m, spec: { ...m.spec, targetPorts: [{ number: 9999 }], endpointPickerRef: { ...m.spec.endpointPickerRef, name: 'missing-epp' } },
    }));
    expect(checkManifests(broken).map((f) => f.rule)).toEqual(['pool-picker-exists', 'pool-picker-exists']);
    const noPods = manifests.map((m) => (m.kind !== 'InferencePool' ? m : { ...m, spec: { ...m.spec, selector: { matchLabels: { 'inference.cdk8s.io/pool': 'other' } } } }));
    expect(checkManifests(noPods).map((f) => `${f.rule} ${f.object}`)).toEqual([`selector-matches-pods InferencePool/ml/${pool.name}`]);
    const noPool = manifests.filter((m) => m.kind !== 'InferencePool');
    const withRoute = [...noPool, {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'ml' },
      spec: { rules: [{ backendRefs: [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'chat-pool' }] }] },
    }];
    expect(checkManifests(withRoute).map((f) => f.rule)).toEqual(['route-backend-exists']);
    const withModelRoute = [...noPool, { ...withRoute[withRoute.length - 1], apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'AIGatewayRoute' }];
    expect(checkManifests(withModelRoute).map((f) => f.rule)).toEqual(['route-backend-exists']);
  });
});

describe('priorities and model splits', () => {
  test('objectives become InferenceObjectives; a gateway sets its pool objective before routing, and a gateway without one strips it', () => {
    const c = chart();
    const pool = new InferencePool(c, 'p', {
      services: [llm(c, 'chat')], objectives: [{ name: 'interactive', priority: 10 }, { name: 'batch', priority: -1 }],
    });
    new InferenceGateway(c, 'batch', { host: 'batch.example.com', poolObjective: 'batch' }).addPoolRoute(pool);
    new InferenceGateway(c, 'open', { host: 'open.example.com' }).addPoolRoute(pool);
    const manifests: Manifest[] = Testing.synth(c);
    const objectives = manifests.filter((m) => m.kind === 'InferenceObjective');
    expect(objectives.map((o) => [o.apiVersion, o.metadata.name, o.spec.priority, o.spec.poolRef.name])).toEqual([
      ['inference.networking.x-k8s.io/v1alpha2', 'interactive', 10, 'p'], ['inference.networking.x-k8s.io/v1alpha2', 'batch', -1, 'p'],
    ]);
    // Early request headers apply before routing, so before the picker's ext_proc filter (a route's filters apply after it).
    const policy = (name: string) => only(manifests, 'ClientTrafficPolicy', name).spec;
    expect(policy('batch')).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'batch' }],
      headers: { earlyRequestHeaders: { set: [{ name: 'x-llm-d-inference-objective', value: 'batch' }], remove: ['x-gateway-inference-objective'] } },
    });
    expect(policy('open').headers.earlyRequestHeaders).toEqual({ remove: ['x-llm-d-inference-objective', 'x-gateway-inference-objective'] });
    expect(only(manifests, 'HTTPRoute', 'batch-p').spec.rules[0].filters).toBeUndefined();
  });

  test('a canary between two adapter versions: requests for one name split by weight over the adapters', () => {
    const c = chart();
    const pool = new InferencePool(c, 'p', { services: [llm(c, 'chat', { adapters: [adapter(c, 'sql-v1'), adapter(c, 'sql-v2')] })] });
    pool.splitModel('sql', [{ model: 'sql-v1', weight: 90 }, { model: 'sql-v2', weight: 10 }]);
    const split = only(Testing.synth(c), 'InferenceModelRewrite', 'p-sql');
    expect(split.spec).toEqual({
      poolRef: { group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'p' },
      rules: [{ matches: [{ model: { value: 'sql' } }], targets: [{ modelRewrite: 'sql-v1', weight: 90 }, { modelRewrite: 'sql-v2', weight: 10 }] }],
    });
  });

  test('refused: a gateway objective the pool lacks, a split to a model the pool does not serve, over a served name, or weighing nothing', () => {
    const c = chart();
    const pool = new InferencePool(c, 'p', { services: [llm(c, 'chat', { adapters: [adapter(c, 'sql-v1')] })], objectives: [{ name: 'batch', priority: -1 }] });
    expectRefused(() => new InferenceGateway(c, 'gw', { poolObjective: 'interactive' }).addPoolRoute(pool),
      /invalid poolObjective: received 'interactive for pool 'test\/p''; allowed: one of the pool's objectives: batch/, ErrorCode.UNKNOWN_OBJECTIVE);
    expectRefused(() => pool.splitModel('sql', [{ model: 'sql-v9', weight: 1 }]), /invalid splitModel: received 'sql-v9'; allowed: a model the pool serves: Qwen\/Qwen2.5-7B-Instruct, sql-v1/,
      ErrorCode.INVALID_MODEL_SPLIT, 'test/p');
    expectRefused(() => pool.splitModel('sql-v1', [{ model: 'sql-v1', weight: 1 }]), /received 'sql-v1'; allowed: a name no model of the pool is served as/, ErrorCode.INVALID_MODEL_SPLIT);
    expectRefused(() => pool.splitModel('sql', [{ model: 'sql-v1', weight: 0 }]), /invalid splitModel targets\[0\].weight: received 0; allowed: a whole number from 1/, ErrorCode.OUT_OF_RANGE);
    expectRefused(() => pool.splitModel('sql', [null as any]), /invalid splitModel: .*allowed: one or more targets/, ErrorCode.INVALID_MODEL_SPLIT);
    expectRefused(() => new InferencePool(c, 'q', { services: [llm(c, 'other')], objectives: [{ name: 'batch', priority: 1.5 }] }),
      /invalid objectives\[0\].priority: received 1.5/, ErrorCode.NOT_A_WHOLE_NUMBER);
    expectRefused(() => new InferencePool(c, 'r', { services: [llm(c, 'third')], objectives: [{ name: 'batch', priority: 1 }] }), /name not already used/, ErrorCode.NAME_TAKEN);
  });
});

describe('routing by model name (Envoy AI Gateway)', () => {
  test('two pools share one host: each AIGatewayRoute matches the model names its pool serves, splits included', () => {
    const c = chart();
    const qwen = new InferencePool(c, 'qwen', { services: [llm(c, 'qwen-svc', { servedModelName: 'qwen', adapters: [adapter(c, 'sql-v1'), adapter(c, 'sql-v2')] })] });
    qwen.splitModel('sql', [{ model: 'sql-v1', weight: 90 }, { model: 'sql-v2', weight: 10 }]);
    const llama = new InferencePool(c, 'llama', {
      services: [new InferenceService(c, 'llama-svc', { server: ModelServer.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct', servedModelName: 'llama' }), gpu: Gpu.nvidia(1) })],
    });
    const gateway = new InferenceGateway(c, 'gw', { host: 'llm.example.com' });
    gateway.addPoolRoute(qwen, { byModelName: true });
    gateway.addPoolRoute(llama, { byModelName: true, headerName: 'x-tenant', headerValue: 'acme' });
    const manifests: Manifest[] = Testing.synth(c);
    expect(manifests.filter((m) => m.kind === 'HTTPRoute')).toEqual([]);
    const route = only(manifests, 'AIGatewayRoute', 'gw-qwen');
    expect(route.apiVersion).toBe('aigateway.envoyproxy.io/v1beta1');
    expect(route.spec.parentRefs).toEqual([{ name: 'gw' }]);
    expect(route.spec.hostnames).toEqual(['llm.example.com']);
    // One rule (an AIGatewayRoute holds at most 15), a match per model name.
    expect(route.spec.rules).toHaveLength(1);
    expect(route.spec.rules[0].matches.map((m: any) => m.headers[0].value)).toEqual(['qwen', 'sql-v1', 'sql-v2', 'sql']);
    expect(route.spec.rules[0].backendRefs).toEqual([{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'qwen' }]);
    expect(only(manifests, 'AIGatewayRoute', 'gw-llama').spec.rules[0].matches).toEqual([{
      headers: [{ type: 'Exact', name: 'x-ai-eg-model', value: 'llama' }, { type: 'Exact', name: 'x-tenant', value: 'acme' }],
    }]);
  });

  test('refused: one model name from two pools on one host, a path with a model route, a split after the model route', () => {
    const c = chart();
    const a = new InferencePool(c, 'a', { services: [llm(c, 'a-svc', { servedModelName: 'qwen' })] });
    const b = new InferencePool(c, 'b', { services: [llm(c, 'b-svc', { servedModelName: 'qwen' })] });
    const gateway = new InferenceGateway(c, 'gw');
    gateway.addPoolRoute(a, { byModelName: true });
    expectRefused(() => gateway.addPoolRoute(b, { byModelName: true }), /received 'model qwen on \* for 'test\/b''; allowed: one pool per model name and host; requests for qwen already go to 'test\/a'/,
      ErrorCode.ROUTE_CONFLICT);
    const other = new InferenceGateway(c, 'gw2');
    expectRefused(() => other.addPoolRoute(b, { byModelName: true, pathPrefix: '/v1' }), /invalid byModelName: received '\/v1'; allowed: no pathPrefix/, ErrorCode.INVALID_MODEL_ROUTE);
    expectRefused(() => a.splitModel('fast', [{ model: 'qwen', weight: 1 }]), /allowed: a split made before the pool is routed by model name/, ErrorCode.INVALID_MODEL_SPLIT);
    // A path route on a host that routes by model name would take the model routes' requests first.
    expectRefused(() => gateway.addRoute(llm(c, 'plain')), /received 'a route by path for 'test\/plain' on \*'; allowed: one way of routing per host: \* already routes by model name/,
      ErrorCode.ROUTE_CONFLICT);
  });
});

describe('LoRA adapters', () => {
  test('vLLM gets --enable-lora, each adapter with its base model, batch and CPU cache sizes and the smallest rank that fits', () => {
    const c = chart();
    const svc = llm(c, 'chat', { adapters: [adapter(c, 'sql', { rank: 8 }), adapter(c, 'support', { rank: 20 })] });
    const manifests: Manifest[] = Testing.synth(c);
    const container = only(manifests, 'Deployment', 'chat').spec.template.spec.containers[0];
    const args: string[] = container.args;
    const lora = args.slice(args.indexOf('--enable-lora'));
    expect(lora).toEqual([
      '--enable-lora', '--lora-modules',
      JSON.stringify({ name: 'sql', path: '/models/sql-adapter/' + COMMIT, base_model_name: QWEN }),
      JSON.stringify({ name: 'support', path: '/models/support-adapter/' + COMMIT, base_model_name: QWEN }),
      '--max-loras=2', '--max-cpu-loras=2', '--max-lora-rank=32',
    ]);
    // Each adapter is mounted read-only where its flag points.
    const mounts = container.volumeMounts.filter((m: any) => m.mountPath.startsWith('/models/'));
    expect(mounts.map((m: any) => [m.mountPath, m.readOnly])).toEqual([[`/models/sql-adapter/${COMMIT}`, true], [`/models/support-adapter/${COMMIT}`, true]]);
    expect(svc.server.adapters.map((a) => a.name)).toEqual(['sql', 'support']);
  });

  test('the dashboard shows, per adapter, the replicas running it and those with requests waiting for it', () => {
    const c = chart();
    const chat = llm(c, 'chat', { adapters: [{ ...adapter(c, 'sql'), name: 'sql.v1' }] });
    new ObservabilityBundle(c, 'obs', { services: [chat] });
    const dashboard = JSON.parse(Object.values(only(Testing.synth(c), 'ConfigMap', 'chat-dashboard').data)[0] as string);
    const panel = dashboard.panels.find((p: any) => p.title.startsWith('LoRA adapters'));
    expect(panel.targets.map((t: any) => [t.legendFormat, t.expr])).toEqual([
      ['sql.v1 running', 'count(max by (pod) (vllm:lora_requests_info{namespace="$namespace",service="$service",running_lora_adapters=~"(.*,)?sql\\\\.v1(,.*)?"})) or vector(0)'],
      ['sql.v1 waiting', 'count(max by (pod) (vllm:lora_requests_info{namespace="$namespace",service="$service",waiting_lora_adapters=~"(.*,)?sql\\\\.v1(,.*)?"})) or vector(0)'],
    ]);
  });

  test('SGLang gets --lora-paths name=path; its pool scores no LoRA affinity (the picker reads no LoRA metric of SGLang)', () => {
    const c = chart();
    const svc = new InferenceService(c, 'chat', { server: ModelServer.sglang({ model: QWEN, adapters: [adapter(c, 'sql')], maxLoras: 1 }), gpu: Gpu.nvidia(1) });
    new InferencePool(c, 'p', { services: [svc] });
    const manifests: Manifest[] = Testing.synth(c);
    const args: string[] = only(manifests, 'Deployment', 'chat').spec.template.spec.containers[0].args;
    expect(args.slice(args.indexOf('--enable-lora'))).toEqual(['--enable-lora', '--lora-paths', `sql=/models/sql-adapter/${COMMIT}`, '--max-loras-per-batch=1', '--max-lora-rank=16']);
    expect(only(manifests, 'ConfigMap', 'p-epp').data['endpoint-picker.yaml']).not.toContain('lora-affinity-scorer');
  });

  test('a vLLM pool with adapters scores LoRA affinity', () => {
    const c = chart();
    new InferencePool(c, 'p', { services: [llm(c, 'chat', { adapters: [adapter(c, 'sql')] })] });
    expect(only(Testing.synth(c), 'ConfigMap', 'p-epp').data['endpoint-picker.yaml']).toMatch(/pluginRef: lora-affinity-scorer\n\s+weight: 1/);
  });

  test('adapters are not compared with a base model given as a local path or a volume that is not of the Hub', () => {
    const c = chart();
    expect(() => llm(c, 'local', { model: '/models/qwen', adapters: [adapter(c, 'sql')] })).not.toThrow();
    const pvc = new ModelVolume(c, 'pvc', { source: ModelSource.persistentVolumeClaim('models', { subPath: 'qwen2.5-7b/v3', version: 'v3' }) });
    expect(() => new InferenceService(c, 'from-pvc', {
      server: ModelServer.vllm({ adapters: [adapter(c, 'sql2')] }), modelVolume: pvc, gpu: Gpu.nvidia(1),
    })).not.toThrow();
  });

  test('refused: an adapter of another base model, a rank above 512, a name twice or not sendable, maxLoras above the adapters', () => {
    const build = (options: (c: Chart) => Partial<Parameters<typeof ModelServer.vllm>[0]>) => () => {
      const c = chart();
      return llm(c, 'chat', options(c));
    };
    expectRefused(build((c) => ({ adapters: [adapter(c, 'sql', { baseModel: 'meta-llama/Llama-3.1-8B-Instruct' })] })),
      /invalid server.adapters\[0\].baseModel: received 'meta-llama\/Llama-3.1-8B-Instruct'; allowed: the server's base model, Qwen\/Qwen2.5-7B-Instruct/,
      ErrorCode.LORA_BASE_MISMATCH, 'test/chat');
    expectRefused(build((c) => ({ adapters: [adapter(c, 'sql', { rank: 1024 })] })), /invalid server.adapters\[0\].rank: received 1024; allowed: a whole number from 1 to 512/,
      ErrorCode.OUT_OF_RANGE);
    expectRefused(build((c) => ({ adapters: [adapter(c, 'sql'), { ...adapter(c, 'sql2'), name: 'sql' }] })), /invalid server.adapters: received 'sql'; allowed: adapter names that are distinct/,
      ErrorCode.INVALID_LORA_ADAPTER);
    expectRefused(build((c) => ({ adapters: [{ ...adapter(c, 'sql'), name: 'SQL Adapter' }] })), /invalid server.adapters\[0\].name: received 'SQL Adapter'/, ErrorCode.INVALID_LORA_ADAPTER);
    expectRefused(build((c) => ({ adapters: [adapter(c, 'sql')], maxLoras: 2 })), /invalid server.maxLoras: received 2; allowed: a whole number from 1 to 1/, ErrorCode.OUT_OF_RANGE);
    expectRefused(build((c) => ({ adapters: adapter(c, 'sql') as any })), /invalid server.adapters: received .*allowed: a list/, ErrorCode.WRONG_TYPE);
    expectRefused(build((c) => ({ adapters: [{ ...adapter(c, 'sql'), volume: 's3://adapters/sql' as any }] })), /invalid server.adapters\[0\].volume: received 's3:\/\/adapters\/sql'; allowed: a ModelVolume/,
      ErrorCode.WRONG_TYPE);
  });

  test('with weights from a ModelVolume of the Hub, an adapter must name that repository as its base', () => {
    const c = chart();
    const weights = new ModelVolume(c, 'weights', { source: ModelSource.huggingFace(QWEN, { revision: COMMIT }), size: Size.gibibytes(16) });
    const build = (baseModel: string) => () => new InferenceService(c, `chat-${baseModel.length}`, {
      server: ModelServer.vllm({ adapters: [adapter(c, `sql-${baseModel.length}`, { baseModel })] }), modelVolume: weights, gpu: Gpu.nvidia(1),
    });
    expectRefused(build('meta-llama/Llama-3.1-8B'), /received 'meta-llama\/Llama-3.1-8B'; allowed: the server's base model, Qwen\/Qwen2.5-7B-Instruct/, ErrorCode.LORA_BASE_MISMATCH);
    expect(build(QWEN)).not.toThrow();
  });
});
