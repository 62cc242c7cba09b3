import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ErrorCode, Gpu, InferenceService, InferenceServiceProps, ModelServer, ModelSource, ModelVolume, QueueMetricsApi, Scaling } from '../lib';
import { chart, only, podSpec, serverContainer, synthService } from './util';

const vllm = (extra: Partial<Parameters<typeof ModelServer.vllm>[0]> = {}) =>
  ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct', ...extra });

describe('InferenceService defaults', () => {
  const manifests = synthService({ server: vllm(), gpu: Gpu.nvidia(1) });

  test('snapshot of the defaults', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('emits exactly the objects of one service', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'Deployment/svc', 'NetworkPolicy/svc', 'PodDisruptionBudget/svc', 'Service/svc', 'ServiceAccount/svc',
    ]);
  });

  test('names carry no hash and every object is in the chart namespace', () => {
    for (const m of manifests) {
      expect(m.metadata.name).toBe('svc');
      expect(m.metadata.namespace).toBe('ml');
    }
  });

  test('two replicas and a rolling update that never lowers capacity', () => {
    const spec = only(manifests, 'Deployment').spec;
    expect(spec.replicas).toBe(2);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('pods are selected by stable labels only', () => {
    const selector = { 'app.kubernetes.io/name': 'svc', 'app.kubernetes.io/component': 'model-server' };
    const deployment = only(manifests, 'Deployment');
    expect(deployment.spec.selector).toEqual({ matchLabels: selector });
    expect(deployment.spec.template.metadata.labels).toMatchObject(selector);
    expect(Object.keys(deployment.spec.template.metadata.labels)).not.toContain('cdk8s.io/metadata.addr');
    expect(only(manifests, 'Service').spec.selector).toEqual(selector);
    expect(only(manifests, 'PodDisruptionBudget').spec.selector).toEqual({ matchLabels: selector });
    expect(only(manifests, 'NetworkPolicy').spec.podSelector).toEqual({ matchLabels: selector });
  });

  test('the pod meets Pod Security "restricted"', () => {
    const pod = podSpec(manifests);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(serverContainer(manifests).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 10001,
      runAsNonRoot: true,
      runAsUser: 10001,
    });
  });

  test('own ServiceAccount, no token mounted, no service-link variables', () => {
    const pod = podSpec(manifests);
    expect(pod.serviceAccountName).toBe('svc');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(only(manifests, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('writable folders are emptyDirs under a read-only root filesystem', () => {
    const mounts = serverContainer(manifests).volumeMounts.map((m: any) => m.mountPath);
    expect(mounts).toEqual(['/cache', '/tmp', '/dev/shm']);
    const volumes = podSpec(manifests).volumes;
    expect(volumes.find((v: any) => v.name === 'dshm').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1024Mi' });
    expect(volumes.find((v: any) => v.name === 'tmp').emptyDir).toEqual({ sizeLimit: '1024Mi' });
  });

  test('ClusterIP Service with named ports', () => {
    const service = only(manifests, 'Service');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 8000 }]);
  });

  test('PDB lets one pod go, keeps the rest, and lets stuck pods be evicted', () => {
    expect(only(manifests, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  });

  test('replicas spread across zones and nodes without blocking scheduling', () => {
    const constraints = podSpec(manifests).topologySpreadConstraints;
    expect(constraints.map((c: any) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable])).toEqual([
      ['topology.kubernetes.io/zone', 1, 'ScheduleAnyway'],
      ['kubernetes.io/hostname', 1, 'ScheduleAnyway'],
    ]);
    expect(constraints[0].matchLabelKeys).toEqual(['pod-template-hash']);
  });
});

describe('probes and start-up budget', () => {
  test('startup probe budget equals startupTimeout; liveness waits for it', () => {
    const c = serverContainer(synthService({ server: vllm(), gpu: Gpu.nvidia(1), startupTimeout: Duration.minutes(25) }));
    expect(c.startupProbe).toEqual({
      httpGet: { path: '/health', port: 8000, scheme: 'HTTP' },
      periodSeconds: 10,
      failureThreshold: 150,
      timeoutSeconds: 5,
    });
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBe(25 * 60);
    // A liveness probe has no delay of its own: Kubernetes starts it only after the startup probe succeeds.
    expect(c.livenessProbe.initialDelaySeconds).toBeUndefined();
  });

  test('a start-up budget that is not a whole number of periods is rounded up', () => {
    const c = serverContainer(synthService({ server: vllm(), gpu: Gpu.nvidia(1), startupTimeout: Duration.seconds(95) }));
    expect(c.startupProbe.failureThreshold).toBe(10);
  });

  test('readiness takes a failing pod out of the Service within 10 s', () => {
    const c = serverContainer(synthService({ server: vllm(), gpu: Gpu.nvidia(1) }));
    expect(c.readinessProbe.periodSeconds * c.readinessProbe.failureThreshold).toBeLessThanOrEqual(10);
    expect(c.readinessProbe.httpGet.path).toBe('/health');
  });

  test('the progress deadline outlasts the start-up budget', () => {
    const d = only(synthService({ server: vllm(), gpu: Gpu.nvidia(1), startupTimeout: Duration.minutes(30) }), 'Deployment');
    expect(d.spec.progressDeadlineSeconds).toBeGreaterThan(30 * 60);
  });
});

describe('drain', () => {
  test('preStop, grace period and the server drain flag agree', () => {
    const manifests = synthService({ server: vllm(), gpu: Gpu.nvidia(1), maxRequestDuration: Duration.minutes(4) });
    const c = serverContainer(manifests);
    expect(c.lifecycle.preStop).toEqual({ exec: { command: ['sleep', '15'] } });
    expect(c.args).toContain('--shutdown-timeout=240');
    expect(podSpec(manifests).terminationGracePeriodSeconds).toBe(15 + 240 + 15);
  });

  test('an explicit grace period that covers the drain is kept', () => {
    const manifests = synthService({
      server: vllm(), gpu: Gpu.nvidia(1),
      maxRequestDuration: Duration.minutes(1), preStopDelay: Duration.seconds(5), terminationGracePeriod: Duration.seconds(65),
    });
    expect(podSpec(manifests).terminationGracePeriodSeconds).toBe(65);
    expect(serverContainer(manifests).lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
  });
});

/** The not-ready and unreachable tolerations every InferenceService pod carries by default. */
const NODE_LOSS = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }];

describe('resources and GPUs', () => {
  test('GPU count in limits, product in nodeSelector, GPU taint tolerated', () => {
    const manifests = synthService({
      server: vllm({ tensorParallelSize: 2 }), gpu: Gpu.nvidia(2, { product: 'NVIDIA-A100-SXM4-80GB' }), cpu: kplus.Cpu.units(8), memory: Size.gibibytes(64),
    });
    const c = serverContainer(manifests);
    expect(c.resources).toEqual({
      limits: { 'cpu': '16000m', 'memory': '65536Mi', 'ephemeral-storage': '53Gi', 'nvidia.com/gpu': 2 },
      requests: { 'cpu': '8', 'memory': '65536Mi', 'ephemeral-storage': '51Gi' },
    });
    expect(c.args).toContain('--tensor-parallel-size=2');
    const pod = podSpec(manifests);
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, ...NODE_LOSS]);
    expect(pod.volumes.find((v: any) => v.name === 'dshm').emptyDir.sizeLimit).toBe('2048Mi');
  });

  test('AMD GPUs use amd.com/gpu and can skip the toleration', () => {
    const manifests = synthService({ server: vllm(), gpu: Gpu.amd(1, { tolerateTaint: false }) });
    expect(serverContainer(manifests).resources.limits['amd.com/gpu']).toBe(1);
    expect(podSpec(manifests).tolerations).toEqual(NODE_LOSS);
    expect(podSpec(manifests).nodeSelector).toBeUndefined();
  });

  test('CPU inference has no GPU and no /dev/shm; the CPU limit defaults to twice the request', () => {
    const defaults = serverContainer(synthService({ server: ModelServer.tfServing({ modelName: 'resnet' }), cpu: kplus.Cpu.millis(1500) }));
    expect(defaults.resources.limits.cpu).toBe('3000m');
    const manifests = synthService({ server: ModelServer.tfServing({ modelName: 'resnet' }), cpuLimit: kplus.Cpu.units(4) });
    const c = serverContainer(manifests);
    expect(c.resources.limits).toEqual({ 'cpu': '4', 'memory': '4096Mi', 'ephemeral-storage': '3Gi' });
    expect(c.volumeMounts.map((m: any) => m.mountPath)).not.toContain('/dev/shm');
    expect(podSpec(manifests).tolerations).toEqual(NODE_LOSS);
  });
});

describe('scaling', () => {
  test('queue depth through the Pods metrics API with GPU-minded behaviour', () => {
    const manifests = synthService({
      server: vllm(), gpu: Gpu.nvidia(1), scaling: Scaling.onQueueDepth({ scrapedExternally: true, minReplicas: 2, maxReplicas: 6 }),
    });
    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'svc' });
    expect(hpa.spec.metrics).toEqual([{
      type: 'Pods',
      pods: { metric: { name: 'vllm_num_requests_waiting' }, target: { type: 'AverageValue', averageValue: 5 } },
    }]);
    expect(hpa.spec.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(600);
    expect(hpa.spec.behavior.scaleDown.policies).toEqual([{ type: 'Pods', value: 1, periodSeconds: 300 }]);
    // The HPA owns the replica count.
    expect(only(manifests, 'Deployment').spec.replicas).toBeUndefined();
  });

  test('queue depth through the External metrics API selects the service', () => {
    const manifests = synthService({
      server: ModelServer.tgi({ model: 'mistralai/Mistral-7B-Instruct-v0.3' }), gpu: Gpu.nvidia(1),
      scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 4, targetPerReplica: 3, metricsApi: QueueMetricsApi.EXTERNAL }),
    });
    expect(only(manifests, 'HorizontalPodAutoscaler').spec.metrics).toEqual([{
      type: 'External',
      external: {
        metric: { name: 'tgi_queue_size', selector: { matchLabels: { service: 'svc' } } },
        target: { type: 'AverageValue', averageValue: 3 },
      },
    }]);
  });

  test('queue depth through KEDA: a ScaledObject querying Prometheus, its HPA named and behaving like ours', () => {
    const manifests = synthService({
      server: vllm(), gpu: Gpu.nvidia(1),
      scaling: Scaling.onQueueDepth({
        scrapedExternally: true, minReplicas: 2, maxReplicas: 6, targetPerReplica: 4, metricsApi: QueueMetricsApi.KEDA,
      }),
    });
    expect(manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    const scaled = only(manifests, 'ScaledObject');
    expect(scaled.apiVersion).toBe('keda.sh/v1alpha1');
    expect(scaled.metadata.name).toBe('svc');
    expect(scaled.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'svc' },
      minReplicaCount: 2,
      maxReplicaCount: 6,
    });
    expect(scaled.spec.triggers).toEqual([{
      type: 'prometheus',
      metadata: {
        serverAddress: 'http://prometheus-operated.monitoring.svc:9090',
        // The series' own name (with its colon), summed over the pods the ServiceMonitor labels.
        query: 'sum(vllm:num_requests_waiting{namespace="ml",service="svc"})',
        threshold: '4',
        ignoreNullValues: 'false',
      },
    }]);
    // KEDA's HPA carries the service's name (the HPA alerts select it) and our behaviour.
    const ownHpa = only(synthService({ server: vllm(), gpu: Gpu.nvidia(1), scaling: Scaling.onQueueDepth({ scrapedExternally: true, minReplicas: 2, maxReplicas: 6 }) }), 'HorizontalPodAutoscaler');
    expect(scaled.spec.advanced.horizontalPodAutoscalerConfig).toEqual({ name: 'svc', behavior: ownHpa.spec.behavior });
    expect(only(manifests, 'Deployment').spec.replicas).toBeUndefined();
  });

  test('KEDA queries the Prometheus it is given', () => {
    const manifests = synthService({
      server: ModelServer.triton(), gpu: Gpu.nvidia(1),
      scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 4, metricsApi: QueueMetricsApi.KEDA, prometheusAddress: 'https://thanos-query.observability.svc:10902' }),
    }, 'vision');
    expect(only(manifests, 'ScaledObject').spec.triggers[0].metadata).toMatchObject({
      serverAddress: 'https://thanos-query.observability.svc:10902',
      query: 'sum(nv_inference_pending_request_count{namespace="vision",service="svc"})',
    });
  });

  test('CPU utilization for classic models', () => {
    const manifests = synthService({ server: ModelServer.tfServing({ modelName: 'resnet' }), scaling: Scaling.onCpu({ maxReplicas: 10, targetUtilizationPercent: 60 }) });
    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(hpa.spec.metrics[0]).toEqual({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } });
  });

  test('the PDB follows the minimum replicas', () => {
    const manifests = synthService({ server: vllm(), gpu: Gpu.nvidia(1), scaling: Scaling.fixed(5), pdbMaxUnavailable: 2 });
    expect(only(manifests, 'PodDisruptionBudget').spec.maxUnavailable).toBe(2);
  });

  test('a single replica gets no PDB (it could only block drains or allow the outage)', () => {
    const manifests = synthService({ server: vllm(), gpu: Gpu.nvidia(1), scaling: Scaling.fixed(1) });
    expect(manifests.filter((m) => m.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(only(manifests, 'Deployment').spec.replicas).toBe(1);
  });
});

describe('scheduling', () => {
  test('a dedicated node pool, its taint, a pull secret and a priority class, merged with the GPU\'s', () => {
    const manifests = synthService({
      server: vllm(), gpu: Gpu.nvidia(1, { product: 'NVIDIA-L4' }),
      nodeSelector: { 'karpenter.sh/nodepool': 'gpu-inference' },
      tolerations: [{ key: 'dedicated', value: 'inference', effect: kplus.TaintEffect.NO_SCHEDULE }, { key: 'spot' }],
      imagePullSecrets: ['ngc', 'registry-example-com'],
      priorityClassName: 'inference-high',
    });
    const pod = podSpec(manifests);
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-L4', 'karpenter.sh/nodepool': 'gpu-inference' });
    expect(pod.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'dedicated', operator: 'Equal', value: 'inference', effect: 'NoSchedule' },
      { key: 'spot', operator: 'Exists' },
      ...NODE_LOSS,
    ]);
    expect(pod.imagePullSecrets).toEqual([{ name: 'ngc' }, { name: 'registry-example-com' }]);
    expect(pod.priorityClassName).toBe('inference-high');
  });

  test('a CPU service tolerates only the taints it is given, and selects only the nodes it names', () => {
    const plainPod = podSpec(synthService({ server: ModelServer.tfServing({ modelName: 'resnet' }) }));
    expect(plainPod.nodeSelector).toBeUndefined();
    expect(plainPod.tolerations).toEqual(NODE_LOSS);
    expect(plainPod.imagePullSecrets).toBeUndefined();
    expect(plainPod.priorityClassName).toBeUndefined();
    const pod = podSpec(synthService({ server: ModelServer.tfServing({ modelName: 'resnet' }), tolerations: [{ key: 'dedicated', value: 'cpu-inference' }], nodeSelector: { pool: 'cpu' } }));
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'cpu-inference' }, ...NODE_LOSS]);
    expect(pod.nodeSelector).toEqual({ pool: 'cpu' });
  });

  test('pods leave a lost node after 30 s by default instead of Kubernetes\' 300 s, or after nodeLossTolerance', () => {
    const tolerationSeconds = (pod: any) => pod.tolerations.filter((t: any) => t.effect === 'NoExecute').map((t: any) => `${t.key}=${t.tolerationSeconds}`);
    expect(tolerationSeconds(podSpec(synthService({ server: vllm(), gpu: Gpu.nvidia(1) }))))
      .toEqual(['node.kubernetes.io/not-ready=30', 'node.kubernetes.io/unreachable=30']);
    expect(tolerationSeconds(podSpec(synthService({ server: vllm(), gpu: Gpu.nvidia(1), nodeLossTolerance: Duration.minutes(2) }))))
      .toEqual(['node.kubernetes.io/not-ready=120', 'node.kubernetes.io/unreachable=120']);
  });
});

describe('network policy', () => {
  test('admits declared peers on inference ports and the scraper on the metrics port only', () => {
    const c = chart();
    const gateway = kplus.Pods.select(c, 'Gateway', { labels: { app: 'gateway' } });
    new InferenceService(c, 'svc', { server: ModelServer.triton(), allowFrom: [gateway] });
    const policy = only(Testing.synth(c) as any, 'NetworkPolicy');
    expect(policy.spec.policyTypes).toEqual(['Egress', 'Ingress']);
    expect(policy.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'gateway' } } }], ports: [{ port: 8000, protocol: 'TCP' }, { port: 8001, protocol: 'TCP' }] },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
        ports: [{ port: 8002, protocol: 'TCP' }],
      },
    ]);
  });

  test('allowFrom() after construction still lands', () => {
    const c = chart();
    const svc = new InferenceService(c, 'svc', { server: vllm(), gpu: Gpu.nvidia(1) });
    svc.allowFrom(kplus.Pods.select(c, 'Late', { labels: { app: 'late' } }));
    const policy = only(Testing.synth(c) as any, 'NetworkPolicy');
    expect(policy.spec.ingress.map((r: any) => r.from[0].podSelector?.matchLabels)).toContainEqual({ app: 'late' });
  });

  test('a LoadBalancer Service admits its source ranges', () => {
    const manifests = synthService({
      server: vllm(), gpu: Gpu.nvidia(1), serviceType: kplus.ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['203.0.113.0/24'],
    });
    expect(only(manifests, 'Service').spec).toMatchObject({ type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/24'] });
    expect(only(manifests, 'NetworkPolicy').spec.ingress[0]).toEqual({ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 8000, protocol: 'TCP' }] });
  });
});

describe('egress', () => {
  test('only cluster DNS and HTTPS by default; allowEgressTo() adds a destination', () => {
    const c = chart();
    const svc = new InferenceService(c, 'svc', { server: vllm(), gpu: Gpu.nvidia(1) });
    svc.allowEgressTo(kplus.Pods.select(c, 'Minio', { labels: { app: 'minio' } }), [9000]);
    const egress = only(Testing.synth(c) as any, 'NetworkPolicy').spec.egress;
    expect(egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '::/0' } }], ports: [{ port: 443, protocol: 'TCP' }] },
      { to: [{ podSelector: { matchLabels: { app: 'minio' } } }], ports: [{ port: 9000, protocol: 'TCP' }] },
    ]);
  });
});

describe('images', () => {
  test('pulled Always by default so pull secrets are checked on every start', () => {
    expect(serverContainer(synthService({ server: vllm(), gpu: Gpu.nvidia(1) })).imagePullPolicy).toBe('Always');
    const ifNotPresent = synthService({ server: vllm(), gpu: Gpu.nvidia(1), imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT });
    expect(serverContainer(ifNotPresent).imagePullPolicy).toBe('IfNotPresent');
  });
});

describe('env and secrets', () => {
  test('secrets are referenced, never inlined', () => {
    const c = chart();
    new InferenceService(c, 'svc', {
      server: vllm(),
      gpu: Gpu.nvidia(1),
      env: {
        HF_TOKEN: kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(c, 'Hf', 'hf-token'), key: 'token' }),
        VLLM_LOGGING_LEVEL: kplus.EnvValue.fromValue('INFO'),
      },
    });
    const manifests = Testing.synth(c) as any[];
    const env = serverContainer(manifests).env;
    expect(env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } });
    expect(env).toContainEqual({ name: 'VLLM_LOGGING_LEVEL', value: 'INFO' });
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  });
});

describe('labels', () => {
  test('image tag becomes the version label; extra labels reach every object and the pods', () => {
    const manifests = synthService({ server: vllm({ image: 'vllm/vllm-openai:v0.19.1' }), gpu: Gpu.nvidia(1), labels: { team: 'search' } });
    for (const m of manifests) expect(m.metadata.labels).toMatchObject({ 'team': 'search', 'app.kubernetes.io/version': 'v0.19.1' });
    expect(only(manifests, 'Deployment').spec.template.metadata.labels.team).toBe('search');
  });

  test('spread can be switched off', () => {
    expect(podSpec(synthService({ server: vllm(), gpu: Gpu.nvidia(1), spread: false })).topologySpreadConstraints).toBeUndefined();
  });
});

describe('InferenceService refuses bad input with a stable code', () => {
  /** Builds a one-GPU vLLM service named `svc` with `props` and expects it to throw `message` with `code`. */
  function expectRefused(props: Partial<InferenceServiceProps>, message: RegExp, code: ErrorCode): void {
    const build = () => new InferenceService(chart(), 'svc', { server: vllm(), gpu: Gpu.nvidia(1), ...props });
    expect(build).toThrow(message);
    expect(build).toThrow(expect.objectContaining({ code }));
    expect(build).toThrow(`[code: ${code}]`);
  }

  test('throws when a replica count is not a whole number of at least 1', () => {
    expectRefused({ scaling: Scaling.fixed(0) }, /^InferenceService 'test\/svc': invalid scaling \(replicas\): received 0; allowed: a whole number, 1 or more/,
      ErrorCode.INVALID_REPLICAS);
    expectRefused({ scaling: Scaling.onCpu({ minReplicas: 1.5, maxReplicas: 3 }) }, /invalid scaling.minReplicas: received 1.5/, ErrorCode.INVALID_REPLICAS);
    expectRefused({ scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 0 }) }, /invalid scaling.maxReplicas: received 0/, ErrorCode.INVALID_REPLICAS);
  });

  test('throws when minReplicas is above maxReplicas', () => {
    expectRefused({ scaling: Scaling.onQueueDepth({ scrapedExternally: true, minReplicas: 5, maxReplicas: 3 }) },
      /invalid scaling.minReplicas: received 5; allowed: at most maxReplicas \(3\)/, ErrorCode.MIN_REPLICAS_ABOVE_MAX);
  });

  test('throws when an autoscaling target is out of range', () => {
    expectRefused({ scaling: Scaling.onCpu({ maxReplicas: 3, targetUtilizationPercent: 120 }) },
      /invalid scaling.targetUtilizationPercent: received 120; allowed: a percentage above 0, at most 100/, ErrorCode.INVALID_SCALING_TARGET);
    expectRefused({ scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 3, targetPerReplica: 0 }) },
      /invalid scaling.targetPerReplica: received 0; allowed: a number of queued requests above 0/, ErrorCode.INVALID_SCALING_TARGET);
  });

  test('throws when a Prometheus address is given to an adapter, or is not a URL', () => {
    for (const metricsApi of [QueueMetricsApi.PODS, QueueMetricsApi.EXTERNAL]) {
      expectRefused({ scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 3, metricsApi, prometheusAddress: 'http://prometheus:9090' }) },
        /invalid scaling.prometheusAddress: received 'http:\/\/prometheus:9090'; allowed: only with metricsApi: QueueMetricsApi.KEDA/,
        ErrorCode.PROMETHEUS_ADDRESS_WITHOUT_KEDA);
    }
    expectRefused({ scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 3, metricsApi: QueueMetricsApi.KEDA, prometheusAddress: 'http://prometheus:9090/?q=1' }) },
      /invalid scaling.prometheusAddress: received 'http:\/\/prometheus:9090\/\?q=1'; allowed: an http:\/\/ or https:\/\/ URL/, ErrorCode.INVALID_PROMETHEUS_ADDRESS);
  });

  test('throws when a server without a queue metric scales on queue depth, through any metrics API', () => {
    for (const metricsApi of [QueueMetricsApi.PODS, QueueMetricsApi.EXTERNAL, QueueMetricsApi.KEDA]) {
      expectRefused({ server: ModelServer.tfServing({ modelName: 'resnet' }), gpu: undefined, scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 3, metricsApi }) },
        /invalid scaling: received 'Scaling.onQueueDepth'; allowed: a server with a queue-depth metric .*'tf-serving' has none/, ErrorCode.NO_QUEUE_METRIC);
    }
  });

  test('throws on a GPU count that is not whole, or differs from the parallelism', () => {
    expectRefused({ gpu: Gpu.amd(0) }, /invalid gpu: received 0; allowed: a whole number of GPUs, 1 or more/, ErrorCode.INVALID_GPU_COUNT);
    expectRefused({ server: vllm({ tensorParallelSize: 4 }), gpu: Gpu.nvidia(2) },
      /invalid gpu: received '2 GPU\(s\)'; allowed: exactly tensorParallelSize \(4\) × pipelineParallelSize \(1\) = 4 GPUs per replica/, ErrorCode.GPU_COUNT_MISMATCH);
  });

  test('throws when several GPUs get no /dev/shm', () => {
    expectRefused({ server: vllm({ tensorParallelSize: 2 }), gpu: Gpu.nvidia(2), sharedMemory: Size.mebibytes(0) },
      /invalid sharedMemory: received '0'; allowed: a \/dev\/shm size above 0 with 2 GPUs/, ErrorCode.SHARED_MEMORY_REQUIRED);
  });

  test('throws on a CPU amount or a size that is not positive', () => {
    expectRefused({ cpu: kplus.Cpu.millis(0) }, /invalid cpu: received '0m'; allowed: a positive CPU amount/, ErrorCode.INVALID_CPU);
    expectRefused({ cpuLimit: kplus.Cpu.units(0) }, /invalid cpuLimit: received '0'/, ErrorCode.INVALID_CPU);
    expectRefused({ memory: Size.mebibytes(0) }, /invalid memory: received '0Mi'; allowed: a size above 0/, ErrorCode.INVALID_SIZE);
    expectRefused({ cacheSize: Size.mebibytes(0) }, /invalid cacheSize: received '0Mi'/, ErrorCode.INVALID_SIZE);
  });

  test('throws on a literal value under a secret-looking variable name', () => {
    expectRefused({ env: { HF_TOKEN: kplus.EnvValue.fromValue('hf_abc') } },
      /invalid env.HF_TOKEN: received '\(a literal value, not shown\)'; allowed: a reference to a Secret/, ErrorCode.LITERAL_SECRET_IN_ENV);
  });

  test('throws on a start-up budget or grace period too short', () => {
    expectRefused({ startupTimeout: Duration.seconds(5) }, /invalid startupTimeout: received '5 seconds'; allowed: at least 10 s/, ErrorCode.STARTUP_TIMEOUT_TOO_SHORT);
    expectRefused({ maxRequestDuration: Duration.minutes(2), terminationGracePeriod: Duration.seconds(60) },
      /invalid terminationGracePeriod: received '1 minute'; allowed: at least preStopDelay \(15 s\) \+ maxRequestDuration \(120 s\) = 135 s/, ErrorCode.GRACE_PERIOD_TOO_SHORT);
  });

  test('throws on bad scheduling settings', () => {
    expectRefused({ nodeLossTolerance: Duration.seconds(3601) }, /invalid nodeLossTolerance: received '3601 s'/, ErrorCode.INVALID_NODE_LOSS_TOLERANCE);
    expectRefused({ gpu: Gpu.nvidia(1, { product: 'NVIDIA-L4' }), nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A10G' } },
      /invalid nodeSelector\['nvidia.com\/gpu.product'\]: received 'NVIDIA-A10G'/, ErrorCode.CONFLICTING_GPU_PRODUCT);
    expectRefused({ tolerations: [{ key: 'dedicated', value: 'gpu inference' }] }, /invalid tolerations: received 'dedicated=gpu inference'/, ErrorCode.INVALID_TOLERATION);
    expectRefused({ imagePullSecrets: ['ngc', 'ngc'] }, /invalid imagePullSecrets: received 'ngc'; allowed: names of Secrets, each once/, ErrorCode.INVALID_IMAGE_PULL_SECRET);
    expectRefused({ priorityClassName: 'system-node-critical' }, /invalid priorityClassName: received 'system-node-critical'/, ErrorCode.INVALID_PRIORITY_CLASS);
  });

  test('throws on a disruption budget that blocks drains, allows every pod down, or has one replica to protect', () => {
    expectRefused({ scaling: Scaling.fixed(3), pdbMaxUnavailable: 0 }, /invalid pdbMaxUnavailable: received 0; allowed: a whole number of at least 1/,
      ErrorCode.INVALID_DISRUPTION_BUDGET);
    expectRefused({ scaling: Scaling.fixed(3), pdbMaxUnavailable: 3 }, /invalid pdbMaxUnavailable: received 3; allowed: fewer than the minimum replicas \(3\)/,
      ErrorCode.INVALID_DISRUPTION_BUDGET);
    expectRefused({ scaling: Scaling.fixed(1), pdbMaxUnavailable: 1 }, /invalid pdbMaxUnavailable: received 1; allowed: only with at least 2 replicas/,
      ErrorCode.DISRUPTION_BUDGET_WITHOUT_REPLICAS);
  });

  test('throws when the model is missing, of a version the server cannot load, or mounted twice', () => {
    expectRefused({ server: ModelServer.vllm({}) }, /invalid modelVolume: received nothing; allowed: a ModelVolume, because ModelServer.vllm was given no model/,
      ErrorCode.MODEL_VOLUME_REQUIRED);
    const weightsIn = (c: Chart) => new ModelVolume(c, 'weights', { source: ModelSource.s3('s3://models/resnet/2024-07-23/', { version: '2024-07-23' }) });
    const tfServing = () => {
      const c = chart();
      return new InferenceService(c, 'resnet', { server: ModelServer.tfServing({ modelName: 'resnet' }), modelVolume: weightsIn(c) });
    };
    expect(tfServing).toThrow(/invalid modelVolume: received 'version '2024-07-23' of 'test\/weights''/);
    expect(tfServing).toThrow(expect.objectContaining({ code: ErrorCode.MODEL_VERSION_REFUSED }));
    const c = chart();
    const weights = weightsIn(c);
    const svc = new InferenceService(c, 'svc', { server: ModelServer.vllm({}), gpu: Gpu.nvidia(1), modelVolume: weights });
    expect(() => svc.addModelVolume(weights)).toThrow(/invalid modelVolume: received ''test\/weights' at \/models\/weights\/2024-07-23'; allowed: one volume per mount path/);
    expect(() => svc.addModelVolume(weights)).toThrow(expect.objectContaining({ code: ErrorCode.MOUNT_PATH_TAKEN }));
  });
});
