import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ErrorCode, Gpu, InferenceConfigError, InferenceService, InferenceServiceProps, ModelServer, Scaling } from '../lib';
import { chart, only, serverContainer, synthService } from './util';

// Every value of an InferenceService, its Scaling, Gpu and ModelServer preset is checked where it
// enters, for TypeScript, JavaScript and Python callers alike: a mistake fails the synth naming the
// construct path, the prop, the value, what is allowed and the fix, never a raw TypeError or cdk8s error.

const vllm = (extra: Partial<Parameters<typeof ModelServer.vllm>[0]> = {}) =>
  ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct', ...extra });

/** A custom server on port 8080 with `extra` options. */
const custom = (extra: Partial<Parameters<typeof ModelServer.custom>[0]> = {}) =>
  ModelServer.custom({ image: 'ghcr.io/acme/server:1.0.0', httpPort: 8080, ...extra });

/** Builds a one-GPU vLLM service at `test/svc` with `props` and expects it to throw `message` with `code`. */
function expectRefused(props: Partial<InferenceServiceProps>, message: RegExp, code: ErrorCode): void {
  const build = () => new InferenceService(chart(), 'svc', { server: vllm(), gpu: Gpu.nvidia(1), ...props });
  expect(build).toThrow(message);
  expect(build).toThrow(expect.objectContaining({ name: 'InferenceConfigError', code, constructPath: 'test/svc' }));
  expect(build).toThrow(`[code: ${code}]`);
}

describe('GPU', () => {
  test('throws when the GPU product is not a label value', () => {
    expectRefused({ gpu: Gpu.nvidia(1, { product: 'NVIDIA L4' }) },
      /^InferenceService 'test\/svc': invalid gpu.product: received 'NVIDIA L4'; allowed: the value of the node label nvidia.com\/gpu.product: .*no spaces.*Fix: copy the product/,
      ErrorCode.INVALID_GPU_PRODUCT);
  });

  test('throws when an LLM server is given more GPUs than its parallelism uses', () => {
    expectRefused({ gpu: Gpu.nvidia(4) },
      /invalid gpu: received '4 GPU\(s\)'; allowed: exactly tensorParallelSize \(1\) × pipelineParallelSize \(1\) = 1 GPUs per replica. Fix: split the model across the 4 GPUs with the server's tensorParallelSize \(e.g. tensorParallelSize: 4\)/,
      ErrorCode.GPU_COUNT_MISMATCH);
    expectRefused({ server: ModelServer.tgi({ model: 'Qwen/Qwen2.5-7B-Instruct', numShard: 1 }), gpu: Gpu.nvidia(2) },
      /invalid gpu: received '2 GPU\(s\)'; allowed: exactly numShard \(1\) = 1 GPUs per replica. Fix: .*numShard: 2/, ErrorCode.GPU_COUNT_MISMATCH);
  });

  test('GPUs need not equal the parallelism where the server uses them all: TGI without numShard, data parallelism in extraArgs', () => {
    const gpus = (server: ModelServer) => serverContainer(synthService({ server, gpu: Gpu.nvidia(4) })).resources.limits['nvidia.com/gpu'];
    // TGI shards over every GPU it sees unless numShard says otherwise.
    expect(gpus(ModelServer.tgi({ model: 'Qwen/Qwen2.5-7B-Instruct' }))).toBe(4);
    // Four engine copies of one GPU each (vLLM --data-parallel-size, SGLang --dp-size).
    expect(gpus(ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct', extraArgs: ['--data-parallel-size=4'] }))).toBe(4);
    expect(gpus(ModelServer.sglang({ model: 'Qwen/Qwen2.5-7B-Instruct', extraArgs: ['--dp-size', '4'] }))).toBe(4);
  });

  test('a server that is no LLM preset may use several GPUs, and an LLM on CPU needs none', () => {
    expect(() => synthService({ server: ModelServer.triton(), gpu: Gpu.nvidia(2) })).not.toThrow();
    expect(() => synthService({ server: vllm() })).not.toThrow();
    expect(() => synthService({ server: vllm({ tensorParallelSize: 2, pipelineParallelSize: 2 }), gpu: Gpu.nvidia(4) })).not.toThrow();
  });

  test('throws when tensor or pipeline parallelism, or the shards, are not a whole number of at least 1', () => {
    expectRefused({ server: vllm({ tensorParallelSize: 0 }) },
      /invalid server.tensorParallelSize: received 0; allowed: a whole number of GPUs, 1 or more. Fix: set tensorParallelSize/, ErrorCode.INVALID_PARALLELISM);
    expectRefused({ server: vllm({ pipelineParallelSize: 1.5 }) }, /invalid server.pipelineParallelSize: received 1.5/, ErrorCode.INVALID_PARALLELISM);
    expectRefused({ server: ModelServer.sglang({ model: 'Qwen/Qwen2.5-7B-Instruct', tensorParallelSize: -2 }) },
      /invalid server.tensorParallelSize: received -2/, ErrorCode.INVALID_PARALLELISM);
    expectRefused({ server: ModelServer.tgi({ model: 'Qwen/Qwen2.5-7B-Instruct', numShard: 0 }) }, /invalid server.numShard: received 0/, ErrorCode.INVALID_PARALLELISM);
  });
});

describe('CPU', () => {
  test('throws when a CPU amount is finer than 1m (the derived limit would be 0m)', () => {
    expectRefused({ cpu: kplus.Cpu.units(0.0004) },
      /invalid cpu: received '0.0004'; allowed: a positive CPU amount, .*Fix: set cpu to a positive amount in whole millicores \(Cpu.millis\(1\) at least/, ErrorCode.INVALID_CPU);
    expectRefused({ cpuLimit: kplus.Cpu.millis(2.5) }, /invalid cpuLimit: received '2.5m'/, ErrorCode.INVALID_CPU);
  });

  test('throws when the CPU limit is below the request, given or default', () => {
    expectRefused({ cpu: kplus.Cpu.units(2), cpuLimit: kplus.Cpu.millis(1500) },
      /invalid cpuLimit: received '1500m'; allowed: at least the CPU request \(2\): a limit below the request is refused by the API server. Fix: raise cpuLimit to at least Cpu.millis\(2000\), or lower cpu/,
      ErrorCode.CPU_LIMIT_BELOW_REQUEST);
    expectRefused({ cpuLimit: kplus.Cpu.units(2) }, /invalid cpuLimit: received '2'; allowed: at least the CPU request \(4, the default\)/,
      ErrorCode.CPU_LIMIT_BELOW_REQUEST);
  });

  test('a limit equal to the request, and fractional cores, are accepted', () => {
    const container = only(synthService({ server: vllm(), gpu: Gpu.nvidia(1), cpu: kplus.Cpu.units(1.5), cpuLimit: kplus.Cpu.millis(1500) }), 'Deployment')
      .spec.template.spec.containers[0];
    expect(container.resources.limits.cpu).toBe('1500m');
    expect(container.resources.requests.cpu).toBe('1.5');
  });
});

describe('rollout, security and int32 bounds', () => {
  test('throws when maxSurge is not a whole number of at least 1', () => {
    for (const maxSurge of [-1, 1.5, 0]) {
      expectRefused({ maxSurge }, new RegExp(`^InferenceService 'test/svc': invalid maxSurge: received ${maxSurge}; allowed: a whole number of pods, 1 or more`),
        ErrorCode.INVALID_MAX_SURGE);
    }
  });

  test('maxSurge reaches the rolling update', () => {
    const manifests = synthService({ server: vllm(), gpu: Gpu.nvidia(1), maxSurge: 2 });
    expect(only(manifests, 'Deployment').spec.strategy.rollingUpdate).toEqual({ maxSurge: 2, maxUnavailable: 0 });
  });

  test('throws when runAsUser is negative, root or not a whole number', () => {
    for (const runAsUser of [-1, 0, 10001.5, 2147483648]) {
      expectRefused({ runAsUser }, new RegExp(`invalid runAsUser: received ${runAsUser}; allowed: a whole UID from 1 to 2147483647`), ErrorCode.INVALID_RUN_AS_USER);
    }
  });

  test('throws when replicas overflow int32', () => {
    expectRefused({ scaling: Scaling.fixed(2147483648) }, /invalid scaling \(replicas\): received 2147483648; allowed: a whole number, 1 or more \(at most 2147483647\)/,
      ErrorCode.INVALID_REPLICAS);
    expectRefused({ scaling: Scaling.onCpu({ maxReplicas: 2147483648 }) }, /invalid scaling.maxReplicas: received 2147483648/, ErrorCode.INVALID_REPLICAS);
  });

  test('throws when a CPU utilization target is not whole (autoscaling/v2 takes an int32)', () => {
    expectRefused({ scaling: Scaling.onCpu({ maxReplicas: 3, targetUtilizationPercent: 70.5 }) },
      /invalid scaling.targetUtilizationPercent: received 70.5; allowed: a percentage above 0, at most 100, and whole/, ErrorCode.INVALID_SCALING_TARGET);
  });

  test('throws when a startup timeout overflows int32 seconds', () => {
    expectRefused({ startupTimeout: Duration.seconds(2147483647) },
      /invalid startupTimeout: received '.*'; allowed: at most 2147483347 seconds/, ErrorCode.OUT_OF_RANGE);
  });
});

describe('durations in whole seconds', () => {
  test('throws when a duration Kubernetes counts in seconds is given in milliseconds', () => {
    const props = ['maxRequestDuration', 'startupTimeout', 'preStopDelay', 'terminationGracePeriod'] as const;
    for (const prop of props) {
      expectRefused({ [prop]: Duration.millis(902500) },
        new RegExp(`^InferenceService 'test/svc': invalid ${prop}: received '15 minutes 2 seconds.*'; allowed: whole seconds.*Fix: use e.g. Duration.seconds\\(903\\)`),
        ErrorCode.NOT_A_WHOLE_NUMBER);
    }
    expectRefused({ maxRequestDuration: Duration.millis(2500) }, /invalid maxRequestDuration: received '2 seconds 500 millis'; allowed: whole seconds/,
      ErrorCode.NOT_A_WHOLE_NUMBER);
    expectRefused({ nodeLossTolerance: Duration.millis(2500) }, /invalid nodeLossTolerance: received '2.5 s'; allowed: whole seconds from 0 to 3600/,
      ErrorCode.INVALID_NODE_LOSS_TOLERANCE);
  });

  test("throws when a custom server's default startup timeout is not whole seconds", () => {
    expectRefused({ server: custom({ defaultStartupTimeout: Duration.millis(90500) }), gpu: undefined },
      /invalid server.defaultStartupTimeout: received '1 minute 30 seconds'; allowed: whole seconds/, ErrorCode.NOT_A_WHOLE_NUMBER);
  });
});

describe('sizes and ports', () => {
  test('throws when a cache size is 0, or a size is not whole mebibytes', () => {
    expectRefused({ cacheSize: Size.gibibytes(0) }, /invalid cacheSize: received '0Mi'; allowed: a size above 0/, ErrorCode.INVALID_SIZE);
    expectRefused({ memory: Size.kibibytes(1500) }, /invalid memory: received '1.46484375Mi'; allowed: a size in whole mebibytes. Fix: use e.g. Size.mebibytes\(2\)/,
      ErrorCode.NOT_A_WHOLE_NUMBER);
  });

  test('throws when a custom server port is outside 1-65535', () => {
    expectRefused({ server: custom({ httpPort: 0 }), gpu: undefined },
      /invalid server.httpPort: received 0; allowed: a whole number from 1 to 65535/, ErrorCode.OUT_OF_RANGE);
    expectRefused({ server: custom({ grpcPort: 70000 }), gpu: undefined }, /invalid server.grpcPort: received 70000/, ErrorCode.OUT_OF_RANGE);
    expectRefused({ server: custom({ metricsPort: 9090.5 }), gpu: undefined }, /invalid server.metricsPort: received 9090.5/, ErrorCode.NOT_A_WHOLE_NUMBER);
  });

  test('throws when a custom server serves HTTP and gRPC, or gRPC and metrics, on one port', () => {
    expectRefused({ server: custom({ grpcPort: 8080 }), gpu: undefined },
      /invalid server.grpcPort: received 8080; allowed: a port other than httpPort \(8080\)/, ErrorCode.PORT_CONFLICT);
    expectRefused({ server: custom({ grpcPort: 9000, metricsPort: 9000 }), gpu: undefined },
      /invalid server.grpcPort: received 9000; allowed: a port other than metricsPort \(9000\)/, ErrorCode.PORT_CONFLICT);
  });
  test("throws when a custom server's health or metrics path, or a writable folder, is not absolute", () => {
    expectRefused({ server: custom({ livenessPath: 'healthz' }), gpu: undefined },
      /invalid server.livenessPath: received 'healthz'; allowed: an absolute path without spaces, e.g. \/healthz. Fix: start server.livenessPath with \//, ErrorCode.INVALID_PATH);
    expectRefused({ server: custom({ metricsPath: 'metrics' }), gpu: undefined }, /invalid server.metricsPath: received 'metrics'/, ErrorCode.INVALID_PATH);
    expectRefused({ server: custom({ writablePaths: ['/tmp', 'cache'] }), gpu: undefined }, /invalid server.writablePaths\[1\]: received 'cache'/, ErrorCode.INVALID_PATH);
    expectRefused({ server: ModelServer.tfServing({ modelName: 'resnet', modelBasePath: 'models/resnet' }), gpu: undefined },
      /invalid server.modelBasePath: received 'models\/resnet'/, ErrorCode.INVALID_PATH);
  });
});

describe('values from JavaScript and Python, whose types no compiler checked', () => {
  /** Builds the service as JavaScript would, with `props` cast through `any`. */
  function expectWrongType(props: { [prop: string]: unknown }, message: RegExp): void {
    const build = () => new InferenceService(chart(), 'svc', { server: vllm(), gpu: Gpu.nvidia(1), ...props } as any);
    expect(build).toThrow(InferenceConfigError);
    expect(build).toThrow(message);
    expect(build).toThrow(expect.objectContaining({ code: ErrorCode.WRONG_TYPE, constructPath: 'test/svc' }));
  }

  test('throws when a string is given for a Size, a number for a Duration, a string for a number', () => {
    expectWrongType({ memory: '4GB' },
      /^InferenceService 'test\/svc': invalid memory: received '4GB'; allowed: a Size \(cdk8s\), e.g. Size.gibibytes\(16\). Fix: pass Size.gibibytes\(16\), not a string/);
    expectWrongType({ startupTimeout: 600 }, /invalid startupTimeout: received 600; allowed: a Duration \(cdk8s\), e.g. Duration.seconds\(30\). Fix: .*not a number/);
    expectWrongType({ maxSurge: '2' }, /invalid maxSurge: received '2'; allowed: a number/);
    expectWrongType({ cpu: '500m' }, /invalid cpu: received '500m'; allowed: a Cpu \(cdk8s-plus\), e.g. Cpu.units\(2\)/);
    expectWrongType({ nodeLossTolerance: 30 }, /invalid nodeLossTolerance: received 30; allowed: a Duration/);
    expectWrongType({ runAsUser: '10001' }, /invalid runAsUser: received '10001'/);
    expectWrongType({ pdbMaxUnavailable: '1' }, /invalid pdbMaxUnavailable: received '1'/);
    expectWrongType({ imagePullSecrets: 'ngc' }, /invalid imagePullSecrets: received 'ngc'; allowed: a list/);
  });

  test('throws when the server, scaling or GPU is not one of the library\'s values', () => {
    expectWrongType({ server: 'vllm' }, /invalid server: received 'vllm'; allowed: a ModelServer, e.g. ModelServer.vllm/);
    expectWrongType({ server: undefined }, /invalid server: received nothing; allowed: a ModelServer/);
    expectWrongType({ scaling: 3 }, /invalid scaling: received 3; allowed: a Scaling, e.g. Scaling.fixed\(2\)/);
    expectWrongType({ gpu: 1 }, /invalid gpu: received 1; allowed: a Gpu, e.g. Gpu.nvidia\(1\)/);
  });

  test('throws when numbers inside the library\'s values are strings', () => {
    expectWrongType({ gpu: Gpu.nvidia('2' as any) }, /invalid gpu \(count\): received '2'; allowed: a number/);
    expectWrongType({ scaling: Scaling.fixed('3' as any) }, /invalid scaling \(replicas\): received '3'; allowed: a number/);
    expectWrongType({ scaling: Scaling.onCpu({ maxReplicas: 4, targetUtilizationPercent: '70' as any }) }, /invalid scaling.targetUtilizationPercent: received '70'/);
    expectWrongType({ server: vllm({ tensorParallelSize: '2' as any }) }, /invalid server.tensorParallelSize: received '2'; allowed: a number/);
    expectWrongType({ server: custom({ httpPort: '8080' as any }), gpu: undefined }, /invalid server.httpPort: received '8080'; allowed: a number/);
    expectWrongType({ scaling: Scaling.onQueueDepth({ maxReplicas: 4, metricsApi: 'keda' as any }) },
      /invalid scaling.metricsApi: received 'keda'; allowed: a QueueMetricsApi: 'Pods', 'External', 'KEDA'/);
  });

  test('throws when one string is given where a preset expects a list of strings, or a list holds a number', () => {
    // Spread into the container's args, 'abc' would become three arguments 'a', 'b', 'c'.
    expectWrongType({ server: vllm({ extraArgs: '--max-model-len=8192' as any }) },
      /^InferenceService 'test\/svc': invalid server.extraArgs: received '--max-model-len=8192'; allowed: a list, e.g. \['--max-model-len=8192'\]/);
    expectWrongType({ server: vllm({ extraArgs: ['--max-loras', 4] as any }) }, /invalid server.extraArgs\[1\]: received 4; allowed: a string/);
    expectWrongType({ server: ModelServer.torchServe({ models: 'resnet=resnet-18.mar' as any }), gpu: undefined },
      /invalid server.models: received 'resnet=resnet-18.mar'; allowed: a list/);
    expectWrongType({ server: custom({ args: '--workers=2' as any }), gpu: undefined }, /invalid server.args: received '--workers=2'; allowed: a list/);
    expectWrongType({ server: custom({ command: 'python' as any }), gpu: undefined }, /invalid server.command: received 'python'; allowed: a list/);
    expectWrongType({ server: custom({ writablePaths: '/tmp' as any }), gpu: undefined }, /invalid server.writablePaths: received '\/tmp'; allowed: a list/);
  });

  test('throws when a preset\'s strings, a custom server\'s env or flags, or a GPU\'s tolerateTaint have the wrong type', () => {
    expectWrongType({ server: vllm({ model: 7 as any }) }, /invalid server.model: received 7; allowed: a string/);
    expectWrongType({ server: vllm({ image: ['vllm/vllm-openai:v0.18.0'] as any }) }, /invalid server.image: received \["vllm\/vllm-openai:v0.18.0"\]; allowed: a string/);
    expectWrongType({ server: ModelServer.tfServing({} as any), gpu: undefined }, /invalid server.modelName: received nothing; allowed: a non-empty string/);
    expectWrongType({ server: custom({ env: 'LOG_LEVEL=info' as any }), gpu: undefined }, /invalid server.env: received 'LOG_LEVEL=info'; allowed: a map of strings/);
    expectWrongType({ server: custom({ env: { WORKERS: 2 } as any }), gpu: undefined }, /invalid server.env.WORKERS: received 2; allowed: a string/);
    expectWrongType({ server: custom({ exposesMetrics: 'false' as any }), gpu: undefined }, /invalid server.exposesMetrics: received 'false'; allowed: true or false/);
    expectWrongType({ gpu: Gpu.nvidia(1, { tolerateTaint: 'false' as any }) }, /invalid gpu.tolerateTaint: received 'false'; allowed: true or false/);
  });

  test('a preset called with no options at all fails with the construct path, not a TypeError', () => {
    const build = () => new InferenceService(chart(), 'svc', { server: ModelServer.vllm(undefined as any), gpu: Gpu.nvidia(1) });
    expect(build).toThrow(expect.objectContaining({ name: 'InferenceConfigError', constructPath: 'test/svc', code: ErrorCode.MODEL_VOLUME_REQUIRED }));
  });

  test('valid values of the right types still synthesize', () => {
    const c = chart();
    new InferenceService(c, 'svc', { server: vllm(), gpu: Gpu.nvidia(1), memory: Size.gibibytes(24), startupTimeout: Duration.minutes(20), maxSurge: 1 });
    expect(() => Testing.synth(c)).not.toThrow();
  });
});
