import type { SglangOptions } from '../../model-server-options';
import { baseChecks, option } from './checks';
import { llmCache, llmDefaults } from './llm';
import { adaptersOf, hubModel, loraChecks, sglangLoraArgs } from './lora';
import { ServerMetrics, ServerSpec, flagAboveOne, flagsIn, noDataParallelIn, onePort } from './spec';

const PORT = 30000;

/** SGLang's series (with `--enable-metrics`): no request or error counters. */
export const SGLANG_METRICS: ServerMetrics = {
  ttftHistogram: 'sglang:time_to_first_token_seconds',
  kvCacheUsage: 'sglang:token_usage',
  running: 'sglang:num_running_reqs',
};

/** SGLang's flags that set a data-parallel size. */
const DATA_PARALLEL_FLAGS = ['--dp-size', '--dp'];

/** The members of a multi-node group find rank 0 here (SGLang's documented port for it). */
const SGLANG_GROUP = ['--nnodes=$(LWS_GROUP_SIZE)', '--dist-init-addr=$(LWS_LEADER_ADDRESS):20000'];

/** SGLang (see `ModelServer.sglang`). It drains without a timeout of its own: no drain flag. */
export function sglangSpec(options: SglangOptions): ServerSpec {
  const tp = options.tensorParallelSize ?? 1;
  return {
    kind: 'sglang',
    image: options.image ?? 'lmsysorg/sglang:v0.5.18',
    // /health (readiness) answers 503 while the model loads.
    ...onePort(PORT, '/get_model_info', '/health'),
    command: ['python3', '-m', 'sglang.launch_server'],
    args: (ctx) => [
      `--model-path=${ctx.modelPath ?? options.model}`,
      '--host=0.0.0.0',
      `--port=${PORT}`,
      ...flagAboveOne('--tp', tp),
      '--enable-metrics',
      ...sglangLoraArgs(options),
      ...(options.extraArgs ?? []),
    ],
    queueDepthMetric: 'sglang:num_queue_reqs',
    ...llmCache(),
    parallelism: tp,
    parallelismProp: `tensorParallelSize (${tp})`,
    parallelismOptions: { tensorParallelSize: options.tensorParallelSize },
    gpusMatchParallelism: noDataParallelIn(options.extraArgs, DATA_PARALLEL_FLAGS),
    ...llmDefaults(options.model),
    model: options.model,
    metrics: SGLANG_METRICS,
    pickerEngine: 'sglang',
    // Every member runs the same launcher with its rank; rank 0 serves the API.
    multiNode: {
      leader: [...SGLANG_GROUP, '--node-rank=0'],
      worker: [...SGLANG_GROUP, '--node-rank=$(LWS_WORKER_INDEX)'],
      conflicts: flagsIn(options.extraArgs, [...DATA_PARALLEL_FLAGS, '--nnodes', '--node-rank', '--dist-init-addr', '--nccl-init-addr']),
    },
    adapters: adaptersOf(options),
    baseModel: options.model,
    checks: [...baseChecks(options), option.string('model', options.model, 'Qwen/Qwen2.5-7B-Instruct'), ...loraChecks(options, hubModel(options.model), options.model)],
  };
}
