import { Duration } from 'cdk8s';

/**
 * How a model server is checked for health on one port.
 */
export interface HealthCheck {
  /** Container port to check. */
  readonly port: number;
  /**
   * HTTP path answered with 2xx when healthy.
   * @default - a TCP connection check (for servers with no health route)
   */
  readonly path?: string;
}

/**
 * A file a model server needs in its container, rendered into a ConfigMap and mounted read-only.
 */
export interface ServerConfigFile {
  /** Absolute path of the file inside the container. */
  readonly path: string;
  /** File contents. */
  readonly content: string;
}

/**
 * Settings of the pod that a server needs to render its command line.
 * @internal
 */
export interface ServerRenderContext {
  /** Seconds the server may spend finishing in-flight requests after SIGTERM. */
  readonly drainSeconds: number;
  /** Where a ModelVolume mounts the weights, if the service has one. */
  readonly modelPath?: string;
  /** The ModelVolume's name, used as the served model name. */
  readonly modelName?: string;
}

/**
 * Options every preset accepts.
 */
export interface ModelServerBaseOptions {
  /**
   * Container image, pinned by a version tag or a digest. `latest` and untagged images are rejected.
   * @default - the preset's pinned default image (see each preset)
   */
  readonly image?: string;

  /**
   * Extra command-line arguments appended after the ones the preset renders.
   * @default - none
   */
  readonly extraArgs?: string[];
}

/** Options for {@link ModelServer.vllm}. */
export interface VllmOptions extends ModelServerBaseOptions {
  /**
   * Model to serve: a Hugging Face repo id (downloaded by vLLM at start) or a local path.
   * @see https://docs.vllm.ai/en/latest/cli/serve.html
   * @default - the InferenceService's modelVolume
   */
  readonly model?: string;

  /**
   * Name the OpenAI-compatible API serves the model under (`--served-model-name`).
   * @default - the model id, or the ModelVolume's name
   */
  readonly servedModelName?: string;

  /**
   * GPUs one model is split across within a node (`--tensor-parallel-size`).
   * @see https://docs.vllm.ai/en/latest/serving/parallelism_scaling.html
   * @default 1
   */
  readonly tensorParallelSize?: number;

  /**
   * Pipeline stages (`--pipeline-parallel-size`). GPUs per pod = tensor × pipeline parallel.
   * @default 1
   */
  readonly pipelineParallelSize?: number;
}

/** Options for {@link ModelServer.tgi}. */
export interface TgiOptions extends ModelServerBaseOptions {
  /**
   * Model to serve (`--model-id`): a Hugging Face repo id or a local path.
   * @see https://huggingface.co/docs/text-generation-inference/reference/launcher
   * @default - the InferenceService's modelVolume
   */
  readonly model?: string;

  /**
   * Shards (GPUs) the model is split across (`--num-shard`).
   * @default 1
   */
  readonly numShard?: number;
}

/** Options for {@link ModelServer.triton}. */
export interface TritonOptions extends ModelServerBaseOptions {
  /**
   * Model repository (`--model-repository`): a path in the container, or `s3://`, `gs://` or `as://`.
   * @see https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/user_guide/model_repository.html
   * @default - the InferenceService's modelVolume, else '/models'
   */
  readonly modelRepository?: string;
}

/** Options for {@link ModelServer.tfServing}. */
export interface TfServingOptions extends ModelServerBaseOptions {
  /**
   * Model name (`--model_name`); also the REST path `/v1/models/<name>` used for readiness.
   * @see https://www.tensorflow.org/tfx/serving/api_rest
   */
  readonly modelName: string;

  /**
   * Folder holding numbered SavedModel versions (`--model_base_path`).
   * @default - the folder above the InferenceService's modelVolume, else '/models/<modelName>'
   */
  readonly modelBasePath?: string;
}

/** Options for {@link ModelServer.torchServe}. */
export interface TorchServeOptions extends ModelServerBaseOptions {
  /**
   * Folder holding `.mar` archives (`--model-store`).
   * @see https://pytorch.org/serve/server.html
   * @default - the InferenceService's modelVolume, else '/home/model-server/model-store'
   */
  readonly modelStore?: string;

  /**
   * Models to load at start (`--models`), e.g. `['resnet=resnet-18.mar']`.
   * @default ['all']
   */
  readonly models?: string[];
}

/** Options for {@link ModelServer.sglang}. */
export interface SglangOptions extends ModelServerBaseOptions {
  /**
   * Model to serve (`--model-path`): a Hugging Face repo id or a local path.
   * @see https://docs.sglang.ai/advanced_features/server_arguments.html
   * @default - the InferenceService's modelVolume
   */
  readonly model?: string;

  /**
   * GPUs the model is split across (`--tp`).
   * @default 1
   */
  readonly tensorParallelSize?: number;
}

/** Options for {@link ModelServer.custom}. */
export interface CustomServerOptions {
  /** Container image, pinned by a version tag or digest. */
  readonly image: string;

  /** Port serving HTTP inference requests. */
  readonly httpPort: number;

  /**
   * Port serving gRPC inference requests.
   * @default - no gRPC port
   */
  readonly grpcPort?: number;

  /**
   * Port serving Prometheus metrics.
   * @default - the HTTP port
   */
  readonly metricsPort?: number;

  /**
   * Path of the Prometheus metrics endpoint; set `exposesMetrics: false` for servers without one.
   * @default '/metrics'
   */
  readonly metricsPath?: string;

  /**
   * Whether the server exposes Prometheus metrics at all.
   * @default true
   */
  readonly exposesMetrics?: boolean;

  /**
   * HTTP path that answers 2xx while the process is alive.
   * @default - a TCP check on the HTTP port
   */
  readonly livenessPath?: string;

  /**
   * HTTP path that answers 2xx only when the model is loaded and requests can be served.
   * @default - the liveness path
   */
  readonly readinessPath?: string;

  /**
   * Container command.
   * @default - the image's entrypoint
   */
  readonly command?: string[];

  /**
   * Container arguments.
   * @default - none
   */
  readonly args?: string[];

  /**
   * Flag that makes the server drain in-flight requests for N seconds after SIGTERM; rendered as
   * `<drainFlag>=<seconds>`.
   * @default - the server gets no drain flag: preStop delay and grace period only
   */
  readonly drainFlag?: string;

  /**
   * Prometheus gauge of requests waiting in the server's queue, for queue-depth autoscaling.
   * @default - queue-depth autoscaling is not available
   */
  readonly queueDepthMetric?: string;

  /**
   * Folders the server writes to; each gets an emptyDir because the root filesystem is read-only.
   * @default ['/tmp']
   */
  readonly writablePaths?: string[];

  /**
   * Environment variables the server needs (non-secret).
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * Model load time to budget for when the service sets no `startupTimeout`.
   * @default Duration.minutes(5)
   */
  readonly defaultStartupTimeout?: Duration;
}

/**
 * Everything the library knows about one model server.
 * @internal
 */
interface ServerSpec {
  readonly kind: string;
  readonly image: string;
  readonly httpPort: number;
  readonly grpcPort?: number;
  readonly metricsPort?: number;
  readonly metricsPath?: string;
  readonly liveness: HealthCheck;
  readonly readiness: HealthCheck;
  readonly command?: string[];
  readonly args: (ctx: ServerRenderContext) => string[];
  readonly drainFlag?: string;
  readonly queueDepthMetric?: string;
  readonly writablePaths: string[];
  readonly env: { [name: string]: string };
  readonly configFiles: ServerConfigFile[];
  readonly parallelism: number;
  readonly parallelismProp?: string;
  readonly llm: boolean;
  readonly defaultStartupTimeout: Duration;
  readonly defaultMaxRequestDuration: Duration;
  readonly model?: string;
  readonly needsModel?: boolean;
  readonly metrics?: ServerMetrics;
  /** What a ModelVolume's version must look like for this server to load it, if it cares. */
  readonly modelVersion?: ModelVersionRule;
}

/**
 * A rule on the versions of a ModelVolume a server can load (TensorFlow Serving loads numbered folders).
 * @internal
 */
export interface ModelVersionRule {
  readonly pattern: RegExp;
  /** What is allowed, for the error message. */
  readonly allowed: string;
  /** How to fix it, for the error message. */
  readonly fix: string;
}

/**
 * The Prometheus series a server exposes for its service-level indicators and dashboard.
 * Selectors are label matchers without braces, e.g. `namespace="ml",service="chat"`.
 * @internal
 */
export interface ServerMetrics {
  /** PromQL for the per-second request rate over a window, summed by namespace and service. */
  readonly requestRate?: (selector: string, window: string) => string;
  /** PromQL for the per-second rate of failed requests over a window, summed by namespace and service. */
  readonly errorRate?: (selector: string, window: string) => string;
  /** Histogram of end-to-end request latency in seconds. */
  readonly latencyHistogram?: string;
  /** The bucket bounds of `latencyHistogram`, in seconds. */
  readonly latencyBuckets?: number[];
  /** Histogram of time to first token in seconds (LLM servers). */
  readonly ttftHistogram?: string;
  /** Gauge of KV-cache use, 0–1 (LLM servers). */
  readonly kvCacheUsage?: string;
  /** Gauge of requests being processed. */
  readonly running?: string;
}

const byService = 'sum by (namespace, service)';

/** Where LLM presets keep Hugging Face downloads and compile caches (an emptyDir unless a ModelVolume is used). */
export const CACHE_PATH = '/cache';

// USER spares Python's getpass (used by torch's compile caches) a passwd lookup of the non-root UID.
/** What LLM presets share: load budget, longest request, no config files. */
const LLM_DEFAULTS = { llm: true, defaultStartupTimeout: Duration.minutes(15), defaultMaxRequestDuration: Duration.minutes(3), configFiles: [] };

const LLM_ENV = { HOME: CACHE_PATH, HF_HOME: `${CACHE_PATH}/huggingface`, XDG_CACHE_HOME: CACHE_PATH, USER: 'inference' };

/**
 * A model server preset: image, ports, health endpoints, metrics, drain behaviour and the
 * folders it writes to, so an InferenceService built on it is right by default.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 */
export class ModelServer {
  /**
   * vLLM's OpenAI-compatible server. Port 8000 serves the API, `/health` (readiness), `/version`
   * (liveness) and `/metrics`.
   * Drains with `--shutdown-timeout` (vLLM ≥ 0.18); scales on `vllm:num_requests_waiting`.
   *
   * Default image: `vllm/vllm-openai:v0.18.0`.
   * @see https://docs.vllm.ai/en/latest/deployment/k8s.html
   */
  public static vllm(options: VllmOptions): ModelServer {
    const tp = options.tensorParallelSize ?? 1;
    const pp = options.pipelineParallelSize ?? 1;
    return new ModelServer({
      kind: 'vllm',
      image: options.image ?? 'vllm/vllm-openai:v0.18.0',
      httpPort: 8000,
      metricsPort: 8000,
      metricsPath: '/metrics',
      // Liveness asks whether the API process answers; readiness whether the engine is healthy.
      // vLLM exits on engine death, so a dead engine restarts the container either way.
      liveness: { port: 8000, path: '/version' },
      readiness: { port: 8000, path: '/health' },
      args: (ctx) => [
        ctx.modelPath ?? options.model!,
        '--host=0.0.0.0',
        '--port=8000',
        ...(options.servedModelName ?? ctx.modelName ? [`--served-model-name=${options.servedModelName ?? ctx.modelName}`] : []),
        ...(tp > 1 ? [`--tensor-parallel-size=${tp}`] : []),
        ...(pp > 1 ? [`--pipeline-parallel-size=${pp}`] : []),
        `--shutdown-timeout=${ctx.drainSeconds}`,
        ...(options.extraArgs ?? []),
      ],
      drainFlag: '--shutdown-timeout',
      queueDepthMetric: 'vllm:num_requests_waiting',
      writablePaths: [CACHE_PATH, '/tmp'],
      env: { ...LLM_ENV },
      parallelism: tp * pp,
      parallelismProp: `tensorParallelSize (${tp}) × pipelineParallelSize (${pp})`,
      ...LLM_DEFAULTS,
      model: options.servedModelName ?? options.model,
      needsModel: options.model === undefined,
      metrics: {
        // The OpenAI API is instrumented by prometheus-fastapi-instrumentator (status grouped as 5xx).
        requestRate: (sel, w) => `${byService} (rate(http_requests_total{handler=~"/v1/.+",${sel}}[${w}]))`,
        errorRate: (sel, w) => `${byService} (rate(http_requests_total{handler=~"/v1/.+",status="5xx",${sel}}[${w}]))`,
        latencyHistogram: 'vllm:e2e_request_latency_seconds',
        latencyBuckets: [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680],
        ttftHistogram: 'vllm:time_to_first_token_seconds',
        kvCacheUsage: 'vllm:kv_cache_usage_perc',
        running: 'vllm:num_requests_running',
      },
    });
  }

  /**
   * Hugging Face Text Generation Inference (in maintenance mode upstream). Served on port 8080
   * (the image's default 80 needs a capability the restricted profile drops); `/health`,
   * `/metrics`; drains for `--graceful-termination-timeout`; JSON logs; scales on `tgi_queue_size`.
   *
   * Default image: `ghcr.io/huggingface/text-generation-inference:3.3.5`.
   * @see https://huggingface.co/docs/text-generation-inference/reference/launcher
   */
  public static tgi(options: TgiOptions): ModelServer {
    const shards = options.numShard ?? 1;
    return new ModelServer({
      kind: 'tgi',
      image: options.image ?? 'ghcr.io/huggingface/text-generation-inference:3.3.5',
      httpPort: 8080,
      metricsPort: 8080,
      metricsPath: '/metrics',
      // /health may run a generation; liveness must stay cheap under load, so it asks /info.
      liveness: { port: 8080, path: '/info' },
      readiness: { port: 8080, path: '/health' },
      args: (ctx) => [
        `--model-id=${ctx.modelPath ?? options.model}`,
        '--hostname=0.0.0.0',
        '--port=8080',
        ...(shards > 1 ? [`--num-shard=${shards}`] : []),
        `--graceful-termination-timeout=${ctx.drainSeconds}`,
        '--json-output',
        ...(options.extraArgs ?? []),
      ],
      drainFlag: '--graceful-termination-timeout',
      queueDepthMetric: 'tgi_queue_size',
      writablePaths: ['/data', '/tmp'],
      env: { HOME: '/data', HF_HOME: '/data', USER: 'inference' },
      parallelism: shards,
      parallelismProp: `numShard (${shards})`,
      ...LLM_DEFAULTS,
      model: options.model,
      needsModel: options.model === undefined,
      metrics: {
        requestRate: (sel, w) => `${byService} (rate(tgi_request_count{${sel}}[${w}]))`,
        errorRate: (sel, w) => `${byService} (rate(tgi_request_failure{${sel}}[${w}]))`,
        running: 'tgi_batch_current_size',
      },
    });
  }

  /**
   * NVIDIA Triton Inference Server: HTTP 8000, gRPC 8001, metrics 8002. Liveness
   * `/v2/health/live`, readiness `/v2/health/ready` (every model loaded); drains for
   * `--exit-timeout-secs`; scales on `nv_inference_pending_request_count`.
   *
   * Default image: `nvcr.io/nvidia/tritonserver:25.01-py3`.
   * @see https://github.com/triton-inference-server/server/blob/main/docs/user_guide/metrics.md
   */
  public static triton(options: TritonOptions = {}): ModelServer {
    const repository = (ctx: ServerRenderContext) => ctx.modelPath ?? options.modelRepository ?? '/models';
    return new ModelServer({
      kind: 'triton',
      image: options.image ?? 'nvcr.io/nvidia/tritonserver:25.01-py3',
      httpPort: 8000,
      grpcPort: 8001,
      metricsPort: 8002,
      metricsPath: '/metrics',
      liveness: { port: 8000, path: '/v2/health/live' },
      readiness: { port: 8000, path: '/v2/health/ready' },
      command: ['tritonserver'],
      args: (ctx) => [
        `--model-repository=${repository(ctx)}`,
        '--http-port=8000',
        '--grpc-port=8001',
        '--metrics-port=8002',
        `--exit-timeout-secs=${ctx.drainSeconds}`,
        ...(options.extraArgs ?? []),
      ],
      drainFlag: '--exit-timeout-secs',
      queueDepthMetric: 'nv_inference_pending_request_count',
      writablePaths: ['/tmp'],
      env: {},
      configFiles: [],
      parallelism: 1,
      llm: false,
      defaultStartupTimeout: Duration.minutes(5),
      defaultMaxRequestDuration: Duration.minutes(1),
      model: options.modelRepository ?? '/models',
      metrics: {
        requestRate: (sel, w) => `${byService} (rate(nv_inference_request_success{${sel}}[${w}])) + ${byService} (rate(nv_inference_request_failure{${sel}}[${w}]))`,
        errorRate: (sel, w) => `${byService} (rate(nv_inference_request_failure{${sel}}[${w}]))`,
        running: 'nv_inference_pending_request_count',
      },
    });
  }

  /**
   * TensorFlow Serving: gRPC 8500, REST 8501. It has no health route, so readiness asks
   * `GET /v1/models/<name>` (an error until a version is loaded) and liveness checks the port.
   * Metrics are switched on with a monitoring config file at `/monitoring/prometheus/metrics`.
   * The binary is run directly (not through the image's shell entrypoint) so SIGTERM reaches it.
   *
   * Default image: `tensorflow/serving:2.18.0`.
   * @see https://www.tensorflow.org/tfx/serving/serving_config#monitoring_configuration
   */
  public static tfServing(options: TfServingOptions): ModelServer {
    const basePath = (ctx: ServerRenderContext) => ctx.modelPath ? ctx.modelPath.slice(0, ctx.modelPath.lastIndexOf('/'))
      : options.modelBasePath ?? `/models/${options.modelName}`;
    const monitoringConfig = '/etc/tfserving/monitoring.config';
    return new ModelServer({
      kind: 'tf-serving',
      modelVersion: {
        pattern: /^[1-9][0-9]*$/,
        allowed: 'a positive whole number: TensorFlow Serving loads numbered version folders',
        fix: "store the SavedModel under a numbered folder (e.g. .../resnet50/3/) and pass version '3'",
      },
      image: options.image ?? 'tensorflow/serving:2.18.0',
      httpPort: 8501,
      grpcPort: 8500,
      metricsPort: 8501,
      metricsPath: '/monitoring/prometheus/metrics',
      liveness: { port: 8501 },
      readiness: { port: 8501, path: `/v1/models/${options.modelName}` },
      command: ['tensorflow_model_server'],
      args: (ctx) => [
        '--port=8500',
        '--rest_api_port=8501',
        `--model_name=${options.modelName}`,
        `--model_base_path=${basePath(ctx)}`,
        `--monitoring_config_file=${monitoringConfig}`,
        ...(options.extraArgs ?? []),
      ],
      writablePaths: ['/tmp'],
      env: {},
      configFiles: [{
        path: monitoringConfig,
        content: 'prometheus_config {\n  enable: true,\n  path: "/monitoring/prometheus/metrics"\n}\n',
      }],
      parallelism: 1,
      llm: false,
      defaultStartupTimeout: Duration.minutes(3),
      defaultMaxRequestDuration: Duration.seconds(30),
      model: options.modelName,
    });
  }

  /**
   * TorchServe (no longer maintained upstream): inference 8080, metrics 8082 (Prometheus mode),
   * `GET /ping`. The management API (8081) is not exposed by the Service. Token auth is
   * disabled: put authentication in the gateway in front of it.
   *
   * Default image: `pytorch/torchserve:0.12.0-cpu`.
   * @see https://pytorch.org/serve/metrics.html
   */
  public static torchServe(options: TorchServeOptions = {}): ModelServer {
    const store = (ctx: ServerRenderContext) => ctx.modelPath ?? options.modelStore ?? '/home/model-server/model-store';
    return new ModelServer({
      kind: 'torchserve',
      image: options.image ?? 'pytorch/torchserve:0.12.0-cpu',
      httpPort: 8080,
      metricsPort: 8082,
      metricsPath: '/metrics',
      // /ping reports the workers' health (readiness); liveness only needs the frontend to accept connections.
      liveness: { port: 8080 },
      readiness: { port: 8080, path: '/ping' },
      command: ['torchserve'],
      args: (ctx) => [
        '--start',
        '--foreground',
        `--model-store=${store(ctx)}`,
        `--models=${(options.models ?? ['all']).join(' ')}`,
        '--ts-config=/home/model-server/config.properties',
        '--disable-token-auth',
        ...(options.extraArgs ?? []),
      ],
      writablePaths: ['/tmp', '/home/model-server/logs', '/home/model-server/tmp'],
      env: { TS_METRICS_MODE: 'prometheus', LOG_LOCATION: '/home/model-server/logs', METRICS_LOCATION: '/home/model-server/logs' },
      configFiles: [],
      parallelism: 1,
      llm: false,
      defaultStartupTimeout: Duration.minutes(5),
      defaultMaxRequestDuration: Duration.minutes(1),
      model: (options.models ?? ['all']).join(','),
    });
  }

  /**
   * SGLang: port 30000 with `/health` (503 while loading) and `/metrics` (`--enable-metrics`).
   * It drains without a timeout of its own, so the grace period bounds the drain; scales on
   * `sglang:num_queue_reqs`.
   *
   * Default image: `lmsysorg/sglang:v0.5.18`.
   * @see https://docs.sglang.ai/references/production_metrics.html
   */
  public static sglang(options: SglangOptions): ModelServer {
    const tp = options.tensorParallelSize ?? 1;
    return new ModelServer({
      kind: 'sglang',
      image: options.image ?? 'lmsysorg/sglang:v0.5.18',
      httpPort: 30000,
      metricsPort: 30000,
      metricsPath: '/metrics',
      liveness: { port: 30000, path: '/get_model_info' },
      readiness: { port: 30000, path: '/health' },
      command: ['python3', '-m', 'sglang.launch_server'],
      args: (ctx) => [
        `--model-path=${ctx.modelPath ?? options.model}`,
        '--host=0.0.0.0',
        '--port=30000',
        ...(tp > 1 ? [`--tp=${tp}`] : []),
        '--enable-metrics',
        ...(options.extraArgs ?? []),
      ],
      queueDepthMetric: 'sglang:num_queue_reqs',
      writablePaths: [CACHE_PATH, '/tmp'],
      env: { ...LLM_ENV },
      parallelism: tp,
      parallelismProp: `tensorParallelSize (${tp})`,
      ...LLM_DEFAULTS,
      model: options.model,
      needsModel: options.model === undefined,
      metrics: {
        ttftHistogram: 'sglang:time_to_first_token_seconds',
        kvCacheUsage: 'sglang:token_usage',
        running: 'sglang:num_running_reqs',
      },
    });
  }

  /**
   * Any other server: you give the image, ports, health paths, metrics and drain flag.
   */
  public static custom(options: CustomServerOptions): ModelServer {
    const liveness: HealthCheck = { port: options.httpPort, path: options.livenessPath };
    return new ModelServer({
      kind: 'custom',
      image: options.image,
      httpPort: options.httpPort,
      grpcPort: options.grpcPort,
      metricsPort: options.exposesMetrics === false ? undefined : options.metricsPort ?? options.httpPort,
      metricsPath: options.exposesMetrics === false ? undefined : options.metricsPath ?? '/metrics',
      liveness,
      readiness: { port: options.httpPort, path: options.readinessPath ?? options.livenessPath },
      command: options.command,
      args: (ctx) => [
        ...(options.args ?? []),
        ...(options.drainFlag ? [`${options.drainFlag}=${ctx.drainSeconds}`] : []),
      ],
      drainFlag: options.drainFlag,
      queueDepthMetric: options.queueDepthMetric,
      writablePaths: options.writablePaths ?? ['/tmp'],
      env: { ...options.env },
      configFiles: [],
      parallelism: 1,
      llm: false,
      defaultStartupTimeout: options.defaultStartupTimeout ?? Duration.minutes(5),
      defaultMaxRequestDuration: Duration.minutes(1),
      model: options.image,
    });
  }

  /** Preset name: `vllm`, `tgi`, `triton`, `tf-serving`, `torchserve`, `sglang` or `custom`. */
  public readonly kind: string;
  /** Container image. */
  public readonly image: string;
  /** Port serving HTTP inference requests. */
  public readonly httpPort: number;
  /** Port serving gRPC inference requests, if any. */
  public readonly grpcPort?: number;
  /** Port serving Prometheus metrics, if the server exposes any. */
  public readonly metricsPort?: number;
  /** Path of the Prometheus metrics endpoint, if any. */
  public readonly metricsPath?: string;
  /** Liveness check: the process answers. */
  public readonly liveness: HealthCheck;
  /** Readiness check: the model is loaded and requests can be served. */
  public readonly readiness: HealthCheck;
  /** Container command, if the preset overrides the image's entrypoint. */
  public readonly command?: string[];
  /** Flag the server drains in-flight requests with, if it has one. */
  public readonly drainFlag?: string;
  /** Prometheus gauge of queued requests, if the server has one. */
  public readonly queueDepthMetric?: string;
  /** Folders the server writes to (each gets an emptyDir). */
  public readonly writablePaths: string[];
  /** Environment the preset sets. */
  public readonly env: { [name: string]: string };
  /** Files the preset mounts from a ConfigMap. */
  public readonly configFiles: ServerConfigFile[];
  /** GPUs one replica needs for the parallelism configured (tensor × pipeline parallel). */
  public readonly parallelism: number;
  /** Whether this is an LLM server (larger load-time, drain and shared-memory defaults). */
  public readonly isLlm: boolean;
  /** Load time budgeted when the service sets no `startupTimeout`. */
  public readonly defaultStartupTimeout: Duration;
  /** Longest request budgeted when the service sets no `maxRequestDuration`. */
  public readonly defaultMaxRequestDuration: Duration;
  /** The model the server serves (id, path or name), when given to the preset. */
  public readonly model?: string;
  /** Whether the preset was given no model, so the service must bring a ModelVolume. */
  public readonly needsModelVolume: boolean;

  /** The Prometheus series behind the SLIs, alerts and dashboard. @internal */
  public readonly _metrics: ServerMetrics;
  /** @internal */
  public readonly _parallelismProp?: string;
  private readonly renderArgs: (ctx: ServerRenderContext) => string[];
  private readonly modelVersion?: ModelVersionRule;

  private constructor(spec: ServerSpec) {
    this.kind = spec.kind;
    this.image = spec.image;
    this.httpPort = spec.httpPort;
    this.grpcPort = spec.grpcPort;
    this.metricsPort = spec.metricsPort;
    this.metricsPath = spec.metricsPath;
    this.liveness = spec.liveness;
    this.readiness = spec.readiness;
    this.command = spec.command;
    this.drainFlag = spec.drainFlag;
    this.queueDepthMetric = spec.queueDepthMetric;
    this.writablePaths = spec.writablePaths;
    this.env = spec.env;
    this.configFiles = spec.configFiles;
    this.parallelism = spec.parallelism;
    this._parallelismProp = spec.parallelismProp;
    this.isLlm = spec.llm;
    this.defaultStartupTimeout = spec.defaultStartupTimeout;
    this.defaultMaxRequestDuration = spec.defaultMaxRequestDuration;
    this.model = spec.model;
    this.needsModelVolume = spec.needsModel ?? false;
    this._metrics = spec.metrics ?? {};
    this.renderArgs = spec.args;
    this.modelVersion = spec.modelVersion;
  }

  /**
   * Why the server cannot load a model stored under `version`, or nothing when it can.
   * @internal
   */
  public _refuseModelVersion(version: string): { allowed: string; fix: string } | undefined {
    return this.modelVersion && !this.modelVersion.pattern.test(version) ? this.modelVersion : undefined;
  }

  /**
   * The container arguments for a pod that drains for `drainSeconds`.
   * @internal
   */
  public _args(ctx: ServerRenderContext): string[] {
    return this.renderArgs(ctx);
  }
}
