import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import { InferenceConfigError } from '../../errors';
import { Downloader } from './downloader';
import { addFillJob, FillJobOptions } from './fill-job';
import { STAGING_ROOT, waitScript } from './scripts';
import {
  CacheSettings, ModelDelivery, ModelMount, podVolumeName, scratchMebibytes, scratchVolume, VolumeContext, versionFolder, weightsMount,
} from './types';

/**
 * How downloaded weights reach the pods: each pod downloads into its own volume (no cache), into
 * a ReadWriteOnce cache (one replica), or waits for the Job that fills a shared cache.
 */
export function deliverDownload(volume: VolumeContext, downloader: Downloader, fill: FillJobOptions): ModelDelivery {
  const cache = volume.cache;
  if (!cache) return new PodDownload(volume, downloader);
  const claim = addCacheClaim(volume, cache);
  return cache.shared
    ? new FilledCache(volume, claim, addFillJob(volume, claim, downloader, fill))
    : new CacheDownload(volume, claim, downloader);
}

/** The claim of the shared cache, at least as large as the declared model. */
function addCacheClaim(volume: VolumeContext, cache: CacheSettings): k8s.KubePersistentVolumeClaim {
  const sizeMiB = volume.sizeMebibytes;
  if (sizeMiB !== undefined && cache.sizeMebibytes < sizeMiB) {
    volume.fail({
      code: ErrorCode.CACHE_TOO_SMALL,
      prop: 'cacheSize',
      received: `${cache.sizeMebibytes}Mi`,
      allowed: `at least the declared model size (${sizeMiB}Mi); twice that keeps the previous version during a rollout`,
      fix: `set cacheSize to at least Size.mebibytes(${2 * sizeMiB})`,
    });
  }
  return new k8s.KubePersistentVolumeClaim(volume.scope, 'Cache', {
    metadata: { name: `${volume.name}-cache`, labels: volume.labels() },
    spec: {
      accessModes: [cache.accessMode],
      storageClassName: cache.storageClass,
      resources: { requests: { storage: k8s.Quantity.fromString(`${cache.sizeMebibytes}Mi`) } },
    },
  });
}

/** No cache: an init container of every pod downloads into an emptyDir sized for the model. */
class PodDownload implements ModelDelivery {
  constructor(private readonly volume: VolumeContext, private readonly downloader: Downloader) {}

  public mountFor(_consumer: Construct, securityContext: k8s.SecurityContext): ModelMount {
    const scratch = scratchMebibytes(this.volume);
    return {
      volumes: [scratchVolume(this.volume, scratch), ...this.downloader.volumes()],
      initContainers: [fetchContainer(this.volume, this.downloader, securityContext)],
      mount: versionMount(this.volume),
      scratchMebibytes: scratch,
      downloads: true,
    };
  }
}

/** A ReadWriteOnce cache: the single replica's init container downloads into it. */
class CacheDownload implements ModelDelivery {
  constructor(private readonly volume: VolumeContext, public readonly cacheClaim: k8s.KubePersistentVolumeClaim,
    private readonly downloader: Downloader) {}

  public mountFor(consumer: Construct, securityContext: k8s.SecurityContext, pods: number): ModelMount {
    if (pods > 1) {
      throw new InferenceConfigError(consumer, 'InferenceService', {
        code: ErrorCode.READ_WRITE_ONCE_CACHE_REPLICAS,
        prop: 'modelVolume',
        received: `'${this.volume.scope.node.path}' with a ReadWriteOnce cache for up to ${pods} pods`,
        allowed: 'a ReadWriteOnce cache only with a single pod (one node mounts it): one replica, not a multi-node group; ReadWriteMany otherwise',
        fix: 'set cacheAccessMode to CacheAccessMode.READ_WRITE_MANY (with an RWX storage class), or run one replica on one node',
      });
    }
    return {
      volumes: [cacheVolume(this.volume, this.cacheClaim), ...this.downloader.volumes()],
      initContainers: [fetchContainer(this.volume, this.downloader, securityContext)],
      mount: versionMount(this.volume),
      scratchMebibytes: 0,
      downloads: true,
    };
  }
}

/** A shared (ReadWriteMany) cache filled by a Job: pods wait for it and hold no credentials. */
class FilledCache implements ModelDelivery {
  constructor(private readonly volume: VolumeContext, public readonly cacheClaim: k8s.KubePersistentVolumeClaim,
    public readonly fillJob: k8s.KubeJob) {}

  public mountFor(_consumer: Construct, securityContext: k8s.SecurityContext): ModelMount {
    return {
      volumes: [cacheVolume(this.volume, this.cacheClaim)],
      initContainers: [this.waitContainer(securityContext)],
      mount: versionMount(this.volume),
      scratchMebibytes: 0,
      downloads: false,
    };
  }

  private waitContainer(securityContext: k8s.SecurityContext): k8s.Container {
    const quantity = (value: string) => k8s.Quantity.fromString(value);
    return {
      name: `wait-${this.volume.name}`.slice(0, 63),
      image: this.volume.downloaderImage,
      imagePullPolicy: 'Always',
      command: ['/bin/sh', '-c', waitScript(versionFolder(this.volume), this.fillJob.name)],
      volumeMounts: [{ name: podVolumeName(this.volume), mountPath: STAGING_ROOT, readOnly: true }],
      securityContext,
      resources: {
        requests: { 'cpu': quantity('10m'), 'memory': quantity('32Mi'), 'ephemeral-storage': quantity('16Mi') },
        limits: { 'cpu': quantity('100m'), 'memory': quantity('64Mi'), 'ephemeral-storage': quantity('32Mi') },
      },
    };
  }
}

/** The init container of a server pod that downloads the version into the weights volume. */
function fetchContainer(volume: VolumeContext, downloader: Downloader, securityContext: k8s.SecurityContext): k8s.Container {
  return downloader.container(`fetch-${volume.name}`, podVolumeName(volume), securityContext, `${STAGING_ROOT}/${versionFolder(volume)}`);
}

/** The cache claim as the pod volume of the weights. */
function cacheVolume(volume: VolumeContext, claim: k8s.KubePersistentVolumeClaim): k8s.Volume {
  return { name: podVolumeName(volume), persistentVolumeClaim: { claimName: claim.name } };
}

/** The weights mount of a downloaded version: its folder in the download volume or cache. */
function versionMount(volume: VolumeContext): k8s.VolumeMount {
  return { ...weightsMount(volume), subPath: versionFolder(volume) };
}
