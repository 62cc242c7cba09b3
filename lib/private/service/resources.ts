import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import { Gpu } from '../../gpu';
import type { InferenceServiceProps } from '../../inference-service-props';
import type { ModelServer } from '../../model-server';
import { isLabelValue } from '../../names';
import { INT32_MAX, millicores, requireBoolean, requireCpu, requireInstance, requireNumber, requireSize } from '../values';
import { fail, site } from './fail';
import { PodPatches } from './kube-patches';

/** Ephemeral storage for container logs on top of the emptyDirs. */
const LOG_ALLOWANCE_MIB = 2048;

/** The resource props of an InferenceService (see InferenceServiceProps). */
export type ResourceOptions = Pick<InferenceServiceProps, 'cpu' | 'cpuLimit' | 'memory' | 'gpu' | 'sharedMemory' | 'cacheSize'>;

/**
 * Refuses a GPU that is not a Gpu, a count that is not whole, a product that is no label value, a
 * `tolerateTaint` that is not a boolean, or a GPU count that differs from the server's parallelism
 * (which the server checked is whole).
 */
export function checkGpu(scope: IConstruct, server: ModelServer, gpu: Gpu | undefined): void {
  requireInstance(site(scope, 'gpu'), gpu, Gpu, 'Gpu.nvidia(1)');
  if (gpu) checkGpuRequest(scope, gpu);
  checkParallelism(scope, server, gpu);
}

/** Refuses a GPU count that is not whole, or a product the node selector cannot carry. */
function checkGpuRequest(scope: IConstruct, gpu: Gpu): void {
  requireNumber(site(scope, 'gpu (count)'), gpu.count);
  if (!Number.isInteger(gpu.count) || gpu.count < 1 || gpu.count > INT32_MAX) {
    fail(scope, {
      code: ErrorCode.INVALID_GPU_COUNT,
      prop: 'gpu', received: gpu.count, allowed: 'a whole number of GPUs, 1 or more', fix: 'request whole GPUs, e.g. Gpu.nvidia(1), or omit gpu for CPU inference',
    });
  }
  requireBoolean(site(scope, 'gpu.tolerateTaint'), gpu.tolerateTaint);
  const product = gpu.product;
  // A claimed GPU's product is a device attribute, not a node label (checked in gpu-claim.ts).
  if (product !== undefined && gpu.claim === undefined && (typeof product !== 'string' || product === '' || !isLabelValue(product))) {
    fail(scope, {
      code: ErrorCode.INVALID_GPU_PRODUCT,
      prop: 'gpu.product', received: product,
      allowed: `the value of the node label ${gpu.productLabel}: at most 63 letters, digits, "-", "_" or "." (no spaces)`,
      fix: `copy the product as \`kubectl get nodes -L ${gpu.productLabel}\` shows it, e.g. 'NVIDIA-L4'`,
    });
  }
}

/**
 * Refuses a GPU count that differs from an LLM server's tensor × pipeline parallelism: with more
 * GPUs the server would use one and leave the others idle; with fewer it cannot start.
 */
function checkParallelism(scope: IConstruct, server: ModelServer, gpu: Gpu | undefined): void {
  const parallelism = server.parallelism;
  const props = Object.keys(server._parallelismOptions);
  const mustMatch = server._gpusMatchParallelism;
  if (!mustMatch || (gpu === undefined && parallelism === 1) || gpu?.count === parallelism) return;
  fail(scope, {
    code: ErrorCode.GPU_COUNT_MISMATCH,
    prop: 'gpu',
    received: gpu ? `${gpu.count} GPU(s)` : 'no GPU',
    allowed: `exactly ${server._parallelismProp} = ${parallelism} GPUs per replica`,
    fix: gpu && gpu.count > parallelism
      ? `split the model across the ${gpu.count} GPUs with the server's ${props[0]} (e.g. ${props[0]}: ${gpu.count}), or request Gpu.nvidia(${parallelism})`
      : `set gpu to Gpu.nvidia(${parallelism}) (or Gpu.amd), or change the parallelism of the server`,
  });
}

/**
 * CPU, memory, GPUs and scratch space of one replica, with their defaults for the server and the
 * GPU count.
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 */
export class ServiceResources {
  public readonly cpu: kplus.Cpu;
  public readonly cpuLimit: kplus.Cpu;
  public readonly memory: Size;
  /** Size of /dev/shm, if any. */
  public readonly sharedMemory?: Size;
  /** Size limit of the writable cache folders. */
  public readonly cacheSize: Size;
  private readonly gpu?: Gpu;

  public constructor(private readonly scope: IConstruct, server: ModelServer, options: ResourceOptions) {
    for (const prop of ['memory', 'sharedMemory', 'cacheSize'] as const) requireSize(site(scope, prop), options[prop]);
    requireCpu(site(scope, 'cpu'), options.cpu);
    requireCpu(site(scope, 'cpuLimit'), options.cpuLimit);
    const gpus = options.gpu?.count ?? 0;
    this.gpu = options.gpu;
    this.sharedMemory = options.sharedMemory ?? (gpus > 1 ? Size.gibibytes(2) : gpus === 1 ? Size.gibibytes(1) : undefined);
    this.checkSharedMemory(gpus);
    this.cpu = options.cpu ?? kplus.Cpu.units(gpus > 0 ? 4 : 1);
    this.memory = options.memory ?? Size.gibibytes(server.isLlm ? 32 : 4);
    this.cacheSize = options.cacheSize ?? Size.gibibytes(server.isLlm ? 50 : 5);
    this.cpuLimit = options.cpuLimit ?? kplus.Cpu.millis(2 * cpuMillicores(this.cpu));
    this.checkCpuLimit(options.cpu !== undefined);
    this.checkSize('memory', this.memory);
    this.checkSize('cacheSize', this.cacheSize);
  }

  /**
   * The server container's resources. The emptyDirs (`scratchMebibytes`) count against ephemeral
   * storage; the limit adds room for logs. (cdk8s-plus renders ephemeral storage in whole GiB.)
   */
  public containerResources(scratchMebibytes: number): kplus.ContainerResources {
    return {
      cpu: { request: this.cpu, limit: this.cpuLimit },
      memory: { request: this.memory, limit: this.memory },
      ephemeralStorage: {
        request: Size.gibibytes(Math.ceil(scratchMebibytes / 1024)),
        limit: Size.gibibytes(Math.ceil((scratchMebibytes + LOG_ALLOWANCE_MIB) / 1024)),
      },
    };
  }

  /** Writes the GPU limit, which cdk8s-plus-27 has no field for. */
  public patch(patches: PodPatches): void {
    // GPUs claimed through DRA come from the ResourceClaim (see gpu-claim.ts), not the extended resource.
    if (this.gpu && this.gpu.claim === undefined) patches.serverLimit(this.gpu.resourceName, this.gpu.count);
  }

  private checkSharedMemory(gpus: number): void {
    if (gpus > 1 && (this.sharedMemory === undefined || this.sharedMemory.toMebibytes() === 0)) {
      fail(this.scope, {
        code: ErrorCode.SHARED_MEMORY_REQUIRED,
        prop: 'sharedMemory',
        received: '0',
        allowed: `a /dev/shm size above 0 with ${gpus} GPUs (NCCL exchanges tensors through shared memory)`,
        fix: 'remove sharedMemory to get the 2Gi default, or set e.g. Size.gibibytes(4)',
      });
    }
  }

  /** Refuses a limit below the request, which the API server refuses. */
  private checkCpuLimit(requestGiven: boolean): void {
    const request = cpuMillicores(this.cpu);
    if (cpuMillicores(this.cpuLimit) < request) {
      fail(this.scope, {
        code: ErrorCode.CPU_LIMIT_BELOW_REQUEST,
        prop: 'cpuLimit', received: this.cpuLimit.amount,
        allowed: `at least the CPU request (${this.cpu.amount}${requestGiven ? '' : ', the default'}): a limit below the request is refused by the API server`,
        fix: `raise cpuLimit to at least Cpu.millis(${request}), or lower cpu`,
      });
    }
  }

  private checkSize(prop: string, size: Size): void {
    if (!(size.toMebibytes() > 0)) {
      fail(this.scope, {
        code: ErrorCode.INVALID_SIZE,
        prop, received: `${size.toMebibytes()}Mi`, allowed: 'a size above 0, e.g. Size.gibibytes(16)', fix: `set ${prop} to a positive size`,
      });
    }
  }
}

/** CPU amount in millicores of a CPU that passed `requireCpu`. */
function cpuMillicores(cpu: kplus.Cpu): number {
  return millicores(cpu) ?? 0;
}
