import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { ExternalSecretSpecSecretStoreRefKind } from '../imports/external-secrets.io';
import { ErrorCode } from './error-codes';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import { checkName, claimName, isDnsSubdomain } from './names';
import { externalSecrets } from './private/crds';
import { MANAGED_BY_LABELS } from './private/labels';
import { requireInstance, requireSeconds } from './private/values';

const KIND = 'ExternalSecret';

/** Whole seconds as a Go duration, in the largest whole unit: `1h`, `15m`, `90s`. */
function goDuration(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** Keys of a Secret's data: letters, digits, `-`, `_` and `.`. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Where External Secrets Operator reads the values from: a `ClusterSecretStore` (one per
 * cluster, usually set up by the platform team) or a `SecretStore` in the ExternalSecret's
 * namespace. The store holds the provider (AWS Secrets Manager, GCP Secret Manager, Azure Key
 * Vault, Vault, ...) and how the operator authenticates to it.
 *
 * @see https://external-secrets.io/latest/api/secretstore/
 */
export class SecretStore {
  /**
   * A ClusterSecretStore, usable from every namespace.
   * @param name the ClusterSecretStore's name
   */
  public static cluster(name: string): SecretStore {
    return new SecretStore(name, externalSecrets().ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE);
  }

  /**
   * A SecretStore in the ExternalSecret's own namespace.
   * @param name the SecretStore's name
   */
  public static namespaced(name: string): SecretStore {
    return new SecretStore(name, externalSecrets().ExternalSecretSpecSecretStoreRefKind.SECRET_STORE);
  }

  /** The store's name. */
  public readonly name: string;
  /** `SecretStore` or `ClusterSecretStore`. */
  public readonly kind: string;

  private constructor(name: string, kind: string) {
    this.name = name;
    this.kind = kind;
  }
}

/** One key of the Secret and where its value comes from. */
export interface ExternalSecretKey {
  /** The key in the Kubernetes Secret, e.g. `AWS_ACCESS_KEY_ID` or `keys.txt`. */
  readonly secretKey: string;

  /** The secret's name or path in the provider, e.g. `prod/llm/api-keys`. */
  readonly remoteKey: string;

  /**
   * A property of a JSON secret, e.g. `token`.
   * @default - the whole value
   */
  readonly property?: string;

  /**
   * A version of the provider's secret. Pinning one makes rotation a change in Git.
   * @default - the current version
   */
  readonly version?: string;
}

/** Properties of an {@link ExternalSecret}. */
export interface ExternalSecretProps {
  /** The store the values are read from. */
  readonly store: SecretStore;

  /**
   * Keys of the Secret, each with where its value comes from.
   * @see https://external-secrets.io/latest/api/externalsecret/
   * @default - none (then `extract` names at least one secret)
   */
  readonly keys?: ExternalSecretKey[];

  /**
   * Secrets in the provider holding a JSON object, each of whose properties becomes a key of the
   * Secret: API keys one per client, where adding a client in the secret manager needs no change
   * here. Properties that are not valid Secret keys make the operator report an error.
   * @see https://external-secrets.io/latest/guides/all-keys-one-secret/
   * @default - none (then `keys` lists at least one key)
   */
  readonly extract?: string[];

  /**
   * Name of the Kubernetes Secret the operator creates and keeps in sync (and of the
   * ExternalSecret). Pass it wherever the library takes a Secret name: `ApiAuth.apiKeys`,
   * `ModelVolume` `credentialsSecret`, `GatewayTls.fromSecret`, `LogShipping` credentials.
   * @default - the construct id
   */
  readonly secretName?: string;

  /**
   * How often the operator reads the values again, so a rotation in the provider reaches the
   * Secret. Zero reads them once.
   * @see https://external-secrets.io/latest/api/externalsecret/
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
}

/**
 * A Kubernetes Secret kept in sync with a cloud secret manager by External Secrets Operator:
 * an `ExternalSecret` (`external-secrets.io/v1`) whose values never appear in the manifests.
 * The Secret is owned by the ExternalSecret and kept when the provider's secret is deleted, so
 * a mistake in the provider does not take the keys away from running pods.
 *
 * The cluster needs External Secrets Operator 0.16 or later (the `v1` API) and the store.
 *
 * @see https://external-secrets.io/latest/api/externalsecret/
 */
export class ExternalSecret extends Construct {
  /** Name of the Kubernetes Secret the operator creates. */
  public readonly secretName: string;
  /** The ExternalSecret object. */
  public readonly resource: ApiObject;

  /**
   * Defines an ExternalSecret.
   * @param scope the construct (usually a Chart) the object is created in
   * @param id the construct id, unique within `scope`
   * @param props the settings, see `ExternalSecretProps`
   */
  constructor(scope: Construct, id: string, props: ExternalSecretProps) {
    super(scope, id);
    this.secretName = checkName(this, KIND, 'secretName', props.secretName ?? id, 63);
    this.checkStore(props.store);
    this.checkKeys(this.list('keys', props.keys), this.list('extract', props.extract));
    const refreshSeconds = this.checkRefresh(props.refreshInterval ?? Duration.hours(1));
    claimName(this, KIND, 'secretName', this.secretName, 'Secret');

    this.resource = new (externalSecrets().ExternalSecret)(this, 'Resource', {
      metadata: { name: this.secretName, labels: MANAGED_BY_LABELS },
      spec: {
        refreshInterval: goDuration(refreshSeconds),
        secretStoreRef: { kind: props.store.kind as ExternalSecretSpecSecretStoreRefKind, name: props.store.name },
        target: {
          name: this.secretName,
          creationPolicy: externalSecrets().ExternalSecretSpecTargetCreationPolicy.OWNER,
          deletionPolicy: externalSecrets().ExternalSecretSpecTargetDeletionPolicy.RETAIN,
        },
        data: props.keys?.length ? props.keys.map((k) => ({
          secretKey: k.secretKey,
          remoteRef: { key: k.remoteKey, property: k.property, version: k.version },
        })) : undefined,
        dataFrom: props.extract?.length ? props.extract.map((key) => ({ extract: { key } })) : undefined,
      },
    });
  }

  /** A list prop (`keys`, `extract`): a list, or nothing for an empty one. */
  private list<T>(prop: string, value: T[] | undefined): T[] {
    if (value === undefined || Array.isArray(value)) return value ?? [];
    return this.fail({ code: ErrorCode.WRONG_TYPE, prop, received: value, allowed: 'a list', fix: `pass ${prop} as a list, e.g. [${prop === 'keys' ? '{ secretKey, remoteKey }' : "'prod/llm/api-keys'"}]` });
  }

  private checkStore(store: SecretStore): void {
    requireInstance({ scope: this, kind: KIND, prop: 'store' }, store, SecretStore, "SecretStore.cluster('aws-secrets-manager')", true);
    if (!isDnsSubdomain(store.name)) {
      this.fail({
        code: ErrorCode.INVALID_SECRET_STORE, prop: 'store', received: store.name,
        allowed: `the name of a ${store.kind}: a DNS-1123 subdomain (lower-case letters, digits, "-" and ".")`,
        fix: 'use the store\'s name as `kubectl get clustersecretstores,secretstores` shows it',
      });
    }
  }

  /** The refresh interval in whole seconds: zero, or at least a minute. */
  private checkRefresh(refresh: Duration): number {
    const seconds = requireSeconds({ scope: this, kind: KIND, prop: 'refreshInterval' }, refresh).toSeconds();
    if (!Number.isInteger(seconds) || (seconds !== 0 && seconds < 60)) {
      this.fail({
        code: ErrorCode.INVALID_REFRESH_INTERVAL, prop: 'refreshInterval', received: `${seconds} s`,
        allowed: 'zero (read once) or whole seconds of at least 1 minute: providers rate-limit and bill each read',
        fix: 'use e.g. Duration.hours(1)',
      });
    }
    return seconds;
  }

  private checkKeys(keys: ExternalSecretKey[], extract: string[]): void {
    if (keys.length === 0 && extract.length === 0) {
      this.fail({
        code: ErrorCode.SECRET_KEYS_REQUIRED, prop: 'keys', received: [], allowed: 'at least one key, or a secret to extract',
        fix: 'list the keys the Secret must hold, or name a JSON secret in extract',
      });
    }
    for (const [i, key] of extract.entries()) {
      if (typeof key !== 'string' || key.trim() === '' || extract.indexOf(key) !== i) {
        this.fail({
          code: ErrorCode.INVALID_SECRET_EXTRACT, prop: 'extract', received: key,
          allowed: 'names or paths of secrets in the provider, each once',
          fix: "name each JSON secret once, e.g. 'prod/llm/api-keys'",
        });
      }
    }
    const seen = new Set<string>();
    for (const key of keys) {
      this.checkKey(key, seen.has(key.secretKey));
      seen.add(key.secretKey);
    }
  }

  /** One key of the Secret; `repeated` when an earlier key has the same secretKey. */
  private checkKey(key: ExternalSecretKey, repeated: boolean): void {
    if (typeof key !== 'object' || key === null) {
      this.fail({ code: ErrorCode.WRONG_TYPE, prop: 'keys', received: key, allowed: 'a list of { secretKey, remoteKey }', fix: "pass e.g. [{ secretKey: 'HF_TOKEN', remoteKey: 'prod/llm/hf-token' }]" });
    }
    if (typeof key.secretKey !== 'string' || !SECRET_KEY.test(key.secretKey)) {
      this.fail({
        code: ErrorCode.INVALID_SECRET_KEY, prop: 'keys.secretKey', received: key.secretKey,
        allowed: 'a Secret data key: letters, digits, "-", "_" and "."',
        fix: `use e.g. '${String(key.secretKey ?? '').replace(/[^-._a-zA-Z0-9]+/g, '_') || 'value'}'`,
      });
    }
    if (repeated) {
      this.fail({
        code: ErrorCode.DUPLICATE_SECRET_KEY, prop: 'keys.secretKey', received: key.secretKey,
        allowed: 'each key once: a second value would overwrite the first',
        fix: 'give the keys distinct secretKey names',
      });
    }
    if (typeof key.remoteKey !== 'string' || key.remoteKey.trim() === '') {
      this.fail({
        code: ErrorCode.REMOTE_KEY_REQUIRED, prop: 'keys.remoteKey', received: key.remoteKey,
        allowed: "the secret's name or path in the provider",
        fix: `set remoteKey for '${key.secretKey}', e.g. 'prod/llm/${key.secretKey.toLowerCase()}'`,
      });
    }
    for (const prop of ['property', 'version'] as const) {
      const value: unknown = key[prop];
      if (value !== undefined && typeof value !== 'string') {
        this.fail({
          code: ErrorCode.WRONG_TYPE, prop: `keys.${prop}`, received: value,
          allowed: `a string, or no ${prop} at all`, fix: `give the ${prop} of '${key.secretKey}' as a string, or leave it out`,
        });
      }
    }
  }

  /** Throws the error of a rejected prop; every rejection here has a code. */
  private fail(options: InvalidPropOptions & { readonly code: ErrorCode }): never {
    throw new InferenceConfigError(this, KIND, options);
  }
}
