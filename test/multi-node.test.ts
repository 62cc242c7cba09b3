import { JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CacheAccessMode, CanaryRelease, checkManifests, ErrorCode, Gpu, InferenceGateway, InferencePool, InferenceService, InferenceServiceProps,
  LABEL_POOL, ModelServer, ModelSource,
  ModelVolume, ObservabilityBundle, ProgressiveRelease, QueueMetricsApi, ReleaseStrategy, Scaling,
} from '../lib';
import { chart, expectRefused, Manifest, only } from './util';

// Replicas bigger than a node: a LeaderWorkerSet of groups instead of a Deployment.

const ROLE = 'inference.cdk8s.io/role';
const llama405b = () => ModelServer.vllm({ model: 'meta-llama/Llama-3.1-405B-Instruct', tensorParallelSize: 8, pipelineParallelSize: 2 });
const multiNode = (extra: Partial<InferenceServiceProps> = {}): InferenceServiceProps => ({
  server: llama405b(), gpu: Gpu.nvidia(16), gpusPerNode: 8, ...extra,
});

function synth(props: InferenceServiceProps): Manifest[] {
  const c = chart();
  new InferenceService(c, 'big', props);
  return Testing.synth(c) as Manifest[];
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const server = (template: any) => template.spec.containers.find((c: any) => c.name === 'server');

describe('multi-node InferenceService (LeaderWorkerSet)', () => {
  const manifests = synth(multiNode());
  const lws = only(manifests, 'LeaderWorkerSet', 'big-group');
  const { leaderTemplate: leader, workerTemplate: worker } = lws.spec.leaderWorkerTemplate;

  test('a replica needing more GPUs than a node has is a group of gpu / gpusPerNode pods, restarted as one; no Deployment', () => {
    expect(manifests.filter((m) => m.kind === 'Deployment')).toEqual([]);
    expect(lws.apiVersion).toBe('leaderworkerset.x-k8s.io/v1');
    expect(lws.spec).toMatchObject({
      replicas: 2,
      startupPolicy: 'LeaderCreated',
      rolloutStrategy: { type: 'RollingUpdate', rollingUpdateConfiguration: { maxUnavailable: 0, maxSurge: 1 } },
      leaderWorkerTemplate: { size: 2, restartPolicy: 'RecreateGroupOnPodRestart' },
    });
    for (const pod of [leader, worker]) expect(server(pod).resources.limits['nvidia.com/gpu']).toBe(8);
  });

  test('the leader is rank 0 and serves; workers join it headless with their rank', () => {
    expect(server(leader).args).toEqual(expect.arrayContaining([
      '--tensor-parallel-size=8', '--pipeline-parallel-size=2', '--nnodes=$(LWS_GROUP_SIZE)', '--node-rank=0', '--master-addr=$(LWS_LEADER_ADDRESS)',
    ]));
    expect(server(leader).args).not.toContain('--headless');
    expect(server(worker).args).toEqual(expect.arrayContaining([
      '--nnodes=$(LWS_GROUP_SIZE)', '--node-rank=$(LWS_WORKER_INDEX)', '--master-addr=$(LWS_LEADER_ADDRESS)', '--headless',
    ]));
  });

  test('probes, ports and the spread belong to the leader; the drain, security and volumes to every member', () => {
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(server(leader)[probe]).toBeDefined();
      expect(server(worker)[probe]).toBeUndefined();
    }
    expect(server(worker).ports).toBeUndefined();
    expect(leader.spec.topologySpreadConstraints.map((t: any) => t.labelSelector.matchLabels[ROLE])).toEqual(['leader', 'leader']);
    expect(leader.spec.topologySpreadConstraints[0].matchLabelKeys).toEqual(['leaderworkerset.sigs.k8s.io/template-revision-hash']);
    expect(worker.spec.topologySpreadConstraints).toBeUndefined();
    for (const pod of [leader, worker]) {
      expect(server(pod).lifecycle.preStop).toBeDefined();
      expect(pod.spec.terminationGracePeriodSeconds).toBe(leader.spec.terminationGracePeriodSeconds);
      expect(server(pod).securityContext.readOnlyRootFilesystem).toBe(true);
      expect(pod.spec.volumes.map((v: any) => v.name)).toContain('dshm');
    }
  });

  test('the Service selects leaders only; the PodDisruptionBudget and NetworkPolicy every member', () => {
    const service = only(manifests, 'Service', 'big');
    expect(service.spec.selector[ROLE]).toBe('leader');
    expect(selects(service.spec.selector, leader.metadata.labels)).toBe(true);
    expect(selects(service.spec.selector, worker.metadata.labels)).toBe(false);
    const pdb = only(manifests, 'PodDisruptionBudget');
    expect(pdb.spec.maxUnavailable).toBe(1);
    const policy = only(manifests, 'NetworkPolicy');
    for (const pod of [leader, worker]) {
      expect(selects(pdb.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
      expect(selects(policy.spec.podSelector.matchLabels, pod.metadata.labels)).toBe(true);
    }
    // Members reach each other on every TCP port (rendezvous and collectives), in and out.
    const members = { podSelector: { matchLabels: policy.spec.podSelector.matchLabels } };
    expect(policy.spec.ingress).toContainEqual({ from: [members], ports: [{ protocol: 'TCP' }] });
    expect(policy.spec.egress).toContainEqual({ to: [members], ports: [{ protocol: 'TCP' }] });
  });

  test('the library\'s cross-object rules pass: the Service and the budget select the group\'s templates', () => {
    expect(checkManifests(manifests)).toEqual([]);
  });

  test('SGLang members meet at the leader on its rendezvous port', () => {
    const lwsOf = only(synth({ server: ModelServer.sglang({ model: 'deepseek-ai/DeepSeek-V3', tensorParallelSize: 16 }), gpu: Gpu.nvidia(16), gpusPerNode: 8 }), 'LeaderWorkerSet');
    const t = lwsOf.spec.leaderWorkerTemplate;
    expect(server(t.leaderTemplate).args).toEqual(expect.arrayContaining(['--tp=16', '--nnodes=$(LWS_GROUP_SIZE)', '--dist-init-addr=$(LWS_LEADER_ADDRESS):20000', '--node-rank=0']));
    expect(server(t.workerTemplate).args).toEqual(expect.arrayContaining(['--dist-init-addr=$(LWS_LEADER_ADDRESS):20000', '--node-rank=$(LWS_WORKER_INDEX)']));
  });

  test('a replica that fits on a node stays a Deployment, byte for byte as without gpusPerNode', () => {
    const props = { server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-72B-Instruct', tensorParallelSize: 8 }), gpu: Gpu.nvidia(8) };
    const fits = synth({ ...props, gpusPerNode: 8 });
    expect(fits.map((m) => m.kind)).not.toContain('LeaderWorkerSet');
    expect(fits).toEqual(synth(props));
  });

  test('an autoscaler scales groups through the LeaderWorkerSet\'s scale subresource, which then carries no replicas', () => {
    const hpaApp = synth(multiNode({ scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 4, scrapedExternally: true }) }));
    const group = { apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', name: 'big-group' };
    expect(only(hpaApp, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual(group);
    expect(only(hpaApp, 'LeaderWorkerSet').spec.replicas).toBeUndefined();
    expect(checkManifests(hpaApp)).toEqual([]);
    const byKeda = Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 4, metricsApi: QueueMetricsApi.KEDA, scrapedExternally: true });
    const keda = synth(multiNode({ scaling: byKeda }));
    expect(only(keda, 'ScaledObject').spec.scaleTargetRef).toEqual(group);
  });

  test('every member mounts the model; claimed GPUs are claimed per member', () => {
    const c = chart();
    const weights = new ModelVolume(c, 'weights', {
      source: ModelSource.huggingFace('meta-llama/Llama-3.1-405B-Instruct', { revision: 'a'.repeat(40) }), size: Size.gibibytes(800), cacheSize: Size.gibibytes(900),
    });
    new InferenceService(c, 'big', multiNode({ server: ModelServer.vllm({ tensorParallelSize: 8, pipelineParallelSize: 2 }), modelVolume: weights }));
    const t = only(Testing.synth(c) as Manifest[], 'LeaderWorkerSet').spec.leaderWorkerTemplate;
    for (const pod of [t.leaderTemplate, t.workerTemplate]) {
      expect(server(pod).volumeMounts.map((m: any) => m.mountPath)).toContain(`/models/weights/${'a'.repeat(40)}`);
      expect(pod.spec.volumes).toContainEqual({ name: 'model-weights', persistentVolumeClaim: { claimName: 'weights-cache' } });
    }
    const claimed = synth(multiNode({ gpu: Gpu.nvidia(16, { claim: {} }), kubernetesVersion: '1.34' }));
    expect(only(claimed, 'ResourceClaimTemplate').spec.spec.devices.requests[0].exactly.count).toBe(8);
  });

  test('a pool labels the leaders only: workers serve no API for the picker to pick', () => {
    const c = chart();
    const big = new InferenceService(c, 'big', multiNode());
    new InferencePool(c, 'pool', { services: [big] });
    const t = only(Testing.synth(c) as Manifest[], 'LeaderWorkerSet').spec.leaderWorkerTemplate;
    expect(t.leaderTemplate.metadata.labels[LABEL_POOL]).toBe('pool');
    expect(t.workerTemplate.metadata.labels[LABEL_POOL]).toBeUndefined();
  });

  test('a canary release of two multi-node versions labels each LeaderWorkerSet and its members with their track', () => {
    const c = chart();
    const stable = new InferenceService(c, 'big', multiNode());
    const canary = new InferenceService(c, 'big-canary', multiNode({ server: ModelServer.vllm({ model: 'meta-llama/Llama-3.1-405B-Instruct-FP8', tensorParallelSize: 8, pipelineParallelSize: 2 }) }));
    const gateway = new InferenceGateway(c, 'gateway', { host: 'llm.example.com' });
    new CanaryRelease(c, 'release', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(90, 10), pathPrefix: '/v1' });
    const out = Testing.synth(c) as Manifest[];
    for (const [name, track] of [['big-group', 'stable'], ['big-canary-group', 'canary']]) {
      const lws = only(out, 'LeaderWorkerSet', name);
      const t = lws.spec.leaderWorkerTemplate;
      expect([lws.metadata.labels, t.leaderTemplate.metadata.labels, t.workerTemplate.metadata.labels].map((l) => l!['inference.cdk8s.io/track'])).toEqual([track, track, track]);
    }
    expect(checkManifests(out)).toEqual([]);
  });

  test('the observability bundle watches groups: StatefulSet series of leaders and workers, pods by their names', () => {
    const c = chart();
    const big = new InferenceService(c, 'big', multiNode());
    new ObservabilityBundle(c, 'obs', { services: [big] });
    const out = Testing.synth(c) as Manifest[];
    const rules = only(out, 'PrometheusRule').spec.groups.flatMap((g: any) => g.rules);
    expect(rules.find((r: any) => r.alert === 'InferencePodNotReady').expr).toContain('pod=~"big-group-[0-9]+(-[0-9]+)?"');
    const dashboard = JSON.parse(Object.values(only(out, 'ConfigMap').data as Record<string, string>)[0]);
    const queries: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
    expect(queries).toContain('sum(kube_statefulset_status_replicas_ready{namespace="$namespace",statefulset="$service-group"})');
    expect(queries.filter((q) => q.includes('kube_deployment'))).toEqual([]);
  });
});

describe('the LeaderWorkerSet is the user\'s to adjust', () => {
  test('its own JSON patches and labels apply, after the library rendered the spec', () => {
    const c = chart();
    const big = new InferenceService(c, 'big', multiNode());
    big.leaderWorkerSet!.addJsonPatch(JsonPatch.add('/spec/networkConfig', { subdomainPolicy: 'UniquePerReplica' }));
    big.leaderWorkerSet!.addJsonPatch(JsonPatch.add('/metadata/annotations', { 'leaderworkerset.sigs.k8s.io/exclusive-topology': 'cloud.google.com/gke-nodepool' }));
    big.leaderWorkerSet!.metadata.addLabel('team', 'frontier');
    const lws = only(Testing.synth(c) as Manifest[], 'LeaderWorkerSet');
    expect(lws.spec.networkConfig).toEqual({ subdomainPolicy: 'UniquePerReplica' });
    expect(lws.spec.leaderWorkerTemplate.size).toBe(2);
    expect(lws.metadata.annotations).toEqual({ 'leaderworkerset.sigs.k8s.io/exclusive-topology': 'cloud.google.com/gke-nodepool' });
    expect(lws.metadata.labels).toMatchObject({ 'team': 'frontier', 'app.kubernetes.io/name': 'big' });
  });
});

describe('multi-node refusals', () => {
  test.each([
    [ModelServer.vllm({ model: 'meta-llama/Llama-3.1-405B-Instruct', tensorParallelSize: 8, pipelineParallelSize: 2, extraArgs: ['--data-parallel-size=2'] }), '--data-parallel-size'],
    [ModelServer.vllm({ model: 'meta-llama/Llama-3.1-405B-Instruct', tensorParallelSize: 8, pipelineParallelSize: 2, extraArgs: ['--distributed-executor-backend', 'ray'] }),
      '--distributed-executor-backend'],
    [ModelServer.sglang({ model: 'deepseek-ai/DeepSeek-V3', tensorParallelSize: 16, extraArgs: ['--nnodes=4'] }), '--nnodes'],
  ])('extraArgs that break the group\'s launch (%#)', (server, flag) => {
    expectRefused(() => synth({ server, gpu: Gpu.nvidia(16), gpusPerNode: 8 }), new RegExp(`invalid server: received '.* with extraArgs ${flag}'.*remove ${flag} from extraArgs`),
      ErrorCode.MULTI_NODE_UNSUPPORTED);
  });

  test('a Service named like the LeaderWorkerSet, which would stand in for its headless Service', () => {
    const c = chart();
    new InferenceService(c, 'big', multiNode());
    new kplus.Service(c, 'squatter', { metadata: { name: 'big-group' }, ports: [{ port: 80 }] });
    expect(() => Testing.synth(c)).toThrow(/group-subdomain-free.*LeaderWorkerSet\/ml\/big-group/s);
  });

  test('a server that cannot span nodes', () => {
    expectRefused(() => synth({ server: ModelServer.tgi({ model: 'meta-llama/Llama-3.1-405B-Instruct', numShard: 16 }), gpu: Gpu.nvidia(16), gpusPerNode: 8 }), /InferenceService 'test\/big': invalid server: received ''tgi' with 16 GPUs over nodes of 8'.*ModelServer\.vllm/, ErrorCode.MULTI_NODE_UNSUPPORTED);
  });

  test('GPUs per node that do not divide a replica\'s GPUs', () => {
    expectRefused(() => synth(multiNode({ gpusPerNode: 6 })), /invalid gpusPerNode: received '6 for 16 GPUs per replica'.*Gpu\.nvidia\(18\)/, ErrorCode.GPUS_PER_NODE_MISMATCH);
  });

  test.each([0, 2.5, -8, '8', null])('gpusPerNode %p', (value) => {
    expectRefused(() => synth(multiNode({ gpusPerNode: value as any })), /gpusPerNode/, value === '8' || value === null ? ErrorCode.WRONG_TYPE : ErrorCode.INVALID_GPUS_PER_NODE);
  });

  test('gpusPerNode without GPUs', () => {
    expectRefused(() => synth({ server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct' }), cpu: kplus.Cpu.units(4), gpusPerNode: 8 }), /received '8 without gpu'.*set gpu/, ErrorCode.INVALID_GPUS_PER_NODE);
  });

  test('a ReadWriteOnce cache shared by the pods of one group', () => {
    const c = chart();
    const weights = new ModelVolume(c, 'weights', {
      source: ModelSource.huggingFace('meta-llama/Llama-3.1-405B-Instruct', { revision: 'a'.repeat(40) }),
      size: Size.gibibytes(800), cacheSize: Size.gibibytes(900), cacheAccessMode: CacheAccessMode.READ_WRITE_ONCE,
    });
    expectRefused(() => new InferenceService(c, 'big', multiNode({ server: ModelServer.vllm({ tensorParallelSize: 8, pipelineParallelSize: 2 }), modelVolume: weights, scaling: Scaling.fixed(1) })), /ReadWriteOnce cache for up to 2 pods.*not a multi-node group/, ErrorCode.READ_WRITE_ONCE_CACHE_REPLICAS);
  });

  test('a progressive release (Argo Rollouts takes over Deployments only)', () => {
    const c = chart();
    const service = new InferenceService(c, 'big', multiNode());
    const gateway = new InferenceGateway(c, 'gateway', { host: 'llm.example.com' });
    expectRefused(() => new ProgressiveRelease(c, 'release', { service, gateway }), /ProgressiveRelease 'test\/release': invalid service: received ''test\/big', a multi-node service \(groups of 2 pods\)'.*CanaryRelease/, ErrorCode.PROGRESSIVE_RELEASE_OF_GROUPS);
  });

  test('a name too long for the group\'s StatefulSets', () => {
    const c = chart();
    expectRefused(() => new InferenceService(c, 'big', multiNode({ name: 'a'.repeat(43) })), /at most 42 characters/, ErrorCode.INVALID_NAME);
    expect(() => new InferenceService(chart(), 'big', multiNode({ name: 'a'.repeat(42) }))).not.toThrow();
  });
});
