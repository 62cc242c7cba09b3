// A model bigger than a node: Llama 3.1 405B in BF16 (about 810 GB of weights) with tensor
// parallelism 8 inside a node and pipeline parallelism 2 across nodes, so each replica is a group
// of two pods on two 8-GPU nodes, run by a LeaderWorkerSet. The leader serves the OpenAI API behind
// the Service and the gateway; a member that fails restarts its group; the disruption budget lets
// a drain take one group at a time. The weights are downloaded once into a ReadWriteMany cache
// that every member mounts. Between nodes NCCL uses TCP on the pod network (README). Needs the LeaderWorkerSet controller in the cluster (README).
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ApiAuth, GatewayTls, Gpu, InferenceGateway, InferenceService, ModelServer, ModelSource, ModelVolume, NamespaceBaseline,
  ObservabilityBundle, Scaling,
} from '../lib';

const app = new App();
const chart = new Chart(app, 'frontier', { namespace: 'frontier' });
new NamespaceBaseline(chart, 'baseline', {
  cpuQuota: kplus.Cpu.units(256),
  memoryQuota: Size.gibibytes(4096),
  gpuQuota: { 'nvidia.com/gpu': 48 },
});
const llama = new InferenceService(chart, 'llama-405b', {
  server: ModelServer.vllm({
    servedModelName: 'llama-3.1-405b-instruct',
    tensorParallelSize: 8,
    pipelineParallelSize: 2,
  }),
  modelVolume: new ModelVolume(chart, 'weights', {
    source: ModelSource.huggingFace('meta-llama/Llama-3.1-405B-Instruct', { revision: 'be673f326cab4cd22ccfef76109faf68e41aa5f1' }),
    credentialsSecret: 'hf-token',
    // The whole repository is fetched: the safetensors (about 760 GiB) and Meta's original
    // checkpoint beside them (about as much again).
    size: Size.gibibytes(1520),
    cacheSize: Size.gibibytes(1600),
  }),
  // 16 GPUs per replica on nodes of 8: groups of two pods.
  gpu: Gpu.nvidia(16, { product: 'NVIDIA-H100-80GB-HBM3' }),
  gpusPerNode: 8,
  cpu: kplus.Cpu.units(32),
  memory: Size.gibibytes(512),
  startupTimeout: Duration.minutes(40),
  scaling: Scaling.fixed(2),
});

const gateway = new InferenceGateway(chart, 'gateway', {
  host: 'frontier.example.com', tls: GatewayTls.fromSecret('frontier-tls'), auth: ApiAuth.apiKeys('frontier-api-keys'), rateLimit: { requestsPerMinute: 600 },
});
gateway.addRoute(llama, { pathPrefix: '/v1' });
new ObservabilityBundle(chart, 'observability', { services: [llama] });

app.synth();
