import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ErrorCode } from './error-codes';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import { checkImage } from './image';
import { checkName, claimName, isSecretName, toLabelValue } from './names';
import { DEFAULT_KUBERNETES_VERSION } from './private/kubernetes-version';
import { MANAGED_BY_LABELS } from './private/labels';
import { AzureBlobSource, GcsSource, HttpsSource, HuggingFaceSource, S3Source } from './private/model/downloaded-sources';
import { requireKubernetesVersion } from './private/model/kubernetes-target';
import { NfsSource, OciImageSource, PvcSource } from './private/model/mounted-sources';
import { COMPLETION_MARKER as MARKER } from './private/model/scripts';
import { SourceStrategy, subdomainProblem, UnknownSchemeSource } from './private/model/source';
import { CacheSettings, ModelDelivery, ModelMount, VolumeContext } from './private/model/types';
import { SecretRef } from './private/secret-ref';
import { INT32_MAX, requireInstance, requireSeconds, requireSize, ValueSite } from './private/values';

export type { ModelMount, ModelPodVolume } from './private/model/types';

const KIND = 'ModelVolume';

/** An environment variable name as Kubernetes accepts it. */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The image that downloads weights: KServe's storage initializer. One image covers S3 (and
 * S3-compatible endpoints), GCS, Azure Blob, HTTP(S) and the Hugging Face Hub, takes credentials
 * from the usual environment variables, and is the downloader KServe users already run.
 * @see https://kserve.github.io/website/docs/model-serving/storage/overview
 */
export const DEFAULT_DOWNLOADER_IMAGE = 'kserve/storage-initializer:v0.17.0';

/** File written last, once a model version is complete. */
export const COMPLETION_MARKER = MARKER;

/** Options for object-store sources. */
export interface ObjectStoreSourceOptions {
  /**
   * The version of the model this location holds, e.g. `2024-07-23` or `3`. It must appear in
   * the location (a versioned prefix), so the YAML says exactly which weights run, and it names
   * the mount path, so changing it rolls the Deployment.
   */
  readonly version: string;
}

/** Options for {@link ModelSource.s3}. */
export interface S3SourceOptions extends ObjectStoreSourceOptions {
  /**
   * Endpoint of an S3-compatible store (MinIO, Ceph RGW, R2), e.g. `https://minio.storage:9000`.
   * @default - AWS S3
   */
  readonly endpoint?: string;

  /**
   * AWS region of the bucket.
   * @default - the downloader's default region
   */
  readonly region?: string;
}

/** Options for {@link ModelSource.huggingFace}. */
export interface HuggingFaceSourceOptions {
  /**
   * The commit (40 hex characters) to download. Branches and tags move; a commit does not.
   * @see https://huggingface.co/docs/hub/en/repositories-getting-started
   */
  readonly revision: string;
}

/** Options for {@link ModelSource.https}. */
export interface HttpsSourceOptions {
  /** SHA-256 of the archive (64 hex characters); the download fails when it differs. */
  readonly sha256: string;
}

/** Options for {@link ModelSource.nfs} and {@link ModelSource.persistentVolumeClaim}. */
export interface MountedSourceOptions {
  /** The version the mounted folder holds; it must appear in the folder's path. */
  readonly version: string;
}

/** Options for {@link ModelSource.persistentVolumeClaim}. */
export interface PvcSourceOptions extends MountedSourceOptions {
  /** Folder inside the claim that holds this version. */
  readonly subPath: string;
}

/** Options for {@link ModelSource.ociImage}. */
export interface OciImageSourceOptions {
  /**
   * Folder inside the image that holds the model files.
   * @default '/models'
   */
  readonly path?: string;
}

/**
 * Where model weights come from, pinned to one version.
 *
 * Each factory makes a source of one kind that knows how to check its location and version (when
 * a ModelVolume binds it, so errors name the volume) and how its weights reach the pods.
 * @see https://kubernetes.io/docs/concepts/storage/volumes/
 */
export class ModelSource {
  /** Objects under an S3 (or S3-compatible) prefix: `s3://bucket/path/<version>/`. */
  public static s3(uri: string, options: S3SourceOptions): ModelSource {
    return new ModelSource(new S3Source(uri, options?.version, options?.endpoint, options?.region));
  }

  /** Objects under a Google Cloud Storage prefix: `gs://bucket/path/<version>/`. */
  public static gcs(uri: string, options: ObjectStoreSourceOptions): ModelSource {
    return new ModelSource(new GcsSource(uri, options?.version));
  }

  /** Blobs under an Azure Blob Storage prefix: `https://<account>.blob.core.windows.net/<container>/<path>/<version>/`. */
  public static azureBlob(uri: string, options: ObjectStoreSourceOptions): ModelSource {
    return new ModelSource(new AzureBlobSource(uri, options?.version));
  }

  /** A Hugging Face Hub repository at a pinned commit. */
  public static huggingFace(repoId: string, options: HuggingFaceSourceOptions): ModelSource {
    return new ModelSource(new HuggingFaceSource(repoId, options?.revision));
  }

  /** A `.tar.gz`, `.tgz` or `.zip` archive over HTTPS, pinned by its SHA-256. */
  public static https(url: string, options: HttpsSourceOptions): ModelSource {
    return new ModelSource(new HttpsSource(url, options?.sha256));
  }

  /**
   * An NFS export holding the version, mounted read-only (no download) through a static
   * PersistentVolume and claim, because Pod Security "restricted" forbids nfs volumes in pods.
   */
  public static nfs(server: string, path: string, options: MountedSourceOptions): ModelSource {
    return new ModelSource(new NfsSource(server, path, options?.version));
  }

  /** A folder of an existing PersistentVolumeClaim, mounted read-only (no download). */
  public static persistentVolumeClaim(claimName: string, options: PvcSourceOptions): ModelSource {
    return new ModelSource(new PvcSource(claimName, options?.subPath, options?.version));
  }

  /**
   * An OCI image holding the model files, pinned by digest. Mounted as a Kubernetes image
   * volume when the target Kubernetes version has them (`ModelVolume.kubernetesVersion` ≥ 1.33),
   * copied by an init container otherwise (the image then needs `/bin/sh` and `cp`).
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#image
   */
  public static ociImage(reference: string, options: OciImageSourceOptions = {}): ModelSource {
    return new ModelSource(new OciImageSource(reference, options.path ?? '/models'));
  }

  /**
   * A source from a URI, by scheme: `s3://`, `gs://`, `https://<account>.blob.core.windows.net/`,
   * `hf://<org>/<repo>` (version = commit), `https://` (version = SHA-256), `pvc://<claim>/<path>`,
   * `nfs://<server>/<path>`, `oci://<image@digest>`. Any other scheme is refused when a
   * ModelVolume binds the source.
   */
  public static fromUri(uri: string, version: string): ModelSource {
    const scheme = /^([a-z0-9+.-]+):\/\//.exec(uri)?.[1] ?? '';
    const parse = URI_SCHEMES.get(scheme);
    return parse ? parse(uri.slice(scheme.length + '://'.length), uri, version) : new ModelSource(new UnknownSchemeSource(uri, version, scheme));
  }

  /** The location: URI, repository id, path or image reference. */
  public readonly location: string;
  /** The pinned version: version, commit, SHA-256 or digest. */
  public readonly version: string;
  /**
   * The kind of source: checks the location and version, renders the download or the mount.
   * @internal
   */
  public readonly _strategy: SourceStrategy;

  private constructor(strategy: SourceStrategy) {
    this._strategy = strategy;
    this.location = strategy.location;
    this.version = strategy.version;
  }

  /** Whether the weights are downloaded (object stores, Hub, HTTPS) rather than mounted. */
  public get downloads(): boolean {
    return this._strategy.downloads;
  }

  /**
   * The Hugging Face repository id of a source of the Hub, else nothing.
   * @internal
   */
  public get _hubRepository(): string | undefined {
    return this._strategy.hubRepository;
  }

  /**
   * The kind of source (`s3`, `hugging-face`, `oci-image`, …), for information: nothing branches on it.
   * @internal
   */
  public get _kind(): string {
    return this._strategy.kindName;
  }
}

/** Parsers of `ModelSource.fromUri`, by scheme: `rest` is the URI after `<scheme>://`. */
const URI_SCHEMES = new Map<string, (rest: string, uri: string, version: string) => ModelSource>([
  ['s3', (_rest, uri, version) => ModelSource.s3(uri, { version })],
  ['gs', (_rest, uri, version) => ModelSource.gcs(uri, { version })],
  ['hf', (rest, _uri, revision) => ModelSource.huggingFace(rest, { revision })],
  ['https', (_rest, uri, version) => /^https:\/\/[^/]+\.blob\.core\.windows\.net\//.test(uri)
    ? ModelSource.azureBlob(uri, { version }) : ModelSource.https(uri, { sha256: version })],
  ['pvc', (rest, _uri, version) => {
    const [claim, ...path] = rest.split('/');
    return ModelSource.persistentVolumeClaim(claim, { subPath: path.join('/'), version });
  }],
  ['nfs', (rest, _uri, version) => {
    const [server, ...path] = rest.split('/');
    return ModelSource.nfs(server, `/${path.join('/')}`, { version });
  }],
  ['oci', (rest) => ModelSource.ociImage(rest)],
]);

/**
 * Cloud workload identity: how pods get storage credentials without a key in a Secret.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
 */
export class WorkloadIdentity {
  /**
   * AWS IAM Roles for Service Accounts: annotates the ServiceAccount with the role.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
   */
  public static awsIrsa(roleArn: string): WorkloadIdentity {
    return new WorkloadIdentity({ 'eks.amazonaws.com/role-arn': roleArn }, {}, roleArn, /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/);
  }

  /**
   * GKE Workload Identity: annotates the ServiceAccount with the Google service account.
   * @see https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
   */
  public static gke(googleServiceAccount: string): WorkloadIdentity {
    return new WorkloadIdentity({ 'iam.gke.io/gcp-service-account': googleServiceAccount }, {}, googleServiceAccount, /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$/);
  }

  /**
   * Azure Workload Identity: annotates the ServiceAccount with the client id and labels the pods.
   * @see https://azure.github.io/azure-workload-identity/docs/
   */
  public static azure(clientId: string): WorkloadIdentity {
    return new WorkloadIdentity({ 'azure.workload.identity/client-id': clientId }, { 'azure.workload.identity/use': 'true' }, clientId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  }

  /** Annotations for the ServiceAccount. */
  public readonly serviceAccountAnnotations: { [key: string]: string };
  /** Labels for the pods. */
  public readonly podLabels: { [key: string]: string };
  /** @internal */
  public readonly _identity: string;
  /** @internal */
  public readonly _pattern: RegExp;

  private constructor(annotations: { [key: string]: string }, podLabels: { [key: string]: string }, identity: string, pattern: RegExp) {
    this.serviceAccountAnnotations = annotations;
    this.podLabels = podLabels;
    this._identity = identity;
    this._pattern = pattern;
  }
}

/** How the shared cache volume is accessed. */
export enum CacheAccessMode {
  /** Many nodes mount it at once (NFS, EFS, Filestore, Azure Files): required for more than one replica. */
  READ_WRITE_MANY = 'ReadWriteMany',
  /** One node mounts it: only for a single replica. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
}

/**
 * Props of a {@link ModelVolume}.
 */
export interface ModelVolumeProps {
  /** Where the weights come from, pinned to a version. */
  readonly source: ModelSource;

  /**
   * Name of the volume and of the objects it emits (DNS-1035 label, at most 48 characters);
   * also the folder the model is mounted under: `/models/<name>/<version>`.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Name of the Secret holding the downloader's credentials as environment variables:
   * `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (S3), `AZURE_STORAGE_ACCESS_KEY` (Azure),
   * `HF_TOKEN` (Hugging Face), or for GCS a key file under `gcloud-application-credentials.json`.
   * The values never appear in the YAML. `credentials` takes the Secret itself instead.
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   * @default - the Secret given as `credentials`, or none: public data or workload identity
   */
  readonly credentialsSecret?: string;

  /**
   * Secret holding the downloader's credentials, as a cdk8s-plus Secret: one this app defines, or
   * an existing one (`kplus.Secret.fromSecretName(this, 'Reader', 'model-reader')`). The same keys
   * as `credentialsSecret`, which takes the Secret's name instead; give one of the two.
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   * @default - the Secret named by `credentialsSecret`, or none: public data or workload identity
   */
  readonly credentials?: kplus.ISecret;

  /**
   * Workload identity for the download instead of (or besides) a Secret.
   * @default - none
   */
  readonly workloadIdentity?: WorkloadIdentity;

  /**
   * Extra, non-secret settings for the downloader (e.g. `S3_VERIFY_SSL: '0'`). Names that look
   * secret are refused: put those in `credentialsSecret`.
   * @default - none
   */
  readonly downloaderEnv?: { [name: string]: string };

  /**
   * Size of the model on disk. Sizes the per-pod download volume (ephemeral-storage requests)
   * or is checked against the cache size, and budgets the download time.
   * @default - unknown: 50Gi of scratch space without a cache
   */
  readonly size?: Size;

  /**
   * Keep the weights on a shared PersistentVolumeClaim, filled once per version by a Job, so new
   * pods start without downloading. Give its size.
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/
   * @default - no cache: every pod downloads into its own volume
   */
  readonly cacheSize?: Size;

  /**
   * Storage class of the cache volume.
   * @default - the cluster's default storage class
   */
  readonly cacheStorageClass?: string;

  /**
   * Access mode of the cache volume.
   * @default CacheAccessMode.READ_WRITE_MANY
   */
  readonly cacheAccessMode?: CacheAccessMode;

  /**
   * Longest time one download may take, in whole seconds of at least a minute; added to the
   * service's rollout deadline and the fill Job's deadline.
   * @default - size at 50 MiB/s plus 5 minutes, or 30 minutes when the size is unknown
   */
  readonly downloadTimeout?: Duration;

  /**
   * Downloader image, pinned.
   * @default 'kserve/storage-initializer:v0.17.0'
   */
  readonly downloaderImage?: string;

  /**
   * Kubernetes version the manifests target, as `<major>.<minor>` (e.g. '1.33'); image volumes
   * for OCI sources need 1.33 or newer.
   * @default '1.27'
   */
  readonly kubernetesVersion?: string;
}

/**
 * Model weights, pinned to a version, and how they reach every pod of an InferenceService:
 * downloaded by an init container (S3, GCS, Azure Blob, Hugging Face, HTTPS), optionally through
 * a shared cache volume filled once per version by a Job, or mounted directly (NFS, an existing
 * PVC, an OCI image).
 *
 * A download writes into `<path>.partial` and renames it when complete, then writes a completion
 * marker: a crashed download is redone, a finished one is skipped.
 *
 * @example
 * const weights = new ModelVolume(chart, 'llama', {
 *   source: ModelSource.s3('s3://models/llama-3.1-8b/2024-07-23/', { version: '2024-07-23' }),
 *   workloadIdentity: WorkloadIdentity.awsIrsa('arn:aws:iam::123456789012:role/model-reader'),
 *   size: Size.gibibytes(16),
 *   cacheSize: Size.gibibytes(64),
 * });
 * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/
 */
export class ModelVolume extends Construct {
  /** Name of the volume and its objects. */
  public readonly name: string;
  /** The pinned source. */
  public readonly source: ModelSource;
  /** The version, as used in paths and labels. */
  public readonly version: string;
  /** Where the weights appear in the server container. */
  public readonly mountPath: string;
  /** Declared model size, if given. */
  public readonly size?: Size;
  /** Longest time one download may take. */
  public readonly downloadTimeout: Duration;
  /** Access mode of the cache, when there is one. */
  public readonly cacheAccessMode?: CacheAccessMode;
  /** The cache claim, when there is one. */
  public readonly cacheClaim?: k8s.KubePersistentVolumeClaim;
  /** For an NFS source: the claim bound to the export's PersistentVolume. */
  public readonly nfsClaim?: k8s.KubePersistentVolumeClaim;
  /** The Job that fills the cache for this version, when the cache is shared. */
  public readonly fillJob?: k8s.KubeJob;
  /** Workload identity, if any. */
  public readonly workloadIdentity?: WorkloadIdentity;
  /** Egress ports the download needs besides HTTPS (an S3-compatible endpoint on another port). */
  public readonly egressPorts: number[];

  private readonly props: ModelVolumeProps;
  /** How the weights reach a pod: made by the source when it binds to this volume. */
  private readonly delivery: ModelDelivery;

  /**
   * Defines a ModelVolume.
   * @param scope the construct (usually a Chart) the objects are created in
   * @param id the construct id, unique within `scope`
   * @param props the settings, see `ModelVolumeProps`
   */
  constructor(scope: Construct, id: string, props: ModelVolumeProps) {
    super(scope, id);
    this.props = props;
    this.source = props.source;
    this.name = checkName(this, KIND, 'name', props.name ?? id);
    claimName(this, KIND, 'name', `model-volume/${this.name}`);
    const downloaderImage = props.downloaderImage ?? DEFAULT_DOWNLOADER_IMAGE;
    checkImage(this, KIND, 'downloaderImage', downloaderImage);
    this.checkProps(props);
    const strategy = this.source._strategy;
    strategy.check((options) => this.fail(options));
    const credentialsSecret = this.credentialsSecretName();
    this.checkDownloaderEnv();
    this.checkWorkloadIdentity();
    this.version = strategy.pathVersion();
    this.mountPath = `/models/${this.name}/${this.version}`;
    this.size = props.size;
    this.workloadIdentity = props.workloadIdentity;
    const sizeMiB = props.size?.toMebibytes();
    this.downloadTimeout = props.downloadTimeout
      ?? (sizeMiB !== undefined ? Duration.seconds(Math.ceil(sizeMiB / 50) + 300) : Duration.minutes(30));
    this.egressPorts = strategy.egressPorts();
    if (props.cacheSize) this.cacheAccessMode = props.cacheAccessMode ?? CacheAccessMode.READ_WRITE_MANY;
    this.delivery = strategy.bind(this.context(downloaderImage, credentialsSecret));
    this.nfsClaim = this.delivery.nfsClaim;
    this.cacheClaim = this.delivery.cacheClaim;
    this.fillJob = this.delivery.fillJob;
  }

  /**
   * The hash that names this version's fill Job: source kind, location and version.
   */
  public get contentHash(): string {
    return this.source._strategy.contentHash();
  }

  /**
   * What a pod of `consumer` needs to see the weights: volumes, init containers and the mount.
   * @internal
   */
  public _mountFor(consumer: Construct, securityContext: k8s.SecurityContext, pods: number): ModelMount {
    return this.delivery.mountFor(consumer, securityContext, pods);
  }

  /** What the source sees of this volume when it binds. */
  private context(downloaderImage: string, credentialsSecret: string | undefined): VolumeContext {
    const props = this.props;
    return {
      scope: this,
      name: this.name,
      version: this.version,
      mountPath: this.mountPath,
      sizeMebibytes: props.size?.toMebibytes(),
      downloadTimeout: this.downloadTimeout,
      downloaderImage,
      downloaderEnv: props.downloaderEnv ?? {},
      credentialsSecret,
      serviceAccountAnnotations: props.workloadIdentity?.serviceAccountAnnotations,
      identityPodLabels: props.workloadIdentity?.podLabels,
      kubernetesVersion: props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION,
      cache: this.cacheSettings(),
      labels: () => this.labels(),
      fail: (options) => this.fail(options),
    };
  }

  private cacheSettings(): CacheSettings | undefined {
    const { cacheSize, cacheStorageClass } = this.props;
    if (!cacheSize || !this.cacheAccessMode) return undefined;
    return {
      sizeMebibytes: cacheSize.toMebibytes(),
      storageClass: cacheStorageClass,
      accessMode: this.cacheAccessMode,
      shared: this.cacheAccessMode === CacheAccessMode.READ_WRITE_MANY,
    };
  }

  /** Checks the type of every prop and what Kubernetes accepts of it, before any is read. */
  private checkProps(props: ModelVolumeProps): void {
    const site = (prop: string): ValueSite => ({ scope: this, kind: KIND, prop });
    if (!((props.source as unknown) instanceof ModelSource)) {
      this.fail({
        code: ErrorCode.WRONG_TYPE, prop: 'source', received: props.source,
        allowed: 'a ModelSource, made by one of its factories', fix: "pass e.g. ModelSource.s3('s3://bucket/model/v1/', { version: 'v1' }), not a string",
      });
    }
    for (const prop of ['size', 'cacheSize'] as const) {
      const size = requireSize(site(prop), props[prop]);
      if (size !== undefined && size.toMebibytes() <= 0) {
        this.fail({ code: ErrorCode.INVALID_SIZE, prop, received: `${size.toMebibytes()}Mi`, allowed: 'a size above 0', fix: `give the ${prop}, e.g. Size.gibibytes(16)` });
      }
    }
    // The fill Job's deadline is twice the timeout, in int32 seconds.
    const timeout = requireSeconds(site('downloadTimeout'), props.downloadTimeout, Math.floor(INT32_MAX / 2));
    if (timeout !== undefined && timeout.toSeconds() < 60) {
      this.fail({
        code: ErrorCode.INVALID_DOWNLOAD_TIMEOUT, prop: 'downloadTimeout', received: timeout.toHumanString(),
        allowed: 'whole seconds of at least 1 minute: no model downloads faster', fix: 'e.g. Duration.minutes(30), or leave it out to budget from the size',
      });
    }
    requireKubernetesVersion(site('kubernetesVersion'), props.kubernetesVersion);
    requireInstance(site('workloadIdentity'), props.workloadIdentity, WorkloadIdentity, "WorkloadIdentity.awsIrsa('arn:aws:iam::123456789012:role/model-reader')");
    this.checkCache(props);
  }

  /** The cache's storage class names a StorageClass; its access mode is a CacheAccessMode. */
  private checkCache(props: ModelVolumeProps): void {
    const storageClass = props.cacheStorageClass;
    const problem = storageClass === undefined ? undefined
      : subdomainProblem(storageClass, { code: ErrorCode.INVALID_STORAGE_CLASS, prop: 'cacheStorageClass', what: 'a StorageClass' });
    if (problem) this.fail(problem);
    // Validates the input; nothing branches on which mode it is.
    const access = props.cacheAccessMode;
    if (access !== undefined && !Object.values(CacheAccessMode).includes(access)) {
      this.fail({
        code: ErrorCode.INVALID_CACHE_ACCESS_MODE, prop: 'cacheAccessMode', received: access,
        allowed: `one of ${Object.values(CacheAccessMode).join(', ')}`, fix: 'use CacheAccessMode.READ_WRITE_MANY or CacheAccessMode.READ_WRITE_ONCE',
      });
    }
  }

  private labels(): { [key: string]: string } {
    return {
      'app.kubernetes.io/name': this.name,
      'app.kubernetes.io/component': 'model-volume',
      ...MANAGED_BY_LABELS,
      'inference.cdk8s.io/model-version': toLabelValue(this.version),
    };
  }

  private fail(options: InvalidPropOptions): never {
    throw new InferenceConfigError(this, KIND, options);
  }

  /** The name of the Secret with the downloader's credentials, given as a Secret or its name. */
  private credentialsSecretName(): string | undefined {
    const { credentialsSecret, credentials } = this.props;
    if (credentials !== undefined && typeof (credentials as { name?: unknown } | null)?.name !== 'string') {
      this.fail({
        code: ErrorCode.WRONG_TYPE, prop: 'credentials', received: credentials,
        allowed: 'a cdk8s-plus Secret', fix: "pass kplus.Secret.fromSecretName(this, 'Reader', '<name>'), or the name as credentialsSecret",
      });
    }
    const ref = new SecretRef('credentials', 'the storage credentials', credentialsSecret, credentials, false);
    const problem = ref.problem()
      ?? (ref.name === undefined ? undefined : subdomainProblem(ref.name, {
        code: ErrorCode.INVALID_SECRET_NAME, prop: credentialsSecret !== undefined ? 'credentialsSecret' : 'credentials', what: 'a Secret',
      }));
    if (problem) this.fail(problem);
    return ref.name;
  }

  private checkDownloaderEnv(): void {
    const env: unknown = this.props.downloaderEnv ?? {};
    if (typeof env !== 'object' || env === null || Array.isArray(env)) {
      this.fail({
        code: ErrorCode.WRONG_TYPE, prop: 'downloaderEnv', received: env,
        allowed: 'a map of variable names to string values', fix: "pass e.g. { S3_VERIFY_SSL: '0' }",
      });
    }
    for (const [name, value] of Object.entries(env)) {
      if (!ENV_NAME.test(name) || typeof value !== 'string') {
        this.fail({
          code: ErrorCode.INVALID_DOWNLOADER_ENV, prop: `downloaderEnv.${name}`, received: ENV_NAME.test(name) ? value : name,
          allowed: 'a variable name of letters, digits, "_", "-" and "." (not starting with a digit) with a string value',
          fix: ENV_NAME.test(name) ? `give the value as a string, e.g. '${String(value)}'` : 'rename the variable',
        });
      }
      if (isSecretName(name)) {
        this.fail({
          code: ErrorCode.SECRET_IN_DOWNLOADER_ENV,
          prop: `downloaderEnv.${name}`,
          received: '(a literal value, not shown)',
          allowed: 'non-secret settings only: a secret value must never appear in the YAML',
          fix: 'put the value in a Secret and pass its name as credentialsSecret, or use a workloadIdentity',
        });
      }
    }
  }

  private checkWorkloadIdentity(): void {
    const wi = this.props.workloadIdentity;
    if (wi && !wi._pattern.test(wi._identity)) {
      this.fail({
        code: ErrorCode.INVALID_WORKLOAD_IDENTITY,
        prop: 'workloadIdentity',
        received: wi._identity,
        allowed: `an identity of the form ${wi._pattern.source}`,
        fix: 'copy the role ARN, Google service account e-mail or Azure client id from the cloud console',
      });
    }
  }
}
