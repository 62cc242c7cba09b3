// A canary of a new model version: the same vLLM server with next month's fine-tune, 10% of the
// traffic, testers reach it with a header, and each version keeps its own alerts and dashboard.
import { App, Chart, Size } from 'cdk8s';
import {
  CanaryRelease, Gpu, InferenceGateway, InferenceService, ModelServer, ModelSource, ModelVolume, NamespaceBaseline, ObservabilityBundle, ReleaseStrategy, Scaling,
} from '../lib';

const app = new App();
const chart = new Chart(app, 'release', { namespace: 'assistant' });
// The namespace itself, restricted, with room for both versions at their maximum scale.
new NamespaceBaseline(chart, 'baseline', { gpuQuota: { 'nvidia.com/gpu': 12 } });

const assistant = (id: string, version: string) => new InferenceService(chart, id, {
  server: ModelServer.vllm({ servedModelName: 'assistant' }),
  modelVolume: new ModelVolume(chart, `${id}-weights`, {
    name: `assistant-${version}`,
    source: ModelSource.s3(`s3://models/assistant/${version}/`, { version }),
    credentialsSecret: 's3-model-reader',
    size: Size.gibibytes(16),
    cacheSize: Size.gibibytes(40),
  }),
  gpu: Gpu.nvidia(1),
  scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 6 }),
});
const stable = assistant('assistant', '2024-10');
const canary = assistant('assistant-canary', '2024-11');

const gateway = new InferenceGateway(chart, 'gateway', { host: 'assistant.example.com' });
new CanaryRelease(chart, 'weighted', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(90, 10), pathPrefix: '/v1' });
new ObservabilityBundle(chart, 'observability', { services: [stable, canary] });

app.synth();
