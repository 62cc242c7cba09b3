import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LABEL_COMPONENT, LABEL_NAME } from '../../inference-service-ref';
import { MANAGED_BY_LABELS } from '../labels';
import { allowClusterDns, denyAllNetworkPolicy, ObjectMetadata } from '../network';
import { DEFAULT_UID, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../pod-security';
import { PickerEngine, pickerConfig, ScoringWeights } from './picker-config';

/** The ext-proc gRPC port the gateway calls for every request. */
export const EXT_PROC_PORT = 9002;
/** The gRPC health port (services `liveness` and `readiness`). */
export const HEALTH_PORT = 9003;
/** The Prometheus metrics port. */
export const METRICS_PORT = 9090;
/** Where the configuration file is mounted. */
const CONFIG_DIR = '/config';
const CONFIG_FILE = 'endpoint-picker.yaml';

/** The endpoint picker of one InferencePool, resolved. */
export interface EndpointPickerSpec {
  /** The pool's name; the picker's objects are `<pool>-epp`. */
  readonly poolName: string;
  /** The namespace of the pool and its picker (the RoleBinding names its ServiceAccount's namespace). */
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  readonly weights: ScoringWeights;
  readonly engine: PickerEngine;
  readonly cpu: string;
  readonly cpuLimit: string;
  readonly memory: string;
  readonly memoryLimit: string;
}

/** The picker's objects, for the pool and the ObservabilityBundle. */
export interface EndpointPickerObjects {
  readonly name: string;
  readonly labels: { [key: string]: string };
  readonly deployment: k8s.KubeDeployment;
  readonly service: k8s.KubeService;
  readonly networkPolicy: kplus.NetworkPolicy;
}

/**
 * The endpoint picker (EPP) of llm-d's router: a Deployment of `replicas` with leader election
 * (only the leader is ready and serves ext-proc; the others are warm standbys), its Service
 * (ext-proc over h2c on 9002, metrics on 9090), ConfigMap, ServiceAccount with a Role that reads
 * only pods, InferencePools and InferenceObjectives (and leases for the election), and a deny-all
 * NetworkPolicy that opens ext-proc and metrics to the pods allowed later, the Kubernetes API and
 * DNS. ext-proc serves TLS with the picker's self-signed certificate (upstream's default, which
 * the gateways expect and do not verify); metrics need no token (`--metrics-endpoint-auth=false`):
 * the NetworkPolicy decides who reaches them.
 * @see https://github.com/llm-d/llm-d-router/tree/main/config/charts/routerlib/templates
 */
export function endpointPicker(scope: Construct, spec: EndpointPickerSpec): EndpointPickerObjects {
  const name = `${spec.poolName}-epp`;
  const selector = { [LABEL_NAME]: name, [LABEL_COMPONENT]: 'endpoint-picker' };
  const labels = { ...selector, ...MANAGED_BY_LABELS };
  const metadata = { name, labels };
  const serviceAccount = new k8s.KubeServiceAccount(scope, 'PickerServiceAccount', { metadata, automountServiceAccountToken: true });
  pickerRbac(scope, metadata, { name: serviceAccount.name, namespace: spec.namespace }, spec.replicas > 1);
  const config = new k8s.KubeConfigMap(scope, 'PickerConfig', { metadata, data: { [CONFIG_FILE]: pickerConfig(spec.weights, spec.engine) } });
  const deployment = new k8s.KubeDeployment(scope, 'Picker', {
    metadata,
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: selector },
      // Recreate, as upstream: only the leader is ready, so a rolling update could never replace it (a new
      // picker never becomes ready while the old one holds the lease). The pool fails closed meanwhile.
      strategy: spec.replicas > 1 ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: serviceAccount.name,
          automountServiceAccountToken: true,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(DEFAULT_UID),
          // Streams in flight finish before the picker exits (upstream's budget).
          terminationGracePeriodSeconds: 130,
          topologySpreadConstraints: spread(selector),
          containers: [pickerContainer(spec)],
          volumes: [{ name: 'config', configMap: { name: config.name } }],
        },
      },
    },
  });
  const service = new k8s.KubeService(scope, 'PickerService', {
    metadata,
    spec: {
      selector,
      ports: [
        { name: 'grpc-ext-proc', port: EXT_PROC_PORT, targetPort: k8s.IntOrString.fromNumber(EXT_PROC_PORT), appProtocol: 'kubernetes.io/h2c' },
        { name: 'http-metrics', port: METRICS_PORT, targetPort: k8s.IntOrString.fromNumber(METRICS_PORT) },
      ],
    },
  });
  const networkPolicy = denyAllNetworkPolicy(scope, 'PickerNetworkPolicy', metadata, selector, 'PickerPods');
  allowClusterDns(scope, networkPolicy);
  // The Kubernetes API (pods, pools, objectives, leases), reached through the kubernetes Service on 443 or 6443.
  networkPolicy.addEgressRule(kplus.NetworkPolicyIpBlock.anyIpv4(scope, 'PickerApiServer'), [kplus.NetworkPolicyPort.tcp(443), kplus.NetworkPolicyPort.tcp(6443)]);
  return { name, labels, deployment, service, networkPolicy };
}

/** The picker container: flags, ports, gRPC probes, resources, restricted security. */
function pickerContainer(spec: EndpointPickerSpec): k8s.Container {
  const probe = (service: string) => ({ grpc: { port: HEALTH_PORT, service } });
  const ha = spec.replicas > 1;
  return {
    name: 'epp',
    image: spec.image,
    imagePullPolicy: 'Always',
    args: [
      `--pool-name=${spec.poolName}`,
      '--pool-namespace=$(NAMESPACE)',
      '--pool-group=inference.networking.k8s.io',
      `--config-file=${CONFIG_DIR}/${CONFIG_FILE}`,
      `--grpc-port=${EXT_PROC_PORT}`,
      `--grpc-health-port=${HEALTH_PORT}`,
      `--metrics-port=${METRICS_PORT}`,
      '--metrics-endpoint-auth=false',
      '--tracing=false',
      '--zap-encoder=json',
      ...(ha ? ['--ha-enable-leader-election'] : []),
    ],
    env: [
      { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ],
    ports: [
      { name: 'grpc', containerPort: EXT_PROC_PORT },
      { name: 'grpc-health', containerPort: HEALTH_PORT },
      { name: 'metrics', containerPort: METRICS_PORT },
    ],
    // With leader election the `readiness` service passes on the leader only, so the Service sends ext-proc to it alone.
    livenessProbe: { ...probe(ha ? 'liveness' : 'inference-extension'), initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
    readinessProbe: { ...probe(ha ? 'readiness' : 'inference-extension'), periodSeconds: 2, failureThreshold: 3, timeoutSeconds: 2 },
    resources: {
      requests: {
        'cpu': k8s.Quantity.fromString(spec.cpu), 'memory': k8s.Quantity.fromString(spec.memory), 'ephemeral-storage': k8s.Quantity.fromString('256Mi'),
      },
      limits: { 'cpu': k8s.Quantity.fromString(spec.cpuLimit), 'memory': k8s.Quantity.fromString(spec.memoryLimit), 'ephemeral-storage': k8s.Quantity.fromString('1Gi') },
    },
    securityContext: restrictedContainerSecurityContext(DEFAULT_UID),
    volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** Pickers on different nodes and zones where possible, so a lost node leaves a standby. */
function spread(selector: { [key: string]: string }): k8s.TopologySpreadConstraint[] {
  return ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
    maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector },
  }));
}

/** The picker's Role and RoleBinding: read pods, pools and objectives; leases and events for the election. */
function pickerRbac(scope: Construct, metadata: ObjectMetadata, serviceAccount: { name: string; namespace: string }, election: boolean): void {
  const read = ['get', 'list', 'watch'];
  const role = new k8s.KubeRole(scope, 'PickerRole', {
    metadata,
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: read },
      { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: read },
      { apiGroups: ['inference.networking.x-k8s.io', 'llm-d.ai'], resources: ['inferenceobjectives', 'inferencemodelrewrites'], verbs: read },
      ...(election ? [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...read, 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ] : []),
    ],
  });
  new k8s.KubeRoleBinding(scope, 'PickerRoleBinding', {
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
    subjects: [{ kind: 'ServiceAccount', ...serviceAccount }],
  });
}
