import { Yaml } from 'cdk8s';

/** How much each signal counts when the endpoint picker scores a pod for a request (see `PoolScoring`). */
export interface ScoringWeights {
  readonly queue: number;
  readonly kvCache: number;
  readonly prefixCache: number;
  readonly loraAffinity: number;
}

/** The engine metrics the picker reads: vLLM's or SGLang's names. */
export type PickerEngine = 'vllm' | 'sglang';

/**
 * The endpoint picker's configuration file (`EndpointPickerConfig`): the scorers of the default
 * scheduling profile with their weights (a weight of 0 leaves the scorer out), the data source
 * that scrapes each pod's `/metrics` over plain HTTP, and the extractor of the engine's metrics.
 * The profile handler and the max-score picker are the picker's defaults.
 * @see https://github.com/llm-d/llm-d-router/blob/main/config/charts/routerlib/templates/_config.yaml
 */
export function pickerConfig(weights: ScoringWeights, engine: PickerEngine): string {
  const scorers: [string, number][] = [
    ['queue-scorer', weights.queue],
    ['kv-cache-utilization-scorer', weights.kvCache],
    ['prefix-cache-scorer', weights.prefixCache],
    ['lora-affinity-scorer', weights.loraAffinity],
  ];
  const used = scorers.filter(([, weight]) => weight > 0);
  return Yaml.stringify({
    apiVersion: 'llm-d.ai/v1alpha1',
    kind: 'EndpointPickerConfig',
    plugins: [
      ...used.map(([type]) => ({ type })),
      { type: 'metrics-data-source', parameters: { scheme: 'http', path: '/metrics' } },
      { type: 'core-metrics-extractor', parameters: { defaultEngine: engine } },
    ],
    schedulingProfiles: [{
      name: 'default',
      plugins: used.map(([type, weight]) => ({ pluginRef: type, weight })),
    }],
  });
}
