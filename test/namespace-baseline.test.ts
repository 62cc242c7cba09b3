import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ErrorCode, NamespaceBaseline } from '../lib';
import { Manifest, only } from './util';

function synth(props: ConstructorParameters<typeof NamespaceBaseline>[2] = {}): Manifest[] {
  const c = new Chart(Testing.app(), 'ns', { namespace: 'inference' });
  new NamespaceBaseline(c, 'baseline', props);
  return Testing.synth(c) as Manifest[];
}

describe('NamespaceBaseline', () => {
  const m = synth({ cpuQuota: kplus.Cpu.units(64), memoryQuota: Size.gibibytes(256), gpuQuota: { 'nvidia.com/gpu': 8 } });

  test('the namespace enforces Pod Security "restricted"', () => {
    const ns = only(m, 'Namespace');
    expect(ns.metadata.namespace).toBeUndefined();
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  test('a quota with GPUs, and container defaults', () => {
    expect(only(m, 'ResourceQuota').spec.hard).toEqual({ 'requests.cpu': '64', 'requests.memory': '262144Mi', 'limits.memory': '262144Mi', 'requests.nvidia.com/gpu': 8 });
    expect(only(m, 'LimitRange').spec.limits[0]).toMatchObject({ type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' } });
  });

  test('default deny in and out, DNS allowed', () => {
    expect(only(m, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(only(m, 'NetworkPolicy', 'allow-dns').spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
  });

  test('no image policy below Kubernetes 1.30', () => {
    expect(m.filter((x) => x.kind.startsWith('ValidatingAdmissionPolicy'))).toEqual([]);
  });

  test('from 1.30 a ValidatingAdmissionPolicy rejects unpinned images in the namespace', () => {
    const v = synth({ kubernetesVersion: '1.30', requireDigests: true });
    const policy = only(v, 'ValidatingAdmissionPolicy');
    expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(policy.spec.validations[0].expression).toBe("object.spec.containers.all(c, c.image.contains('@sha256:'))");
    expect(only(v, 'ValidatingAdmissionPolicyBinding').spec).toEqual({
      policyName: 'inference-pinned-images', validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'inference' } } },
    });
  });

  test('throws when the image policy is asked for before 1.30', () => {
    expect(() => synth({ requirePinnedImages: true })).toThrow(
      /NamespaceBaseline 'ns\/baseline': invalid requirePinnedImages: received true; allowed: only with kubernetesVersion 1.30 or newer .* received kubernetesVersion '1.27'/);
    expect(() => synth({ requirePinnedImages: true })).toThrow(expect.objectContaining({ code: ErrorCode.PINNED_IMAGE_POLICY_NEEDS_KUBERNETES_130 }));
  });

  test('throws when neither the props nor the chart name the namespace', () => {
    const build = () => new NamespaceBaseline(new Chart(Testing.app(), 'ns'), 'baseline');
    expect(build).toThrow(
      "NamespaceBaseline 'ns/baseline': invalid name: received nothing; allowed: a namespace name, or a chart with a namespace. " +
      "Fix: set name, or give the chart { namespace: 'inference' } [code: NamespaceRequired]");
    expect(build).toThrow(expect.objectContaining({ code: ErrorCode.NAMESPACE_REQUIRED }));
  });

  test('throws when the namespace is not a DNS label', () => {
    expect(() => synth({ name: 'Team_A' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_NAME }));
  });

  test('throws when a GPU quota is not a whole number', () => {
    expect(() => synth({ gpuQuota: { 'nvidia.com/gpu': 1.5 } })).toThrow(
      /invalid gpuQuota.nvidia.com\/gpu: received 1.5; allowed: a whole number of GPUs, 0 or more/);
    expect(() => synth({ gpuQuota: { 'nvidia.com/gpu': -1 } })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_QUOTA }));
  });

  test('throws when a CPU or memory quota is negative, zero or finer than a millicore', () => {
    expect(() => synth({ cpuQuota: kplus.Cpu.millis(-500) })).toThrow(
      "NamespaceBaseline 'ns/baseline': invalid cpuQuota: received '-500m'; allowed: a CPU amount above 0 in whole millicores. Fix: e.g. Cpu.units(64) [code: InvalidQuota]");
    for (const cpu of [kplus.Cpu.units(0), kplus.Cpu.units(-2), kplus.Cpu.millis(0.5), kplus.Cpu.units(0.0005)]) {
      expect(() => synth({ cpuQuota: cpu })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_QUOTA }));
    }
    expect(() => synth({ memoryQuota: Size.mebibytes(0) })).toThrow(
      "NamespaceBaseline 'ns/baseline': invalid memoryQuota: received '0Mi'; allowed: a size above 0. Fix: e.g. Size.gibibytes(256) [code: InvalidQuota]");
    expect(() => synth({ memoryQuota: Size.kibibytes(1500) })).toThrow(expect.objectContaining({ code: ErrorCode.NOT_A_WHOLE_NUMBER }));
    expect(synth({ cpuQuota: kplus.Cpu.units(0.5) }).find((o) => o.kind === 'ResourceQuota')?.spec.hard['requests.cpu']).toBe('0.5');
  });

  test('throws when a GPU quota names no extended resource', () => {
    expect(() => synth({ gpuQuota: { gpu: 8 } })).toThrow(
      /invalid gpuQuota: received 'gpu'; allowed: an extended resource name: a domain outside kubernetes.io, "\/", and a name, e.g. nvidia.com\/gpu/);
    for (const name of ['nvidia.com/ gpu', 'kubernetes.io/gpu', 'NVIDIA_COM/gpu']) {
      expect(() => synth({ gpuQuota: { [name]: 8 } })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_QUOTA }));
    }
  });

  test('throws when kubernetesVersion is not <major>.<minor>', () => {
    expect(() => synth({ kubernetesVersion: '1.x' })).toThrow(
      "NamespaceBaseline 'ns/baseline': invalid kubernetesVersion: received '1.x'; allowed: a Kubernetes version as '<major>.<minor>', e.g. '1.30'. " +
      "Fix: give the cluster's minor version as a string, e.g. kubernetesVersion: '1.30' [code: InvalidKubernetesVersion]");
    expect(() => synth({ kubernetesVersion: 'v1.30' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_KUBERNETES_VERSION }));
  });

  test('throws InferenceConfigError, not a TypeError, when JavaScript or Python passes the wrong type', () => {
    const untyped = (value: unknown) => value as any;
    expect(() => synth({ memoryQuota: untyped('256Gi') })).toThrow(/NamespaceBaseline 'ns\/baseline': invalid memoryQuota: received '256Gi'; allowed: a Size \(cdk8s\)/);
    expect(() => synth({ cpuQuota: untyped(64) })).toThrow(expect.objectContaining({ code: ErrorCode.WRONG_TYPE }));
    expect(() => synth({ gpuQuota: untyped(8) })).toThrow(/invalid gpuQuota: received 8; allowed: a map of extended resource names to GPU counts/);
    expect(() => synth({ gpuQuota: { 'nvidia.com/gpu': untyped('8') } })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_QUOTA }));
    expect(() => synth({ requirePinnedImages: untyped('false') })).toThrow(
      "NamespaceBaseline 'ns/baseline': invalid requirePinnedImages: received 'false'; allowed: true or false. Fix: pass requirePinnedImages as a boolean, not a string [code: WrongType]");
    expect(() => synth({ kubernetesVersion: untyped(1.3) })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_KUBERNETES_VERSION }));
  });

  test('every object carries the managed-by label', () => {
    for (const o of synth({ kubernetesVersion: '1.30', cpuQuota: kplus.Cpu.units(8) })) {
      expect([o.kind, o.metadata.labels?.['app.kubernetes.io/managed-by']]).toEqual([o.kind, 'cdk8s-inference']);
    }
  });
});
