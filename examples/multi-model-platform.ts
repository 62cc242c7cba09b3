// A multi-model platform behind one gateway: an LLM (vLLM, two GPUs), an embedding model
// (Hugging Face text-embeddings-inference as a custom server, on CPU) and an image classifier
// (Triton, one GPU), routed by path, with one observability bundle and logs to Loki.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ApiAuth, GatewayTls, Gpu, InferenceGateway, InferenceService, LogShipping, ModelServer, ModelSource, ModelVolume, NamespaceBaseline, ObservabilityBundle,
  Scaling,
} from '../lib';

const app = new App();
const chart = new Chart(app, 'platform', { namespace: 'models' });
new NamespaceBaseline(chart, 'baseline', { cpuQuota: kplus.Cpu.units(64), memoryQuota: Size.gibibytes(256), gpuQuota: { 'nvidia.com/gpu': 12 } });

const llm = new InferenceService(chart, 'llm', {
  server: ModelServer.vllm({ servedModelName: 'llama-3.1-8b-instruct', tensorParallelSize: 2 }),
  modelVolume: new ModelVolume(chart, 'llama', {
    source: ModelSource.s3('s3://models/llama-3.1-8b-instruct/2024-07-23/', { version: '2024-07-23' }),
    credentialsSecret: 's3-model-reader',
    size: Size.gibibytes(16),
    cacheSize: Size.gibibytes(64),
  }),
  gpu: Gpu.nvidia(2),
  scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 6 }),
});
const embeddings = new InferenceService(chart, 'embeddings', {
  server: ModelServer.custom({
    image: 'ghcr.io/huggingface/text-embeddings-inference:cpu-1.8',
    httpPort: 8080,
    livenessPath: '/info',
    readinessPath: '/health',
    args: ['--model-id=/models/bge-large/v1.5', '--port=8080', '--json-output'],
  }),
  modelVolume: new ModelVolume(chart, 'bge-large', {
    source: ModelSource.gcs('gs://models/bge-large/v1.5/', { version: 'v1.5' }),
    credentialsSecret: 'gcs-model-reader',
    size: Size.gibibytes(2),
  }),
  cpu: kplus.Cpu.units(4),
  memory: Size.gibibytes(8),
  scaling: Scaling.onCpu({ maxReplicas: 8 }),
});
const vision = new InferenceService(chart, 'vision', {
  server: ModelServer.triton(),
  modelVolume: new ModelVolume(chart, 'vision-repo', {
    source: ModelSource.persistentVolumeClaim('triton-models', { subPath: 'repository/2024-10', version: '2024-10' }),
  }),
  gpu: Gpu.nvidia(1),
  startupTimeout: Duration.minutes(5),
});

const gateway = new InferenceGateway(chart, 'gateway', {
  host: 'models.example.com', tls: GatewayTls.fromSecret('models-tls'), auth: ApiAuth.apiKeys('platform-api-keys'), rateLimit: { requestsPerMinute: 1200 },
});
gateway.addRoute(llm, { pathPrefix: '/v1' });
gateway.addRoute(embeddings, { pathPrefix: '/embed' });
gateway.addRoute(vision, { pathPrefix: '/v2' });

new ObservabilityBundle(chart, 'observability', {
  services: [llm, embeddings, vision],
  logs: LogShipping.loki({ url: 'http://loki-gateway.monitoring.svc:80' }),
});

app.synth();
