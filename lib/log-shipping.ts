import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkImage } from './image';
import { LABEL_COMPONENT, LABEL_NAME } from './inference-service-ref';
import { checkName, clusterScoped } from './names';
import { MANAGED_BY_LABELS } from './private/labels';
import { allowClusterDns, denyAllNetworkPolicy } from './private/network';
import { fluentBitConfig, fluentBitDaemonSetSpec } from './private/observability/fluent-bit';
import { BoundLogStore, ElasticsearchStore, LogStore, LokiStore } from './private/observability/log-stores';

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
   * Name of a Secret with keys `username` and `password` for basic authentication. The Secret
   * must live in the log shipper's namespace (`logNamespace` of the ObservabilityBundle,
   * `namespace` of a LogShipper; `logging` by default), not in the inference namespace: the
   * Fluent Bit pods read it from their own namespace.
   * @see https://docs.fluentbit.io/manual/pipeline/outputs/elasticsearch
   * @default - `credentials`, or no authentication
   */
  readonly credentialsSecret?: string;
  /**
   * Secret with keys `username` and `password` for basic authentication, e.g.
   * `kplus.Secret.fromSecretName(chart, 'EsWriter', externalSecret.secretName)`; the same as
   * giving its name as `credentialsSecret`. Give one of the two, not both. Only its name is used:
   * the Secret must live in the log shipper's namespace (`logging` by default), so an
   * ExternalSecret that fills it belongs to a chart of that namespace.
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#basic-authentication-secret
   * @see https://docs.fluentbit.io/manual/pipeline/outputs/elasticsearch
   * @default - `credentialsSecret`, or no authentication
   */
  readonly credentials?: kplus.ISecret;
}

/**
 * Where container logs of the inference namespace are shipped, with the model, version and
 * service of each line as labels (Loki) or fields (Elasticsearch). Each store renders its own
 * Fluent Bit output, the credentials it reads and the egress it needs.
 * @see https://docs.fluentbit.io/manual/pipeline/outputs/loki
 */
export class LogShipping {
  /**
   * Grafana Loki. Lines are labelled with namespace, service, model, model version, server and
   * container; JSON log lines are parsed into fields.
   * @see https://docs.fluentbit.io/manual/pipeline/outputs/loki
   */
  public static loki(options: LokiOptions): LogShipping {
    return new LogShipping(new LokiStore(options.url, options.tenant));
  }

  /**
   * Elasticsearch (or OpenSearch with the Elasticsearch API), daily indices. Its credentials
   * Secret must live in the log shipper's namespace (`logging` by default), where the Fluent Bit
   * pods read it.
   * @see https://docs.fluentbit.io/manual/pipeline/outputs/elasticsearch
   */
  public static elasticsearch(options: ElasticsearchOptions): LogShipping {
    const credentials = { secret: options.credentials, secretName: options.credentialsSecret };
    return new LogShipping(new ElasticsearchStore(options.url, options.indexPrefix ?? 'inference', credentials));
  }

  /** `loki` or `elasticsearch`, for information. */
  public readonly store: string;
  /** Endpoint URL. */
  public readonly url: string;
  private readonly impl: LogStore;

  private constructor(impl: LogStore) {
    this.impl = impl;
    this.store = impl.name;
    this.url = impl.url;
  }

  /**
   * Checks the store's settings against the shipper (errors name it) and renders its parts.
   * @internal
   */
  public _bind(shipper: Construct): BoundLogStore {
    return this.impl.bind(shipper);
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
   * @default 'cr.fluentbit.io/fluent/fluent-bit:3.2.2' (`DEFAULT_FLUENT_BIT_IMAGE`)
   */
  readonly image?: string;
}

const KIND = 'LogShipper';

/** Name of the collector's objects. */
const NAME = 'inference-logs';

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

  private readonly labels = { [LABEL_NAME]: NAME, [LABEL_COMPONENT]: 'log-shipper', ...MANAGED_BY_LABELS };

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
    const store = props.shipping._bind(this);

    this.addNamespace();
    const serviceAccount = this.addRbac();
    const config = new k8s.KubeConfigMap(this, 'Config', {
      metadata: this.metadata(),
      data: { 'fluent-bit.conf': fluentBitConfig(store.output, props.sourceNamespaces) },
    });
    this.daemonSet = new k8s.KubeDaemonSet(this, 'DaemonSet', {
      metadata: this.metadata(),
      spec: fluentBitDaemonSetSpec({
        image,
        labels: this.labels,
        selectorLabels: { [LABEL_NAME]: NAME },
        serviceAccountName: serviceAccount.name,
        configMapName: config.name,
        statePath: `/var/lib/${this.namespace}-${NAME}`,
        env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }, ...store.env],
      }),
    });
    this.addNetworkPolicy(store);
  }

  /** Name, namespace and labels of a namespaced object of the collector. */
  private metadata() {
    return { name: NAME, namespace: this.namespace, labels: this.labels };
  }

  /** The collector's own namespace, at Pod Security `privileged` (it mounts node folders). */
  private addNamespace(): void {
    const namespace = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        labels: { ...this.labels, 'pod-security.kubernetes.io/enforce': 'privileged' },
      },
    });
    clusterScoped(namespace);
  }

  /** The ServiceAccount, allowed to read pods and namespaces (for the metadata of each line). */
  private addRbac(): k8s.KubeServiceAccount {
    const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: this.metadata(), automountServiceAccountToken: true });
    const clusterName = `${this.namespace}-${NAME}`;
    const role = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: clusterName, labels: this.labels },
      rules: [{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] }],
    });
    const binding = new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: clusterName, labels: this.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: this.namespace }],
    });
    clusterScoped(role);
    clusterScoped(binding);
    return sa;
  }

  /** Denies everything but DNS, the log store and the Kubernetes API. */
  private addNetworkPolicy(store: BoundLogStore): void {
    const policy = denyAllNetworkPolicy(this, 'NetworkPolicy', this.metadata(), { [LABEL_NAME]: NAME });
    allowClusterDns(this, policy);
    store.allowEgress(policy);
    // The Kubernetes API (pod metadata), reached through the kubernetes Service on 443 or 6443.
    policy.addEgressRule(kplus.NetworkPolicyIpBlock.anyIpv4(this, 'ApiServer'), [kplus.NetworkPolicyPort.tcp(443), kplus.NetworkPolicyPort.tcp(6443)]);
  }
}
