import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import { InferenceConfigError } from '../../errors';
import { LABEL_MODEL, LABEL_MODEL_VERSION, LABEL_NAME, LABEL_SERVER } from '../../inference-service-ref';
import { SecretRef } from '../secret-ref';
import { isPlainHttpUrl } from '../values';
import { confLine } from './fluent-bit';

/** The construct kind log-store errors are reported under. */
const KIND = 'LogShipper';

/** A log store's endpoint: an http(s) URL without credentials, checked. */
export class LogEndpoint {
  /** Parses `url`; throws (naming `scope`) when it is not http(s) or carries credentials. */
  public static parse(scope: Construct, url: string): LogEndpoint {
    if (isPlainHttpUrl(url, { query: true })) return new LogEndpoint(new URL(url));
    throw new InferenceConfigError(scope, KIND, {
      code: ErrorCode.INVALID_LOG_STORE_URL,
      prop: 'shipping.url',
      received: url.replace(/\/\/[^/@]+@/, '//<credentials>@'),
      allowed: 'an http:// or https:// URL without credentials',
      fix: 'give the endpoint URL, and credentials through credentialsSecret',
    });
  }

  /** Host name (or address) of the store. */
  public readonly hostname: string;
  /** TCP port: the URL's, else 443 for https and 80 for http. */
  public readonly port: number;
  /** Whether the store speaks TLS (an https URL). */
  public readonly tls: boolean;

  private constructor(url: URL) {
    this.hostname = url.hostname;
    this.tls = url.protocol === 'https:';
    this.port = Number(url.port || (this.tls ? 443 : 80));
  }
}

/** A log store bound to its shipper: what the shipper's config, container and policy need from it. */
export interface BoundLogStore {
  /** The `[OUTPUT]` section of `fluent-bit.conf`, one line per entry. */
  readonly output: string[];
  /** Environment variables the output reads (credentials). */
  readonly env: k8s.EnvVar[];
  /** Opens egress from the collector to the store through `policy`. */
  allowEgress(policy: kplus.NetworkPolicy): void;
}

/**
 * Where logs go: each store renders its own Fluent Bit output (the plugin and its settings) and
 * the environment it needs; the endpoint, port and egress are common to all.
 */
export abstract class LogStore {
  /** The store's name, for information: `loki`, `elasticsearch`. */
  public abstract readonly name: string;
  /** Name of the Fluent Bit output plugin. */
  protected abstract readonly plugin: string;

  protected constructor(public readonly url: string) {}

  /** Checks the store's settings against `shipper` (errors name it) and renders its parts. */
  public bind(shipper: Construct): BoundLogStore {
    const endpoint = LogEndpoint.parse(shipper, this.url);
    this.check(shipper);
    return {
      output: [
        '[OUTPUT]',
        confLine('Name', this.plugin),
        confLine('Match', 'kube.*'),
        confLine('Host', endpoint.hostname),
        confLine('Port', endpoint.port),
        confLine('Tls', endpoint.tls ? 'On' : 'Off'),
        ...this.outputSettings(),
      ],
      env: this.env(),
      allowEgress: (policy) => policy.addEgressRule(kplus.NetworkPolicyIpBlock.anyIpv4(shipper, 'LogStore'), [kplus.NetworkPolicyPort.tcp(endpoint.port)]),
    };
  }

  /** The plugin's settings after Name, Match, Host, Port and Tls. */
  protected abstract outputSettings(): string[];

  /** Environment variables the settings read. */
  protected env(): k8s.EnvVar[] {
    return [];
  }

  /** Throws on settings that contradict each other. */
  protected check(_shipper: Construct): void {}
}

/** Grafana Loki: lines labelled with low-cardinality labels only, JSON line format. */
export class LokiStore extends LogStore {
  public readonly name = 'loki';
  protected readonly plugin = 'loki';

  constructor(url: string, private readonly tenant?: string) {
    super(url);
  }

  protected outputSettings(): string[] {
    const k = (label: string) => `$kubernetes['labels']['${label}']`;
    return [
      ...(this.tenant ? [confLine('Tenant_ID', this.tenant)] : []),
      confLine('Line_Format', 'json'),
      // Low-cardinality labels only: pod names stay in the line, not in the label set.
      confLine('Labels', `job=inference-logs, namespace=$kubernetes['namespace_name'], service=${k(LABEL_NAME)}, model=${k(LABEL_MODEL)}, model_version=${k(LABEL_MODEL_VERSION)}, server=${k(LABEL_SERVER)}, container=$kubernetes['container_name']`),
    ];
  }
}

/** Where Elasticsearch credentials come from: a Secret, or a Secret's name. */
export interface ElasticsearchCredentials {
  /** The Secret with keys `username` and `password`. */
  readonly secret?: kplus.ISecret;
  /** The name of such a Secret. */
  readonly secretName?: string;
}

/** Elasticsearch (or OpenSearch): daily indices, basic authentication from a Secret. */
export class ElasticsearchStore extends LogStore {
  public readonly name = 'elasticsearch';
  protected readonly plugin = 'es';

  constructor(url: string, private readonly indexPrefix: string, private readonly credentials: ElasticsearchCredentials) {
    super(url);
  }

  protected check(shipper: Construct): void {
    const { secret, secretName } = this.credentials;
    const problem = new SecretRef('shipping.credentials', 'the Elasticsearch credentials', secretName, secret, false).problem();
    if (problem) throw new InferenceConfigError(shipper, KIND, problem);
  }

  protected outputSettings(): string[] {
    return [
      ...(this.secretName ? [confLine('HTTP_User', '${ES_USER}'), confLine('HTTP_Passwd', '${ES_PASSWORD}')] : []),
      confLine('Logstash_Format', 'On'),
      confLine('Logstash_Prefix', this.indexPrefix),
      confLine('Suppress_Type_Name', 'On'),
      confLine('Replace_Dots', 'On'),
      confLine('Retry_Limit', 'False'),
    ];
  }

  protected env(): k8s.EnvVar[] {
    const name = this.secretName;
    if (!name) return [];
    return [
      { name: 'ES_USER', valueFrom: { secretKeyRef: { name, key: 'username' } } },
      { name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name, key: 'password' } } },
    ];
  }

  private get secretName(): string | undefined {
    return this.credentials.secret?.name ?? this.credentials.secretName;
  }
}
