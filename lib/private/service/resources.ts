import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import type { Gpu } from '../../gpu';
import type { InferenceServiceProps } from '../../inference-service-props';
import type { ModelServer } from '../../model-server';
import { fail } from './fail';
import { PodPatches } from './kube-patches';

/** Ephemeral storage for container logs on top of the emptyDirs. */
const LOG_ALLOWANCE_MIB = 2048;

/** The resource props of an InferenceService (see InferenceServiceProps). */
export type ResourceOptions = Pick<InferenceServiceProps, 'cpu' | 'cpuLimit' | 'memory' | 'gpu' | 'sharedMemory' | 'cacheSize'>;

/** Refuses a GPU count that is not whole, or that differs from the server's parallelism. */
export function checkGpu(scope: IConstruct, server: ModelServer, gpu: Gpu | undefined): void {
  const parallelism = server.parallelism;
  if (gpu && (!Number.isInteger(gpu.count) || gpu.count < 1)) {
    fail(scope, {
      code: ErrorCode.INVALID_GPU_COUNT,
      prop: 'gpu', received: gpu.count, allowed: 'a whole number of GPUs, 1 or more', fix: 'request whole GPUs, e.g. Gpu.nvidia(1), or omit gpu for CPU inference',
    });
  }
  if (parallelism > 1 && (gpu?.count ?? 0) !== parallelism) {
    fail(scope, {
      code: ErrorCode.GPU_COUNT_MISMATCH,
      prop: 'gpu',
      received: gpu ? `${gpu.count} GPU(s)` : 'no GPU',
      allowed: `exactly ${server._parallelismProp} = ${parallelism} GPUs per replica`,
      fix: `set gpu to Gpu.nvidia(${parallelism}) (or Gpu.amd), or change the parallelism of the server`,
    });
  }
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
    const gpus = options.gpu?.count ?? 0;
    this.gpu = options.gpu;
    this.sharedMemory = options.sharedMemory ?? (gpus > 1 ? Size.gibibytes(2) : gpus === 1 ? Size.gibibytes(1) : undefined);
    this.checkSharedMemory(gpus);
    this.cpu = options.cpu ?? kplus.Cpu.units(gpus > 0 ? 4 : 1);
    this.memory = options.memory ?? Size.gibibytes(server.isLlm ? 32 : 4);
    this.cacheSize = options.cacheSize ?? Size.gibibytes(server.isLlm ? 50 : 5);
    this.checkCpu('cpu', this.cpu);
    if (options.cpuLimit) this.checkCpu('cpuLimit', options.cpuLimit);
    this.cpuLimit = options.cpuLimit ?? kplus.Cpu.millis(2 * millicores(this.cpu));
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
    if (this.gpu) patches.serverLimit(this.gpu.resourceName, this.gpu.count);
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

  private checkCpu(prop: string, cpu: kplus.Cpu): void {
    const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(cpu.amount);
    if (!m || Number(m[1]) <= 0) {
      fail(this.scope, {
        code: ErrorCode.INVALID_CPU,
        prop, received: cpu.amount, allowed: 'a positive CPU amount, e.g. Cpu.units(2) or Cpu.millis(500)', fix: `set ${prop} to a positive amount`,
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

/** CPU amount in millicores ('2' → 2000, '500m' → 500). */
function millicores(cpu: kplus.Cpu): number {
  return cpu.amount.endsWith('m') ? Number(cpu.amount.slice(0, -1)) : Math.round(Number(cpu.amount) * 1000);
}
