import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import {
  CustomServerOptions, HealthCheck, LoraAdapter, ServerConfigFile, SglangOptions, TfServingOptions, TgiOptions, TorchServeOptions,
  TritonOptions, VllmOptions,
} from './model-server-options';
import { checkServer } from './private/servers/checks';
import { customSpec } from './private/servers/custom';
import { sglangSpec } from './private/servers/sglang';
import { MultiNodeLaunch, ServerMetrics, ServerRenderContext, ServerSpec } from './private/servers/spec';
import { tfServingSpec } from './private/servers/tf-serving';
import { tgiSpec } from './private/servers/tgi';
import { torchServeSpec } from './private/servers/torchserve';
import { tritonSpec } from './private/servers/triton';
import { vllmSpec } from './private/servers/vllm';

export {
  CACHE_PATH, CustomServerOptions, HealthCheck, ModelServerBaseOptions, ServerConfigFile, SglangOptions, TfServingOptions,
  TgiOptions, TorchServeOptions, TritonOptions, VllmOptions,
} from './model-server-options';

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
    return new ModelServer(vllmSpec(options ?? {}));
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
    return new ModelServer(tgiSpec(options ?? {}));
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
    return new ModelServer(tritonSpec(options ?? {}));
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
    return new ModelServer(tfServingSpec(options ?? {}));
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
    return new ModelServer(torchServeSpec(options ?? {}));
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
    return new ModelServer(sglangSpec(options ?? {}));
  }

  /**
   * Any other server: you give the image, ports, health paths, metrics and drain flag.
   */
  public static custom(options: CustomServerOptions): ModelServer {
    return new ModelServer(customSpec(options ?? {}));
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
  /** The props that set `parallelism`, with their values, for error messages. @internal */
  public readonly _parallelismProp?: string;
  /** The options that set `parallelism`, as given, for the service to check. @internal */
  public readonly _parallelismOptions: { readonly [prop: string]: number | undefined };
  /** The engine an InferencePool's endpoint picker reads from this server (vLLM or SGLang), if any. @internal */
  public readonly _pickerEngine?: 'vllm' | 'sglang';
  /** The LoRA adapters the server serves beside its base model. */
  public readonly adapters: LoraAdapter[];
  /** The base model as the preset was given it, if it was. @internal */
  public readonly _baseModel?: string;
  /** Whether a replica's GPUs must equal `parallelism`. @internal */
  public readonly _gpusMatchParallelism: boolean;
  /** The arguments leader and workers add when a replica spans nodes, if the server can. @internal */
  public readonly _multiNode?: MultiNodeLaunch;
  private readonly spec: ServerSpec;

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
    this._parallelismOptions = spec.parallelismOptions ?? {};
    this._gpusMatchParallelism = spec.gpusMatchParallelism ?? Object.keys(this._parallelismOptions).length > 0;
    this.isLlm = spec.llm;
    this.defaultStartupTimeout = spec.defaultStartupTimeout;
    this.defaultMaxRequestDuration = spec.defaultMaxRequestDuration;
    this.model = spec.model;
    this.needsModelVolume = spec.needsModel ?? false;
    this._metrics = spec.metrics ?? {};
    this._pickerEngine = spec.pickerEngine;
    this.adapters = spec.adapters ?? [];
    this._baseModel = spec.baseModel;
    this._multiNode = spec.multiNode;
    this.spec = spec;
  }

  /**
   * Checks the options the preset was given (their types, the ports, the parallelism) where `scope`,
   * a construct of kind `kind`, binds the server: JavaScript and Python callers are not held to the types.
   * @internal
   */
  public _check(scope: IConstruct, kind: string): void {
    checkServer(scope, kind, this.spec);
  }

  /**
   * Why the server cannot load a model stored under `version`, or nothing when it can.
   * @internal
   */
  public _refuseModelVersion(version: string): { allowed: string; fix: string } | undefined {
    const rule = this.spec.modelVersion;
    return rule && !rule.pattern.test(version) ? { allowed: rule.allowed, fix: rule.fix } : undefined;
  }

  /**
   * The container arguments for a pod that drains for `drainSeconds`.
   * @internal
   */
  public _args(ctx: ServerRenderContext): string[] {
    return this.spec.args(ctx);
  }
}
