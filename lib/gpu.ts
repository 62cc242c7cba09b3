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
}

/**
 * GPUs for one model-server container: vendor, count and optional product.
 *
 * @see https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/
 */
export class Gpu {
  /**
   * NVIDIA GPUs, requested as the extended resource `nvidia.com/gpu`.
   * @param count whole GPUs per pod (tensor parallel × pipeline parallel for LLM servers)
   */
  public static nvidia(count: number, options: GpuOptions = {}): Gpu {
    return new Gpu('nvidia.com/gpu', 'nvidia.com/gpu.product', count, options);
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

  private constructor(resourceName: string, productLabel: string, count: number, options: GpuOptions) {
    this.resourceName = resourceName;
    this.productLabel = productLabel;
    this.count = count;
    this.product = options.product;
    this.tolerateTaint = options.tolerateTaint ?? true;
  }
}
