// The reference architecture: what `npm run synth` writes to dist/.
// It composes the library the way a platform team would in its own cdk8s app.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Gpu, InferenceService, ModelServer, Scaling } from './lib';

const app = new App();
const chart = new Chart(app, 'inference', { namespace: 'inference', disableResourceNameHashes: true });

// Clients reach the models only through the gateway's pods (namespace `gateway`).
const gateway = kplus.Pods.select(chart, 'Gateway', {
  labels: { 'app.kubernetes.io/name': 'gateway' },
  namespaces: kplus.Namespaces.select(chart, 'GatewayNamespace', { names: ['gateway'] }),
});

// An LLM chat service on vLLM, split over two NVIDIA L4 GPUs, scaling on queued requests.
new InferenceService(chart, 'chat', {
  server: ModelServer.vllm({
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    servedModelName: 'llama-3.1-8b-instruct',
    tensorParallelSize: 2,
  }),
  gpu: Gpu.nvidia(2, { product: 'NVIDIA-L4' }),
  cpu: kplus.Cpu.units(8),
  memory: Size.gibibytes(48),
  scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 8, targetPerReplica: 5 }),
  startupTimeout: Duration.minutes(20),
  maxRequestDuration: Duration.minutes(5),
  env: {
    HF_TOKEN: kplus.EnvValue.fromSecretValue({
      secret: kplus.Secret.fromSecretName(chart, 'HfToken', 'hf-token'),
      key: 'token',
    }),
  },
  allowFrom: [gateway],
});

// A CPU image classifier on TensorFlow Serving, scaling on CPU.
new InferenceService(chart, 'classifier', {
  server: ModelServer.tfServing({ modelName: 'resnet50', image: 'tensorflow/serving:2.18.0' }),
  cpu: kplus.Cpu.units(2),
  memory: Size.gibibytes(4),
  scaling: Scaling.onCpu({ minReplicas: 2, maxReplicas: 10, targetUtilizationPercent: 70 }),
  allowFrom: [gateway],
});

app.synth();
