import { Duration } from 'cdk8s';
import type { HealthCheck, LoraAdapter, ServerConfigFile } from '../../model-server-options';
import type { ValueSite } from '../values';

/**
 * Settings of the pod that a server needs to render its command line.
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
 * A rule on the versions of a ModelVolume a server can load (TensorFlow Serving loads numbered folders).
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
  /**
   * Info gauge of the LoRA adapters each replica runs and has requests waiting for, as comma-joined
   * label values `running_lora_adapters` and `waiting_lora_adapters` (vLLM).
   */
  readonly loraInfo?: string;
}

/** PromQL matchers for series whose label `label` (a comma-joined list) contains `name`. */
export function listLabelContains(label: string, name: string): string {
  return `${label}=~"(.*,)?${name.replace(/[.]/g, '\\\\.')}(,.*)?"`;
}

/** One option a preset was given, and the check it must pass where a construct binds the server (see `checks.ts`). */
export interface OptionCheck {
  /** The option's name, e.g. `extraArgs`. */
  readonly prop: string;
  readonly check: (site: ValueSite) => void;
}

/**
 * Everything the library knows about one model server: what a preset module returns and a
 * `ModelServer` exposes.
 */
export interface ServerSpec {
  /** Preset name, the value of the server label. */
  readonly kind: string;
  readonly image: string;
  readonly httpPort: number;
  readonly grpcPort?: number;
  readonly metricsPort?: number;
  readonly metricsPath?: string;
  readonly liveness: HealthCheck;
  readonly readiness: HealthCheck;
  readonly command?: string[];
  /** The container arguments for a pod. */
  readonly args: (ctx: ServerRenderContext) => string[];
  readonly drainFlag?: string;
  readonly queueDepthMetric?: string;
  readonly writablePaths: string[];
  readonly env: { [name: string]: string };
  readonly configFiles: ServerConfigFile[];
  /** GPUs one replica needs. */
  readonly parallelism: number;
  /** The props that set `parallelism`, with their values, for error messages. */
  readonly parallelismProp?: string;
  /**
   * The options that set `parallelism`, as given (undefined when left out), for the service to check:
   * an LLM server's GPU count must equal their product.
   */
  readonly parallelismOptions?: { readonly [prop: string]: number | undefined };
  /** Whether the GPUs of a replica must equal `parallelism` (a server that shards over every GPU it sees does not need it). */
  readonly gpusMatchParallelism?: boolean;
  readonly llm: boolean;
  readonly defaultStartupTimeout: Duration;
  readonly defaultMaxRequestDuration: Duration;
  readonly model?: string;
  /** Whether the preset was given no model, so the service must bring a ModelVolume. */
  readonly needsModel?: boolean;
  readonly metrics?: ServerMetrics;
  /** What a ModelVolume's version must look like for this server to load it, if it cares. */
  readonly modelVersion?: ModelVersionRule;
  /** The LoRA adapters served beside the base model. */
  readonly adapters?: LoraAdapter[];
  /** The base model as the preset was given it (a Hugging Face id or a path), if it was. */
  readonly baseModel?: string;
  /** The engine whose metrics an InferencePool's endpoint picker reads from this server, if it reads any. */
  readonly pickerEngine?: 'vllm' | 'sglang';
  /** The options the preset was given, each with its check, run where a construct binds the server. */
  readonly checks?: OptionCheck[];
  /** How the server spans nodes as one LeaderWorkerSet group, when it can. */
  readonly multiNode?: MultiNodeLaunch;
}

/**
 * How a server spans several nodes as one LeaderWorkerSet group: the arguments each member adds to
 * the server's own. `$(LWS_…)` are the variables the LWS controller gives every member, which the
 * kubelet expands in arguments.
 * @see https://lws.sigs.k8s.io/docs/reference/labels-annotations-and-environment-variables/
 */
export interface MultiNodeLaunch {
  /** Added by the leader (rank 0), which serves the API. */
  readonly leader: string[];
  /** Added by each worker (ranks 1 to size - 1), which serves no API. */
  readonly worker: string[];
  /**
   * The server's own `extraArgs` that break this launch (data parallelism, another executor, the
   * launch's own flags): a group is refused while any is set.
   */
  readonly conflicts: string[];
}

/** The aggregation every request-rate query uses: one series per namespace and service. */
export const BY_SERVICE = 'sum by (namespace, service)';

/** `sum by (namespace, service) (rate(<counter>{<matchers>,<selector>}[<window>]))`. */
export function rateByService(counter: string, matchers = ''): (selector: string, window: string) => string {
  return (sel, w) => `${BY_SERVICE} (rate(${counter}{${matchers}${sel}}[${w}]))`;
}

/** `[<flag>=<n>]` when `n` is above 1, else nothing: parallelism flags are left out at their default. */
export function flagAboveOne(flag: string, n: number): string[] {
  return n > 1 ? [`${flag}=${n}`] : [];
}

/** Ports and health checks of a server whose one port serves the API, its health routes and `/metrics`. */
export function onePort(port: number, livenessPath: string, readinessPath: string) {
  return {
    httpPort: port,
    metricsPort: port,
    metricsPath: '/metrics',
    liveness: { port, path: livenessPath },
    readiness: { port, path: readinessPath },
  };
}

/**
 * What the presets that are not LLM servers share: one GPU set, no environment or config files,
 * five minutes to load, one-minute requests. A fresh object each call, so no two servers share arrays.
 */
export function predictorDefaults() {
  return {
    writablePaths: ['/tmp'],
    env: {},
    configFiles: [],
    parallelism: 1,
    llm: false,
    defaultStartupTimeout: Duration.minutes(5),
    defaultMaxRequestDuration: Duration.minutes(1),
  };
}

/** The flags of `flags` that `extraArgs` sets, as `--flag`, `--flag=value` or `--flag value`. */
export function flagsIn(extraArgs: string[] | undefined, flags: string[]): string[] {
  // extraArgs is checked to be a list only when a service binds the server; until then it may be anything.
  const args = Array.isArray(extraArgs) ? extraArgs : [];
  return flags.filter((f) => args.some((a) => a === f || (typeof a === 'string' && a.startsWith(`${f}=`))));
}

/**
 * Whether the GPU count must equal the parallelism: not when `extraArgs` set a data-parallel size the
 * library does not read (then several engine copies share the replica's GPUs).
 */
export function noDataParallelIn(extraArgs: string[] | undefined, dataParallelFlags: string[]): boolean {
  return flagsIn(extraArgs, dataParallelFlags).length === 0;
}
