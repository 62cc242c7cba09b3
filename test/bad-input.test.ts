import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ErrorCode, Gpu, InferenceConfigError, InferenceService, InferenceServiceProps, ModelServer, QueueMetricsApi, Scaling } from '../lib';
import { chart } from './util';

const server = ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct' });

function build(props: Partial<InferenceServiceProps>, id = 'svc'): () => void {
  return () => new InferenceService(chart(), id, { server, gpu: Gpu.nvidia(1), ...props });
}

describe('InferenceService refuses bad input with a message naming path, prop, value, allowed and fix', () => {
  test('throws when the image is latest', () => {
    expect(build({ server: ModelServer.vllm({ model: 'm', image: 'vllm/vllm-openai:latest' }) })).toThrow(
      "InferenceService 'test/svc': invalid server image: received 'vllm/vllm-openai:latest'; " +
      "allowed: an image pinned by a version tag (not \"latest\") or by digest. " +
      "Fix: pin it, e.g. 'vllm/vllm-openai:<version>' or 'vllm/vllm-openai@sha256:<digest>'");
  });

  test('throws when the image is untagged', () => {
    expect(build({ server: ModelServer.custom({ image: 'registry.example.com:5000/team/server', httpPort: 8080 }) }))
      .toThrow(/invalid server image: received 'registry.example.com:5000\/team\/server'; allowed: an image pinned/);
  });

  test('throws when the digest is malformed', () => {
    expect(build({ server: ModelServer.custom({ image: 'team/server@sha256:abc', httpPort: 8080 }) }))
      .toThrow(/invalid server image: .*allowed: a digest of the form sha256:<64 lower-case hex digits>/);
  });

  test('throws when minReplicas > maxReplicas', () => {
    expect(build({ scaling: Scaling.onQueueDepth({ minReplicas: 5, maxReplicas: 3 }) })).toThrow(
      "InferenceService 'test/svc': invalid scaling.minReplicas: received 5; allowed: at most maxReplicas (3). " +
      'Fix: raise maxReplicas or lower minReplicas');
  });

  test('throws when there are zero replicas', () => {
    expect(build({ scaling: Scaling.fixed(0) })).toThrow(/invalid scaling \(replicas\): received 0; allowed: a whole number, 1 or more/);
  });

  test('throws when a Prometheus address is given without KEDA', () => {
    expect(build({ scaling: Scaling.onQueueDepth({ maxReplicas: 3, prometheusAddress: 'http://prometheus.monitoring.svc:9090' }) })).toThrow(
      "InferenceService 'test/svc': invalid scaling.prometheusAddress: received 'http://prometheus.monitoring.svc:9090'; " +
      'allowed: only with metricsApi: QueueMetricsApi.KEDA (an adapter finds Prometheus through its own configuration). ' +
      'Fix: set metricsApi to QueueMetricsApi.KEDA, or remove prometheusAddress');
  });

  test('throws when the Prometheus address for KEDA is not a URL', () => {
    expect(build({ scaling: Scaling.onQueueDepth({ maxReplicas: 3, metricsApi: QueueMetricsApi.KEDA, prometheusAddress: 'prometheus:9090' }) })).toThrow(
      /invalid scaling.prometheusAddress: received 'prometheus:9090'; allowed: an http:\/\/ or https:\/\/ URL .*Fix: use e.g. 'http:\/\/prometheus-operated.monitoring.svc:9090'/);
    // Credentials in the address would land in the ScaledObject's YAML.
    expect(build({ scaling: Scaling.onQueueDepth({ maxReplicas: 3, metricsApi: QueueMetricsApi.KEDA, prometheusAddress: 'http://admin:s3cret@prometheus:9090' }) })).toThrow(
      /invalid scaling.prometheusAddress: .*allowed: an http:\/\/ or https:\/\/ URL of the Prometheus HTTP API, without credentials, query or fragment.*\[code: InvalidPrometheusAddress\]/);
  });

  test('throws when KEDA is asked to scale a server without a queue metric', () => {
    expect(build({ server: ModelServer.tfServing({ modelName: 'resnet' }), gpu: undefined, scaling: Scaling.onQueueDepth({ maxReplicas: 3, metricsApi: QueueMetricsApi.KEDA }) }))
      .toThrow(/invalid scaling: received 'Scaling.onQueueDepth'; allowed: a server with a queue-depth metric/);
  });

  test('throws on a label key or value Kubernetes refuses', () => {
    expect(build({ labels: { 'team name': 'search' } })).toThrow(
      /InferenceService 'test\/svc': invalid labels: received 'team name'; allowed: a label key: .*Fix: use e.g. 'team-name'/);
    expect(build({ nodeSelector: { pool: 'gpu inference' } })).toThrow(
      /invalid nodeSelector\['pool'\]: received 'gpu inference'; allowed: a label value: .*Fix: use e.g. 'gpu-inference'/);
  });

  test('throws when the node selector names another GPU product than gpu', () => {
    expect(build({ gpu: Gpu.nvidia(1, { product: 'NVIDIA-L4' }), nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A10G' } })).toThrow(
      "InferenceService 'test/svc': invalid nodeSelector['nvidia.com/gpu.product']: received 'NVIDIA-A10G'; " +
      "allowed: the GPU's product, 'NVIDIA-L4', or no such key: a pod cannot select two products. Fix: name the product in gpu only, or drop it from nodeSelector");
  });

  test('throws on a node-loss tolerance that is not whole seconds from 0 to 3600', () => {
    expect(build({ nodeLossTolerance: Duration.hours(2) })).toThrow(
      "InferenceService 'test/svc': invalid nodeLossTolerance: received '7200 s'; allowed: whole seconds from 0 to 3600. Fix: use e.g. Duration.seconds(30)");
    expect(build({ nodeLossTolerance: Duration.millis(1500) })).toThrow(/invalid nodeLossTolerance: received '1.5 s'/);
  });

  test('throws on a toleration that names no taint', () => {
    expect(build({ tolerations: [{ key: 'dedicated node' }] })).toThrow(/invalid tolerations: received 'dedicated node'; allowed: a taint key/);
  });

  test('throws on a pull secret named twice or not a Secret name', () => {
    expect(build({ imagePullSecrets: ['ngc', 'ngc'] })).toThrow(/invalid imagePullSecrets: received 'ngc'; allowed: names of Secrets, each once/);
    expect(build({ imagePullSecrets: ['NGC_Key'] })).toThrow(/invalid imagePullSecrets: received 'NGC_Key'/);
  });

  test('throws on a system priority class', () => {
    expect(build({ priorityClassName: 'system-cluster-critical' })).toThrow(
      /invalid priorityClassName: received 'system-cluster-critical'; allowed: the name of a PriorityClass you created; .*Fix: create a PriorityClass for inference/);
  });

  test('throws when the CPU target is not a percentage', () => {
    expect(build({ scaling: Scaling.onCpu({ maxReplicas: 3, targetUtilizationPercent: 0 }) })).toThrow(/invalid scaling.targetUtilizationPercent: received 0/);
  });

  test('throws when the PDB would block every eviction', () => {
    expect(build({ scaling: Scaling.fixed(3), pdbMaxUnavailable: 0 })).toThrow(
      "InferenceService 'test/svc': invalid pdbMaxUnavailable: received 0; " +
      'allowed: a whole number of at least 1: 0 blocks every node drain and cluster upgrade. Fix: set pdbMaxUnavailable to 1');
  });

  test('throws when the PDB would allow every pod down', () => {
    expect(build({ scaling: Scaling.fixed(2), pdbMaxUnavailable: 2 })).toThrow(
      /invalid pdbMaxUnavailable: received 2; allowed: fewer than the minimum replicas \(2\).*Fix: set pdbMaxUnavailable to at most 1/);
  });

  test('throws when a PDB is asked for a single replica', () => {
    expect(build({ scaling: Scaling.fixed(1), pdbMaxUnavailable: 1 })).toThrow(/invalid pdbMaxUnavailable: received 1; allowed: only with at least 2 replicas/);
  });

  test('throws when the GPU count differs from tensor × pipeline parallel', () => {
    expect(build({ server: ModelServer.vllm({ model: 'm', tensorParallelSize: 2, pipelineParallelSize: 2 }), gpu: Gpu.nvidia(2) })).toThrow(
      "InferenceService 'test/svc': invalid gpu: received '2 GPU(s)'; " +
      'allowed: exactly tensorParallelSize (2) × pipelineParallelSize (2) = 4 GPUs per replica. ' +
      'Fix: set gpu to Gpu.nvidia(4) (or Gpu.amd), or change the parallelism of the server');
  });

  test('throws when a sharded server has no GPU', () => {
    expect(build({ server: ModelServer.tgi({ model: 'm', numShard: 2 }), gpu: undefined })).toThrow(/invalid gpu: received 'no GPU'; allowed: exactly numShard \(2\) = 2 GPUs/);
  });

  test('throws when the GPU count is not a whole number', () => {
    expect(build({ gpu: Gpu.nvidia(0.5) })).toThrow(/invalid gpu: received 0.5; allowed: a whole number of GPUs, 1 or more/);
  });

  test('throws when tensor parallel runs without /dev/shm', () => {
    expect(build({ server: ModelServer.vllm({ model: 'm', tensorParallelSize: 2 }), gpu: Gpu.nvidia(2), sharedMemory: Size.mebibytes(0) }))
      .toThrow(/invalid sharedMemory: received '0'; allowed: a \/dev\/shm size above 0 with 2 GPUs/);
  });

  test('throws when the grace period is shorter than preStop + drain', () => {
    expect(build({ maxRequestDuration: Duration.minutes(2), terminationGracePeriod: Duration.seconds(60) })).toThrow(
      "InferenceService 'test/svc': invalid terminationGracePeriod: received '1 minute'; " +
      'allowed: at least preStopDelay (15 s) + maxRequestDuration (120 s) = 135 s. ' +
      'Fix: raise terminationGracePeriod to 150 s, or lower maxRequestDuration');
  });

  test('throws when the start-up budget is zero', () => {
    expect(build({ startupTimeout: Duration.seconds(0) })).toThrow(
      /^InferenceService 'test\/svc': invalid startupTimeout: received '0 seconds'; allowed: at least 10 s .*Fix: set startupTimeout to the p99 time/);
  });

  test('throws when the name is not a DNS-1035 label', () => {
    expect(build({ name: 'Chat_Service' })).toThrow(
      "InferenceService 'test/svc': invalid name: received 'Chat_Service'; " +
      'allowed: a DNS-1035 label: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit. ' +
      "Fix: set name to something like 'chat-service'");
  });

  test('throws when the construct id is not a valid name and no name is given', () => {
    expect(build({}, 'Chat')).toThrow(/InferenceService 'test\/Chat': invalid name: received 'Chat'.*'chat'/);
  });

  test('throws when the name is too long', () => {
    expect(build({ name: 'a'.repeat(49) })).toThrow(/invalid name: received 'a{49}'; allowed: a DNS-1035 label of at most 48 characters \(this one has 49\)/);
  });

  test('throws when two services in one namespace share a name', () => {
    const c = chart();
    new InferenceService(c, 'chat', { server, gpu: Gpu.nvidia(1) });
    expect(() => new InferenceService(c, 'chat2', { server, gpu: Gpu.nvidia(1), name: 'chat' })).toThrow(
      "InferenceService 'test/chat2': invalid name: received 'chat'; allowed: a name not already used in namespace ml (held by 'test/chat'). " +
      'Fix: give one of the two a distinct name, or put them in different namespaces');
  });

  test('two charts in different namespaces may reuse a name, the same namespace may not', () => {
    const app = Testing.app();
    new InferenceService(new Chart(app, 'a', { namespace: 'team-a' }), 'chat', { server, gpu: Gpu.nvidia(1) });
    expect(() => new InferenceService(new Chart(app, 'b', { namespace: 'team-b' }), 'chat', { server, gpu: Gpu.nvidia(1) })).not.toThrow();
    expect(() => new InferenceService(new Chart(app, 'c', { namespace: 'team-a' }), 'chat', { server, gpu: Gpu.nvidia(1) }))
      .toThrow(/'c\/chat': invalid name: received 'chat'; allowed: a name not already used in namespace team-a \(held by 'a\/chat'\)/);
  });

  test('throws when the CPU request is negative', () => {
    expect(build({ cpu: kplus.Cpu.units(-1) })).toThrow(
      "InferenceService 'test/svc': invalid cpu: received '-1'; allowed: a positive CPU amount, e.g. Cpu.units(2) or Cpu.millis(500). Fix: set cpu to a positive amount");
  });

  test('throws when the CPU limit is malformed', () => {
    expect(build({ cpuLimit: kplus.Cpu.units(NaN) })).toThrow(/invalid cpuLimit: received 'NaN'/);
  });

  test('throws when memory is zero', () => {
    expect(build({ memory: Size.gibibytes(0) })).toThrow(/invalid memory: received '0Mi'; allowed: a size above 0/);
  });

  test('throws when a secret is passed as a literal value', () => {
    expect(build({ env: { HF_TOKEN: kplus.EnvValue.fromValue('hf_abcdef') } })).toThrow(
      /invalid env.HF_TOKEN: received '\(a literal value, not shown\)'; allowed: a reference to a Secret/);
    // The value itself never appears in the message.
    expect(build({ env: { HF_TOKEN: kplus.EnvValue.fromValue('hf_abcdef') } })).not.toThrow(/hf_abcdef/);
  });

  test('errors are InferenceConfigError with the construct path and prop', () => {
    try {
      build({ scaling: Scaling.fixed(0) })();
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(InferenceConfigError);
      expect((e as InferenceConfigError).constructPath).toBe('test/svc');
      expect((e as InferenceConfigError).prop).toBe('scaling (replicas)');
      expect((e as InferenceConfigError).code).toBe(ErrorCode.INVALID_REPLICAS);
    }
  });
});

describe('each refusal names the kind of mistake with a stable ErrorCode, also at the end of the message', () => {
  const tp2 = ModelServer.vllm({ model: 'm', tensorParallelSize: 2 });
  test.each<[string, Partial<InferenceServiceProps>, ErrorCode]>([
    ['a latest image', { server: ModelServer.vllm({ model: 'm', image: 'vllm/vllm-openai:latest' }) }, ErrorCode.UNPINNED_IMAGE],
    ['an untagged image', { server: ModelServer.custom({ image: 'registry.example.com:5000/team/server', httpPort: 8080 }) }, ErrorCode.UNPINNED_IMAGE],
    ['a malformed digest', { server: ModelServer.custom({ image: 'team/server@sha256:abc', httpPort: 8080 }) }, ErrorCode.INVALID_DIGEST],
    ['a malformed image name', { server: ModelServer.custom({ image: 'Team/Server:1.0', httpPort: 8080 }) }, ErrorCode.INVALID_IMAGE_REFERENCE],
    ['minReplicas above maxReplicas', { scaling: Scaling.onQueueDepth({ minReplicas: 5, maxReplicas: 3 }) }, ErrorCode.MIN_REPLICAS_ABOVE_MAX],
    ['zero replicas', { scaling: Scaling.fixed(0) }, ErrorCode.INVALID_REPLICAS],
    ['a Prometheus address without KEDA', { scaling: Scaling.onQueueDepth({ maxReplicas: 3, prometheusAddress: 'http://prometheus.monitoring.svc:9090' }) },
      ErrorCode.PROMETHEUS_ADDRESS_WITHOUT_KEDA],
    ['a Prometheus address that is not a URL', { scaling: Scaling.onQueueDepth({ maxReplicas: 3, metricsApi: QueueMetricsApi.KEDA, prometheusAddress: 'prometheus:9090' }) },
      ErrorCode.INVALID_PROMETHEUS_ADDRESS],
    ['KEDA for a server without a queue metric',
      { server: ModelServer.tfServing({ modelName: 'resnet' }), gpu: undefined, scaling: Scaling.onQueueDepth({ maxReplicas: 3, metricsApi: QueueMetricsApi.KEDA }) },
      ErrorCode.NO_QUEUE_METRIC],
    ['a label key', { labels: { 'team name': 'search' } }, ErrorCode.INVALID_LABEL],
    ['a node selector value', { nodeSelector: { pool: 'gpu inference' } }, ErrorCode.INVALID_LABEL],
    ['another GPU product in the node selector', { gpu: Gpu.nvidia(1, { product: 'NVIDIA-L4' }), nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A10G' } },
      ErrorCode.CONFLICTING_GPU_PRODUCT],
    ['a node-loss tolerance over an hour', { nodeLossTolerance: Duration.hours(2) }, ErrorCode.INVALID_NODE_LOSS_TOLERANCE],
    ['a toleration naming no taint', { tolerations: [{ key: 'dedicated node' }] }, ErrorCode.INVALID_TOLERATION],
    ['a pull secret named twice', { imagePullSecrets: ['ngc', 'ngc'] }, ErrorCode.INVALID_IMAGE_PULL_SECRET],
    ['a system priority class', { priorityClassName: 'system-cluster-critical' }, ErrorCode.INVALID_PRIORITY_CLASS],
    ['a CPU target of 0%', { scaling: Scaling.onCpu({ maxReplicas: 3, targetUtilizationPercent: 0 }) }, ErrorCode.INVALID_SCALING_TARGET],
    ['a PDB blocking every eviction', { scaling: Scaling.fixed(3), pdbMaxUnavailable: 0 }, ErrorCode.INVALID_DISRUPTION_BUDGET],
    ['a PDB allowing every pod down', { scaling: Scaling.fixed(2), pdbMaxUnavailable: 2 }, ErrorCode.INVALID_DISRUPTION_BUDGET],
    ['a PDB for one replica', { scaling: Scaling.fixed(1), pdbMaxUnavailable: 1 }, ErrorCode.DISRUPTION_BUDGET_WITHOUT_REPLICAS],
    ['GPUs other than tensor x pipeline parallel', { server: ModelServer.vllm({ model: 'm', tensorParallelSize: 2, pipelineParallelSize: 2 }), gpu: Gpu.nvidia(2) },
      ErrorCode.GPU_COUNT_MISMATCH],
    ['a sharded server without GPU', { server: ModelServer.tgi({ model: 'm', numShard: 2 }), gpu: undefined }, ErrorCode.GPU_COUNT_MISMATCH],
    ['half a GPU', { gpu: Gpu.nvidia(0.5) }, ErrorCode.INVALID_GPU_COUNT],
    ['tensor parallel without /dev/shm', { server: tp2, gpu: Gpu.nvidia(2), sharedMemory: Size.mebibytes(0) }, ErrorCode.SHARED_MEMORY_REQUIRED],
    ['a grace period shorter than preStop + drain', { maxRequestDuration: Duration.minutes(2), terminationGracePeriod: Duration.seconds(60) },
      ErrorCode.GRACE_PERIOD_TOO_SHORT],
    ['a start-up budget of zero', { startupTimeout: Duration.seconds(0) }, ErrorCode.STARTUP_TIMEOUT_TOO_SHORT],
    ['a name that is not a DNS-1035 label', { name: 'Chat_Service' }, ErrorCode.INVALID_NAME],
    ['a name that is too long', { name: 'a'.repeat(49) }, ErrorCode.INVALID_NAME],
    ['a negative CPU request', { cpu: kplus.Cpu.units(-1) }, ErrorCode.INVALID_CPU],
    ['zero memory', { memory: Size.gibibytes(0) }, ErrorCode.INVALID_SIZE],
    ['a secret as a literal value', { env: { HF_TOKEN: kplus.EnvValue.fromValue('hf_abcdef') } }, ErrorCode.LITERAL_SECRET_IN_ENV],
  ])('%s', (_, props, code) => {
    expect(build(props)).toThrow(expect.objectContaining({ code }));
    expect(build(props)).toThrow(new RegExp(`\\[code: ${code}\\]$`));
  });

  test('an invalid construct id used as the name', () => {
    expect(build({}, 'Chat')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_NAME }));
  });

  test('a name another service of the namespace holds', () => {
    const c = chart();
    new InferenceService(c, 'chat', { server, gpu: Gpu.nvidia(1) });
    expect(() => new InferenceService(c, 'chat2', { server, gpu: Gpu.nvidia(1), name: 'chat' })).toThrow(expect.objectContaining({ code: ErrorCode.NAME_TAKEN }));
  });
});
