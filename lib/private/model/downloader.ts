import { k8s } from 'cdk8s-plus-27';
import { downloadScript, STAGING_ROOT } from './scripts';

/** How the downloader receives the Secret with its credentials. */
export interface DownloaderCredentials {
  /** Environment variables (pointing at files, never holding secret values). */
  readonly env: k8s.EnvVar[];
  /** Secrets exposed as environment variables. */
  readonly envFrom: k8s.EnvFromSource[];
  /** Pod volumes the credentials come from. */
  readonly volumes: k8s.Volume[];
  /** Mounts of those volumes into the downloader. */
  readonly mounts: k8s.VolumeMount[];
}

/** No Secret: public data or workload identity. */
export const NO_CREDENTIALS: DownloaderCredentials = { env: [], envFrom: [], volumes: [], mounts: [] };

/** Every key of the Secret becomes an environment variable (AWS, Azure, Hugging Face). */
export function credentialsAsEnv(secretName: string): DownloaderCredentials {
  return { ...NO_CREDENTIALS, envFrom: [{ secretRef: { name: secretName } }] };
}

/**
 * The Secret holds a key file (GCS: `gcloud-application-credentials.json`), mounted and named by
 * GOOGLE_APPLICATION_CREDENTIALS.
 */
export function credentialsAsKeyFile(secretName: string): DownloaderCredentials {
  return {
    env: [{ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/var/secrets/gcs/gcloud-application-credentials.json' }],
    envFrom: [],
    volumes: [{ name: 'gcs-credentials', secret: { secretName } }],
    mounts: [{ name: 'gcs-credentials', mountPath: '/var/secrets/gcs', readOnly: true }],
  };
}

/** Resources of a container that downloads or copies weights. */
export function downloaderResources(): k8s.ResourceRequirements {
  return {
    requests: { 'cpu': k8s.Quantity.fromString('500m'), 'memory': k8s.Quantity.fromString('1Gi'), 'ephemeral-storage': k8s.Quantity.fromString('1Gi') },
    limits: { 'cpu': k8s.Quantity.fromString('2'), 'memory': k8s.Quantity.fromString('2Gi'), 'ephemeral-storage': k8s.Quantity.fromString('2Gi') },
  };
}

/** What a downloaded source tells the downloader. */
export interface DownloaderSpec {
  /** Downloader image, pinned. */
  readonly image: string;
  /** The shell step that fetches the weights into "$partial". */
  readonly fetch: string;
  /** The whole environment, in order (settings and credential file paths; no secret values). */
  readonly env: k8s.EnvVar[];
  /** How the credentials reach the downloader. */
  readonly credentials: DownloaderCredentials;
}

/** The container that downloads one model version, and the pod volumes it needs. */
export class Downloader {
  constructor(private readonly spec: DownloaderSpec) {}

  /** A container `name` that downloads into `dest` on the pod volume `volumeName`. */
  public container(name: string, volumeName: string, securityContext: k8s.SecurityContext, dest: string): k8s.Container {
    const { credentials } = this.spec;
    return {
      name: name.slice(0, 63),
      image: this.spec.image,
      imagePullPolicy: 'Always',
      command: ['/bin/sh', '-c', downloadScript(dest, this.spec.fetch)],
      env: [...this.spec.env],
      envFrom: credentials.envFrom.length ? [...credentials.envFrom] : undefined,
      volumeMounts: [{ name: volumeName, mountPath: STAGING_ROOT }, { name: 'downloader-tmp', mountPath: '/tmp' }, ...credentials.mounts],
      securityContext,
      resources: downloaderResources(),
    };
  }

  /** Pod volumes the download container needs besides the weights: scratch /tmp, credentials. */
  public volumes(): k8s.Volume[] {
    return [{ name: 'downloader-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } }, ...this.spec.credentials.volumes];
  }
}
