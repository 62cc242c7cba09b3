import { ApiObject, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { InferenceConfigError } from './errors';
import { checkName, clusterScoped } from './names';
import { allowClusterDns } from './private/network';
import { atLeast, DEFAULT_KUBERNETES_VERSION } from './private/kubernetes-version';

const KIND = 'NamespaceBaseline';

/** Props of a {@link NamespaceBaseline}. */
export interface NamespaceBaselineProps {
  /**
   * The namespace.
   * @default - the chart's namespace
   */
  readonly name?: string;

  /**
   * CPU the namespace may request in total.
   * @see https://kubernetes.io/docs/concepts/policy/resource-quotas/
   * @default - no CPU quota
   */
  readonly cpuQuota?: kplus.Cpu;

  /**
   * Memory the namespace may request in total.
   * @default - no memory quota
   */
  readonly memoryQuota?: Size;

  /**
   * GPUs the namespace may request in total, by extended resource name (`nvidia.com/gpu`, `amd.com/gpu`).
   * @default - no GPU quota
   */
  readonly gpuQuota?: { [resourceName: string]: number };

  /**
   * Kubernetes version the manifests target. From 1.30 a ValidatingAdmissionPolicy (GA in 1.30)
   * rejects pods whose images are not pinned (see `requirePinnedImages`).
   * @default '1.27'
   */
  readonly kubernetesVersion?: string;

  /**
   * Reject pods in the namespace whose images are `latest` or untagged (needs kubernetesVersion ≥ 1.30).
   * @see https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/
   * @default - on when kubernetesVersion ≥ 1.30
   */
  readonly requirePinnedImages?: boolean;

  /**
   * Also require digests (`@sha256:`), not only version tags.
   * @default false
   */
  readonly requireDigests?: boolean;
}

/**
 * The namespace's security baseline: Pod Security Admission enforcing `restricted`, a
 * ResourceQuota (GPUs included), LimitRange defaults for containers that set none, a default-deny
 * NetworkPolicy for ingress and egress plus cluster DNS (each InferenceService's own policy then
 * admits exactly its gateway, its Prometheus scraper and its model downloads), and optionally a
 * ValidatingAdmissionPolicy that rejects unpinned images.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export class NamespaceBaseline extends Construct {
  /** The namespace's name. */
  public readonly name: string;

  /**
   * Defines a NamespaceBaseline.
   * @param scope the construct (usually a Chart) the objects are created in
   * @param id the construct id, unique within `scope`
   * @param props the settings, see `NamespaceBaselineProps`
   */
  constructor(scope: Construct, id: string, props: NamespaceBaselineProps = {}) {
    super(scope, id);
    const namespace = props.name ?? Chart.of(this).namespace;
    if (!namespace) {
      throw new InferenceConfigError(this, KIND, { prop: 'name', received: undefined, allowed: 'a namespace name, or a chart with a namespace', fix: "set name, or give the chart { namespace: 'inference' }" });
    }
    this.name = checkName(this, KIND, 'name', namespace, 63);
    const version = props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    const vapAvailable = atLeast(version, 1, 30);
    if (props.requirePinnedImages && !vapAvailable) {
      throw new InferenceConfigError(this, KIND, {
        prop: 'requirePinnedImages', received: true,
        allowed: `only with kubernetesVersion 1.30 or newer (ValidatingAdmissionPolicy is GA there); received kubernetesVersion '${version}'`,
        fix: "set kubernetesVersion: '1.30' (or newer) if every cluster runs it, or rely on the synth-time image check",
      });
    }
    const labels = { 'app.kubernetes.io/managed-by': 'cdk8s-inference' };
    const meta = (name: string) => ({ name, namespace: this.name, labels });

    const ns = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.name,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
    clusterScoped(ns);

    const hard: { [key: string]: k8s.Quantity } = {};
    if (props.cpuQuota) hard['requests.cpu'] = k8s.Quantity.fromString(props.cpuQuota.amount);
    if (props.memoryQuota) {
      hard['requests.memory'] = k8s.Quantity.fromString(`${props.memoryQuota.toMebibytes()}Mi`);
      hard['limits.memory'] = k8s.Quantity.fromString(`${props.memoryQuota.toMebibytes()}Mi`);
    }
    for (const [resource, count] of Object.entries(props.gpuQuota ?? {})) {
      if (!Number.isInteger(count) || count < 0) {
        throw new InferenceConfigError(this, KIND, { prop: `gpuQuota.${resource}`, received: count, allowed: 'a whole number of GPUs, 0 or more', fix: 'give whole GPUs' });
      }
      // Extended resources are limited through their requests.
      hard[`requests.${resource}`] = k8s.Quantity.fromNumber(count);
    }
    if (Object.keys(hard).length > 0) new k8s.KubeResourceQuota(this, 'Quota', { metadata: meta(`${this.name}-quota`), spec: { hard } });

    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: meta(`${this.name}-defaults`),
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { 'cpu': k8s.Quantity.fromString('100m'), 'memory': k8s.Quantity.fromString('128Mi'), 'ephemeral-storage': k8s.Quantity.fromString('256Mi') },
          default: { 'cpu': k8s.Quantity.fromString('500m'), 'memory': k8s.Quantity.fromString('512Mi'), 'ephemeral-storage': k8s.Quantity.fromString('1Gi') },
        }],
      },
    });

    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: meta('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    allowClusterDns(this, new kplus.NetworkPolicy(this, 'AllowDns', {
      metadata: meta('allow-dns'),
      selector: kplus.Pods.all(this, 'AllPods'),
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    }));

    if (props.requirePinnedImages ?? vapAvailable) {
      const pinned = props.requireDigests
        ? "c.image.contains('@sha256:')"
        : "c.image.contains('@sha256:') || (c.image.split('/')[c.image.split('/').size() - 1].contains(':') && !c.image.endsWith(':latest'))";
      const policyName = `${this.name}-pinned-images`;
      const policy = new ApiObject(this, 'PinnedImages', {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: policyName, labels },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] }] },
          validations: [
            { expression: `object.spec.containers.all(c, ${pinned})`, message: `every container image must be pinned${props.requireDigests ? ' by digest' : ' (a version tag other than latest, or a digest)'}` },
            { expression: `!has(object.spec.initContainers) || object.spec.initContainers.all(c, ${pinned})`, message: 'every init container image must be pinned' },
          ],
        },
      });
      const binding = new ApiObject(this, 'PinnedImagesBinding', {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: policyName, labels },
        spec: {
          policyName,
          validationActions: ['Deny'],
          matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.name } } },
        },
      });
      clusterScoped(policy);
      clusterScoped(binding);
    }
  }
}
