// A single-GPU LLM chat service: vLLM on one NVIDIA GPU with weights from the Hugging Face Hub at
// a pinned commit, behind Envoy Gateway with API keys, with metrics, alerts and a dashboard.
import { App, Chart, Size } from 'cdk8s';
import {
  ApiAuth, GatewayTls, Gpu, InferenceGateway, InferenceService, ModelServer, ModelSource, ModelVolume, NamespaceBaseline, ObservabilityBundle, Scaling,
} from '../lib';

const app = new App();
const chart = new Chart(app, 'chat', { namespace: 'chat' });
new NamespaceBaseline(chart, 'baseline', { gpuQuota: { 'nvidia.com/gpu': 4 } });

const qwen = new ModelVolume(chart, 'qwen', {
  source: ModelSource.huggingFace('Qwen/Qwen2.5-7B-Instruct', { revision: 'a09a35458c702b33eeacc393d103063234e8bc28' }),
  credentialsSecret: 'hf-token',
  size: Size.gibibytes(16),
});
const chat = new InferenceService(chart, 'chat', {
  server: ModelServer.vllm({ servedModelName: 'qwen2.5-7b-instruct' }),
  modelVolume: qwen,
  gpu: Gpu.nvidia(1),
  scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 4 }),
});
new InferenceGateway(chart, 'gateway', {
  host: 'chat.example.com', tls: GatewayTls.certManager('letsencrypt'), auth: ApiAuth.apiKeys('chat-api-keys'), rateLimit: { requestsPerMinute: 300 },
}).addRoute(chat, { pathPrefix: '/v1' });
new ObservabilityBundle(chart, 'observability', { services: [chat] });

app.synth();
