// The reference architecture: what `npm run synth` writes to dist/.
// It composes the library the way a platform team would in its own cdk8s app.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ApiAuth, GatewayImplementation, GatewayTls, Gpu, InferenceGateway, InferenceService, LogShipping, ModelServer, ModelSource, ModelVolume,
  NamespaceBaseline, ObservabilityBundle, Scaling, WorkloadIdentity,
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
const llama = new ModelVolume(chart, 'llama-3-1-8b', {
  source: ModelSource.s3('s3://acme-models/meta-llama/Llama-3.1-8B-Instruct/2024-07-23/', { version: '2024-07-23', region: 'us-east-1' }),
  workloadIdentity: WorkloadIdentity.awsIrsa('arn:aws:iam::123456789012:role/inference-model-reader'),
  size: Size.gibibytes(16),
  cacheSize: Size.gibibytes(64),
  cacheStorageClass: 'efs-sc',
});

// A ResNet-50 SavedModel (version 1) from GCS, downloaded by each pod with a key from a Secret.
const resnet = new ModelVolume(chart, 'resnet50', {
  source: ModelSource.gcs('gs://acme-vision-models/resnet50/1/', { version: '1' }),
  credentialsSecret: 'gcs-model-reader',
  size: Size.mebibytes(200),
});

// An LLM chat service on vLLM, split over two NVIDIA L4 GPUs, scaling on queued requests.
const chat = new InferenceService(chart, 'chat', {
  server: ModelServer.vllm({ servedModelName: 'llama-3.1-8b-instruct', tensorParallelSize: 2 }),
  modelVolume: llama,
  gpu: Gpu.nvidia(2, { product: 'NVIDIA-L4' }),
  cpu: kplus.Cpu.units(8),
  memory: Size.gibibytes(48),
  scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 8, targetPerReplica: 5 }),
  startupTimeout: Duration.minutes(20),
  maxRequestDuration: Duration.minutes(5),
});

// A CPU image classifier on TensorFlow Serving, scaling on CPU.
const classifier = new InferenceService(chart, 'classifier', {
  server: ModelServer.tfServing({ modelName: 'resnet50', image: 'tensorflow/serving:2.18.0' }),
  modelVolume: resnet,
  cpu: kplus.Cpu.units(2),
  memory: Size.gibibytes(4),
  scaling: Scaling.onCpu({ minReplicas: 2, maxReplicas: 10, targetUtilizationPercent: 70 }),
});

// One host for both, on Envoy Gateway: TLS from cert-manager, API keys, 600 requests a minute per key.
const gateway = new InferenceGateway(chart, 'gateway', {
  host: 'inference.example.com',
  implementation: GatewayImplementation.ENVOY_GATEWAY,
  tls: GatewayTls.certManager('letsencrypt'),
  auth: ApiAuth.apiKeys('inference-api-keys'),
  rateLimit: { requestsPerMinute: 600 },
});
gateway.addRoute(chat, { pathPrefix: '/v1' });
gateway.addRoute(classifier, { pathPrefix: '/classifier' });

// Metrics, alerts and dashboards for both; SLO alerts for the chat service, whose server counts
// errors and measures end-to-end latency (TF Serving has neither).
// Container logs go to Loki, labelled with service, model and version.
const observability = new ObservabilityBundle(chart, 'observability', {
  runbookUrl: 'https://runbooks.example.com/inference',
  logs: LogShipping.loki({ url: 'http://loki-gateway.monitoring.svc.cluster.local:80' }),
});
observability.addService(chat, { availability: 0.995, latency: 0.95, latencyThreshold: Duration.seconds(60) });
observability.addService(classifier);

app.synth();
