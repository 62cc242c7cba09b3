import { Size, Testing } from 'cdk8s';
import { ErrorCode, Gpu, InferenceService, ModelServer, NamespaceBaseline } from '../lib';
import { chart, expectRefused, Manifest, only } from './util';

// GPUs claimed through Dynamic Resource Allocation (resource.k8s.io/v1): a ResourceClaimTemplate per
// service instead of the device plugin's extended resource, only where the cluster has DRA (1.34+).

const vllm = () => ModelServer.vllm({ model: 'Qwen/Qwen2.5-32B-Instruct', tensorParallelSize: 2 });

describe('GPU claims (DRA)', () => {
  test('a claim becomes a ResourceClaimTemplate with class, count and CEL selectors; the pod claims it instead of nvidia.com/gpu', () => {
    const c = chart();
    new InferenceService(c, 'reasoner', {
      server: vllm(), kubernetesVersion: '1.34',
      gpu: Gpu.nvidia(2, { product: 'NVIDIA H100 80GB HBM3', claim: { minMemory: Size.gibibytes(80), selectors: ["device.attributes['gpu.nvidia.com'].architecture == 'Hopper'"] } }),
    });
    const manifests: Manifest[] = Testing.synth(c);
    const template = only(manifests, 'ResourceClaimTemplate', 'reasoner-gpus');
    expect(template.apiVersion).toBe('resource.k8s.io/v1');
    expect(template.spec.spec.devices.requests).toEqual([{
      name: 'gpus',
      exactly: {
        deviceClassName: 'gpu.nvidia.com', allocationMode: 'ExactCount', count: 2,
        selectors: [
          { cel: { expression: 'device.attributes[\'gpu.nvidia.com\'].productName == "NVIDIA H100 80GB HBM3"' } },
          { cel: { expression: "device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('81920Mi')) >= 0" } },
          { cel: { expression: "device.attributes['gpu.nvidia.com'].architecture == 'Hopper'" } },
        ],
      },
    }]);
    const pod = only(manifests, 'Deployment', 'reasoner').spec.template.spec;
    expect(pod.resourceClaims).toEqual([{ name: 'gpus', resourceClaimTemplateName: 'reasoner-gpus' }]);
    expect(pod.containers[0].resources.claims).toEqual([{ name: 'gpus' }]);
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    // The product is matched on the device, not a node label; the GPU taint is still tolerated.
    expect(pod.nodeSelector).toBeUndefined();
    expect(pod.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    // NCCL still needs /dev/shm with two GPUs.
    expect(pod.containers[0].volumeMounts.map((m: any) => m.mountPath)).toContain('/dev/shm');
  });

  test('without a claim, GPUs stay the extended resource with the product as a node label', () => {
    const c = chart();
    new InferenceService(c, 'chat', { server: vllm(), gpu: Gpu.nvidia(2, { product: 'NVIDIA-H100-80GB-HBM3' }) });
    const pod = only(Testing.synth(c), 'Deployment', 'chat').spec.template.spec;
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe(2);
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' });
    expect(pod.resourceClaims).toBeUndefined();
  });

  test('refused: a claim below Kubernetes 1.34, an AMD claim, selectors that are not a list of strings, a product with a quote', () => {
    const build = (gpu: Gpu, kubernetesVersion?: string) => () => new InferenceService(chart(), 'svc', { server: vllm(), gpu, kubernetesVersion });
    expectRefused(build(Gpu.nvidia(2, { claim: {} })), /invalid gpu.claim: received 'kubernetesVersion '1.27''; allowed: GPU claims with kubernetesVersion 1.34 or newer/,
      ErrorCode.GPU_CLAIM_UNSUPPORTED);
    expectRefused(build(Gpu.nvidia(2, { claim: {} }), '1.33'), /received 'kubernetesVersion '1.33''/, ErrorCode.GPU_CLAIM_UNSUPPORTED);
    expectRefused(build(Gpu.amd(2, { claim: {} }), '1.34'), /invalid gpu.claim: received 'amd.com\/gpu'; allowed: claims of NVIDIA GPUs/, ErrorCode.GPU_CLAIM_UNSUPPORTED);
    expectRefused(build(Gpu.nvidia(2, { claim: { selectors: 'device.driver == "x"' as any } }), '1.34'), /invalid gpu.claim.selectors: .*allowed: a list/, ErrorCode.WRONG_TYPE);
    expectRefused(build(Gpu.nvidia(2, { claim: { minMemory: '80Gi' as any } }), '1.34'), /invalid gpu.claim.minMemory: received '80Gi'/, ErrorCode.WRONG_TYPE);
    expectRefused(build(Gpu.nvidia(2, { product: 'NVIDIA "H100"', claim: {} }), '1.34'), /invalid gpu.product: received 'NVIDIA "H100"'/, ErrorCode.INVALID_GPU_PRODUCT);
    expectRefused(build(Gpu.nvidia(2), '1.x'), /invalid kubernetesVersion: received '1.x'/, ErrorCode.INVALID_KUBERNETES_VERSION);
    expectRefused(build(Gpu.nvidia(2, { claim: null as any }), '1.34'), /invalid gpu.claim: received null; allowed: an object of claim options/, ErrorCode.WRONG_TYPE);
    expectRefused(build(Gpu.nvidia(2, { claim: 'yes' as any }), '1.34'), /invalid gpu.claim: received 'yes'/, ErrorCode.WRONG_TYPE);
    expectRefused(build(Gpu.nvidia(2, { claim: { deviceClass: 'GPU' } }), '1.34'), /invalid gpu.claim.deviceClass: received 'GPU'; allowed: a DeviceClass name/, ErrorCode.INVALID_NAME);
    expectRefused(build(Gpu.nvidia(2, { claim: { selectors: [' '] } }), '1.34'), /invalid gpu.claim.selectors\[0\]: received ' '; allowed: a CEL expression/, ErrorCode.WRONG_TYPE);
    expectRefused(build(Gpu.nvidia(2, { product: 123 as any, claim: {} }), '1.34'), /invalid gpu.product: received 123/, ErrorCode.INVALID_GPU_PRODUCT);
    expectRefused(build(Gpu.nvidia(2, { product: 'NVIDIA\rH100', claim: {} }), '1.34'), /invalid gpu.product/, ErrorCode.INVALID_GPU_PRODUCT);
  });

  test('the namespace quota counts claimed devices by DeviceClass, from 1.34', () => {
    const c = chart();
    new NamespaceBaseline(c, 'baseline', { kubernetesVersion: '1.34', gpuClaimQuota: { 'gpu.nvidia.com': 8 } });
    expect(only(Testing.synth(c), 'ResourceQuota').spec.hard).toEqual({ 'gpu.nvidia.com.deviceclass.resource.k8s.io/devices': 8 });
    expectRefused(() => new NamespaceBaseline(chart(), 'b', { gpuClaimQuota: { 'gpu.nvidia.com': 8 } }), /invalid gpuClaimQuota: received 'kubernetesVersion '1.27''/,
      ErrorCode.GPU_CLAIM_UNSUPPORTED);
    expectRefused(() => new NamespaceBaseline(chart(), 'b', { kubernetesVersion: '1.34', gpuClaimQuota: { 'GPU Class': 8 } }), /invalid gpuClaimQuota: received 'GPU Class'/,
      ErrorCode.INVALID_QUOTA);
    expectRefused(() => new NamespaceBaseline(chart(), 'b', { kubernetesVersion: '1.34', gpuClaimQuota: { 'gpu.nvidia.com': 1.5 } }), /invalid gpuClaimQuota.gpu.nvidia.com: received 1.5/,
      ErrorCode.INVALID_QUOTA);
  });
});
