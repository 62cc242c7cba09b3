// An SQL assistant: Qwen 2.5 7B on SGLang, with two LoRA adapters (two versions of the SQL
// adapter, from pinned Hub commits) on every replica, behind an InferencePool whose endpoint picker
// places each request on the replica with the shortest queue, the most free KV cache, the prompt's
// prefix cached and the adapter loaded. Weights come from the Hub at a pinned commit; Envoy Gateway
// routes /v1 to the pool. Needs the InferencePool CRD and Envoy AI Gateway's extension (README).
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
  server: ModelServer.sglang({
    adapters: [sqlAdapter('sql-v1', '1111111111111111111111111111111111111111'), sqlAdapter('sql-v2', '2222222222222222222222222222222222222222')],
  }),
  modelVolume: weights,
  gpu: Gpu.nvidia(1),
  scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 6 }),
});
const pool = new InferencePool(chart, 'sql-pool', { services: [sql], endpointPicker: { scoring: { loraAffinity: 2 } } });
new InferenceGateway(chart, 'gateway', { host: 'sql.example.com' }).addPoolRoute(pool, { pathPrefix: '/v1' });
new ObservabilityBundle(chart, 'observability', { services: [sql], pools: [pool] });

app.synth();
