// The reference architecture: what `npm run synth` writes to dist/.
// It composes the library the way a platform team would in its own cdk8s app.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ApiAuth, CanaryRelease, ExternalSecret, GatewayImplementation, GatewayTls, Gpu, InferenceGateway, InferencePool,
  InferenceService, LogShipping, LoraAdapter, ModelServer, ModelSource, ModelVolume, NamespaceBaseline,
  ObservabilityBundle, ReleaseColor, ReleaseStrategy, Scaling, SecretStore, WorkloadIdentity,
} from './lib';

const app = new App();
const chart = new Chart(app, 'inference', { namespace: 'inference', disableResourceNameHashes: true });

// The namespace's baseline: Pod Security "restricted", GPU quota, default-deny network policy.
new NamespaceBaseline(chart, 'baseline', {
  cpuQuota: kplus.Cpu.units(96),
  memoryQuota: Size.gibibytes(512),
  gpuQuota: { 'nvidia.com/gpu': 16 },
});

// Llama 3.1 8B weights from S3, read with an IAM role (no key in the cluster), kept on a shared
// ReadWriteMany volume that a Job fills once per version: new replicas start without downloading.
const llamaWeights = (id: string, version: string) => new ModelVolume(chart, id, {
  source: ModelSource.s3(`s3://acme-models/meta-llama/Llama-3.1-8B-Instruct/${version}/`, { version, region: 'us-east-1' }),
  workloadIdentity: WorkloadIdentity.awsIrsa('arn:aws:iam::123456789012:role/inference-model-reader'),
  size: Size.gibibytes(16),
  cacheSize: Size.gibibytes(64),
  cacheStorageClass: 'efs-sc',
});

// An LLM chat service on vLLM, split over two NVIDIA L4 GPUs, scaling on queued requests.
const chatService = (id: string, weights: ModelVolume) => new InferenceService(chart, id, {
  server: ModelServer.vllm({ servedModelName: 'llama-3.1-8b-instruct', tensorParallelSize: 2 }),
  modelVolume: weights,
  gpu: Gpu.nvidia(2, { product: 'NVIDIA-L4' }),
  cpu: kplus.Cpu.units(8),
  memory: Size.gibibytes(48),
  scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 8, targetPerReplica: 5 }),
  startupTimeout: Duration.minutes(20),
  maxRequestDuration: Duration.minutes(5),
});
const chat = chatService('chat', llamaWeights('llama-3-1-8b', '2024-07-23'));
// The next fine-tune of the weights, as a canary.
const chatCanary = chatService('chat-canary', llamaWeights('llama-3-1-8b-next', '2024-09-25'));

// A CPU image classifier on TensorFlow Serving, scaling on CPU: a ResNet-50 SavedModel from GCS,
// downloaded by each pod with a key from a Secret. Blue serves version 1, green version 2.
const classifierService = (id: string, version: string) => new InferenceService(chart, id, {
  server: ModelServer.tfServing({ modelName: 'resnet50', image: 'tensorflow/serving:2.18.0' }),
  modelVolume: new ModelVolume(chart, `${id}-weights`, {
    name: `resnet50-v${version}`,
    source: ModelSource.gcs(`gs://acme-vision-models/resnet50/${version}/`, { version }),
    credentialsSecret: 'gcs-model-reader',
    size: Size.mebibytes(200),
  }),
  cpu: kplus.Cpu.units(2),
  memory: Size.gibibytes(4),
  scaling: Scaling.onCpu({ minReplicas: 2, maxReplicas: 10, targetUtilizationPercent: 70 }),
});
const classifier = classifierService('classifier', '1');
const classifierGreen = classifierService('classifier-green', '2');

// An assistant on Qwen 2.5 7B with two LoRA adapters (SQL, support replies) from pinned Hub commits,
// behind an InferencePool: its endpoint picker sends each request to the replica with the shortest
// queue, the most free KV cache, the prompt's prefix cached and the requested adapter loaded.
const adapter = (name: string, repository: string, revision: string): LoraAdapter => ({
  name,
  baseModel: 'Qwen/Qwen2.5-7B-Instruct',
  rank: 16,
  volume: new ModelVolume(chart, `${name}-adapter`, { source: ModelSource.huggingFace(repository, { revision }), size: Size.gibibytes(1) }),
});
const assistant = new InferenceService(chart, 'assistant', {
  server: ModelServer.vllm({
    model: 'Qwen/Qwen2.5-7B-Instruct',
    servedModelName: 'qwen2.5-7b-instruct',
    adapters: [
      adapter('assistant-sql', 'acme/qwen2.5-7b-sql-lora', '3f2c9a1b7e4d6058a9c1b2e3f4a5b6c7d8e9f012'),
      adapter('assistant-support', 'acme/qwen2.5-7b-support-lora', '9b8a7c6d5e4f30211a2b3c4d5e6f708192a3b4c5'),
    ],
  }),
  gpu: Gpu.nvidia(1, { product: 'NVIDIA-L4' }),
  memory: Size.gibibytes(32),
  scaling: Scaling.fixed(2),
});
const assistantPool = new InferencePool(chart, 'assistant-pool', { services: [assistant] });

// The clients' API keys live in AWS Secrets Manager, one JSON secret with a property per client;
// External Secrets Operator keeps the Secret the gateway reads in step with it, so adding a
// client there needs no change here.
const apiKeys = new ExternalSecret(chart, 'inference-api-keys', {
  store: SecretStore.cluster('aws-secrets-manager'),
  extract: ['prod/inference/api-keys'],
});

// One host for both, on Envoy Gateway: TLS from cert-manager, API keys, 600 requests a minute per key.
const gateway = new InferenceGateway(chart, 'gateway', {
  host: 'inference.example.com',
  implementation: GatewayImplementation.ENVOY_GATEWAY,
  tls: GatewayTls.certManager('letsencrypt'),
  auth: ApiAuth.apiKeys(apiKeys.secretName),
  rateLimit: { requestsPerMinute: 600 },
});
// 5% of chat traffic to the canary; the classifier switches colors at once (blue active, green idle).
new CanaryRelease(chart, 'chat-release', { gateway, stable: chat, canary: chatCanary, strategy: ReleaseStrategy.weighted(95, 5), pathPrefix: '/v1' });
// The assistant's requests (clients send x-inference-pool: assistant) go through its endpoint picker.
gateway.addPoolRoute(assistantPool, { pathPrefix: '/v1', headerName: 'x-inference-pool', headerValue: 'assistant' });
new CanaryRelease(chart, 'classifier-release', {
  gateway, stable: classifier, canary: classifierGreen, strategy: ReleaseStrategy.blueGreen(ReleaseColor.BLUE), pathPrefix: '/classifier',
});

// Metrics, alerts and dashboards for every version; SLO alerts for the chat services, whose server
// counts errors and measures end-to-end latency (TF Serving has neither).
// Container logs go to Loki, labelled with service, model and version.
const observability = new ObservabilityBundle(chart, 'observability', {
  runbookUrl: 'https://runbooks.example.com/inference',
  logs: LogShipping.loki({ url: 'http://loki-gateway.monitoring.svc.cluster.local:80' }),
});
for (const version of [chat, chatCanary]) {
  observability.addService(version, { availability: 0.995, latency: 0.95, latencyThreshold: Duration.seconds(60) });
}
observability.addService(classifier);
observability.addService(classifierGreen);
observability.addService(assistant);
observability.addPool(assistantPool);

app.synth();
