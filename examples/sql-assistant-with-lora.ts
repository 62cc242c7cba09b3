// An SQL assistant: Qwen 2.5 7B on vLLM with two versions of an SQL LoRA adapter (pinned Hub
// commits) on every replica, behind an InferencePool whose endpoint picker places each request on
// the replica with the shortest queue, the most free KV cache, the prompt's prefix cached and the
// adapter loaded. Clients ask for `sql`: 90% of those requests go to sql-v1, 10% to the canary
// sql-v2. Interactive requests outrank batch requests (sent to a batch host) when the pool is
// saturated. A second model, Llama 3.2 3B for summaries, has its own pool on the same host: Envoy AI
// Gateway routes each request by the model its body names. Needs the InferencePool CRD, llm-d's
// router CRDs and Envoy AI Gateway (README).
import { App, Chart, Size } from 'cdk8s';
import {
  Gpu, InferenceGateway, InferencePool, InferenceService, LoraAdapter, ModelServer, ModelSource, ModelVolume, NamespaceBaseline,
  ObservabilityBundle, Scaling,
} from '../lib';

const app = new App();
const chart = new Chart(app, 'sql-assistant', { namespace: 'sql-assistant' });
new NamespaceBaseline(chart, 'baseline', { gpuQuota: { 'nvidia.com/gpu': 8 } });

const BASE = 'Qwen/Qwen2.5-7B-Instruct';
const weights = new ModelVolume(chart, 'qwen', {
  source: ModelSource.huggingFace(BASE, { revision: 'a09a35458c702b33eeacc393d103063234e8bc28' }),
  size: Size.gibibytes(16),
});
const sqlAdapter = (name: string, revision: string): LoraAdapter => ({
  name, baseModel: BASE, rank: 32,
  volume: new ModelVolume(chart, name, { source: ModelSource.huggingFace('acme/qwen2.5-7b-sql-lora', { revision }), size: Size.mebibytes(512) }),
});
const sql = new InferenceService(chart, 'sql', {
  server: ModelServer.vllm({
    servedModelName: 'qwen2.5-7b-instruct',
    adapters: [sqlAdapter('sql-v1', '1111111111111111111111111111111111111111'), sqlAdapter('sql-v2', '2222222222222222222222222222222222222222')],
  }),
  modelVolume: weights,
  gpu: Gpu.nvidia(1),
  scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 6 }),
});
const pool = new InferencePool(chart, 'sql-pool', {
  services: [sql],
  endpointPicker: { scoring: { loraAffinity: 2 } },
  // Batch requests are sheddable (below 0); everything else has priority 0.
  objectives: [{ name: 'batch', priority: -1 }],
});
pool.splitModel('sql', [{ model: 'sql-v1', weight: 90 }, { model: 'sql-v2', weight: 10 }]);
// Interactive clients use sql.example.com, whose gateway strips any objective a client sends
// (priority 0); batch jobs use batch.sql.example.com, whose gateway sets the batch objective before
// the endpoint picker reads it.
const gateway = new InferenceGateway(chart, 'gateway', { host: 'sql.example.com' });
gateway.addPoolRoute(pool, { byModelName: true });
const batch = new InferenceGateway(chart, 'batch-gateway', { host: 'batch.sql.example.com', poolObjective: 'batch' });
batch.addPoolRoute(pool, { byModelName: true });

const summarizer = new InferenceService(chart, 'summarizer', {
  server: ModelServer.vllm({ model: 'meta-llama/Llama-3.2-3B-Instruct', servedModelName: 'summarizer' }),
  gpu: Gpu.nvidia(1),
  scaling: Scaling.fixed(2),
});
const summarizerPool = new InferencePool(chart, 'summarizer-pool', { services: [summarizer] });
gateway.addPoolRoute(summarizerPool, { byModelName: true });
new ObservabilityBundle(chart, 'observability', { services: [sql, summarizer], pools: [pool, summarizerPool] });

app.synth();
