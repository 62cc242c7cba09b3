import type { TgiOptions } from '../../model-server-options';
import { baseChecks, option } from './checks';
import { llmDefaults } from './llm';
import { ServerMetrics, ServerSpec, flagAboveOne, onePort, rateByService } from './spec';

/** TGI's port: the image's default 80 needs a capability the restricted profile drops. */
const PORT = 8080;

/** TGI's series: request and failure counters, the current batch size. */
export const TGI_METRICS: ServerMetrics = {
  requestRate: rateByService('tgi_request_count'),
  errorRate: rateByService('tgi_request_failure'),
  running: 'tgi_batch_current_size',
};

/** Hugging Face Text Generation Inference (see `ModelServer.tgi`). */
export function tgiSpec(options: TgiOptions): ServerSpec {
  const shards = options.numShard ?? 1;
  return {
    kind: 'tgi',
    image: options.image ?? 'ghcr.io/huggingface/text-generation-inference:3.3.5',
    // /health may run a generation; liveness must stay cheap under load, so it asks /info.
    ...onePort(PORT, '/info', '/health'),
    args: (ctx) => [
      `--model-id=${ctx.modelPath ?? options.model}`,
      '--hostname=0.0.0.0',
      `--port=${PORT}`,
      ...flagAboveOne('--num-shard', shards),
      `--graceful-termination-timeout=${ctx.drainSeconds}`,
      '--json-output',
      ...(options.extraArgs ?? []),
    ],
    drainFlag: '--graceful-termination-timeout',
    queueDepthMetric: 'tgi_queue_size',
    // TGI keeps its Hugging Face cache in /data.
    writablePaths: ['/data', '/tmp'],
    env: { HOME: '/data', HF_HOME: '/data', USER: 'inference' },
    parallelism: shards,
    parallelismProp: `numShard (${shards})`,
    parallelismOptions: { numShard: options.numShard },
    // Without numShard, TGI shards the model over every GPU it sees: any count works.
    gpusMatchParallelism: options.numShard !== undefined,
    ...llmDefaults(options.model),
    model: options.model,
    metrics: TGI_METRICS,

    checks: [...baseChecks(options), option.string('model', options.model, 'Qwen/Qwen2.5-7B-Instruct')],
  };
}
