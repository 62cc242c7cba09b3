import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import type { Gpu } from '../../gpu';
import { isDnsSubdomain } from '../../names';
import { atLeast, DEFAULT_KUBERNETES_VERSION } from '../kubernetes-version';
import { MANAGED_BY_LABELS } from '../labels';
import { ObjectMetadata } from '../network';
import { requireSize, requireString, requireStrings } from '../values';
import { fail, site } from './fail';
import { PodPatches } from './kube-patches';

/** The name of the claim in the pod and its container. */
const CLAIM = 'gpus';

/**
 * Refuses a DRA claim the cluster cannot serve: below Kubernetes 1.34 (where `resource.k8s.io/v1`
 * is GA), for a vendor whose DRA driver the library does not know, or with options of the wrong type.
 */
export function checkGpuClaim(scope: IConstruct, gpu: Gpu | undefined, kubernetesVersion: string | undefined): void {
  const claim = gpu?.claim;
  if (!gpu || claim === undefined) return;
  if (typeof claim !== 'object' || claim === null) {
    fail(scope, { code: ErrorCode.WRONG_TYPE, prop: 'gpu.claim', received: claim, allowed: 'an object of claim options, e.g. {}', fix: 'pass claim: {} or claim: { minMemory: Size.gibibytes(40) }' });
  }
  const version = kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
  if (!atLeast(version, 1, 34)) {
    fail(scope, {
      code: ErrorCode.GPU_CLAIM_UNSUPPORTED, prop: 'gpu.claim', received: `kubernetesVersion '${version}'`,
      allowed: 'GPU claims with kubernetesVersion 1.34 or newer (Dynamic Resource Allocation is GA there)',
      fix: "set the service's kubernetesVersion: '1.34' if every cluster runs it, or leave claim out for the nvidia.com/gpu extended resource",
    });
  }
  if (gpu._draDomain === undefined) {
    fail(scope, {
      code: ErrorCode.GPU_CLAIM_UNSUPPORTED, prop: 'gpu.claim', received: gpu.resourceName,
      allowed: "claims of NVIDIA GPUs (NVIDIA's DRA driver); other vendors through their extended resource", fix: 'leave claim out',
    });
  }
  requireString(site(scope, 'gpu.claim.deviceClass'), claim.deviceClass, 'gpu.nvidia.com');
  if (claim.deviceClass !== undefined && !isDnsSubdomain(claim.deviceClass)) {
    fail(scope, {
      code: ErrorCode.INVALID_NAME, prop: 'gpu.claim.deviceClass', received: claim.deviceClass,
      allowed: 'a DeviceClass name: lower-case DNS subdomain, e.g. gpu.nvidia.com or mig.nvidia.com', fix: 'use a DeviceClass the DRA driver installs',
    });
  }
  requireSize(site(scope, 'gpu.claim.minMemory'), claim.minMemory);
  requireStrings(site(scope, 'gpu.claim.selectors'), claim.selectors, "[\"device.attributes['gpu.nvidia.com'].architecture == 'Hopper'\"]");
  const empty = claim.selectors?.findIndex((s) => s.trim() === '') ?? -1;
  if (empty >= 0) {
    fail(scope, { code: ErrorCode.WRONG_TYPE, prop: `gpu.claim.selectors[${empty}]`, received: claim.selectors?.[empty], allowed: 'a CEL expression', fix: 'remove the empty selector' });
  }
  if (gpu.product !== undefined && (typeof gpu.product !== 'string' || !/^[^"\\\r\n]+$/.test(gpu.product))) {
    fail(scope, {
      code: ErrorCode.INVALID_GPU_PRODUCT, prop: 'gpu.product', received: gpu.product,
      allowed: 'a product name without quotes or backslashes, as the DRA driver reports it (e.g. NVIDIA L4)', fix: 'copy the productName of a ResourceSlice device',
    });
  }
}

/** The CEL selectors of a claim: the product, the memory floor, then the given ones. */
function selectors(gpu: Gpu, domain: string): string[] {
  const claim = gpu.claim ?? {};
  return [
    ...(gpu.product !== undefined ? [`device.attributes['${domain}'].productName == "${gpu.product}"`] : []),
    ...(claim.minMemory ? [`device.capacity['${domain}'].memory.compareTo(quantity('${claim.minMemory.toMebibytes()}Mi')) >= 0`] : []),
    ...(claim.selectors ?? []),
  ];
}

/**
 * The service's ResourceClaimTemplate (`<name>-gpus`): `count` devices of the class, each matching
 * the selectors; every pod gets its own claim from it, which the server container uses.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/dynamic-resource-allocation/
 */
export function addGpuClaim(scope: IConstruct, gpu: Gpu, metadata: ObjectMetadata, patches: PodPatches): ApiObject {
  const domain = gpu._draDomain ?? 'gpu.nvidia.com';
  const name = `${metadata.name}-gpus`;
  const cel = selectors(gpu, domain);
  const template = new ApiObject(scope, 'GpuClaimTemplate', {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaimTemplate',
    metadata: { ...metadata, name, labels: { ...metadata.labels, ...MANAGED_BY_LABELS } },
    spec: {
      spec: {
        devices: {
          requests: [{
            name: CLAIM,
            exactly: {
              deviceClassName: gpu.claim?.deviceClass ?? domain,
              allocationMode: 'ExactCount',
              count: gpu.count,
              ...(cel.length ? { selectors: cel.map((expression) => ({ cel: { expression } })) } : {}),
            },
          }],
        },
      },
    },
  });
  patches.resourceClaim(CLAIM, name);
  return template;
}

