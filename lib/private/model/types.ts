import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { InvalidPropOptions } from '../../errors';

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

/** Rejects an input of the ModelVolume: throws an InferenceConfigError naming the volume. */
export type Fail = (options: InvalidPropOptions) => never;

/** The shared cache a ModelVolume asks for. */
export interface CacheSettings {
  /** Size of the claim (MiB). */
  readonly sizeMebibytes: number;
  /** Storage class of the claim, or the cluster's default. */
  readonly storageClass?: string;
  /** Access mode of the claim (`ReadWriteMany` or `ReadWriteOnce`). */
  readonly accessMode: string;
  /** Whether many nodes mount it (ReadWriteMany): a Job then fills it once per version. */
  readonly shared: boolean;
}

/** What a model source sees of the ModelVolume it is bound to. */
export interface VolumeContext {
  /** The ModelVolume: parent of the objects a source or a cache adds. */
  readonly scope: Construct;
  /** Name of the volume and its objects. */
  readonly name: string;
  /** The version, as used in paths and labels. */
  readonly version: string;
  /** Where the weights appear in the server container. */
  readonly mountPath: string;
  /** Declared model size (MiB), if given. */
  readonly sizeMebibytes?: number;
  /** Longest time one download may take. */
  readonly downloadTimeout: Duration;
  /** Downloader image, pinned. */
  readonly downloaderImage: string;
  /** Extra, non-secret settings for the downloader. */
  readonly downloaderEnv: { [name: string]: string };
  /** Name of the Secret with the downloader's credentials, if any. */
  readonly credentialsSecret?: string;
  /** ServiceAccount annotations of the workload identity, if any. */
  readonly serviceAccountAnnotations?: { [key: string]: string };
  /** Pod labels of the workload identity, if any. */
  readonly identityPodLabels?: { [key: string]: string };
  /** Kubernetes version the manifests target. */
  readonly kubernetesVersion: string;
  /** The shared cache, when one is asked for. */
  readonly cache?: CacheSettings;
  /** Rejects an input of the volume. */
  readonly fail: Fail;
  /** Labels of the volume's objects (a new object on every call). */
  labels(): { [key: string]: string };
}

/** How the weights of one ModelVolume reach a pod; made when a source binds to the volume. */
export interface ModelDelivery {
  /** For an NFS source: the claim bound to the export's PersistentVolume. */
  readonly nfsClaim?: k8s.KubePersistentVolumeClaim;
  /** The cache claim, when there is one. */
  readonly cacheClaim?: k8s.KubePersistentVolumeClaim;
  /** The Job that fills the cache, when the cache is shared. */
  readonly fillJob?: k8s.KubeJob;
  /** What a pod of `consumer` (running at most `pods` pods at once) needs to see the weights. */
  mountFor(consumer: Construct, securityContext: k8s.SecurityContext, pods: number): ModelMount;
}

/** Name of the pod volume that holds the weights of `volume`. */
export function podVolumeName(volume: VolumeContext): string {
  return `model-${volume.name}`;
}

/** The read-only mount of the weights into the server container (no subPath). */
export function weightsMount(volume: VolumeContext): k8s.VolumeMount {
  return { name: podVolumeName(volume), mountPath: volume.mountPath, readOnly: true };
}

/** Folder of this version inside the download volume or cache. */
export function versionFolder(volume: VolumeContext): string {
  return `${volume.name}/${volume.version}`;
}

/** ephemeral-storage (MiB) for the weights in the pod: room for them plus one archive or partial file. */
export function scratchMebibytes(volume: VolumeContext): number {
  const size = volume.sizeMebibytes;
  return size !== undefined ? Math.ceil(size * 1.2) : 50 * 1024;
}

/** An emptyDir pod volume of `mebibytes` for the weights. */
export function scratchVolume(volume: VolumeContext, mebibytes: number): k8s.Volume {
  return { name: podVolumeName(volume), emptyDir: { sizeLimit: k8s.Quantity.fromString(`${mebibytes}Mi`) } };
}
