// GPUs claimed through Dynamic Resource Allocation (Kubernetes 1.34+, NVIDIA's DRA driver): a vLLM
// service whose pods each claim two H100s with at least 79 GiB (NVML reports an "80GB" H100 as
// 81559 MiB), chosen by the scheduler from the
// devices the driver publishes (no nvidia.com/gpu extended resource, no product node label), and a
// namespace quota on the devices claimed. Needs NVIDIA's DRA driver in the cluster (README).
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Gpu, InferenceService, ModelServer, NamespaceBaseline, ObservabilityBundle, Scaling } from '../lib';

const app = new App();
const chart = new Chart(app, 'dra', { namespace: 'dra' });
new NamespaceBaseline(chart, 'baseline', {
  kubernetesVersion: '1.34',
  cpuQuota: kplus.Cpu.units(64),
  memoryQuota: Size.gibibytes(512),
  gpuClaimQuota: { 'gpu.nvidia.com': 8 },
});
const reasoner = new InferenceService(chart, 'reasoner', {
  server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-32B-Instruct', tensorParallelSize: 2 }),
  gpu: Gpu.nvidia(2, { product: 'NVIDIA H100 80GB HBM3', claim: { minMemory: Size.gibibytes(79) } }),
  kubernetesVersion: '1.34',
  memory: Size.gibibytes(96),
  scaling: Scaling.fixed(2),
});
// GPU alerts (DCGM) and the service's dashboard work the same for claimed GPUs.
new ObservabilityBundle(chart, 'observability', { services: [reasoner] });

app.synth();
