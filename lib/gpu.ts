import { Size } from 'cdk8s';

/**
 * GPUs claimed through Dynamic Resource Allocation (`resource.k8s.io/v1`, Kubernetes 1.34+) from
 * the vendor's DRA driver, instead of the device plugin's extended resource: a
 * ResourceClaimTemplate per service, with the device class, the count and CEL selectors.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/dynamic-resource-allocation/
 * @see https://github.com/NVIDIA/k8s-dra-driver-gpu
 */
export interface GpuClaimOptions {
  /**
   * The DeviceClass the GPUs are claimed from (`mig.nvidia.com` for MIG slices).
   * @default 'gpu.nvidia.com'
   */
  readonly deviceClass?: string;
  /**
   * Each GPU has at least this much memory (the driver's `memory` capacity).
   * @default - any
   */
  readonly minMemory?: Size;
  /**
   * More CEL expressions each device must satisfy, e.g.
   * `device.attributes['gpu.nvidia.com'].architecture == 'Hopper'`.
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/dynamic-resource-allocation/#resourceclaims-and-resourceclaimtemplates
   * @default - none
   */
  readonly selectors?: string[];
}

/**
 * Options for a GPU request.
 */
export interface GpuOptions {
  /**
   * GPU product the pods must run on, matched against the node label the vendor's feature
   * discovery sets (`nvidia.com/gpu.product` for NVIDIA, `amd.com/gpu.product-name` for AMD).
   *
   * @see https://github.com/NVIDIA/k8s-device-plugin#catalog-of-labels
   * @default - any GPU of the vendor
   */
  readonly product?: string;

  /**
   * Tolerate the `NoSchedule` taint that GPU node pools carry under the vendor's resource name
   * (GKE, AKS and the NVIDIA GPU operator taint GPU nodes with `nvidia.com/gpu`).
   *
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
   * @default true
   */
  readonly tolerateTaint?: boolean;

  /**
   * Claim the GPUs through Dynamic Resource Allocation (NVIDIA's DRA driver) instead of the
   * `nvidia.com/gpu` extended resource; `product` then selects the devices' `productName` (as the
   * driver reports it, e.g. `NVIDIA L4`), not a node label. Needs the service's `kubernetesVersion`
   * at 1.34 or newer.
   * @see https://github.com/NVIDIA/k8s-dra-driver-gpu
   * @default - the extended resource of the device plugin
   */
  readonly claim?: GpuClaimOptions;
}

/**
 * GPUs for one model-server container: vendor, count and optional product.
 *
 * @see https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/
 */
export class Gpu {
  /**
   * NVIDIA GPUs, requested as the extended resource `nvidia.com/gpu`.
   * @param count whole GPUs per replica (tensor parallel × pipeline parallel for LLM servers): one
   *   pod's, or a multi-node group's, split over its pods by the service's `gpusPerNode`
   */
  public static nvidia(count: number, options: GpuOptions = {}): Gpu {
    return new Gpu('nvidia.com/gpu', 'nvidia.com/gpu.product', count, options, 'gpu.nvidia.com');
  }

  /**
   * AMD GPUs (ROCm), requested as the extended resource `amd.com/gpu`.
   * @param count whole GPUs per pod
   */
  public static amd(count: number, options: GpuOptions = {}): Gpu {
    return new Gpu('amd.com/gpu', 'amd.com/gpu.product-name', count, options);
  }

  /** Whole GPUs per pod. */
  public readonly count: number;
  /** Extended resource name, e.g. `nvidia.com/gpu`. */
  public readonly resourceName: string;
  /** Node label that carries the product name. */
  public readonly productLabel: string;
  /** Required product, if any. */
  public readonly product?: string;
  /** Whether pods tolerate the vendor's GPU taint. */
  public readonly tolerateTaint: boolean;
  /** The DRA claim, when the GPUs are claimed through DRA. */
  public readonly claim?: GpuClaimOptions;
  /** The attribute domain of the vendor's DRA driver, when the library knows it. @internal */
  public readonly _draDomain?: string;

  private constructor(resourceName: string, productLabel: string, count: number, options: GpuOptions, draDomain?: string) {
    this.resourceName = resourceName;
    this.productLabel = productLabel;
    this.count = count;
    this.product = options?.product;
    this.tolerateTaint = options?.tolerateTaint ?? true;
    this.claim = options?.claim;
    this._draDomain = draDomain;
  }

  /** The same GPUs, `count` of them: one member's share of a multi-node replica. @internal */
  public _withCount(count: number): Gpu {
    const options = { product: this.product, tolerateTaint: this.tolerateTaint, claim: this.claim };
    return new Gpu(this.resourceName, this.productLabel, count, options, this._draDomain);
  }
}
