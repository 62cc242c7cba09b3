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

  test('every object carries the managed-by label', () => {
    for (const o of synth({ kubernetesVersion: '1.30', cpuQuota: kplus.Cpu.units(8) })) {
      expect([o.kind, o.metadata.labels?.['app.kubernetes.io/managed-by']]).toEqual([o.kind, 'cdk8s-inference']);
    }
  });
});
