import { k8s } from 'cdk8s-plus-27';

/** Port of Fluent Bit's HTTP server (health and metrics). */
const FLUENT_BIT_PORT = 2020;
/** Where the collector keeps its read offsets. */
const STATE_PATH = '/var/fluent-bit/state';
/** Where the configuration is mounted. */
const CONFIG_PATH = '/fluent-bit/etc/conf';

/** One `Key  Value` line of a Fluent Bit section, values aligned in one column. */
export function confLine(key: string, value: string | number): string {
  return `    ${key.padEnd(23)}${value}`;
}

/** Fluent Bit's configuration: tail the namespaces' container logs, enrich, parse JSON, ship through `output`. */
export function fluentBitConfig(output: string[], namespaces: string[]): string {
  return [...serviceSection(), '', ...inputSection(namespaces), '', ...filterSection(), '', ...output, ''].join('\n');
}

/** The collector itself: flush every second, health endpoint on the HTTP port. */
function serviceSection(): string[] {
  return [
    '[SERVICE]',
    confLine('Flush', 1),
    confLine('Log_Level', 'info'),
    confLine('HTTP_Server', 'On'),
    confLine('HTTP_Listen', '0.0.0.0'),
    confLine('HTTP_Port', FLUENT_BIT_PORT),
    confLine('Health_Check', 'On'),
  ];
}

/** Tail the container log files of the namespaces, remembering offsets across restarts. */
function inputSection(namespaces: string[]): string[] {
  return [
    '[INPUT]',
    confLine('Name', 'tail'),
    confLine('Path', namespaces.map((ns) => `/var/log/containers/*_${ns}_*.log`).join(',')),
    confLine('multiline.parser', 'cri, docker'),
    confLine('Tag', 'kube.*'),
    confLine('DB', `${STATE_PATH}/tail.db`),
    confLine('Mem_Buf_Limit', '50MB'),
    confLine('Skip_Long_Lines', 'On'),
  ];
}

/** Enrich each line with its pod's labels. */
function filterSection(): string[] {
  return [
    '[FILTER]',
    confLine('Name', 'kubernetes'),
    confLine('Match', 'kube.*'),
    // JSON log lines (TGI --json-output, any structured logger) become fields.
    confLine('Merge_Log', 'On'),
    confLine('Keep_Log', 'Off'),
    confLine('Labels', 'On'),
    confLine('Annotations', 'Off'),
    confLine('K8S-Logging.Exclude', 'On'),
  ];
}

/** What the collector's pods are made of. */
export interface FluentBitPodOptions {
  /** The collector image. */
  readonly image: string;
  /** Labels of the pods. */
  readonly labels: { [key: string]: string };
  /** Labels the DaemonSet selects its pods by. */
  readonly selectorLabels: { [key: string]: string };
  /** The ServiceAccount the pods run as. */
  readonly serviceAccountName: string;
  /** The ConfigMap holding `fluent-bit.conf`. */
  readonly configMapName: string;
  /** Node folder of the read offsets. */
  readonly statePath: string;
  /** Environment of the collector. */
  readonly env: k8s.EnvVar[];
}

/** The DaemonSet spec: one collector per node, GPU nodes included, reading node logs read-only. */
export function fluentBitDaemonSetSpec(o: FluentBitPodOptions): k8s.DaemonSetSpec {
  return {
    selector: { matchLabels: o.selectorLabels },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') } },
    template: {
      metadata: { labels: o.labels },
      spec: {
        serviceAccountName: o.serviceAccountName,
        priorityClassName: 'system-node-critical',
        // GPU nodes are tainted; their logs matter most.
        tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        containers: [fluentBitContainer(o)],
        volumes: [
          { name: 'config', configMap: { name: o.configMapName } },
          { name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } },
          // Read offsets survive restarts, so no line is shipped twice or lost.
          { name: 'state', hostPath: { path: o.statePath, type: 'DirectoryOrCreate' } },
        ],
      },
    },
  };
}

/** The collector container: root without capabilities (node log files are root's, mode 0640), read-only. */
function fluentBitContainer(o: FluentBitPodOptions): k8s.Container {
  const q = (s: string) => k8s.Quantity.fromString(s);
  const http = k8s.IntOrString.fromString('http');
  return {
    name: 'fluent-bit',
    image: o.image,
    imagePullPolicy: 'Always',
    args: [`--config=${CONFIG_PATH}/fluent-bit.conf`],
    env: o.env,
    ports: [{ name: 'http', containerPort: FLUENT_BIT_PORT }],
    livenessProbe: { httpGet: { path: '/', port: http }, periodSeconds: 10, failureThreshold: 6 },
    readinessProbe: { httpGet: { path: '/api/v1/health', port: http }, periodSeconds: 10 },
    resources: {
      requests: { 'cpu': q('100m'), 'memory': q('128Mi'), 'ephemeral-storage': q('64Mi') },
      limits: { 'cpu': q('500m'), 'memory': q('256Mi'), 'ephemeral-storage': q('128Mi') },
    },
    securityContext: {
      // Node log files belong to root (mode 0640): read as root, with no capabilities.
      runAsUser: 0,
      runAsNonRoot: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_PATH, readOnly: true },
      { name: 'varlog', mountPath: '/var/log', readOnly: true },
      { name: 'state', mountPath: STATE_PATH },
    ],
  };
}
