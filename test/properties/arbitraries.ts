// Random cdk8s apps built only from the public API, for the property-based tests
// (test/properties.test.ts, and test/e2e/properties.ts against a real API server).
//
// An app is first generated as plain data (an AppSpec, printed as the counterexample when a property
// fails), then built by `buildApp`. About half of the apps carry exactly one wrong value (`fault`
// says which): out of range, of the wrong JavaScript type, a name Kubernetes refuses, a port outside
// 1-65535, a negative or fractional number. Quantities are descriptors ({ unit, n }) so a spec stays
// printable; `{ raw }` passes a value as it is, whatever its type.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import {
  ApiAuth, CacheAccessMode, CanaryRelease, GatewayImplementation, GatewayTls, Gpu, InferenceGateway, InferenceService, LogShipping,
  ModelServer, ModelSource, ModelVolume, NamespaceBaseline, ObservabilityBundle, QueueMetricsApi, ReleaseColor, ReleaseStrategy, Scaling,
  WorkloadIdentity,
} from '../../lib';

/** A value passed as it is (a wrong JavaScript type, a malformed quantity). */
export interface Raw { raw: unknown }
/** A `Size`: `Size.<unit>(n)`, or a raw value. */
export type SizeSpec = { unit: 'mebibytes' | 'gibibytes'; n: number } | Raw;
/** A `Duration`: `Duration.<unit>(n)`, or a raw value. */
export type DurationSpec = { unit: 'millis' | 'seconds' | 'minutes'; n: number } | Raw;
/** A `kplus.Cpu`: `Cpu.units(n)` or `Cpu.millis(n)`, or a raw value. */
export type CpuSpec = { unit: 'units' | 'millis'; n: number } | Raw;

/** A model server preset and its options (ports, counts and names may be wrong). */
export interface ServerSpec { preset: 'vllm' | 'tgi' | 'triton' | 'tfServing' | 'torchServe' | 'sglang' | 'custom'; options: Record<string, any> }
/** A scaling mode. */
export interface ScalingSpec { mode: 'fixed' | 'onCpu' | 'onQueueDepth'; replicas?: unknown; options?: Record<string, any> }
/** A GPU request. */
export interface GpuSpec { vendor: 'nvidia' | 'amd'; count: unknown; product?: string; tolerateTaint?: boolean }

/** One InferenceService. `volume` is an index into the app's volumes (taken modulo their count). */
export interface ServiceSpec {
  name?: string;
  server: ServerSpec;
  volume?: number;
  gpu?: GpuSpec;
  scaling?: ScalingSpec;
  cpu?: CpuSpec;
  memory?: SizeSpec;
  cacheSize?: SizeSpec;
  sharedMemory?: SizeSpec;
  startupTimeout?: DurationSpec;
  maxRequestDuration?: DurationSpec;
  preStopDelay?: DurationSpec;
  terminationGracePeriod?: DurationSpec;
  nodeLossTolerance?: DurationSpec;
  maxSurge?: unknown;
  pdbMaxUnavailable?: unknown;
  runAsUser?: unknown;
  nodeSelector?: Record<string, string>;
  tolerations?: { key: string; value?: string; effect?: 'NO_SCHEDULE' | 'NO_EXECUTE' }[];
  labels?: Record<string, string>;
}

/** One ModelVolume: a source of one kind and how it is cached. */
export interface VolumeSpec {
  name?: string;
  source: { kind: 'S3' | 'GCS' | 'AZURE' | 'HF' | 'HTTPS' | 'NFS' | 'PVC' | 'OCI' | 'URI'; model: string; version: string; options?: Record<string, any> };
  size?: SizeSpec;
  cacheSize?: SizeSpec;
  cacheAccessMode?: 'READ_WRITE_MANY' | 'READ_WRITE_ONCE';
  cacheStorageClass?: string;
  credentialsSecret?: string;
  workloadIdentity?: { kind: 'awsIrsa' | 'gke' | 'azure'; id: string };
  downloaderEnv?: Record<string, string>;
  downloadTimeout?: DurationSpec;
  kubernetesVersion?: string;
}

/** The namespace's baseline. */
export interface BaselineSpec {
  cpuQuota?: CpuSpec;
  memoryQuota?: SizeSpec;
  gpuQuota?: Record<string, unknown>;
  kubernetesVersion?: string;
  requirePinnedImages?: boolean;
  requireDigests?: boolean;
}

/** A route of the gateway to a service (an index into the app's services). */
export interface RouteSpec { service: number; pathPrefix?: string; headerName?: string; headerValue?: string }

/** The gateway and its routes. */
export interface GatewaySpec {
  name?: string;
  implementation: 'INGRESS_NGINX' | 'ENVOY_GATEWAY' | 'TRAEFIK';
  host?: string;
  tls?: { kind: 'secret'; name: string } | { kind: 'certManager'; issuer: string };
  auth?: { kind: 'apiKeys'; secret: string } | { kind: 'jwt'; issuer: string; jwksUri: string; audiences?: string[] };
  rateLimit?: { requestsPerMinute: unknown; clientHeader?: string };
  requestTimeout?: DurationSpec;
  maxBodySize?: SizeSpec;
  routes: RouteSpec[];
}

/** A release between two services (indices into the app's services) on the gateway. */
export interface CanarySpec {
  stable: number;
  canary: number;
  strategy: { kind: 'weighted'; stable: unknown; canary: unknown } | { kind: 'header'; header: string; value: string }
  | { kind: 'cookie'; name: string } | { kind: 'mirror'; percent: unknown } | { kind: 'blueGreen'; active: 'BLUE' | 'GREEN' };
  pathPrefix?: string;
}

/** The observability bundle: the services it watches (indices), objectives and logs. */
export interface ObservabilitySpec {
  services: number[];
  objectives?: { availability?: unknown; latency?: unknown };
  logs?: { kind: 'loki'; url: string; tenant?: string } | { kind: 'elasticsearch'; url: string; credentialsSecret?: string };
  logNamespace?: string;
  scrapeInterval?: DurationSpec;
  runbookUrl?: string;
}

/** A whole app: one chart in `namespace`. */
export interface AppSpec {
  namespace: string;
  baseline?: BaselineSpec;
  volumes: VolumeSpec[];
  services: ServiceSpec[];
  gateway?: GatewaySpec;
  canary?: CanarySpec;
  observability?: ObservabilitySpec;
  /** The one wrong value this app carries, described; absent in a valid app. */
  fault?: string;
}

// ---- valid values ---------------------------------------------------------------------------

/** Names from a small pool, so two constructs sometimes ask for the same one. */
const NAMES = ['chat', 'embed', 'vision', 'llm', 'chat-next', 'models', 'gateway', 'weights', 'observability', 'baseline', 'classifier'];
const name = fc.constantFrom(...NAMES);
const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const hfModel = fc.constantFrom('Qwen/Qwen2.5-7B-Instruct', 'meta-llama/Llama-3.1-8B-Instruct', 'mistralai/Mistral-7B-Instruct-v0.3');
const pinnedImage = (repo: string, tags: string[]) => fc.constantFrom(...tags.map((t) => `${repo}:${t}`));

const size = (min: number, max: number): fc.Arbitrary<SizeSpec> => fc.oneof(
  fc.integer({ min, max }).map((n) => ({ unit: 'gibibytes' as const, n })),
  fc.integer({ min: min * 1024, max: max * 1024 }).map((n) => ({ unit: 'mebibytes' as const, n })),
);
/** A duration between `min` and `max` seconds, in seconds, minutes or (sometimes) milliseconds. */
const duration = (min: number, max: number): fc.Arbitrary<DurationSpec> => fc.oneof(
  fc.integer({ min, max }).map((n) => ({ unit: 'seconds' as const, n })),
  fc.integer({ min: Math.ceil(min / 60), max: Math.floor(max / 60) }).filter((n) => n * 60 >= min).map((n) => ({ unit: 'minutes' as const, n })),
  fc.integer({ min, max }).map((n) => ({ unit: 'millis' as const, n: n * 1000 })),
);
const cpu: fc.Arbitrary<CpuSpec> = fc.oneof(
  fc.integer({ min: 1, max: 16 }).map((n) => ({ unit: 'units' as const, n })),
  fc.integer({ min: 250, max: 8000 }).map((n) => ({ unit: 'millis' as const, n })),
);

/** A preset with options, and the GPUs its parallelism needs (LLM servers) or may use. */
const serverAndGpu: fc.Arbitrary<{ server: ServerSpec; gpu?: GpuSpec }> = fc.oneof(
  fc.record({
    model: fc.option(hfModel, { freq: 5, nil: undefined }), tp: fc.constantFrom(1, 2, 4), pp: fc.constantFrom(1, 2),
    image: fc.option(pinnedImage('vllm/vllm-openai', ['v0.18.1', 'v0.19.0']), { nil: undefined }), served: fc.option(name, { nil: undefined }),
  }).map(({ model, tp, pp, image, served }) => ({
    server: { preset: 'vllm' as const, options: { model, tensorParallelSize: tp, pipelineParallelSize: pp, image, servedModelName: served } },
    gpu: { vendor: 'nvidia' as const, count: tp * pp },
  })),
  fc.record({ model: fc.option(hfModel, { freq: 5, nil: undefined }), shards: fc.constantFrom(1, 2) }).map(({ model, shards }) => ({
    server: { preset: 'tgi' as const, options: { model, numShard: shards } }, gpu: { vendor: 'nvidia' as const, count: shards },
  })),
  fc.record({ model: fc.option(hfModel, { freq: 5, nil: undefined }), tp: fc.constantFrom(1, 2), vendor: fc.constantFrom('nvidia' as const, 'amd' as const) })
    .map(({ model, tp, vendor }) => ({ server: { preset: 'sglang' as const, options: { model, tensorParallelSize: tp } }, gpu: { vendor, count: tp } })),
  fc.record({ repo: fc.option(fc.constantFrom('s3://models/triton', '/models'), { nil: undefined }), gpu: fc.boolean() })
    .map(({ repo, gpu }) => ({ server: { preset: 'triton' as const, options: { modelRepository: repo } }, gpu: gpu ? { vendor: 'nvidia' as const, count: 1 } : undefined })),
  fc.record({ modelName: fc.constantFrom('resnet50', 'bert') }).map((options) => ({ server: { preset: 'tfServing' as const, options } })),
  fc.record({ models: fc.option(fc.constant(['resnet=resnet-18.mar']), { nil: undefined }) })
    .map((options) => ({ server: { preset: 'torchServe' as const, options } })),
  fc.record({
    image: pinnedImage('ghcr.io/acme/server', ['1.2.3', 'cpu-1.8']),
    httpPort: fc.integer({ min: 1024, max: 65535 }),
    grpcPort: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
    metricsPort: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
    livenessPath: fc.option(fc.constant('/health'), { nil: undefined }),
    readinessPath: fc.option(fc.constant('/ready'), { nil: undefined }),
    queueDepthMetric: fc.option(fc.constant('queue_size'), { nil: undefined }),
    exposesMetrics: fc.option(fc.boolean(), { freq: 3, nil: undefined }),
  }).map((options) => ({ server: { preset: 'custom' as const, options } })),
);

const scaling: fc.Arbitrary<ScalingSpec> = fc.oneof(
  fc.integer({ min: 1, max: 4 }).map((replicas) => ({ mode: 'fixed' as const, replicas })),
  fc.record({
    min: fc.integer({ min: 1, max: 3 }),
    extra: fc.integer({ min: 0, max: 4 }),
    target: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  })
    .map(({ min, extra, target }) => ({ mode: 'onCpu' as const, options: { minReplicas: min, maxReplicas: min + extra, targetUtilizationPercent: target } })),
  fc.record({
    min: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), extra: fc.integer({ min: 0, max: 4 }),
    target: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
    api: fc.option(fc.constantFrom('PODS', 'EXTERNAL', 'KEDA'), { nil: undefined }),
    address: fc.option(fc.constant('http://prometheus.monitoring.svc:9090'), { nil: undefined }),
  }).map(({ min, extra, target, api, address }) => ({
    mode: 'onQueueDepth' as const,
    options: { minReplicas: min, maxReplicas: (min ?? 2) + extra, targetPerReplica: target, metricsApi: api, prometheusAddress: api === 'KEDA' ? address : undefined },
  })),
);

/** Servers that export a queue-depth metric (the others cannot scale on queue depth). */
const hasQueueMetric = (s: ServerSpec) => !['tfServing', 'torchServe'].includes(s.preset) && (s.preset !== 'custom' || !!s.options.queueDepthMetric);

/** Keeps the combinations of one service's values that the library documents as valid. */
function coherentService(spec: ServiceSpec): ServiceSpec {
  const s = { ...spec };
  if (s.scaling?.mode === 'onQueueDepth' && !hasQueueMetric(s.server)) s.scaling = { mode: 'onCpu', options: { maxReplicas: 3 } };
  const minReplicas = s.scaling?.mode === 'fixed' ? s.scaling.replicas as number : s.scaling?.options?.minReplicas ?? 2;
  if (minReplicas < 2) delete s.pdbMaxUnavailable;
  else if (s.pdbMaxUnavailable !== undefined) s.pdbMaxUnavailable = Math.min(s.pdbMaxUnavailable as number, minReplicas - 1);
  return s;
}

const service: fc.Arbitrary<ServiceSpec> = fc.tuple(serverAndGpu, fc.record({
  name: name,
  volume: fc.nat(3),
  scaling,
  cpu,
  memory: size(4, 64),
  cacheSize: size(5, 60),
  sharedMemory: size(1, 4),
  startupTimeout: duration(120, 2400),
  maxRequestDuration: duration(10, 300),
  preStopDelay: duration(0, 30),
  terminationGracePeriod: duration(400, 900),
  nodeLossTolerance: duration(0, 3600),
  maxSurge: fc.integer({ min: 1, max: 3 }),
  pdbMaxUnavailable: fc.integer({ min: 1, max: 2 }),
  runAsUser: fc.integer({ min: 10001, max: 65534 }),
  nodeSelector: fc.constant({ 'karpenter.sh/nodepool': 'gpu-inference' }),
  tolerations: fc.constant<ServiceSpec['tolerations']>([{ key: 'dedicated', value: 'inference', effect: 'NO_SCHEDULE' }]),
  labels: fc.dictionary(fc.constantFrom('team', 'cost-center', 'app.example.com/tier'), fc.constantFrom('search', 'ml', 'gold'), { maxKeys: 2 }),
}, { requiredKeys: [] })).map(([sg, rest]) => coherentService({ ...sg, ...rest }));

const source: fc.Arbitrary<VolumeSpec['source']> = fc.record({
  kind: fc.constantFrom('S3' as const, 'GCS' as const, 'AZURE' as const, 'HF' as const, 'HTTPS' as const, 'NFS' as const, 'PVC' as const, 'OCI' as const, 'URI' as const),
  model: fc.constantFrom('llama', 'resnet', 'qwen'),
  version: fc.constantFrom('1', '3', 'v2', '2024-07-23'),
  commit: hex(40),
  sha: hex(64),
  endpoint: fc.option(fc.constant('https://minio.storage:9000'), { nil: undefined }),
  region: fc.option(fc.constant('us-east-1'), { nil: undefined }),
}).map(({ kind, model, version, commit, sha, endpoint, region }) => {
  const pinned: Partial<Record<typeof kind, string>> = { HF: commit, HTTPS: sha, OCI: sha };
  return { kind, model, version: pinned[kind] ?? version, options: kind === 'S3' ? { endpoint, region } : undefined };
});

/** Sources mounted directly: they take no cache. */
const MOUNTED = ['NFS', 'PVC', 'OCI'];

const volume: fc.Arbitrary<VolumeSpec> = fc.record({
  name: name,
  source,
  size: size(1, 32),
  cacheSize: size(32, 128),
  cacheAccessMode: fc.oneof({ arbitrary: fc.constant('READ_WRITE_MANY' as const), weight: 3 }, { arbitrary: fc.constant('READ_WRITE_ONCE' as const), weight: 1 }),
  cacheStorageClass: fc.constant('efs-sc'),
  credentialsSecret: fc.constant('model-reader'),
  workloadIdentity: fc.constantFrom(
    { kind: 'awsIrsa' as const, id: 'arn:aws:iam::123456789012:role/model-reader' },
    { kind: 'gke' as const, id: 'model-reader@acme-ml.iam.gserviceaccount.com' },
    { kind: 'azure' as const, id: '11111111-2222-3333-4444-555555555555' },
  ),
  downloaderEnv: fc.constant({ S3_VERIFY_SSL: '0' }),
  downloadTimeout: duration(300, 3600),
  kubernetesVersion: fc.constantFrom('1.27', '1.30', '1.33'),
}, { requiredKeys: ['source'] }).map((v) => (MOUNTED.includes(v.source.kind) ? { ...v, cacheSize: undefined, cacheAccessMode: undefined, cacheStorageClass: undefined } : v));

const baseline: fc.Arbitrary<BaselineSpec> = fc.record({
  cpuQuota: fc.integer({ min: 32, max: 256 }).map((n) => ({ unit: 'units' as const, n })),
  memoryQuota: size(256, 2048),
  gpuQuota: fc.integer({ min: 8, max: 64 }).map((n) => ({ 'nvidia.com/gpu': n, 'amd.com/gpu': n })),
  kubernetesVersion: fc.constantFrom('1.27', '1.30', '1.33'),
  requirePinnedImages: fc.boolean(),
  requireDigests: fc.boolean(),
}, { requiredKeys: [] });

const route: fc.Arbitrary<RouteSpec> = fc.record({
  service: fc.nat(3),
  pathPrefix: fc.option(fc.constantFrom('/v1', '/v2', '/chat', '/embed'), { nil: undefined }),
  header: fc.option(fc.constantFrom('llama', 'qwen'), { freq: 3, nil: undefined }),
}).map(({ service: i, pathPrefix, header }) => ({ service: i, pathPrefix, headerName: header && 'x-model', headerValue: header }));

const gateway: fc.Arbitrary<GatewaySpec> = fc.record({
  name: fc.constantFrom('gateway', 'edge'),
  implementation: fc.constantFrom('INGRESS_NGINX' as const, 'ENVOY_GATEWAY' as const, 'TRAEFIK' as const),
  host: fc.constantFrom('models.example.com', 'inference.example.com'),
  tls: fc.oneof(fc.constant({ kind: 'secret' as const, name: 'models-tls' }), fc.constant({ kind: 'certManager' as const, issuer: 'letsencrypt' })),
  auth: fc.oneof(
    fc.constant({ kind: 'apiKeys' as const, secret: 'api-keys' }),
    fc.constant<GatewaySpec['auth']>({ kind: 'jwt', issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks', audiences: ['models'] }),
  ),
  rateLimit: fc.record({ requestsPerMinute: fc.integer({ min: 1, max: 1000 }), clientHeader: fc.constant('x-client-id') }, { requiredKeys: ['requestsPerMinute'] }),
  requestTimeout: duration(60, 1800),
  maxBodySize: size(1, 4),
  routes: fc.array(route, { maxLength: 3 }),
}, { requiredKeys: ['implementation', 'routes'] }).map((g) => (g.implementation === 'ENVOY_GATEWAY' ? g
  // Only Envoy Gateway authenticates clients; ingress-nginx limits per client IP.
  : { ...g, auth: undefined, rateLimit: g.rateLimit && { requestsPerMinute: g.rateLimit.requestsPerMinute, clientHeader: g.implementation === 'TRAEFIK' ? g.rateLimit.clientHeader : undefined } }));

const canary: fc.Arbitrary<CanarySpec> = fc.record({
  stable: fc.nat(3),
  canary: fc.nat(3),
  strategy: fc.oneof(
    fc.integer({ min: 0, max: 100 }).map((w) => ({ kind: 'weighted' as const, stable: 100 - w, canary: w })),
    fc.constant({ kind: 'header' as const, header: 'x-canary', value: 'true' }),
    fc.constant({ kind: 'cookie' as const, name: 'canary' }),
    fc.integer({ min: 0, max: 100 }).map((percent) => ({ kind: 'mirror' as const, percent })),
    fc.constantFrom('BLUE' as const, 'GREEN' as const).map((active) => ({ kind: 'blueGreen' as const, active })),
  ),
  pathPrefix: fc.constantFrom('/release', '/canary'),
}, { requiredKeys: ['stable', 'canary', 'strategy'] });

const observability: fc.Arbitrary<ObservabilitySpec> = fc.record({
  services: fc.uniqueArray(fc.nat(3), { maxLength: 4 }),
  objectives: fc.record({ availability: fc.constantFrom(0.99, 0.995, 0.999), latency: fc.constantFrom(0.9, 0.95) }, { requiredKeys: [] }),
  logs: fc.oneof(
    fc.constant({ kind: 'loki' as const, url: 'http://loki-gateway.monitoring.svc.cluster.local:80' }),
    fc.constant({ kind: 'elasticsearch' as const, url: 'https://elasticsearch.search.svc:9200', credentialsSecret: 'es-writer' }),
  ),
  logNamespace: fc.constantFrom('logging', 'inference-logging'),
  scrapeInterval: duration(10, 60),
  runbookUrl: fc.constant('https://runbooks.example.com/inference'),
}, { requiredKeys: ['services'] });

/** Another pinned image per preset, for a canary that differs from its stable service. */
const NEXT_IMAGE: Record<ServerSpec['preset'], string> = {
  vllm: 'vllm/vllm-openai:v0.17.1', tgi: 'ghcr.io/huggingface/text-generation-inference:3.3.6', triton: 'nvcr.io/nvidia/tritonserver:25.02-py3',
  tfServing: 'tensorflow/serving:2.17.1', torchServe: 'pytorch/torchserve:0.11.1-cpu', sglang: 'lmsysorg/sglang:v0.4.9', custom: 'ghcr.io/acme/server:2.0.0',
};
const LLM = ['vllm', 'tgi', 'sglang'];
/** Servers with request and error counters (availability objectives), and with a latency histogram (latency objectives). */
const MEASURABLE = ['vllm', 'tgi', 'triton'];
const LATENCY_MEASURABLE = ['vllm'];
const maxReplicas = (s: ServiceSpec) => (s.scaling?.mode === 'fixed' ? s.scaling.replicas as number : s.scaling?.options?.maxReplicas ?? 2);

/** Keeps the combinations across constructs that the library documents as valid (one value at a time stays random). */
function coherentApp(spec: AppSpec): AppSpec {
  const app: AppSpec = structuredClone(spec);
  const taken = new Set<string>();
  for (const s of app.services) {
    if (s.name && taken.has(s.name)) delete s.name;
    if (s.name) taken.add(s.name);
    const v = s.volume !== undefined && app.volumes.length ? app.volumes[s.volume % app.volumes.length] : undefined;
    // TensorFlow Serving loads numbered versions only; an LLM preset without a volume needs a model.
    if (s.server.preset === 'tfServing' && v && !/^\d+$/.test(v.source.version)) delete s.volume;
    if (LLM.includes(s.server.preset) && !s.server.options.model && (s.volume === undefined || !app.volumes.length)) s.server.options.model = 'Qwen/Qwen2.5-7B-Instruct';
    if (v?.cacheAccessMode === 'READ_WRITE_ONCE' && maxReplicas(s) > 1) v.cacheAccessMode = 'READ_WRITE_MANY';
  }
  if (app.canary) {
    const c = app.canary;
    c.stable %= app.services.length;
    const stable = app.services[c.stable];
    const server = { ...stable.server, options: { ...stable.server.options, image: NEXT_IMAGE[stable.server.preset] } };
    app.services.push({ ...structuredClone(stable), name: undefined, server });
    c.canary = app.services.length - 1;
    if (app.gateway?.implementation !== 'ENVOY_GATEWAY' && c.strategy.kind === 'mirror') c.strategy = { kind: 'weighted', stable: 90, canary: 10 };
  }
  if (app.gateway) {
    // One route per service, and none for the services of the release (it routes them).
    const routed = new Set([app.canary?.stable, app.canary?.canary]);
    app.gateway.routes = app.gateway.routes.filter((r) => {
      const i = r.service % app.services.length;
      const keep = !routed.has(i);
      routed.add(i);
      return keep;
    });
  }
  if (app.observability) {
    const o = app.observability;
    o.services = [...new Set(o.services.map((i) => i % app.services.length))]
      .filter((i) => app.services[i].server.preset !== 'custom' || app.services[i].server.options.exposesMetrics !== false);
    const all = (presets: string[]) => o.services.every((i) => presets.includes(app.services[i].server.preset));
    if (o.objectives && !all(MEASURABLE)) delete o.objectives.availability;
    if (o.objectives && !all(LATENCY_MEASURABLE)) delete o.objectives.latency;
  }
  coherentPlumbing(app);
  return app;
}

/**
 * What a working app needs around its services: a queue metric that something scrapes (the bundle, or
 * the user's own Prometheus), distinct ports on a custom server, and on ingress-nginx a plain route on
 * every path a header route uses (its host Ingress, which canaries split from).
 */
function coherentPlumbing(app: AppSpec): void {
  const watched = new Set(app.observability?.services ?? []);
  app.services.forEach((s, i) => {
    if (s.scaling?.mode === 'onQueueDepth' && !watched.has(i)) s.scaling.options = { ...s.scaling.options, scrapedExternally: true };
    const o = s.server.options;
    if (s.server.preset === 'custom' && o.grpcPort !== undefined && (o.grpcPort === o.httpPort || o.grpcPort === o.metricsPort)) delete o.grpcPort;
  });
  if (app.gateway?.implementation === 'INGRESS_NGINX') {
    const plain = new Set(app.gateway.routes.filter((r) => !r.headerName && r.pathPrefix).map((r) => r.pathPrefix));
    for (const r of app.gateway.routes) {
      if (r.headerName && !plain.has(r.pathPrefix)) {
        delete r.headerName;
        delete r.headerValue;
      }
    }
    if (app.gateway.routes.length === 0 && !app.canary) delete app.gateway;
  }
}

/** An app with only valid values, one at a time (combinations may still be refused, with a proper error). */
export const validApp: fc.Arbitrary<AppSpec> = fc.record({
  namespace: fc.constantFrom('ml', 'inference', 'team-a'),
  baseline,
  volumes: fc.array(volume, { maxLength: 2 }),
  services: fc.array(service, { minLength: 1, maxLength: 4 }),
  gateway,
  canary,
  observability,
}, { requiredKeys: ['namespace', 'volumes', 'services'] }).map(coherentApp);

// ---- one wrong value ----------------------------------------------------------------------------

/** Sets one wrong value in (a copy of) an app: where, and the value. */
interface Fault { describe: string; apply: (app: AppSpec) => void }

const first = (app: AppSpec) => app.services[0];
/** The first volume, made (and given to the first service) when the app has none. */
function firstVolume(app: AppSpec): VolumeSpec {
  if (app.volumes.length === 0) app.volumes.push({ source: { kind: 'S3', model: 'llama', version: 'v2' } });
  first(app).volume = 0;
  return app.volumes[0];
}
function theGateway(app: AppSpec): GatewaySpec {
  app.gateway = app.gateway ?? { implementation: 'ENVOY_GATEWAY', routes: [] };
  return app.gateway;
}

const faultOf = (describe: string, apply: (app: AppSpec) => void): Fault => ({ describe, apply });
// No negative Size or Duration: cdk8s' own factories refuse those in the caller's code, before the library sees them.
const wrongSize = fc.constantFrom<SizeSpec>({ raw: '4GB' }, { raw: 4096 }, { raw: { gibibytes: 4 } }, { unit: 'gibibytes', n: Number.NaN });
const wrongDuration = fc.constantFrom<DurationSpec>({ raw: 30 }, { raw: '30s' }, { unit: 'minutes', n: Number.NaN });
const wrongCount = fc.constantFrom<unknown>(0, -1, 1.5, '2', Number.NaN);
const wrongPort = fc.constantFrom<unknown>(0, 70000, -80, 80.5, '8080');
const wrongName = fc.constantFrom('My_Service', 'Chat', 'chat_v2', '-chat', 'a'.repeat(64), '');

/** Wrong values for the props of the first service, its preset, its volume, the gateway, the release, the namespace and the bundle. */
const faults: fc.Arbitrary<Fault>[] = [
  ...(['memory', 'cacheSize', 'sharedMemory'] as const).map((prop) => wrongSize.map((v) => faultOf(`services[0].${prop} = ${JSON.stringify(v)}`, (a) => { first(a)[prop] = v; }))),
  ...(['startupTimeout', 'maxRequestDuration', 'preStopDelay', 'terminationGracePeriod', 'nodeLossTolerance'] as const)
    .map((prop) => wrongDuration.map((v) => faultOf(`services[0].${prop} = ${JSON.stringify(v)}`, (a) => { first(a)[prop] = v; }))),
  fc.constantFrom<DurationSpec>({ unit: 'millis', n: 1500 }, { unit: 'seconds', n: 3601 })
    .map((v) => faultOf(`services[0].nodeLossTolerance = ${JSON.stringify(v)}`, (a) => { first(a).nodeLossTolerance = v; })),
  fc.constantFrom<CpuSpec>({ raw: 2 }, { raw: '2' }, { unit: 'units', n: -1 }, { unit: 'millis', n: 0 })
    .map((v) => faultOf(`services[0].cpu = ${JSON.stringify(v)}`, (a) => { first(a).cpu = v; })),
  ...(['maxSurge', 'pdbMaxUnavailable'] as const).map((prop) => fc.constantFrom<unknown>(-1, 1.5, '1')
    .map((v) => faultOf(`services[0].${prop} = ${JSON.stringify(v)}`, (a) => { first(a)[prop] = v; }))),
  fc.constantFrom<unknown>(-5, 0, 1.5, '10001').map((v) => faultOf(`services[0].runAsUser = ${JSON.stringify(v)}`, (a) => { first(a).runAsUser = v; })),
  wrongName.map((v) => faultOf(`services[0].name = ${JSON.stringify(v)}`, (a) => { first(a).name = v; })),
  wrongCount.map((v) => faultOf(`services[0].scaling = Scaling.fixed(${JSON.stringify(v)})`, (a) => { first(a).scaling = { mode: 'fixed', replicas: v }; })),
  fc.constantFrom<unknown>(0, 150, -10, '70').map((v) => faultOf(`services[0].scaling = Scaling.onCpu({ maxReplicas: 3, targetUtilizationPercent: ${JSON.stringify(v)} })`,
    (a) => { first(a).scaling = { mode: 'onCpu', options: { maxReplicas: 3, targetUtilizationPercent: v } }; })),
  wrongCount.map((v) => faultOf(`services[0].scaling = Scaling.onQueueDepth({ maxReplicas: ${JSON.stringify(v)} })`,
    (a) => { first(a).scaling = { mode: 'onQueueDepth', options: { maxReplicas: v } }; })),
  wrongCount.map((v) => faultOf(`services[0].gpu = Gpu.nvidia(${JSON.stringify(v)})`, (a) => { first(a).gpu = { vendor: 'nvidia', count: v }; })),
  fc.tuple(fc.constantFrom('httpPort', 'grpcPort', 'metricsPort'), wrongPort).map(([port, v]) => faultOf(`services[0].server = ModelServer.custom({ ${port}: ${JSON.stringify(v)} })`,
    (a) => {
      first(a).server = { preset: 'custom', options: { image: 'ghcr.io/acme/server:1.2.3', httpPort: 8080, [port]: v } };
      first(a).gpu = undefined;
    })),
  wrongCount.map((v) => faultOf(`services[0].server = ModelServer.vllm({ tensorParallelSize: ${JSON.stringify(v)} })`, (a) => {
    first(a).server = { preset: 'vllm', options: { model: 'Qwen/Qwen2.5-7B-Instruct', tensorParallelSize: v } };
    first(a).gpu = { vendor: 'nvidia', count: 1 };
  })),
  fc.constantFrom<Record<string, string>>({ 'Team Name': 'search' }, { team: 'Search Team' }, { '_team': 'x' }, { team: 'x'.repeat(64) })
    .map((v) => faultOf(`services[0].labels = ${JSON.stringify(v)}`, (a) => { first(a).labels = v; })),
  fc.constantFrom<Record<string, string>>({ 'karpenter.sh/nodepool': 'gpu inference' }, { 'bad key!': 'x' })
    .map((v) => faultOf(`services[0].nodeSelector = ${JSON.stringify(v)}`, (a) => { first(a).nodeSelector = v; })),
  fc.constantFrom('dedicated node', '', 'Bad_Key!').map((v) => faultOf(`services[0].tolerations = [{ key: ${JSON.stringify(v)} }]`, (a) => { first(a).tolerations = [{ key: v }]; })),
  wrongName.map((v) => faultOf(`volumes[0].name = ${JSON.stringify(v)}`, (a) => { firstVolume(a).name = v; })),
  ...(['size', 'cacheSize'] as const).map((prop) => wrongSize.map((v) => faultOf(`volumes[0].${prop} = ${JSON.stringify(v)}`, (a) => {
    const vol = firstVolume(a);
    vol.source = { kind: 'S3', model: 'llama', version: 'v2' };
    vol[prop] = v;
  }))),
  wrongDuration.map((v) => faultOf(`volumes[0].downloadTimeout = ${JSON.stringify(v)}`, (a) => { firstVolume(a).downloadTimeout = v; })),
  fc.constantFrom('Models.Example.com', 'models_example.com', 'https://models.example.com', '*.example.com/')
    .map((v) => faultOf(`gateway.host = ${JSON.stringify(v)}`, (a) => { theGateway(a).host = v; })),
  wrongCount.map((v) => faultOf(`gateway.rateLimit.requestsPerMinute = ${JSON.stringify(v)}`, (a) => { theGateway(a).rateLimit = { requestsPerMinute: v }; })),
  fc.constantFrom('v1', 'V1/chat', '/v1 chat').map((v) => faultOf(`gateway route pathPrefix = ${JSON.stringify(v)}`, (a) => { theGateway(a).routes.push({ service: 0, pathPrefix: v }); })),
  fc.constantFrom<[unknown, unknown]>([150, -50], [90.5, 9.5], ['90', '10'], [-10, 110]).map(([s, c]) => faultOf(`canary strategy = ReleaseStrategy.weighted(${s}, ${c})`, (a) => {
    theGateway(a);
    a.services.push({ server: { preset: 'vllm', options: { model: 'Qwen/Qwen2.5-7B-Instruct', image: 'vllm/vllm-openai:v0.19.0' } }, gpu: { vendor: 'nvidia', count: 1 } });
    a.canary = { stable: 0, canary: a.services.length - 1, strategy: { kind: 'weighted', stable: s, canary: c } };
  })),
  wrongName.map((v) => faultOf(`namespace = ${JSON.stringify(v)} (the chart's, with a NamespaceBaseline)`, (a) => {
    a.namespace = v;
    a.baseline = a.baseline ?? {};
  })),
  fc.constantFrom<unknown>(1.5, -0.1, '0.99').map((v) => faultOf(`observability objectives.availability = ${JSON.stringify(v)}`, (a) => {
    a.observability = { services: [0], objectives: { availability: v } };
    a.services[0] = { server: { preset: 'vllm', options: { model: 'Qwen/Qwen2.5-7B-Instruct' } }, gpu: { vendor: 'nvidia', count: 1 } };
  })),
  fc.constantFrom<unknown>(-1, 1.5, '8').map((v) => faultOf(`baseline.gpuQuota = { 'nvidia.com/gpu': ${JSON.stringify(v)} }`, (a) => {
    a.baseline = { ...a.baseline, gpuQuota: { 'nvidia.com/gpu': v } };
  })),
];

/** An app with exactly one wrong value; `fault` says which. */
export const faultyApp: fc.Arbitrary<AppSpec> = fc.tuple(validApp, fc.oneof(...faults)).map(([app, fault]) => {
  const copy: AppSpec = structuredClone(app);
  fault.apply(copy);
  return { ...copy, fault: fault.describe };
});

/** Half valid apps, half apps with one wrong value. */
export const anyApp: fc.Arbitrary<AppSpec> = fc.oneof(validApp, faultyApp);

// ---- building -------------------------------------------------------------------------------------

/** A synthesized object. */
export interface Manifest { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any }
/** What building an app gave: the error it threw, or its objects. */
export type Outcome = { error: unknown; manifests?: undefined } | { manifests: Manifest[]; error?: undefined };

const raw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && 'raw' in v;
const toSize = (s?: SizeSpec): Size | undefined => (s === undefined ? undefined : raw(s) ? s.raw as Size : Size[s.unit](s.n));
const toDuration = (d?: DurationSpec): Duration | undefined => (d === undefined ? undefined : raw(d) ? d.raw as Duration : Duration[d.unit](d.n));
const toCpu = (c?: CpuSpec): kplus.Cpu | undefined => (c === undefined ? undefined : raw(c) ? c.raw as kplus.Cpu : kplus.Cpu[c.unit](c.n));
/** Values a spec may hold wrongly typed, passed on as the public API's type. */
const as = <T>(v: unknown): T => v as T;

function toServer(s: ServerSpec): ModelServer {
  const factories: Record<ServerSpec['preset'], (o: any) => ModelServer> = {
    vllm: ModelServer.vllm, tgi: ModelServer.tgi, triton: ModelServer.triton, tfServing: ModelServer.tfServing,
    torchServe: ModelServer.torchServe, sglang: ModelServer.sglang, custom: ModelServer.custom,
  };
  return factories[s.preset](s.options);
}

function toScaling(s?: ScalingSpec): Scaling | undefined {
  if (!s) return undefined;
  if (s.mode === 'fixed') return Scaling.fixed(as<number>(s.replicas));
  const options = { ...s.options, metricsApi: s.options?.metricsApi && QueueMetricsApi[s.options.metricsApi as keyof typeof QueueMetricsApi] };
  return s.mode === 'onCpu' ? Scaling.onCpu(as(s.options)) : Scaling.onQueueDepth(as(options));
}

function toSource(s: VolumeSpec['source']): ModelSource {
  const { model, version } = s;
  const sources: Record<VolumeSpec['source']['kind'], () => ModelSource> = {
    S3: () => ModelSource.s3(`s3://models/${model}/${version}/`, { version, ...s.options }),
    GCS: () => ModelSource.gcs(`gs://vision/${model}/${version}/`, { version }),
    AZURE: () => ModelSource.azureBlob(`https://acmemodels.blob.core.windows.net/models/${model}/${version}/`, { version }),
    HF: () => ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', { revision: version }),
    HTTPS: () => ModelSource.https(`https://models.example.com/${model}/${model}-v4.tar.gz`, { sha256: version }),
    NFS: () => ModelSource.nfs('nfs.storage', `/exports/models/${model}/${version}`, { version }),
    PVC: () => ModelSource.persistentVolumeClaim('shared-models', { subPath: `${model}/${version}`, version }),
    OCI: () => ModelSource.ociImage(`registry.example.com/models/${model}@sha256:${version}`),
    URI: () => ModelSource.fromUri(`gs://vision/${model}/${version}/`, version),
  };
  return sources[s.kind]();
}

function toVolume(chart: Chart, i: number, v: VolumeSpec): ModelVolume {
  const identity = v.workloadIdentity && WorkloadIdentity[v.workloadIdentity.kind](v.workloadIdentity.id);
  return new ModelVolume(chart, `volume-${i}`, {
    source: toSource(v.source),
    name: v.name,
    size: toSize(v.size),
    cacheSize: toSize(v.cacheSize),
    cacheAccessMode: v.cacheAccessMode && CacheAccessMode[v.cacheAccessMode],
    cacheStorageClass: v.cacheStorageClass,
    credentialsSecret: v.credentialsSecret,
    workloadIdentity: identity,
    downloaderEnv: v.downloaderEnv,
    downloadTimeout: toDuration(v.downloadTimeout),
    kubernetesVersion: v.kubernetesVersion,
  });
}

function toService(chart: Chart, i: number, s: ServiceSpec, volumes: ModelVolume[]): InferenceService {
  const gpu = s.gpu && Gpu[s.gpu.vendor](as<number>(s.gpu.count), { product: s.gpu.product, tolerateTaint: s.gpu.tolerateTaint });
  return new InferenceService(chart, `service-${i}`, {
    server: toServer(s.server),
    name: s.name,
    modelVolume: s.volume !== undefined && volumes.length > 0 ? volumes[s.volume % volumes.length] : undefined,
    gpu,
    scaling: toScaling(s.scaling),
    cpu: toCpu(s.cpu),
    memory: toSize(s.memory),
    cacheSize: toSize(s.cacheSize),
    sharedMemory: toSize(s.sharedMemory),
    startupTimeout: toDuration(s.startupTimeout),
    maxRequestDuration: toDuration(s.maxRequestDuration),
    preStopDelay: toDuration(s.preStopDelay),
    terminationGracePeriod: toDuration(s.terminationGracePeriod),
    nodeLossTolerance: toDuration(s.nodeLossTolerance),
    maxSurge: as<number>(s.maxSurge),
    pdbMaxUnavailable: as<number>(s.pdbMaxUnavailable),
    runAsUser: as<number>(s.runAsUser),
    nodeSelector: s.nodeSelector,
    tolerations: s.tolerations?.map((t) => ({ key: t.key, value: t.value, effect: t.effect && kplus.TaintEffect[t.effect] })),
    labels: s.labels,
  });
}

function toGateway(chart: Chart, g: GatewaySpec): InferenceGateway {
  const tls = g.tls && (g.tls.kind === 'secret' ? GatewayTls.fromSecret(g.tls.name) : GatewayTls.certManager(g.tls.issuer));
  const auth = g.auth && (g.auth.kind === 'apiKeys' ? ApiAuth.apiKeys(g.auth.secret) : ApiAuth.jwt(g.auth));
  return new InferenceGateway(chart, 'gateway', {
    name: g.name,
    implementation: GatewayImplementation[g.implementation],
    host: g.host,
    // TLS needs a host: a valid app only asks for it with one.
    tls: g.host ? tls : undefined,
    auth,
    rateLimit: g.rateLimit && { requestsPerMinute: as<number>(g.rateLimit.requestsPerMinute), clientHeader: g.rateLimit.clientHeader },
    requestTimeout: toDuration(g.requestTimeout),
    maxBodySize: toSize(g.maxBodySize),
  });
}

function toStrategy(s: CanarySpec['strategy']): ReleaseStrategy {
  switch (s.kind) {
    case 'weighted': return ReleaseStrategy.weighted(as<number>(s.stable), as<number>(s.canary));
    case 'header': return ReleaseStrategy.header(s.header, s.value);
    case 'cookie': return ReleaseStrategy.cookie(s.name);
    case 'mirror': return ReleaseStrategy.mirror(as<number>(s.percent));
    default: return ReleaseStrategy.blueGreen(ReleaseColor[s.active]);
  }
}

function toObservability(chart: Chart, o: ObservabilitySpec, services: InferenceService[]): ObservabilityBundle {
  const logs = o.logs && (o.logs.kind === 'loki' ? LogShipping.loki(o.logs) : LogShipping.elasticsearch(o.logs));
  const bundle = new ObservabilityBundle(chart, 'observability', {
    logs, logNamespace: o.logs ? o.logNamespace : undefined, scrapeInterval: toDuration(o.scrapeInterval), runbookUrl: o.runbookUrl,
  });
  for (const i of o.services) bundle.addService(services[i % services.length], as(o.objectives));
  return bundle;
}

/** Builds the app of `spec` with the public API and synthesizes it (`app.synthYaml()`, as `cdk8s synth` does). */
export function buildApp(spec: AppSpec): Outcome {
  try {
    const app = new App();
    const chart = new Chart(app, 'app', { namespace: spec.namespace, disableResourceNameHashes: true });
    if (spec.baseline) {
      const b = spec.baseline;
      new NamespaceBaseline(chart, 'baseline', {
        cpuQuota: toCpu(b.cpuQuota), memoryQuota: toSize(b.memoryQuota), gpuQuota: as(b.gpuQuota), kubernetesVersion: b.kubernetesVersion,
        requirePinnedImages: b.requirePinnedImages && (b.kubernetesVersion ?? '1.27') >= '1.30', requireDigests: b.requireDigests,
      });
    }
    const volumes = spec.volumes.map((v, i) => toVolume(chart, i, v));
    const services = spec.services.map((s, i) => toService(chart, i, s, volumes));
    const gateway = (spec.gateway || spec.canary) && toGateway(chart, spec.gateway ?? { implementation: 'ENVOY_GATEWAY', routes: [] });
    for (const r of spec.gateway?.routes ?? []) gateway!.addRoute(services[r.service % services.length], r);
    if (spec.canary && gateway) {
      const c = spec.canary;
      new CanaryRelease(chart, 'release', {
        gateway, stable: services[c.stable % services.length], canary: services[c.canary % services.length],
        strategy: toStrategy(c.strategy), pathPrefix: c.pathPrefix,
      });
    }
    if (spec.observability) toObservability(chart, spec.observability, services);
    const manifests = parseAllDocuments(app.synthYaml()).map((d) => d.toJS()).filter((m) => m && m.kind) as Manifest[];
    return { manifests };
  } catch (error) {
    return { error };
  }
}
