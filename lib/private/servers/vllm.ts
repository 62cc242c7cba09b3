import type { VllmOptions } from '../../model-server-options';
import { baseChecks, option } from './checks';
import { llmCache, llmDefaults } from './llm';
import { adaptersOf, hubModel, loraChecks, vllmLoraArgs } from './lora';
import { ServerMetrics, ServerSpec, flagAboveOne, flagsIn, noDataParallelIn, onePort, rateByService } from './spec';

/** vLLM's flags that set a data-parallel size. */
const DATA_PARALLEL_FLAGS = ['--data-parallel-size', '-dp'];

/** vLLM's API listens here, and serves `/health`, `/version` and `/metrics` too. */
const PORT = 8000;

/** vLLM's series. The OpenAI API is instrumented by prometheus-fastapi-instrumentator (status grouped as 5xx). */
export const VLLM_METRICS: ServerMetrics = {
  requestRate: rateByService('http_requests_total', 'handler=~"/v1/.+",'),
  errorRate: rateByService('http_requests_total', 'handler=~"/v1/.+",status="5xx",'),
  latencyHistogram: 'vllm:e2e_request_latency_seconds',
  latencyBuckets: [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680],
  ttftHistogram: 'vllm:time_to_first_token_seconds',
  kvCacheUsage: 'vllm:kv_cache_usage_perc',
  running: 'vllm:num_requests_running',
  loraInfo: 'vllm:lora_requests_info',
};

/** vLLM's OpenAI-compatible server (see `ModelServer.vllm`). */
export function vllmSpec(options: VllmOptions): ServerSpec {
  const tp = options.tensorParallelSize ?? 1;
  const pp = options.pipelineParallelSize ?? 1;
  return {
    kind: 'vllm',
    image: options.image ?? 'vllm/vllm-openai:v0.18.0',
    // Liveness asks whether the API process answers (/version); readiness whether the engine is healthy
    // (/health). vLLM exits on engine death, so a dead engine restarts the container either way.
    ...onePort(PORT, '/version', '/health'),
    args: (ctx) => {
      const served = options.servedModelName ?? ctx.modelName;
      return [
        // The factory refuses a vLLM server with neither a model nor a ModelVolume, so one of them is set.
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion
        ctx.modelPath ?? options.model!,
        '--host=0.0.0.0',
        `--port=${PORT}`,
        ...(served ? [`--served-model-name=${served}`] : []),
        ...flagAboveOne('--tensor-parallel-size', tp),
        ...flagAboveOne('--pipeline-parallel-size', pp),
        `--shutdown-timeout=${ctx.drainSeconds}`,
        ...vllmLoraArgs(options),
        ...(options.extraArgs ?? []),
      ];
    },
    drainFlag: '--shutdown-timeout',
    queueDepthMetric: 'vllm:num_requests_waiting',
    ...llmCache(),
    parallelism: tp * pp,
    parallelismProp: `tensorParallelSize (${tp}) × pipelineParallelSize (${pp})`,
    parallelismOptions: { tensorParallelSize: options.tensorParallelSize, pipelineParallelSize: options.pipelineParallelSize },
    gpusMatchParallelism: noDataParallelIn(options.extraArgs, DATA_PARALLEL_FLAGS),
    ...llmDefaults(options.model),
    model: options.servedModelName ?? options.model,
    metrics: VLLM_METRICS,
    pickerEngine: 'vllm',
    // Native multi-node (no Ray): rank 0 serves the API, the other ranks run headless engines.
    multiNode: {
      leader: ['--nnodes=$(LWS_GROUP_SIZE)', '--node-rank=0', '--master-addr=$(LWS_LEADER_ADDRESS)'],
      worker: ['--nnodes=$(LWS_GROUP_SIZE)', '--node-rank=$(LWS_WORKER_INDEX)', '--master-addr=$(LWS_LEADER_ADDRESS)', '--headless'],
      // With data parallelism the nodes would be DP ranks (another launch); Ray refuses --nnodes.
      conflicts: flagsIn(options.extraArgs, [...DATA_PARALLEL_FLAGS, '--distributed-executor-backend', '--nnodes', '--node-rank', '--master-addr', '--headless']),
    },
    adapters: adaptersOf(options),
    baseModel: options.model,
    checks: [
      ...baseChecks(options),
      option.string('model', options.model, 'Qwen/Qwen2.5-7B-Instruct'),
      option.string('servedModelName', options.servedModelName, 'chat'),
      ...loraChecks(options, hubModel(options.model), options.servedModelName ?? options.model),
    ],
  };
}
