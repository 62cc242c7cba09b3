import { ApiObject, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ErrorCode } from './error-codes';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import { checkName, clusterScoped, isDnsSubdomain, isLabelKey } from './names';
import { atLeast, DEFAULT_KUBERNETES_VERSION } from './private/kubernetes-version';
import { MANAGED_BY_LABELS } from './private/labels';
import { requireKubernetesVersion } from './private/model/kubernetes-target';
import { allowClusterDns } from './private/network';
import { millicores, requireCpu, requireSize, ValueSite } from './private/values';

const KIND = 'NamespaceBaseline';

/** Pod Security Admission enforcing, warning and auditing the `restricted` standard. */
const POD_SECURITY_RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

/** Requests and limits of a container that sets none (LimitRange defaults). */
function containerDefaults(): k8s.LimitRangeItem {
  const quantities = (cpu: string, memory: string, ephemeral: string) => ({
    'cpu': k8s.Quantity.fromString(cpu), 'memory': k8s.Quantity.fromString(memory), 'ephemeral-storage': k8s.Quantity.fromString(ephemeral),
  });
  return { type: 'Container', defaultRequest: quantities('100m', '128Mi', '256Mi'), default: quantities('500m', '512Mi', '1Gi') };
}

/** A CEL condition on a container `c`: its image is pinned by digest, or (unless `digestsOnly`) by a tag other than latest. */
function pinnedImageCondition(digestsOnly: boolean): string {
  return digestsOnly
    ? "c.image.contains('@sha256:')"
    : "c.image.contains('@sha256:') || (c.image.split('/')[c.image.split('/').size() - 1].contains(':') && !c.image.endsWith(':latest'))";
}

/** Props of a {@link NamespaceBaseline}. */
export interface NamespaceBaselineProps {
  /**
   * The namespace.
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
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
   * Memory the namespace may request in total (also the total of its limits).
   * @see https://kubernetes.io/docs/concepts/policy/resource-quotas/
   * @default - no memory quota
   */
  readonly memoryQuota?: Size;

  /**
   * GPUs the namespace may request in total, by extended resource name (`nvidia.com/gpu`, `amd.com/gpu`).
   * @see https://kubernetes.io/docs/concepts/policy/resource-quotas/#resource-quota-for-extended-resources
   * @default - no GPU quota
   */
  readonly gpuQuota?: { [resourceName: string]: number };

  /**
   * GPUs the namespace's ResourceClaims may hold in total, by DRA DeviceClass (`gpu.nvidia.com`,
   * `mig.nvidia.com`): Kubernetes counts every allocated device of the class against
   * `<class>.deviceclass.resource.k8s.io/devices`. Needs kubernetesVersion 1.34 or newer.
   * @see https://kubernetes.io/docs/concepts/policy/resource-quotas/#quota-for-dra-resource-claims
   * @default - no quota on claimed devices
   */
  readonly gpuClaimQuota?: { [deviceClass: string]: number };

  /**
   * Kubernetes version the manifests target, as `<major>.<minor>` (e.g. '1.30'). From 1.30 a
   * ValidatingAdmissionPolicy (GA in 1.30) rejects pods whose images are not pinned (see
   * `requirePinnedImages`).
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
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
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
    this.checkValues(props);
    this.name = this.namespaceName(props.name);
    const requirePinnedImages = this.pinnedImagesWanted(props);
    this.addNamespace();
    this.addQuota(props);
    this.addContainerDefaults();
    this.addDefaultDeny();
    this.addAllowDns();
    if (requirePinnedImages) this.addPinnedImagePolicy(props.requireDigests ?? false);
  }

  /** Checks the type of every prop and what a ResourceQuota accepts of it, before any is read. */
  private checkValues(props: NamespaceBaselineProps): void {
    const site = (prop: string): ValueSite => ({ scope: this, kind: KIND, prop });
    const cpu = props.cpuQuota as { amount?: unknown } | undefined;
    if (typeof cpu?.amount === 'string') {
      const m = millicores(props.cpuQuota as kplus.Cpu);
      if (!(m !== undefined && Number.isInteger(m) && m >= 1)) {
        this.fail({ code: ErrorCode.INVALID_QUOTA, prop: 'cpuQuota', received: cpu.amount, allowed: 'a CPU amount above 0 in whole millicores', fix: 'e.g. Cpu.units(64)' });
      }
    }
    requireCpu(site('cpuQuota'), props.cpuQuota);
    const memory = requireSize(site('memoryQuota'), props.memoryQuota);
    if (memory !== undefined && memory.toMebibytes() <= 0) {
      this.fail({ code: ErrorCode.INVALID_QUOTA, prop: 'memoryQuota', received: `${memory.toMebibytes()}Mi`, allowed: 'a size above 0', fix: 'e.g. Size.gibibytes(256)' });
    }
    this.checkGpuQuota(props.gpuQuota);
    requireKubernetesVersion(site('kubernetesVersion'), props.kubernetesVersion);
    this.checkGpuClaimQuota(props.gpuClaimQuota, props.kubernetesVersion);
    for (const prop of ['requirePinnedImages', 'requireDigests'] as const) {
      const value: unknown = props[prop];
      if (value !== undefined && typeof value !== 'boolean') {
        this.fail({ code: ErrorCode.WRONG_TYPE, prop, received: value, allowed: 'true or false', fix: `pass ${prop} as a boolean, not ${typeof value === 'string' ? 'a string' : typeof value}` });
      }
    }
  }

  /** GPUs by extended resource name (`<domain>/<name>`, not in kubernetes.io), in whole numbers of 0 or more. */
  private checkGpuQuota(gpuQuota: { [resourceName: string]: number } | undefined): void {
    const quota: unknown = gpuQuota ?? {};
    if (typeof quota !== 'object' || quota === null || Array.isArray(quota)) {
      this.fail({ code: ErrorCode.WRONG_TYPE, prop: 'gpuQuota', received: quota, allowed: 'a map of extended resource names to GPU counts', fix: "pass e.g. { 'nvidia.com/gpu': 8 }" });
    }
    for (const [resource, count] of Object.entries(quota)) {
      if (!(resource.includes('/') && isLabelKey(resource) && !/(^|\.)kubernetes\.io\//.test(resource))) {
        this.fail({
          code: ErrorCode.INVALID_QUOTA, prop: 'gpuQuota', received: resource,
          allowed: 'an extended resource name: a domain outside kubernetes.io, "/", and a name, e.g. nvidia.com/gpu or amd.com/gpu', fix: 'use the resource name the device plugin advertises',
        });
      }
      if (!Number.isInteger(count) || count < 0) {
        this.fail({ code: ErrorCode.INVALID_QUOTA, prop: `gpuQuota.${resource}`, received: count, allowed: 'a whole number of GPUs, 0 or more', fix: 'give whole GPUs' });
      }
    }
  }

  /** Refuses a claim quota below Kubernetes 1.34, or a device class or count Kubernetes would refuse. */
  private checkGpuClaimQuota(quota: { [deviceClass: string]: number } | undefined, kubernetesVersion: string | undefined): void {
    if (quota === undefined) return;
    if (typeof quota !== 'object' || quota === null || Array.isArray(quota)) {
      this.fail({ code: ErrorCode.WRONG_TYPE, prop: 'gpuClaimQuota', received: quota, allowed: 'a map of DeviceClass names to device counts', fix: "pass e.g. { 'gpu.nvidia.com': 8 }" });
    }
    const version = kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    if (Object.keys(quota).length > 0 && typeof version === 'string' && !atLeast(version, 1, 34)) {
      this.fail({
        code: ErrorCode.GPU_CLAIM_UNSUPPORTED, prop: 'gpuClaimQuota', received: `kubernetesVersion '${version}'`,
        allowed: 'a quota on claimed devices with kubernetesVersion 1.34 or newer', fix: "set kubernetesVersion: '1.34', or use gpuQuota for the extended resource",
      });
    }
    for (const [deviceClass, count] of Object.entries(quota)) {
      if (!isDnsSubdomain(deviceClass)) {
        this.fail({ code: ErrorCode.INVALID_QUOTA, prop: 'gpuClaimQuota', received: deviceClass, allowed: 'a DeviceClass name, e.g. gpu.nvidia.com', fix: 'use the DeviceClass of the DRA driver' });
      }
      if (!Number.isInteger(count) || count < 0) {
        this.fail({ code: ErrorCode.INVALID_QUOTA, prop: `gpuClaimQuota.${deviceClass}`, received: count, allowed: 'a whole number of devices, 0 or more', fix: 'give whole GPUs' });
      }
    }
  }

  /** The namespace: `name`, else the chart's. */
  private namespaceName(name: string | undefined): string {
    const namespace = name ?? Chart.of(this).namespace;
    if (!namespace) {
      this.fail({
        code: ErrorCode.NAMESPACE_REQUIRED, prop: 'name', received: undefined,
        allowed: 'a namespace name, or a chart with a namespace', fix: "set name, or give the chart { namespace: 'inference' }",
      });
    }
    return checkName(this, KIND, 'name', namespace, 63);
  }

  /** Whether to reject unpinned images: asked for, or by default from Kubernetes 1.30 (where the policy is GA). */
  private pinnedImagesWanted(props: NamespaceBaselineProps): boolean {
    const version = props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    const vapAvailable = atLeast(version, 1, 30);
    if (props.requirePinnedImages && !vapAvailable) {
      this.fail({
        code: ErrorCode.PINNED_IMAGE_POLICY_NEEDS_KUBERNETES_130,
        prop: 'requirePinnedImages', received: true,
        allowed: `only with kubernetesVersion 1.30 or newer (ValidatingAdmissionPolicy is GA there); received kubernetesVersion '${version}'`,
        fix: "set kubernetesVersion: '1.30' (or newer) if every cluster runs it, or rely on the synth-time image check",
      });
    }
    return props.requirePinnedImages ?? vapAvailable;
  }

  /** Metadata of a namespaced object of the baseline. */
  private metadata(name: string): k8s.ObjectMeta {
    return { name, namespace: this.name, labels: MANAGED_BY_LABELS };
  }

  /** The Namespace, enforcing the `restricted` Pod Security Standard. */
  private addNamespace(): void {
    const ns = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: { name: this.name, labels: { ...MANAGED_BY_LABELS, ...POD_SECURITY_RESTRICTED } },
    });
    clusterScoped(ns);
  }

  /** The ResourceQuota, when any quota is set. */
  private addQuota(props: NamespaceBaselineProps): void {
    const hard: { [key: string]: k8s.Quantity } = {};
    if (props.cpuQuota) hard['requests.cpu'] = k8s.Quantity.fromString(props.cpuQuota.amount);
    if (props.memoryQuota) {
      hard['requests.memory'] = k8s.Quantity.fromString(`${props.memoryQuota.toMebibytes()}Mi`);
      hard['limits.memory'] = k8s.Quantity.fromString(`${props.memoryQuota.toMebibytes()}Mi`);
    }
    for (const [resource, count] of Object.entries(props.gpuQuota ?? {})) {
      // Extended resources are limited through their requests.
      hard[`requests.${resource}`] = k8s.Quantity.fromNumber(count);
    }
    for (const [deviceClass, count] of Object.entries(props.gpuClaimQuota ?? {})) {
      hard[`${deviceClass}.deviceclass.resource.k8s.io/devices`] = k8s.Quantity.fromNumber(count);
    }
    if (Object.keys(hard).length > 0) new k8s.KubeResourceQuota(this, 'Quota', { metadata: this.metadata(`${this.name}-quota`), spec: { hard } });
  }

  /** The LimitRange giving containers that set no requests or limits modest defaults. */
  private addContainerDefaults(): void {
    new k8s.KubeLimitRange(this, 'Limits', { metadata: this.metadata(`${this.name}-defaults`), spec: { limits: [containerDefaults()] } });
  }

  /** The NetworkPolicy denying all ingress and egress of every pod in the namespace. */
  private addDefaultDeny(): void {
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: this.metadata('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }

  /** The NetworkPolicy letting every pod reach the cluster DNS. */
  private addAllowDns(): void {
    allowClusterDns(this, new kplus.NetworkPolicy(this, 'AllowDns', {
      metadata: this.metadata('allow-dns'),
      selector: kplus.Pods.all(this, 'AllPods'),
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    }));
  }

  /** The ValidatingAdmissionPolicy (and its binding to the namespace) rejecting pods with unpinned images. */
  private addPinnedImagePolicy(digestsOnly: boolean): void {
    const pinned = pinnedImageCondition(digestsOnly);
    const policyName = `${this.name}-pinned-images`;
    const policy = new ApiObject(this, 'PinnedImages', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: policyName, labels: MANAGED_BY_LABELS },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] }] },
        validations: [
          {
            expression: `object.spec.containers.all(c, ${pinned})`,
            message: `every container image must be pinned${digestsOnly ? ' by digest' : ' (a version tag other than latest, or a digest)'}`,
          },
          { expression: `!has(object.spec.initContainers) || object.spec.initContainers.all(c, ${pinned})`, message: 'every init container image must be pinned' },
        ],
      },
    });
    const binding = new ApiObject(this, 'PinnedImagesBinding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: policyName, labels: MANAGED_BY_LABELS },
      spec: {
        policyName,
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.name } } },
      },
    });
    clusterScoped(policy);
    clusterScoped(binding);
  }

  /** Throws the error of a rejected prop; every rejection here has a code. */
  private fail(options: InvalidPropOptions & { readonly code: ErrorCode }): never {
    throw new InferenceConfigError(this, KIND, options);
  }
}
