import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import { clusterScoped, toLabelValue } from '../../names';
import { atLeast } from '../kubernetes-version';
import { downloaderResources } from './downloader';
import { copyScript, STAGING_ROOT } from './scripts';
import { climbsOut, KnownSource, LocationRule, shortDigest, subdomainProblem } from './source';
import { Fail, ModelDelivery, ModelMount, ModelPodVolume, podVolumeName, scratchMebibytes, scratchVolume, VolumeContext, weightsMount } from './types';

/** A host name, an IPv4 address or a bracketed IPv6 address. */
const NFS_SERVER = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;

/** Refuses a path with a `..` segment: it would leave the folder it names. */
function refuseClimbing(fail: Fail, prop: string, path: string): void {
  if (!climbsOut(path)) return;
  fail({
    code: ErrorCode.INVALID_MODEL_SOURCE_LOCATION, prop, received: path,
    allowed: 'a path without ".." segments: it must name the model\'s folder itself', fix: `write the folder out, e.g. '${path.split('/').filter((p) => p !== '..').join('/')}'`,
  });
}

/** A source mounted read-only where it is (no download, so no cache). */
abstract class MountedSource extends KnownSource {
  public readonly downloads = false;

  public bind(volume: VolumeContext): ModelDelivery {
    if (volume.cache) {
      volume.fail({
        code: ErrorCode.CACHE_FOR_MOUNTED_SOURCE,
        prop: 'cacheSize',
        received: `${volume.cache.sizeMebibytes}Mi`,
        allowed: 'a cache only for downloaded sources (S3, GCS, Azure Blob, Hugging Face, HTTPS)',
        fix: 'remove cacheSize: NFS, PVC and image sources are mounted directly',
      });
    }
    return this.mount(volume);
  }

  /** Adds what the mount needs to `volume` and says how pods see the weights. */
  protected abstract mount(volume: VolumeContext): ModelDelivery;
}

/**
 * An NFS export, bound through a static read-only PersistentVolume and its claim: Pod Security
 * "restricted" forbids nfs volumes in pods.
 */
export class NfsSource extends MountedSource {
  constructor(private readonly server: string, path: string, version: string) {
    super('nfs', path, version, { pattern: /^\/\S*$/, example: 'an absolute export path, e.g. /exports/models/<name>/<version>' });
  }

  /** The server is a host name or IP address; the path names the export itself (no `..`). */
  protected checkSettings(fail: Fail): void {
    if (typeof this.server !== 'string' || !NFS_SERVER.test(this.server)) {
      fail({
        code: ErrorCode.INVALID_MODEL_SOURCE_LOCATION, prop: 'source server', received: this.server,
        allowed: 'the NFS server\'s host name or IP address, e.g. nfs.storage or 10.0.0.12', fix: 'set the server the export is on',
      });
    }
    refuseClimbing(fail, 'source', this.location);
  }

  protected mount(volume: VolumeContext): ModelDelivery {
    const nfsClaim = this.bindExport(volume);
    return claimMount(volume, nfsClaim.name, {}, nfsClaim);
  }

  /** A static, read-only PersistentVolume for the export and the claim bound to it. */
  private bindExport(volume: VolumeContext): k8s.KubePersistentVolumeClaim {
    const namespace = Chart.of(volume.scope).namespace ?? 'default';
    const version = toLabelValue(volume.version).toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const claimName = `${volume.name}-${version}`.slice(0, 63).replace(/-+$/, '');
    const volumeName = `${namespace}-${claimName}`.slice(0, 253);
    const capacity = k8s.Quantity.fromString(`${volume.sizeMebibytes ?? 100 * 1024}Mi`);
    const pv = new k8s.KubePersistentVolume(volume.scope, 'NfsVolume', {
      metadata: { name: volumeName, labels: volume.labels() },
      spec: {
        capacity: { storage: capacity },
        accessModes: ['ReadOnlyMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        mountOptions: ['nfsvers=4.1'],
        nfs: { server: this.server, path: this.location, readOnly: true },
        claimRef: { namespace, name: claimName },
      },
    });
    // PersistentVolumes are cluster-scoped: no namespace.
    clusterScoped(pv);
    return new k8s.KubePersistentVolumeClaim(volume.scope, 'NfsClaim', {
      metadata: { name: claimName, labels: volume.labels() },
      spec: { accessModes: ['ReadOnlyMany'], storageClassName: '', volumeName, resources: { requests: { storage: capacity } } },
    });
  }
}

/** A folder of an existing PersistentVolumeClaim. */
export class PvcSource extends MountedSource {
  constructor(private readonly claimName: string, subPath: string, version: string) {
    super('pvc', subPath, version, { pattern: /^[^/\s]\S*$/, example: 'a relative folder inside the claim, e.g. <name>/<version>' });
  }

  /** The claim is a claim name; the folder stays inside it (Kubernetes refuses a subPath with `..`). */
  protected checkSettings(fail: Fail): void {
    const problem = subdomainProblem(this.claimName, { code: ErrorCode.INVALID_MODEL_SOURCE_LOCATION, prop: 'source claimName', what: 'a PersistentVolumeClaim' });
    if (problem) fail(problem);
    refuseClimbing(fail, 'source subPath', this.location);
  }

  protected mount(volume: VolumeContext): ModelDelivery {
    return claimMount(volume, this.claimName, { subPath: this.location });
  }
}

const DIGEST_RULE: LocationRule = { pattern: /@sha256:[a-f0-9]{64}$/, example: 'registry/repository@sha256:<64 hex digits>', fix: 'pin the image by digest' };

/**
 * An OCI image holding the model files, pinned by digest: an image volume from Kubernetes 1.33,
 * copied by an init container before.
 */
export class OciImageSource extends MountedSource {
  constructor(reference: string, private readonly path: string) {
    super('oci-image', reference, typeof reference === 'string' ? reference.split('@')[1] ?? '' : '', DIGEST_RULE);
  }

  public pathVersion(): string {
    return shortDigest(this.version);
  }

  /** The folder inside the image is absolute and stays inside it. */
  protected checkSettings(fail: Fail): void {
    if (typeof this.path !== 'string' || !/^\/\S*$/.test(this.path)) {
      fail({
        code: ErrorCode.INVALID_MODEL_SOURCE_LOCATION, prop: 'source path', received: this.path,
        allowed: 'an absolute folder inside the image, e.g. /models', fix: 'give the folder with a leading /',
      });
    }
    refuseClimbing(fail, 'source path', this.path);
  }

  protected checkVersion(fail: Fail): void {
    this.checkPin(fail, { pattern: /^sha256:[a-f0-9]{64}$/, allowed: 'an image digest', fix: 'pin the image by digest' });
  }

  protected mount(volume: VolumeContext): ModelDelivery {
    if (!atLeast(volume.kubernetesVersion, 1, 33)) return new ImageCopy(volume, this.location, this.path);
    const image = { reference: this.location, pullPolicy: 'IfNotPresent' };
    return new DirectMount(volume, { image }, { subPath: this.path.replace(/^\//, '') });
  }
}

/** A pod volume mounted read-only as it is: a claim (an NFS export's, or an existing one) or an image. */
class DirectMount implements ModelDelivery {
  /**
   * @param podVolume the pod volume without its name
   * @param mountOptions added to the weights mount (its subPath)
   * @param nfsClaim the claim of an NFS export, when that is what is mounted
   */
  constructor(private readonly volume: VolumeContext, private readonly podVolume: Omit<ModelPodVolume, 'name'>,
    private readonly mountOptions: Partial<k8s.VolumeMount>, public readonly nfsClaim?: k8s.KubePersistentVolumeClaim) {}

  public mountFor(): ModelMount {
    return {
      volumes: [{ name: podVolumeName(this.volume), ...this.podVolume }],
      initContainers: [],
      mount: { ...weightsMount(this.volume), ...this.mountOptions },
      scratchMebibytes: 0,
      downloads: false,
    };
  }
}

/** A claim mounted read-only. */
function claimMount(volume: VolumeContext, claimName: string, mountOptions: Partial<k8s.VolumeMount>,
  nfsClaim?: k8s.KubePersistentVolumeClaim): ModelDelivery {
  return new DirectMount(volume, { persistentVolumeClaim: { claimName, readOnly: true } }, mountOptions, nfsClaim);
}

/** The image's folder copied by an init container into an emptyDir (the image needs /bin/sh and cp). */
class ImageCopy implements ModelDelivery {
  constructor(private readonly volume: VolumeContext, private readonly reference: string, private readonly path: string) {}

  public mountFor(_consumer: Construct, securityContext: k8s.SecurityContext): ModelMount {
    const scratch = scratchMebibytes(this.volume);
    return {
      volumes: [scratchVolume(this.volume, scratch)],
      initContainers: [{
        name: `copy-${this.volume.name}`.slice(0, 63),
        image: this.reference,
        imagePullPolicy: 'Always',
        command: ['/bin/sh', '-c', copyScript(this.path)],
        volumeMounts: [{ name: podVolumeName(this.volume), mountPath: STAGING_ROOT }],
        securityContext,
        resources: downloaderResources(),
      }],
      mount: weightsMount(this.volume),
      scratchMebibytes: scratch,
      downloads: false,
    };
  }
}
