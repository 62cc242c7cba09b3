import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { InferenceConfigError } from './errors';
import { checkImage } from './image';
import { LABEL_MODEL, LABEL_MODEL_VERSION, LABEL_NAME, LABEL_SERVER } from './inference-service-ref';
import { checkName, clusterScoped } from './names';
import { allowClusterDns } from './private/network';

/** The log collector: Fluent Bit, pinned. */
export const DEFAULT_FLUENT_BIT_IMAGE = 'cr.fluentbit.io/fluent/fluent-bit:3.2.2';

/** Options for {@link LogShipping.loki}. */
export interface LokiOptions {
  /** Loki's push endpoint base, e.g. `http://loki-gateway.monitoring.svc:80` or `https://logs.example.com`. */
  readonly url: string;
  /**
   * Tenant (`X-Scope-OrgID`) for a multi-tenant Loki.
   * @default - no tenant header
   */
  readonly tenant?: string;
}

/** Options for {@link LogShipping.elasticsearch}. */
export interface ElasticsearchOptions {
  /** Elasticsearch endpoint, e.g. `https://elasticsearch.logging.svc:9200`. */
  readonly url: string;
  /**
   * Index prefix; documents go to `<prefix>-YYYY.MM.DD`.
   * @default 'inference'
   */
  readonly indexPrefix?: string;
  /**
   * Secret with keys `username` and `password` for basic authentication.
   * @default - no authentication
   */
  readonly credentialsSecret?: string;
}

/**
 * Where container logs of the inference namespace are shipped, with the model, version and
 * service of each line as labels (Loki) or fields (Elasticsearch).
 * @see https://docs.fluentbit.io/manual/pipeline/outputs/loki
 */
export class LogShipping {
  /**
   * Grafana Loki. Lines are labelled with namespace, service, model, model version, server and
   * container; JSON log lines are parsed into fields.
   * @see https://docs.fluentbit.io/manual/pipeline/outputs/loki
   */
  public static loki(options: LokiOptions): LogShipping {
    return new LogShipping('loki', options.url, options);
  }

  /**
   * Elasticsearch (or OpenSearch with the Elasticsearch API), daily indices.
   * @see https://docs.fluentbit.io/manual/pipeline/outputs/elasticsearch
   */
  public static elasticsearch(options: ElasticsearchOptions): LogShipping {
    return new LogShipping('elasticsearch', options.url, options);
  }

  /** `loki` or `elasticsearch`. */
  public readonly store: string;
  /** Endpoint URL. */
  public readonly url: string;
  /** @internal */
  public readonly _options: LokiOptions | ElasticsearchOptions;

  private constructor(store: string, url: string, options: LokiOptions | ElasticsearchOptions) {
    this.store = store;
    this.url = url;
    this._options = options;
  }
}

/** Props of a {@link LogShipper}. */
export interface LogShipperProps {
  /** Where the logs go. */
  readonly shipping: LogShipping;

  /** Namespaces whose container logs are shipped. */
  readonly sourceNamespaces: string[];

  /**
   * Namespace the collector runs in. Reading node log files needs hostPath volumes, which Pod
   * Security allows only at the `privileged` level, so the collector never shares the
   * inference namespace (which enforces `restricted`).
   * @default 'logging'
   */
  readonly namespace?: string;

  /**
   * Collector image, pinned.
   * @default DEFAULT_FLUENT_BIT_IMAGE
   */
  readonly image?: string;
}

const KIND = 'LogShipper';

/**
 * A Fluent Bit DaemonSet that tails the container logs of the given namespaces on every node,
 * enriches each line with its pod's labels, parses JSON lines, and ships them to Loki or
 * Elasticsearch. Emits its Namespace (Pod Security `privileged`, because it mounts node log
 * folders read-only), ServiceAccount and read-only RBAC, ConfigMap, DaemonSet and NetworkPolicy.
 * @see https://docs.fluentbit.io/manual/pipeline/outputs/loki
 */
export class LogShipper extends Construct {
  /** The collector's namespace. */
  public readonly namespace: string;
  /** The collector DaemonSet. */
  public readonly daemonSet: k8s.KubeDaemonSet;

  /**
   * Defines a LogShipper.
   * @param scope the construct (usually a Chart) the objects are created in
   * @param id the construct id, unique within `scope`
   * @param props the settings, see `LogShipperProps`
   */
  constructor(scope: Construct, id: string, props: LogShipperProps) {
    super(scope, id);
    this.namespace = checkName(this, KIND, 'namespace', props.namespace ?? 'logging', 63);
    const image = props.image ?? DEFAULT_FLUENT_BIT_IMAGE;
    checkImage(this, KIND, 'image', image);
    let endpoint: URL;
    try {
      endpoint = new URL(props.shipping.url);
      if (!/^https?:$/.test(endpoint.protocol) || endpoint.username || endpoint.password) throw new Error('scheme or credentials');
    } catch {
      throw new InferenceConfigError(this, KIND, {
        prop: 'shipping.url',
        received: props.shipping.url.replace(/\/\/[^/@]+@/, '//<credentials>@'),
        allowed: 'an http:// or https:// URL without credentials',
        fix: 'give the endpoint URL, and credentials through credentialsSecret',
      });
    }
    const port = Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80));
    const name = 'inference-logs';
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'log-shipper', 'app.kubernetes.io/managed-by': 'cdk8s-inference' };
    const meta = (n = name) => ({ name: n, namespace: this.namespace, labels });

    const namespace = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'privileged',
        },
      },
    });
    clusterScoped(namespace);
    const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta(), automountServiceAccountToken: true });
    const role = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: `${this.namespace}-${name}`, labels },
      rules: [{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] }],
    });
    const binding = new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: `${this.namespace}-${name}`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: this.namespace }],
    });
    clusterScoped(role);
    clusterScoped(binding);

    const config = new k8s.KubeConfigMap(this, 'Config', {
      metadata: meta(),
      data: { 'fluent-bit.conf': fluentBitConfig(props.shipping, props.sourceNamespaces, endpoint) },
    });

    const es = props.shipping.store === 'elasticsearch' ? props.shipping._options as ElasticsearchOptions : undefined;
    const env: k8s.EnvVar[] = [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }];
    if (es?.credentialsSecret) {
      env.push({ name: 'ES_USER', valueFrom: { secretKeyRef: { name: es.credentialsSecret, key: 'username' } } });
      env.push({ name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: es.credentialsSecret, key: 'password' } } });
    }
    const q = (s: string) => k8s.Quantity.fromString(s);
    this.daemonSet = new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: meta(),
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': name } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: sa.name,
            priorityClassName: 'system-node-critical',
            // GPU nodes are tainted; their logs matter most.
            tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'fluent-bit',
              image,
              imagePullPolicy: 'Always',
              args: ['--config=/fluent-bit/etc/conf/fluent-bit.conf'],
              env,
              ports: [{ name: 'http', containerPort: 2020 }],
              livenessProbe: { httpGet: { path: '/', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, failureThreshold: 6 },
              readinessProbe: { httpGet: { path: '/api/v1/health', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10 },
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
                { name: 'config', mountPath: '/fluent-bit/etc/conf', readOnly: true },
                { name: 'varlog', mountPath: '/var/log', readOnly: true },
                { name: 'state', mountPath: '/var/fluent-bit/state' },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: config.name } },
              { name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } },
              // Read offsets survive restarts, so no line is shipped twice or lost.
              { name: 'state', hostPath: { path: `/var/lib/${this.namespace}-${name}`, type: 'DirectoryOrCreate' } },
            ],
          },
        },
      },
    });

    const policy = new kplus.NetworkPolicy(this, 'NetworkPolicy', {
      metadata: meta(),
      selector: kplus.Pods.select(this, 'Pods', { labels: { 'app.kubernetes.io/name': name } }),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    allowClusterDns(this, policy);
    policy.addEgressRule(kplus.NetworkPolicyIpBlock.anyIpv4(this, 'LogStore'), [kplus.NetworkPolicyPort.tcp(port)]);
    // The Kubernetes API (pod metadata), reached through the kubernetes Service on 443 or 6443.
    policy.addEgressRule(kplus.NetworkPolicyIpBlock.anyIpv4(this, 'ApiServer'), [kplus.NetworkPolicyPort.tcp(443), kplus.NetworkPolicyPort.tcp(6443)]);
  }
}

/** Fluent Bit's configuration: tail the namespaces' container logs, enrich, parse JSON, ship. */
export function fluentBitConfig(shipping: LogShipping, namespaces: string[], endpoint: URL): string {
  const tls = endpoint.protocol === 'https:' ? 'On' : 'Off';
  const port = endpoint.port || (tls === 'On' ? '443' : '80');
  const paths = namespaces.map((ns) => `/var/log/containers/*_${ns}_*.log`).join(',');
  const k = (label: string) => `$kubernetes['labels']['${label}']`;
  const output = shipping.store === 'loki'
    ? [
      '[OUTPUT]',
      '    Name                   loki',
      '    Match                  kube.*',
      `    Host                   ${endpoint.hostname}`,
      `    Port                   ${port}`,
      `    Tls                    ${tls}`,
      ...((shipping._options as LokiOptions).tenant ? [`    Tenant_ID              ${(shipping._options as LokiOptions).tenant}`] : []),
      '    Line_Format            json',
      // Low-cardinality labels only: pod names stay in the line, not in the label set.
      `    Labels                 job=inference-logs, namespace=$kubernetes['namespace_name'], service=${k(LABEL_NAME)}, model=${k(LABEL_MODEL)}, model_version=${k(LABEL_MODEL_VERSION)}, server=${k(LABEL_SERVER)}, container=$kubernetes['container_name']`,
    ]
    : [
      '[OUTPUT]',
      '    Name                   es',
      '    Match                  kube.*',
      `    Host                   ${endpoint.hostname}`,
      `    Port                   ${port}`,
      `    Tls                    ${tls}`,
      ...((shipping._options as ElasticsearchOptions).credentialsSecret ? ['    HTTP_User              ${ES_USER}', '    HTTP_Passwd            ${ES_PASSWORD}'] : []),
      '    Logstash_Format        On',
      `    Logstash_Prefix        ${(shipping._options as ElasticsearchOptions).indexPrefix ?? 'inference'}`,
      '    Suppress_Type_Name     On',
      '    Replace_Dots           On',
      '    Retry_Limit            False',
    ];
  return [
    '[SERVICE]',
    '    Flush                  1',
    '    Log_Level              info',
    '    HTTP_Server            On',
    '    HTTP_Listen            0.0.0.0',
    '    HTTP_Port              2020',
    '    Health_Check           On',
    '',
    '[INPUT]',
    '    Name                   tail',
    `    Path                   ${paths}`,
    '    multiline.parser       cri, docker',
    '    Tag                    kube.*',
    '    DB                     /var/fluent-bit/state/tail.db',
    '    Mem_Buf_Limit          50MB',
    '    Skip_Long_Lines        On',
    '',
    '[FILTER]',
    '    Name                   kubernetes',
    '    Match                  kube.*',
    // JSON log lines (TGI --json-output, any structured logger) become fields.
    '    Merge_Log              On',
    '    Keep_Log               Off',
    '    Labels                 On',
    '    Annotations            Off',
    '    K8S-Logging.Exclude    On',
    '',
    ...output,
    '',
  ].join('\n');
}
