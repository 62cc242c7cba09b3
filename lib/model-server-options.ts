import { Duration } from 'cdk8s';
import type { ModelVolume } from './model-volume';

// The public options of the ModelServer presets. This module imports only the ModelVolume type from
// lib/ (which imports no server), so the preset modules under lib/private/servers/ can use these types
// without an import cycle.

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

/**
 * A LoRA adapter served beside the base model: clients name it in the OpenAI `model` field, and an
 * InferencePool's picker routes each request to a pod that has it loaded.
 * @see https://docs.vllm.ai/en/latest/features/lora.html
 */
export interface LoraAdapter {
  /**
   * The name clients request it by, e.g. `chat-sql`: the `model` field on vLLM; on SGLang, whose
   * OpenAI API takes `<model>:<adapter>`, the part after the colon.
   */
  readonly name: string;
  /**
   * Its weights, from a pinned source (a Hugging Face commit, an S3 version folder): mounted
   * read-only beside the base model at the volume's path.
   */
  readonly volume: ModelVolume;
  /**
   * The Hugging Face id of the base model it was trained on; it must be the server's model. An
   * adapter of another base model loads but answers garbage.
   */
  readonly baseModel: string;
  /** Its LoRA rank (`r` in its adapter_config.json), from 1 to 512. */
  readonly rank: number;
}

/** The LoRA settings of a server preset that serves adapters (vLLM, SGLang). */
export interface LoraServingOptions {
  /**
   * LoRA adapters served beside the base model. The flags are derived: vLLM gets `--enable-lora`,
   * `--lora-modules`, `--max-loras`, `--max-cpu-loras` and `--max-lora-rank` (the smallest rank
   * vLLM accepts that fits every adapter); SGLang gets `--enable-lora`, `--lora-paths`,
   * `--max-loras-per-batch` and `--max-lora-rank`.
   * @default - none
   */
  readonly adapters?: LoraAdapter[];
  /**
   * Adapters one batch may use at once (`--max-loras` / `--max-loras-per-batch`), from 1 to the
   * number of adapters; each takes GPU memory.
   * @default - every adapter
   */
  readonly maxLoras?: number;
}

/** Options for `ModelServer.vllm`. */
export interface VllmOptions extends ModelServerBaseOptions, LoraServingOptions {
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
   * GPUs one model is split across within a node (`--tensor-parallel-size`): a whole number, 1 or more.
   * The service's GPU count must equal tensor × pipeline parallel.
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

/** Options for `ModelServer.tgi`. */
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

/** Options for `ModelServer.triton`. */
export interface TritonOptions extends ModelServerBaseOptions {
  /**
   * Model repository (`--model-repository`): a path in the container, or `s3://`, `gs://` or `as://`.
   * A bucket repository needs credentials in the container's environment: for `s3://`,
   * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_DEFAULT_REGION` (or the pod's workload
   * identity); for `gs://`, `GOOGLE_APPLICATION_CREDENTIALS`; for `as://`, `AZURE_STORAGE_ACCOUNT`
   * and `AZURE_STORAGE_KEY`. Give them through the InferenceService's `env` from a Secret
   * (`EnvValue.fromSecretValue`), never as literals; a ModelVolume avoids them in the server.
   * @see https://github.com/triton-inference-server/server/blob/main/docs/user_guide/model_repository.md#cloud-storage-with-environment-variables
   * @see https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/user_guide/model_repository.html
   * @default - the InferenceService's modelVolume, else '/models'
   */
  readonly modelRepository?: string;
}

/** Options for `ModelServer.tfServing`. */
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

/** Options for `ModelServer.torchServe`. */
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

/** Options for `ModelServer.sglang`. */
export interface SglangOptions extends ModelServerBaseOptions, LoraServingOptions {
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

/** Options for `ModelServer.custom`. */
export interface CustomServerOptions {
  /** Container image, pinned by a version tag or digest. */
  readonly image: string;

  /** Port serving HTTP inference requests (1–65535). */
  readonly httpPort: number;

  /**
   * Port serving gRPC inference requests (1–65535), other than the HTTP and metrics ports.
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
   * Model load time to budget for when the service sets no `startupTimeout` (whole seconds).
   * @default Duration.minutes(5)
   */
  readonly defaultStartupTimeout?: Duration;
}

/** Where LLM presets keep Hugging Face downloads and compile caches (an emptyDir unless a ModelVolume is used). */
export const CACHE_PATH = '/cache';
