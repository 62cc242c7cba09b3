// The charts the benchmark (bench.ts) times: ours, and the baselines a platform team would write
// without this library.
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import { ApiObject, App, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { PrometheusRule, PrometheusRuleSpecGroups, PrometheusRuleSpecGroupsRulesExpr, ServiceMonitor } from '../imports/monitoring.coreos.com';
import { Gpu, InferenceService, ModelServer, ModelSource, ModelVolume, ObservabilityBundle, Scaling } from '../lib';

/** N InferenceServices, each with its ModelVolume (S3 with a shared cache), ObservabilityBundle, HPA and PDB. */
export function ours(n: number): App {
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  for (let i = 0; i < n; i++) {
    const weights = new ModelVolume(chart, `weights-${i}`, {
      source: ModelSource.s3(`s3://models/m${i}/v1/`, { version: 'v1' }),
      size: Size.gibibytes(16),
      cacheSize: Size.gibibytes(40),
    });
    const svc = new InferenceService(chart, `svc-${i}`, {
      server: ModelServer.vllm({}),
      modelVolume: weights,
      gpu: Gpu.nvidia(1),
      scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 4 }),
    });
    new ObservabilityBundle(chart, `obs-${i}`, { services: [svc] });
  }
  return app;
}

/**
 * The very objects `ours(n)` emits, written out by hand as cdk8s `ApiObject` literals: what cdk8s
 * itself costs to emit the same YAML, with no construct logic.
 */
export function sameContent(objects: any[]): App {
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'bench', { disableResourceNameHashes: true });
  objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
  return app;
}

/**
 * The text a hand-written chart carries as literals: alert and recording rules, dashboard JSON.
 * Produced before the timed section, as source text costs nothing at synth time.
 */
export interface Literals {
  readonly ruleGroups: PrometheusRuleSpecGroups[];
  readonly dashboard: string;
}

/**
 * Literals for services 0..n-1, made from those of service 0 in `objects` (our rendered objects)
 * by renaming.
 */
export function literalsFrom(objects: any[], n: number): Literals[] {
  const template = {
    ruleGroups: objects.find((o) => o.kind === 'PrometheusRule').spec.groups,
    dashboard: objects.find((o) => o.kind === 'ConfigMap').data['svc-0.json'] as string,
  };
  return Array.from({ length: n }, (_, i) => literalsFor(template, i));
}

function literalsFor(template: { ruleGroups: unknown; dashboard: string }, i: number): Literals {
  const rename = (s: string) => s.replace(/svc-0(?![0-9])/g, `svc-${i}`).replace(/weights-0(?![0-9])/g, `weights-${i}`);
  const groups = JSON.parse(rename(JSON.stringify(template.ruleGroups))) as any[];
  return {
    ruleGroups: groups.map((g) => ({
      name: g.name,
      rules: g.rules.map((r: any) => ({ ...r, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })),
    })),
    dashboard: rename(template.dashboard),
  };
}

const UID = 10001;
const podSecurity = {
  runAsNonRoot: true, runAsUser: UID, runAsGroup: UID, fsGroup: UID, fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
};
const containerSecurity = {
  allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true,
  runAsGroup: UID, runAsNonRoot: true, runAsUser: UID,
};

/** DNS to kube-dns and HTTPS anywhere, as the library's policies allow. */
function baselineEgress(scope: Chart, id: string, policy: kplus.NetworkPolicy): void {
  const dns = kplus.Pods.select(scope, `${id}-dns`, {
    labels: { 'k8s-app': 'kube-dns' },
    namespaces: kplus.Namespaces.select(scope, `${id}-kube-system`, { names: ['kube-system'] }),
  });
  policy.addEgressRule(dns, [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)]);
  policy.addEgressRule(kplus.NetworkPolicyIpBlock.anyIpv4(scope, `${id}-v4`), [kplus.NetworkPolicyPort.tcp(443)]);
  policy.addEgressRule(kplus.NetworkPolicyIpBlock.anyIpv6(scope, `${id}-v6`), [kplus.NetworkPolicyPort.tcp(443)]);
}

/**
 * The very objects `ours(n)` emits, written by hand with cdk8s-plus-27 where it has an API
 * (ServiceAccount, Deployment, Service, NetworkPolicy, HPA, ConfigMap), the generated k8s and CRD
 * classes elsewhere, and JSON patches for fields cdk8s-plus-27 lacks.
 */
export function plainSame(n: number, literals: Literals[]): App {
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'bench', { namespace: 'bench', disableResourceNameHashes: true });
  const managed = { 'app.kubernetes.io/managed-by': 'cdk8s-inference' };
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    const model = `weights-${i}`;
    const source = `s3://models/m${i}/v1/`;

    // The model cache and the Job that fills it.
    const volumeLabels = { 'app.kubernetes.io/component': 'model-volume', ...managed, 'app.kubernetes.io/name': model, 'inference.cdk8s.io/model-version': 'v1' };
    const claim = new k8s.KubePersistentVolumeClaim(chart, `${model}-cache`, {
      metadata: { name: `${model}-cache`, labels: volumeLabels },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: k8s.Quantity.fromString('40960Mi') } } },
    });
    const fillAccount = new k8s.KubeServiceAccount(chart, `${model}-fill-sa`, {
      metadata: { name: `${model}-fill`, labels: volumeLabels }, automountServiceAccountToken: false,
    });
    const fillPolicy = new kplus.NetworkPolicy(chart, `${model}-fill-np`, {
      metadata: { name: `${model}-fill`, labels: volumeLabels },
      selector: kplus.Pods.select(chart, `${model}-fill-pods`, { labels: volumeLabels }),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    baselineEgress(chart, `${model}-fill`, fillPolicy);
    const job = `${model}-fill-${createHash('sha256').update(`s3\n${source}\nv1`).digest('hex').slice(0, 8)}`;
    const dest = `/mnt/models/${model}/v1`;
    const downloader = {
      image: 'kserve/storage-initializer:v0.17.0', imagePullPolicy: 'Always', securityContext: containerSecurity,
    };
    new k8s.KubeJob(chart, `${model}-fill`, {
      metadata: { name: job, labels: volumeLabels },
      spec: {
        backoffLimit: 6, activeDeadlineSeconds: 1256, ttlSecondsAfterFinished: 604800,
        template: {
          metadata: { labels: volumeLabels },
          spec: {
            restartPolicy: 'OnFailure', serviceAccountName: fillAccount.name, automountServiceAccountToken: false,
            securityContext: podSecurity as k8s.PodSecurityContext,
            containers: [{
              ...downloader,
              name: 'fill',
              command: ['/bin/sh', '-c', [
                'set -eu',
                `dest="${dest}"`,
                'partial="$dest.partial"',
                'if [ -f "$dest/.complete" ]; then echo "model already present in $dest"; exit 0; fi',
                'rm -rf "$partial" && mkdir -p "$partial"',
                `/storage-initializer/scripts/initializer-entrypoint "${source}" "$partial"`,
                'rm -rf "$dest" && mv "$partial" "$dest"',
                'touch "$dest/.complete"',
                'echo "model downloaded to $dest"',
              ].join('\n')],
              env: [{ name: 'HOME', value: '/tmp' }, { name: 'HF_HOME', value: '/tmp/hf' }],
              resources: {
                limits: { 'cpu': k8s.Quantity.fromString('2'), 'ephemeral-storage': k8s.Quantity.fromString('2Gi'), 'memory': k8s.Quantity.fromString('2Gi') },
                requests: { 'cpu': k8s.Quantity.fromString('500m'), 'ephemeral-storage': k8s.Quantity.fromString('1Gi'), 'memory': k8s.Quantity.fromString('1Gi') },
              },
              volumeMounts: [{ mountPath: '/mnt/models', name: 'cache' }, { mountPath: '/tmp', name: 'downloader-tmp' }],
            }],
            volumes: [
              { name: 'cache', persistentVolumeClaim: { claimName: claim.name } },
              { name: 'downloader-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
            ],
          },
        },
      },
    });

    // The model server.
    const selector = { 'app.kubernetes.io/component': 'model-server', 'app.kubernetes.io/name': name };
    const labels = {
      ...selector, ...managed, 'app.kubernetes.io/version': 'v0.18.0',
      'inference.cdk8s.io/model': model, 'inference.cdk8s.io/model-version': 'v1', 'inference.cdk8s.io/server': 'vllm',
    };
    const metadata = { name, labels };
    const account = new kplus.ServiceAccount(chart, `${name}-sa`, { metadata, automountToken: false });
    const deployment = new kplus.Deployment(chart, name, {
      metadata,
      podMetadata: { labels },
      select: false,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      progressDeadline: Duration.seconds(1828),
      serviceAccount: account,
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(210),
      securityContext: { ensureNonRoot: true, user: UID, group: UID, fsGroup: UID, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
    });
    deployment.select(kplus.LabelSelector.of({ labels: selector }));
    const health = (options: kplus.ProbeOptions) => kplus.Probe.fromHttpGet('/health', { ...options, port: 8000 });
    const container = deployment.addContainer({
      name: 'server',
      image: 'vllm/vllm-openai:v0.18.0',
      imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
      args: [`/models/${model}/v1`, '--host=0.0.0.0', '--port=8000', `--served-model-name=${model}`, '--shutdown-timeout=180'],
      ports: [{ name: 'http', number: 8000 }],
      envVariables: {
        HOME: kplus.EnvValue.fromValue('/cache'),
        HF_HOME: kplus.EnvValue.fromValue('/cache/huggingface'),
        XDG_CACHE_HOME: kplus.EnvValue.fromValue('/cache'),
        USER: kplus.EnvValue.fromValue('inference'),
        HF_HUB_OFFLINE: kplus.EnvValue.fromValue('1'),
      },
      resources: {
        cpu: { request: kplus.Cpu.units(4), limit: kplus.Cpu.millis(8000) },
        memory: { request: Size.gibibytes(32), limit: Size.gibibytes(32) },
        ephemeralStorage: { request: Size.gibibytes(51), limit: Size.gibibytes(53) },
      },
      securityContext: {
        ensureNonRoot: true, user: UID, group: UID, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false,
      },
      startup: health({ periodSeconds: Duration.seconds(10), failureThreshold: 90, timeoutSeconds: Duration.seconds(5) }),
      readiness: health({ periodSeconds: Duration.seconds(5), failureThreshold: 2, successThreshold: 1, timeoutSeconds: Duration.seconds(3) }),
      liveness: kplus.Probe.fromHttpGet('/version', { port: 8000, periodSeconds: Duration.seconds(10), failureThreshold: 6, timeoutSeconds: Duration.seconds(5) }),
      lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', '15']) },
    });
    container.mount('/cache', kplus.Volume.fromEmptyDir(chart, `${name}-cache`, 'writable-0', { sizeLimit: Size.mebibytes(51200) }));
    container.mount('/tmp', kplus.Volume.fromEmptyDir(chart, `${name}-tmp`, 'tmp', { sizeLimit: Size.mebibytes(1024) }));
    container.mount('/dev/shm', kplus.Volume.fromEmptyDir(chart, `${name}-shm`, 'dshm', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(1024) }));
    // Fields cdk8s-plus-27 has no API for.
    const pod = '/spec/template/spec';
    const raw = ApiObject.of(deployment);
    raw.addJsonPatch(
      JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
      JsonPatch.add(`${pod}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
      JsonPatch.add(`${pod}/containers/0/securityContext/capabilities`, { drop: ['ALL'] }),
      JsonPatch.add(`${pod}/enableServiceLinks`, false),
      JsonPatch.add(`${pod}/containers/0/resources/limits/nvidia.com~1gpu`, k8s.Quantity.fromNumber(1)),
      JsonPatch.add(`${pod}/tolerations`, [
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
      ]),
      JsonPatch.add(`${pod}/topologySpreadConstraints`, ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
        maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector }, matchLabelKeys: ['pod-template-hash'],
      }))),
      JsonPatch.add(`${pod}/volumes/-`, { name: `model-${model}`, persistentVolumeClaim: { claimName: claim.name } }),
      JsonPatch.add(`${pod}/containers/0/volumeMounts/-`, { mountPath: `/models/${model}/v1`, name: `model-${model}`, readOnly: true, subPath: `${model}/v1` }),
      JsonPatch.add(`${pod}/initContainers`, [{
        ...downloader,
        name: `wait-${model}`,
        command: ['/bin/sh', '-c', `until [ -f "${dest}/.complete" ]; do echo "waiting for ${job} to fill the cache"; sleep 10; done`],
        resources: {
          limits: { 'cpu': k8s.Quantity.fromString('100m'), 'memory': k8s.Quantity.fromString('64Mi'), 'ephemeral-storage': k8s.Quantity.fromString('32Mi') },
          requests: { 'cpu': k8s.Quantity.fromString('10m'), 'memory': k8s.Quantity.fromString('32Mi'), 'ephemeral-storage': k8s.Quantity.fromString('16Mi') },
        },
        volumeMounts: [{ mountPath: '/mnt/models', name: `model-${model}`, readOnly: true }],
      }]),
    );

    const service = new kplus.Service(chart, `${name}-svc`, { metadata, type: kplus.ServiceType.CLUSTER_IP, ports: [{ name: 'http', port: 8000, targetPort: 8000 }] });
    for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
    const policy = new kplus.NetworkPolicy(chart, `${name}-np`, {
      metadata,
      selector: kplus.Pods.select(chart, `${name}-pods`, { labels: selector }),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    baselineEgress(chart, name, policy);
    policy.addIngressRule(kplus.Pods.select(chart, `${name}-prometheus`, {
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      namespaces: kplus.Namespaces.select(chart, `${name}-monitoring`, { names: ['monitoring'] }),
    }), [kplus.NetworkPolicyPort.tcp(8000)]);
    new kplus.HorizontalPodAutoscaler(chart, `${name}-hpa`, {
      metadata, target: deployment, minReplicas: 2, maxReplicas: 4,
      metrics: [kplus.Metric.pods({ name: 'vllm_num_requests_waiting', target: kplus.MetricTarget.averageValue(5) })],
      scaleUp: {
        strategy: kplus.ScalingStrategy.MAX_CHANGE, stabilizationWindow: Duration.seconds(0),
        policies: [{ replicas: kplus.Replicas.absolute(2), duration: Duration.minutes(1) }],
      },
      scaleDown: {
        strategy: kplus.ScalingStrategy.MIN_CHANGE, stabilizationWindow: Duration.minutes(10),
        policies: [{ replicas: kplus.Replicas.absolute(1), duration: Duration.minutes(5) }],
      },
    });
    new k8s.KubePodDisruptionBudget(chart, `${name}-pdb`, {
      metadata, spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    });

    // Monitoring.
    const monitoring = { ...managed, release: 'kube-prometheus-stack' };
    new PrometheusRule(chart, `obs-${i}`, { metadata: { name: `obs-${i}`, labels: monitoring }, spec: { groups: literals[i].ruleGroups } });
    new ServiceMonitor(chart, `${name}-sm`, {
      metadata: { name, labels: monitoring },
      spec: {
        endpoints: [{ interval: '15s', path: '/metrics', port: 'http', scrapeTimeout: '10s' }],
        namespaceSelector: { matchNames: ['bench'] },
        podTargetLabels: ['app.kubernetes.io/version', 'inference.cdk8s.io/server', 'inference.cdk8s.io/model', 'inference.cdk8s.io/model-version'],
        selector: { matchLabels: selector },
      },
    });
    new kplus.ConfigMap(chart, `${name}-dashboard`, {
      metadata: { name: `${name}-dashboard`, labels: { ...managed, grafana_dashboard: '1' } },
      data: { [`${name}.json`]: literals[i].dashboard },
    });
  }
  return app;
}

/**
 * A thinner hand-written chart of the same kinds: fewer probes, labels, rules and panels, objects
 * about 8x smaller than ours. Its per-object time mostly measures how much less YAML it writes.
 */
export function plainThin(n: number): App {
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'bench', { namespace: 'bench', disableResourceNameHashes: true });
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    const labels = { 'app.kubernetes.io/name': name };
    const claim = new k8s.KubePersistentVolumeClaim(chart, `${name}-cache`, {
      metadata: { name: `${name}-cache` },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: k8s.Quantity.fromString('40Gi') } } },
    });
    new k8s.KubeJob(chart, `${name}-fill`, {
      metadata: { name: `${name}-fill` },
      spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'fill', image: 'kserve/storage-initializer:v0.17.0', args: [`s3://models/m${i}/v1/`, '/mnt/models'] }],
        volumes: [{ name: 'cache', persistentVolumeClaim: { claimName: claim.name } }] } } },
    });
    const sa = new kplus.ServiceAccount(chart, `${name}-sa`, { metadata: { name }, automountToken: false });
    const deployment = new kplus.Deployment(chart, name, {
      metadata: { name },
      serviceAccount: sa,
      containers: [{
        name: 'server', image: 'vllm/vllm-openai:v0.18.0', args: ['/models/m/v1', '--port=8000'], portNumber: 8000,
        resources: { cpu: { request: kplus.Cpu.units(4) }, memory: { request: Size.gibibytes(32), limit: Size.gibibytes(32) } },
        startup: kplus.Probe.fromHttpGet('/health', { port: 8000, failureThreshold: 90 }),
        readiness: kplus.Probe.fromHttpGet('/health', { port: 8000 }),
        liveness: kplus.Probe.fromHttpGet('/version', { port: 8000 }),
        securityContext: { readOnlyRootFilesystem: true, user: 10001 },
      }],
    });
    const service = deployment.exposeViaService({ name, ports: [{ port: 8000 }] });
    new kplus.HorizontalPodAutoscaler(chart, `${name}-hpa`, {
      target: deployment, minReplicas: 2, maxReplicas: 4,
      metrics: [kplus.Metric.pods({ name: 'vllm_num_requests_waiting', target: kplus.MetricTarget.averageValue(5) })],
    });
    new k8s.KubePodDisruptionBudget(chart, `${name}-pdb`, {
      metadata: { name }, spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } },
    });
    new kplus.NetworkPolicy(chart, `${name}-np`, { metadata: { name }, selector: deployment, ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY } });
    new ServiceMonitor(chart, `${name}-sm`, { metadata: { name }, spec: { selector: { matchLabels: labels }, endpoints: [{ port: 'http' }] } });
    new PrometheusRule(chart, `${name}-rules`, {
      metadata: { name },
      spec: { groups: [{ name, rules: [{ alert: 'Down', expr: PrometheusRuleSpecGroupsRulesExpr.fromString(`up{service="${service.name}"} == 0`), for: '5m' }] }] },
    });
    new kplus.ConfigMap(chart, `${name}-dashboard`, { metadata: { name: `${name}-dashboard` }, data: { 'dashboard.json': '{}' } });
  }
  return app;
}
