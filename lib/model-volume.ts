import { createHash } from 'node:crypto';
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import { checkImage } from './image';
import { checkName, claimName, clusterScoped, isSecretName, toLabelValue } from './names';
import { allowBaselineEgress } from './private/network';
import { atLeast, DEFAULT_KUBERNETES_VERSION } from './private/kubernetes-version';
import { DEFAULT_UID, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './private/pod-security';

const KIND = 'ModelVolume';

/**
 * The image that downloads weights: KServe's storage initializer. One image covers S3 (and
 * S3-compatible endpoints), GCS, Azure Blob, HTTP(S) and the Hugging Face Hub, takes credentials
 * from the usual environment variables, and is the downloader KServe users already run.
 * @see https://kserve.github.io/website/docs/model-serving/storage/overview
 */
export const DEFAULT_DOWNLOADER_IMAGE = 'kserve/storage-initializer:v0.17.0';

/** Where a downloaded model is written in the downloader and the cache. */
const STAGING_ROOT = '/mnt/models';
/** File written last, once a model version is complete. */
export const COMPLETION_MARKER = '.complete';

/** How a model source is reached. */
enum SourceKind {
  S3 = 's3',
  GCS = 'gcs',
  AZURE_BLOB = 'azure-blob',
  HUGGING_FACE = 'hugging-face',
  HTTPS = 'https',
  NFS = 'nfs',
  PVC = 'pvc',
  OCI_IMAGE = 'oci-image',
}

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
 * @see https://kubernetes.io/docs/concepts/storage/volumes/
 */
export class ModelSource {
  /** Objects under an S3 (or S3-compatible) prefix: `s3://bucket/path/<version>/`. */
  public static s3(uri: string, options: S3SourceOptions): ModelSource {
    return new ModelSource(SourceKind.S3, uri, options.version, { endpoint: options.endpoint, region: options.region });
  }

  /** Objects under a Google Cloud Storage prefix: `gs://bucket/path/<version>/`. */
  public static gcs(uri: string, options: ObjectStoreSourceOptions): ModelSource {
    return new ModelSource(SourceKind.GCS, uri, options.version, {});
  }

  /** Blobs under an Azure Blob Storage prefix: `https://<account>.blob.core.windows.net/<container>/<path>/<version>/`. */
  public static azureBlob(uri: string, options: ObjectStoreSourceOptions): ModelSource {
    return new ModelSource(SourceKind.AZURE_BLOB, uri, options.version, {});
  }

  /** A Hugging Face Hub repository at a pinned commit. */
  public static huggingFace(repoId: string, options: HuggingFaceSourceOptions): ModelSource {
    return new ModelSource(SourceKind.HUGGING_FACE, repoId, options.revision, {});
  }

  /** A `.tar.gz`, `.tgz` or `.zip` archive over HTTPS, pinned by its SHA-256. */
  public static https(url: string, options: HttpsSourceOptions): ModelSource {
    return new ModelSource(SourceKind.HTTPS, url, options.sha256, {});
  }

  /**
   * An NFS export holding the version, mounted read-only (no download) through a static
   * PersistentVolume and claim, because Pod Security "restricted" forbids nfs volumes in pods.
   */
  public static nfs(server: string, path: string, options: MountedSourceOptions): ModelSource {
    return new ModelSource(SourceKind.NFS, path, options.version, { server });
  }

  /** A folder of an existing PersistentVolumeClaim, mounted read-only (no download). */
  public static persistentVolumeClaim(claimName: string, options: PvcSourceOptions): ModelSource {
    return new ModelSource(SourceKind.PVC, options.subPath, options.version, { claimName });
  }

  /**
   * An OCI image holding the model files, pinned by digest. Mounted as a Kubernetes image
   * volume when the target Kubernetes version has them (`ModelVolume.kubernetesVersion` ≥ 1.33),
   * copied by an init container otherwise (the image then needs `/bin/sh` and `cp`).
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#image
   */
  public static ociImage(reference: string, options: OciImageSourceOptions = {}): ModelSource {
    return new ModelSource(SourceKind.OCI_IMAGE, reference, reference.split('@')[1] ?? '', { path: options.path ?? '/models' });
  }

  /**
   * A source from a URI, by scheme: `s3://`, `gs://`, `https://<account>.blob.core.windows.net/`,
   * `hf://<org>/<repo>` (version = commit), `https://` (version = SHA-256), `pvc://<claim>/<path>`,
   * `nfs://<server>/<path>`, `oci://<image@digest>`.
   */
  public static fromUri(uri: string, version: string): ModelSource {
    const scheme = /^([a-z0-9+.-]+):\/\//.exec(uri)?.[1];
    switch (scheme) {
      case 's3': return ModelSource.s3(uri, { version });
      case 'gs': return ModelSource.gcs(uri, { version });
      case 'hf': return ModelSource.huggingFace(uri.slice('hf://'.length), { revision: version });
      case 'https':
        return /^https:\/\/[^/]+\.blob\.core\.windows\.net\//.test(uri) ? ModelSource.azureBlob(uri, { version }) : ModelSource.https(uri, { sha256: version });
      case 'pvc': {
        const [claim, ...rest] = uri.slice('pvc://'.length).split('/');
        return ModelSource.persistentVolumeClaim(claim, { subPath: rest.join('/'), version });
      }
      case 'nfs': {
        const [server, ...rest] = uri.slice('nfs://'.length).split('/');
        return ModelSource.nfs(server, `/${rest.join('/')}`, { version });
      }
      case 'oci': return ModelSource.ociImage(uri.slice('oci://'.length));
      default: return new ModelSource(`unknown:${scheme ?? ''}`, uri, version, {});
    }
  }

  /** @internal */
  public readonly _kind: string;
  /** The location: URI, repository id, path or image reference. */
  public readonly location: string;
  /** The pinned version: version, commit, SHA-256 or digest. */
  public readonly version: string;
  /** @internal */
  public readonly _extra: { endpoint?: string; region?: string; server?: string; claimName?: string; path?: string };

  private constructor(kind: string, location: string, version: string, extra: ModelSource['_extra']) {
    this._kind = kind;
    this.location = location;
    this.version = version;
    this._extra = extra;
  }

  /** Whether the weights are downloaded (object stores, Hub, HTTPS) rather than mounted. */
  public get downloads(): boolean {
    return [SourceKind.S3, SourceKind.GCS, SourceKind.AZURE_BLOB, SourceKind.HUGGING_FACE, SourceKind.HTTPS].includes(this._kind as SourceKind);
  }
}

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
   * Secret holding the downloader's credentials as environment variables: `AWS_ACCESS_KEY_ID`
   * and `AWS_SECRET_ACCESS_KEY` (S3), `AZURE_STORAGE_ACCESS_KEY` (Azure), `HF_TOKEN` (Hugging
   * Face), or for GCS a key file under `gcloud-application-credentials.json`. The values never
   * appear in the YAML.
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   * @default - no Secret: public data or workload identity
   */
  readonly credentialsSecret?: string;

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
   * Longest time one download may take; added to the service's rollout deadline and the fill
   * Job's deadline.
   * @default - size at 50 MiB/s plus 5 minutes, or 30 minutes when the size is unknown
   */
  readonly downloadTimeout?: Duration;

  /**
   * Downloader image, pinned.
   * @default DEFAULT_DOWNLOADER_IMAGE
   */
  readonly downloaderImage?: string;

  /**
   * Kubernetes version the manifests target; image volumes for OCI sources need 1.33 or newer.
   * @default '1.27'
   */
  readonly kubernetesVersion?: string;
}

/**
 * A pod volume: the Kubernetes 1.27 type, plus the image volume of newer versions.
 * @internal
 */
export interface ModelPodVolume extends k8s.Volume {
  /** An OCI image mounted as a volume (Kubernetes 1.33 and newer). */
  readonly image?: { readonly reference: string; readonly pullPolicy: string };
}

/**
 * What a pod needs to see a model version.
 * @internal
 */
export interface ModelMount {
  /** Volumes to add to the pod. */
  readonly volumes: ModelPodVolume[];
  /** Init containers that fetch or wait for the weights. */
  readonly initContainers: k8s.Container[];
  /** The read-only mount of the weights into the server container. */
  readonly mount: k8s.VolumeMount;
  /** ephemeral-storage the pod needs for the weights (MiB), 0 when they live elsewhere. */
  readonly scratchMebibytes: number;
  /** Whether the pod itself downloads (and so needs the storage credentials). */
  readonly downloads: boolean;
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
  private readonly downloaderImage: string;

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
    this.downloaderImage = props.downloaderImage ?? DEFAULT_DOWNLOADER_IMAGE;
    checkImage(this, KIND, 'downloaderImage', this.downloaderImage);
    this.checkSource();
    this.checkCredentials();
    this.version = this.source._kind === SourceKind.HTTPS || this.source._kind === SourceKind.OCI_IMAGE
      ? this.source.version.replace(/^sha256:/, '').slice(0, 12)
      : this.source.version;
    this.mountPath = `/models/${this.name}/${this.version}`;
    this.size = props.size;
    this.workloadIdentity = props.workloadIdentity;
    const sizeMiB = props.size?.toMebibytes();
    this.downloadTimeout = props.downloadTimeout
      ?? (sizeMiB !== undefined ? Duration.seconds(Math.ceil(sizeMiB / 50) + 300) : Duration.minutes(30));
    const endpointPort = this.source._extra.endpoint ? new URL(this.source._extra.endpoint).port : '';
    this.egressPorts = endpointPort && endpointPort !== '443' ? [Number(endpointPort)] : [];

    if (this.source._kind === SourceKind.NFS) this.nfsClaim = this.bindNfsExport();

    if (props.cacheSize) {
      if (!this.source.downloads) {
        this.fail({
          prop: 'cacheSize',
          received: props.cacheSize.toMebibytes() + 'Mi',
          allowed: 'a cache only for downloaded sources (S3, GCS, Azure Blob, Hugging Face, HTTPS)',
          fix: 'remove cacheSize: NFS, PVC and image sources are mounted directly',
        });
      }
      if (sizeMiB !== undefined && props.cacheSize.toMebibytes() < sizeMiB) {
        this.fail({
          prop: 'cacheSize',
          received: `${props.cacheSize.toMebibytes()}Mi`,
          allowed: `at least the declared model size (${sizeMiB}Mi); twice that keeps the previous version during a rollout`,
          fix: `set cacheSize to at least Size.mebibytes(${2 * sizeMiB})`,
        });
      }
      this.cacheAccessMode = props.cacheAccessMode ?? CacheAccessMode.READ_WRITE_MANY;
      this.cacheClaim = new k8s.KubePersistentVolumeClaim(this, 'Cache', {
        metadata: { name: `${this.name}-cache`, labels: this.labels() },
        spec: {
          accessModes: [this.cacheAccessMode],
          storageClassName: props.cacheStorageClass,
          resources: { requests: { storage: k8s.Quantity.fromString(`${props.cacheSize.toMebibytes()}Mi`) } },
        },
      });
      if (this.cacheAccessMode === CacheAccessMode.READ_WRITE_MANY) this.fillJob = this.buildFillJob();
    }
  }

  /**
   * The hash that names this version's fill Job: source kind, location and version.
   */
  public get contentHash(): string {
    return createHash('sha256').update(`${this.source._kind}\n${this.source.location}\n${this.source.version}`).digest('hex').slice(0, 8);
  }

  /**
   * What a pod of `consumer` needs to see the weights: volumes, init containers and the mount.
   * @internal
   */
  public _mountFor(consumer: Construct, securityContext: k8s.SecurityContext, replicas: number): ModelMount {
    if (this.cacheAccessMode === CacheAccessMode.READ_WRITE_ONCE && replicas > 1) {
      throw new InferenceConfigError(consumer, 'InferenceService', {
        prop: 'modelVolume',
        received: `'${this.node.path}' with a ReadWriteOnce cache for up to ${replicas} replicas`,
        allowed: 'a ReadWriteOnce cache only with a single replica (one node mounts it); ReadWriteMany otherwise',
        fix: 'set cacheAccessMode to CacheAccessMode.READ_WRITE_MANY (with an RWX storage class), or run one replica',
      });
    }
    const volumeName = `model-${this.name}`;
    const mount: k8s.VolumeMount = { name: volumeName, mountPath: this.mountPath, readOnly: true };
    const kind = this.source._kind;
    if (kind === SourceKind.NFS) {
      // Pod Security "restricted" forbids nfs volumes in pods: the export is bound through a
      // PersistentVolume and its claim instead.
      return {
        volumes: [{ name: volumeName, persistentVolumeClaim: { claimName: this.nfsClaim!.name, readOnly: true } }],
        initContainers: [], mount, scratchMebibytes: 0, downloads: false,
      };
    }
    if (kind === SourceKind.PVC) {
      return {
        volumes: [{ name: volumeName, persistentVolumeClaim: { claimName: this.source._extra.claimName!, readOnly: true } }],
        initContainers: [], mount: { ...mount, subPath: this.source.location }, scratchMebibytes: 0, downloads: false,
      };
    }
    if (kind === SourceKind.OCI_IMAGE) {
      if (this.imageVolumesAvailable()) {
        return {
          volumes: [{ name: volumeName, image: { reference: this.source.location, pullPolicy: 'IfNotPresent' } } as ModelPodVolume],
          initContainers: [], mount: { ...mount, subPath: this.source._extra.path!.replace(/^\//, '') }, scratchMebibytes: 0, downloads: false,
        };
      }
      const scratch = this.scratchMebibytes();
      return {
        volumes: [{ name: volumeName, emptyDir: { sizeLimit: k8s.Quantity.fromString(`${scratch}Mi`) } }],
        initContainers: [{
          name: `copy-${this.name}`.slice(0, 63),
          image: this.source.location,
          imagePullPolicy: 'Always',
          command: ['/bin/sh', '-c', `cp -a ${this.source._extra.path}/. ${STAGING_ROOT}/ && touch ${STAGING_ROOT}/${COMPLETION_MARKER}`],
          volumeMounts: [{ name: volumeName, mountPath: STAGING_ROOT }],
          securityContext,
          resources: this.downloaderResources(),
        }],
        mount,
        scratchMebibytes: scratch,
        downloads: false,
      };
    }
    if (this.cacheClaim) {
      const cacheVolume: k8s.Volume = { name: volumeName, persistentVolumeClaim: { claimName: this.cacheClaim.name } };
      const cacheMount = { ...mount, subPath: this.cacheSubPath() };
      if (this.fillJob) {
        return { volumes: [cacheVolume], initContainers: [this.waitContainer(volumeName, securityContext)], mount: cacheMount, scratchMebibytes: 0, downloads: false };
      }
      return {
        volumes: [cacheVolume, ...this.downloaderVolumes()],
        initContainers: [this.downloadContainer(`fetch-${this.name}`, volumeName, securityContext, `${STAGING_ROOT}/${this.cacheSubPath()}`)],
        mount: cacheMount, scratchMebibytes: 0, downloads: true,
      };
    }
    const scratch = this.scratchMebibytes();
    return {
      volumes: [{ name: volumeName, emptyDir: { sizeLimit: k8s.Quantity.fromString(`${scratch}Mi`) } }, ...this.downloaderVolumes()],
      initContainers: [this.downloadContainer(`fetch-${this.name}`, volumeName, securityContext, `${STAGING_ROOT}/${this.cacheSubPath()}`)],
      mount: { ...mount, subPath: this.cacheSubPath() },
      scratchMebibytes: scratch,
      downloads: true,
    };
  }

  /** A static, read-only PersistentVolume for the NFS export and the claim bound to it. */
  private bindNfsExport(): k8s.KubePersistentVolumeClaim {
    const namespace = Chart.of(this).namespace ?? 'default';
    const version = toLabelValue(this.version).toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const claimName = `${this.name}-${version}`.slice(0, 63).replace(/-+$/, '');
    const volumeName = `${namespace}-${claimName}`.slice(0, 253);
    const capacity = k8s.Quantity.fromString(`${this.props.size?.toMebibytes() ?? 100 * 1024}Mi`);
    const pv = new k8s.KubePersistentVolume(this, 'NfsVolume', {
      metadata: { name: volumeName, labels: this.labels() },
      spec: {
        capacity: { storage: capacity },
        accessModes: ['ReadOnlyMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        mountOptions: ['nfsvers=4.1'],
        nfs: { server: this.source._extra.server!, path: this.source.location, readOnly: true },
        claimRef: { namespace, name: claimName },
      },
    });
    // PersistentVolumes are cluster-scoped: no namespace.
    clusterScoped(pv);
    return new k8s.KubePersistentVolumeClaim(this, 'NfsClaim', {
      metadata: { name: claimName, labels: this.labels() },
      spec: { accessModes: ['ReadOnlyMany'], storageClassName: '', volumeName, resources: { requests: { storage: capacity } } },
    });
  }

  /** Folder of this version inside the download volume or cache. */
  private cacheSubPath(): string {
    return `${this.name}/${this.version}`;
  }

  private scratchMebibytes(): number {
    const size = this.props.size?.toMebibytes();
    // Room for the weights plus one archive or partial file during the download.
    return size !== undefined ? Math.ceil(size * 1.2) : 50 * 1024;
  }

  private imageVolumesAvailable(): boolean {
    return atLeast(this.props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION, 1, 33);
  }

  private labels(): { [key: string]: string } {
    return {
      'app.kubernetes.io/name': this.name,
      'app.kubernetes.io/component': 'model-volume',
      'app.kubernetes.io/managed-by': 'cdk8s-inference',
      'inference.cdk8s.io/model-version': toLabelValue(this.version),
    };
  }

  private downloaderResources(): k8s.ResourceRequirements {
    return {
      requests: { 'cpu': k8s.Quantity.fromString('500m'), 'memory': k8s.Quantity.fromString('1Gi'), 'ephemeral-storage': k8s.Quantity.fromString('1Gi') },
      limits: { 'cpu': k8s.Quantity.fromString('2'), 'memory': k8s.Quantity.fromString('2Gi'), 'ephemeral-storage': k8s.Quantity.fromString('2Gi') },
    };
  }

  /** The downloader's environment: endpoint, region, settings and credentials by reference. */
  private downloaderEnv(): { env: k8s.EnvVar[]; envFrom: k8s.EnvFromSource[] } {
    const env: k8s.EnvVar[] = [{ name: 'HOME', value: '/tmp' }, { name: 'HF_HOME', value: '/tmp/hf' }];
    const { endpoint, region } = this.source._extra;
    if (endpoint) env.push({ name: 'AWS_ENDPOINT_URL', value: endpoint }, { name: 'S3_USE_HTTPS', value: endpoint.startsWith('https') ? '1' : '0' });
    if (region) env.push({ name: 'AWS_DEFAULT_REGION', value: region });
    for (const [name, value] of Object.entries(this.props.downloaderEnv ?? {})) env.push({ name, value });
    const envFrom: k8s.EnvFromSource[] = [];
    if (this.props.credentialsSecret && this.source._kind === SourceKind.GCS) {
      // A GCS key is a file: mounted from the Secret, named by GOOGLE_APPLICATION_CREDENTIALS.
      env.push({ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/var/secrets/gcs/gcloud-application-credentials.json' });
    } else if (this.props.credentialsSecret) {
      envFrom.push({ secretRef: { name: this.props.credentialsSecret } });
    }
    return { env, envFrom };
  }

  /** The shell that downloads into `<dest>.partial`, then renames it and writes the marker. */
  private downloadScript(dest: string): string {
    const kind = this.source._kind;
    const fetch = kind === SourceKind.HTTPS
      ? `python3 - "$partial" <<'PY'\n${HTTPS_FETCH}\nPY`
      : `/storage-initializer/scripts/initializer-entrypoint "${this.downloaderUri()}" "$partial"`;
    return [
      'set -eu',
      `dest="${dest}"`,
      'partial="$dest.partial"',
      `if [ -f "$dest/${COMPLETION_MARKER}" ]; then echo "model already present in $dest"; exit 0; fi`,
      'rm -rf "$partial" && mkdir -p "$partial"',
      fetch,
      'rm -rf "$dest" && mv "$partial" "$dest"',
      `touch "$dest/${COMPLETION_MARKER}"`,
      'echo "model downloaded to $dest"',
    ].join('\n');
  }

  private downloaderUri(): string {
    return this.source._kind === SourceKind.HUGGING_FACE ? `hf://${this.source.location}:${this.source.version}` : this.source.location;
  }

  private downloadContainer(name: string, volumeName: string, securityContext: k8s.SecurityContext, dest: string): k8s.Container {
    const { env, envFrom } = this.downloaderEnv();
    if (this.source._kind === SourceKind.HTTPS) {
      env.push({ name: 'MODEL_URL', value: this.source.location }, { name: 'MODEL_SHA256', value: this.source.version });
    }
    const mounts: k8s.VolumeMount[] = [{ name: volumeName, mountPath: STAGING_ROOT }, { name: 'downloader-tmp', mountPath: '/tmp' }];
    if (this.props.credentialsSecret && this.source._kind === SourceKind.GCS) {
      mounts.push({ name: 'gcs-credentials', mountPath: '/var/secrets/gcs', readOnly: true });
    }
    return {
      name: name.slice(0, 63),
      image: this.downloaderImage,
      imagePullPolicy: 'Always',
      command: ['/bin/sh', '-c', this.downloadScript(dest)],
      env,
      envFrom: envFrom.length ? envFrom : undefined,
      volumeMounts: mounts,
      securityContext,
      resources: this.downloaderResources(),
    };
  }

  private waitContainer(volumeName: string, securityContext: k8s.SecurityContext): k8s.Container {
    const marker = `${STAGING_ROOT}/${this.cacheSubPath()}/${COMPLETION_MARKER}`;
    return {
      name: `wait-${this.name}`.slice(0, 63),
      image: this.downloaderImage,
      imagePullPolicy: 'Always',
      command: ['/bin/sh', '-c', `until [ -f "${marker}" ]; do echo "waiting for ${this.fillJob!.name} to fill the cache"; sleep 10; done`],
      volumeMounts: [{ name: volumeName, mountPath: STAGING_ROOT, readOnly: true }],
      securityContext,
      resources: {
        requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi'), 'ephemeral-storage': k8s.Quantity.fromString('16Mi') },
        limits: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('64Mi'), 'ephemeral-storage': k8s.Quantity.fromString('32Mi') },
      },
    };
  }

  /** Extra pod volumes the download containers need (scratch /tmp, GCS key file). */
  private downloaderVolumes(): k8s.Volume[] {
    const volumes: k8s.Volume[] = [{ name: 'downloader-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } }];
    if (this.props.credentialsSecret && this.source._kind === SourceKind.GCS) {
      volumes.push({ name: 'gcs-credentials', secret: { secretName: this.props.credentialsSecret } });
    }
    return volumes;
  }

  private buildFillJob(): k8s.KubeJob {
    const securityContext = restrictedContainerSecurityContext(DEFAULT_UID);
    const serviceAccount = new k8s.KubeServiceAccount(this, 'FillServiceAccount', {
      metadata: { name: `${this.name}-fill`, labels: this.labels(), annotations: this.workloadIdentityAnnotations() },
      automountServiceAccountToken: false,
    });
    const volumeName = 'cache';
    const podLabels = { ...this.labels(), ...this.props.workloadIdentity?.podLabels };
    const policy = new kplus.NetworkPolicy(this, 'FillNetworkPolicy', {
      metadata: { name: `${this.name}-fill`, labels: this.labels() },
      selector: kplus.Pods.select(this, 'FillPods', { labels: this.labels() }),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    allowBaselineEgress(this, policy, this.egressPorts);
    const job = new k8s.KubeJob(this, 'Fill', {
      metadata: { name: `${this.name}-fill-${this.contentHash}`, labels: this.labels() },
      spec: {
        backoffLimit: 6,
        activeDeadlineSeconds: this.downloadTimeout.toSeconds() * 2,
        ttlSecondsAfterFinished: 7 * 24 * 3600,
        template: {
          metadata: { labels: podLabels },
          spec: {
            restartPolicy: 'OnFailure',
            serviceAccountName: serviceAccount.name,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(DEFAULT_UID),
            containers: [{
              ...this.downloadContainer('fill', volumeName, securityContext, `${STAGING_ROOT}/${this.cacheSubPath()}`),
            }],
            volumes: [{ name: volumeName, persistentVolumeClaim: { claimName: this.cacheClaim!.name } }, ...this.downloaderVolumes()],
          },
        },
      },
    });
    return job;
  }

  /** ServiceAccount annotations for workload identity. */
  private workloadIdentityAnnotations(): { [key: string]: string } | undefined {
    return this.props.workloadIdentity?.serviceAccountAnnotations;
  }

  private fail(options: InvalidPropOptions): never {
    throw new InferenceConfigError(this, KIND, options);
  }

  private checkSource(): void {
    const s = this.source;
    const kind = s._kind;
    const schemes: { [kind: string]: RegExp } = {
      [SourceKind.S3]: /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/,
      [SourceKind.GCS]: /^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/.*)?$/,
      [SourceKind.AZURE_BLOB]: /^https:\/\/[a-z0-9]{3,24}\.blob\.core\.windows\.net\/[a-z0-9-]{3,63}(\/.*)?$/,
      [SourceKind.HUGGING_FACE]: /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/,
      [SourceKind.HTTPS]: /^https:\/\/[^\s]+\.(tar\.gz|tgz|zip)$/,
      [SourceKind.NFS]: /^\/\S*$/,
      [SourceKind.PVC]: /^[^/\s]\S*$/,
      [SourceKind.OCI_IMAGE]: /@sha256:[a-f0-9]{64}$/,
    };
    if (kind.startsWith('unknown:')) {
      this.fail({
        prop: 'source',
        received: s.location,
        allowed: 'a URI with scheme s3://, gs://, hf://, https://, nfs://, pvc:// or oci://',
        fix: 'use one of those schemes, or a ModelSource factory such as ModelSource.s3(...)',
      });
    }
    if (/^[a-z0-9+.-]+:\/\/[^/@\s]+:[^/@\s]+@/i.test(s.location)) {
      this.fail({
        prop: 'source',
        received: s.location.replace(/\/\/[^/@]+@/, '//<credentials>@'),
        allowed: 'a location without credentials in it: a secret value must never appear in the YAML',
        fix: 'remove the user:password part and pass credentialsSecret (or a workloadIdentity) instead',
      });
    }
    if (!schemes[kind].test(s.location)) {
      const examples: { [kind: string]: string } = {
        [SourceKind.S3]: 's3://bucket/path/<version>/',
        [SourceKind.GCS]: 'gs://bucket/path/<version>/',
        [SourceKind.AZURE_BLOB]: 'https://<account>.blob.core.windows.net/<container>/<path>/<version>/',
        [SourceKind.HUGGING_FACE]: '<org>/<repository>',
        [SourceKind.HTTPS]: 'https://host/path/model.tar.gz (or .tgz, .zip)',
        [SourceKind.NFS]: 'an absolute export path, e.g. /exports/models/<name>/<version>',
        [SourceKind.PVC]: 'a relative folder inside the claim, e.g. <name>/<version>',
        [SourceKind.OCI_IMAGE]: 'registry/repository@sha256:<64 hex digits>',
      };
      this.fail({
        prop: 'source',
        received: s.location,
        allowed: `a ${kind} location like ${examples[kind]}`,
        fix: kind === SourceKind.OCI_IMAGE ? 'pin the image by digest' : 'correct the location',
      });
    }
    const pins: { [kind: string]: [RegExp, string, string] } = {
      [SourceKind.HUGGING_FACE]: [/^[a-f0-9]{40}$/, 'a commit hash of 40 hex characters (branches and tags move)', 'copy the commit from the repository history on the Hub'],
      [SourceKind.HTTPS]: [/^[a-f0-9]{64}$/, 'the archive\'s SHA-256, 64 hex characters', 'compute it with `sha256sum` and pass it as sha256'],
      [SourceKind.OCI_IMAGE]: [/^sha256:[a-f0-9]{64}$/, 'an image digest', 'pin the image by digest'],
    };
    const pin = pins[kind];
    if (pin && !pin[0].test(s.version)) {
      this.fail({ prop: 'source version', received: s.version || '(none)', allowed: pin[1], fix: pin[2] });
    }
    if (!pin) {
      const segments = s.location.split('/').filter(Boolean);
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(s.version) || !segments.includes(s.version)) {
        this.fail({
          prop: 'source version',
          received: s.version || '(none)',
          allowed: `a version (letters, digits, '.', '_', '-') that is a folder of the location '${s.location}', so the location is pinned`,
          fix: 'point the location at a versioned folder (e.g. .../2024-07-23/) and pass that folder name as version',
        });
      }
    }
  }

  private checkCredentials(): void {
    for (const name of Object.keys(this.props.downloaderEnv ?? {})) {
      if (isSecretName(name)) {
        this.fail({
          prop: `downloaderEnv.${name}`,
          received: '(a literal value, not shown)',
          allowed: 'non-secret settings only: a secret value must never appear in the YAML',
          fix: 'put the value in a Secret and pass its name as credentialsSecret, or use a workloadIdentity',
        });
      }
    }
    const wi = this.props.workloadIdentity;
    if (wi && !wi._pattern.test(wi._identity)) {
      this.fail({
        prop: 'workloadIdentity',
        received: wi._identity,
        allowed: `an identity of the form ${wi._pattern.source}`,
        fix: 'copy the role ARN, Google service account e-mail or Azure client id from the cloud console',
      });
    }
  }
}

/** Downloads MODEL_URL into argv[1], checks MODEL_SHA256, unpacks the archive. */
const HTTPS_FETCH = [
  'import hashlib, os, sys, tarfile, tempfile, urllib.request, zipfile',
  'dest, url, want = sys.argv[1], os.environ["MODEL_URL"], os.environ["MODEL_SHA256"]',
  'digest = hashlib.sha256()',
  'with tempfile.NamedTemporaryFile(dir="/tmp", delete=False) as out, urllib.request.urlopen(url, timeout=60) as body:',
  '    for chunk in iter(lambda: body.read(1 << 20), b""):',
  '        digest.update(chunk)',
  '        out.write(chunk)',
  'if digest.hexdigest() != want:',
  '    sys.exit(f"sha256 mismatch for {url}: got {digest.hexdigest()}, want {want}")',
  'if url.endswith(".zip"):',
  '    zipfile.ZipFile(out.name).extractall(dest)',
  'else:',
  '    archive = tarfile.open(out.name)',
  '    try:',
  '        archive.extractall(dest, filter="data")',
  '    except TypeError:  # Python before 3.11.4 has no extraction filters',
  '        archive.extractall(dest)',
  'os.unlink(out.name)',
].join('\n');

