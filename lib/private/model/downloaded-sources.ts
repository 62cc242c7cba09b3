import { k8s } from 'cdk8s-plus-27';
import { deliverDownload } from './download-delivery';
import { credentialsAsEnv, credentialsAsKeyFile, Downloader, DownloaderCredentials, NO_CREDENTIALS } from './downloader';
import { httpsArchiveFetch, storageInitializerFetch } from './scripts';
import { KnownSource, shortDigest } from './source';
import { Fail, ModelDelivery, VolumeContext } from './types';

/**
 * A source whose weights are downloaded (by KServe's storage initializer unless the kind says
 * otherwise): per pod, into a cache, or by the Job that fills a shared cache.
 */
abstract class DownloadedSource extends KnownSource {
  public readonly downloads = true;

  public bind(volume: VolumeContext): ModelDelivery {
    const credentials = volume.credentialsSecret ? this.credentials(volume.credentialsSecret) : NO_CREDENTIALS;
    const downloader = new Downloader({ image: volume.downloaderImage, fetch: this.fetch(), env: this.env(volume, credentials), credentials });
    return deliverDownload(volume, downloader, { contentHash: this.contentHash(), egressPorts: this.egressPorts() });
  }

  /** The shell step that fetches the weights into "$partial". */
  protected fetch(): string {
    return storageInitializerFetch(this.location);
  }

  /** Settings of the kind (endpoint, region), before the user's downloaderEnv. */
  protected settingsEnv(): k8s.EnvVar[] {
    return [];
  }

  /** What the fetch step reads, after the credentials. */
  protected fetchEnv(): k8s.EnvVar[] {
    return [];
  }

  /** How the Secret reaches the downloader: every key as an environment variable. */
  protected credentials(secretName: string): DownloaderCredentials {
    return credentialsAsEnv(secretName);
  }

  private env(volume: VolumeContext, credentials: DownloaderCredentials): k8s.EnvVar[] {
    return [
      { name: 'HOME', value: '/tmp' },
      { name: 'HF_HOME', value: '/tmp/hf' },
      ...this.settingsEnv(),
      ...Object.entries(volume.downloaderEnv).map(([name, value]) => ({ name, value })),
      ...credentials.env,
      ...this.fetchEnv(),
    ];
  }
}

/** Objects under an S3 (or S3-compatible) prefix. */
export class S3Source extends DownloadedSource {
  constructor(uri: string, version: string, private readonly endpoint?: string, private readonly region?: string) {
    super('s3', uri, version, {
      pattern: /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, example: 's3://bucket/path/<version>/'
    });
  }

  /** An S3-compatible endpoint on a port other than 443. */
  public egressPorts(): number[] {
    const port = this.endpoint ? new URL(this.endpoint).port : '';
    return port && port !== '443' ? [Number(port)] : [];
  }

  protected settingsEnv(): k8s.EnvVar[] {
    const env: k8s.EnvVar[] = [];
    if (this.endpoint) env.push({ name: 'AWS_ENDPOINT_URL', value: this.endpoint }, { name: 'S3_USE_HTTPS', value: this.endpoint.startsWith('https') ? '1' : '0' });
    if (this.region) env.push({ name: 'AWS_DEFAULT_REGION', value: this.region });
    return env;
  }
}

/** Objects under a Google Cloud Storage prefix; the Secret holds a key file. */
export class GcsSource extends DownloadedSource {
  constructor(uri: string, version: string) {
    super('gcs', uri, version, {
      pattern: /^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/.*)?$/, example: 'gs://bucket/path/<version>/'
    });
  }

  /** A GCS key is a file: mounted from the Secret, named by GOOGLE_APPLICATION_CREDENTIALS. */
  protected credentials(secretName: string): DownloaderCredentials {
    return credentialsAsKeyFile(secretName);
  }
}

/** Blobs under an Azure Blob Storage prefix. */
export class AzureBlobSource extends DownloadedSource {
  constructor(uri: string, version: string) {
    super('azure-blob', uri, version, {
      pattern: /^https:\/\/[a-z0-9]{3,24}\.blob\.core\.windows\.net\/[a-z0-9-]{3,63}(\/.*)?$/,
      example: 'https://<account>.blob.core.windows.net/<container>/<path>/<version>/'
    });
  }
}

/** A Hugging Face Hub repository at a pinned commit. */
export class HuggingFaceSource extends DownloadedSource {
  constructor(repoId: string, revision: string) {
    super('hugging-face', repoId, revision, { pattern: /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, example: '<org>/<repository>' });
  }

  protected checkVersion(fail: Fail): void {
    this.checkPin(fail, {
      pattern: /^[a-f0-9]{40}$/,
      allowed: 'a commit hash of 40 hex characters (branches and tags move)',
      fix: 'copy the commit from the repository history on the Hub',
    });
  }

  protected fetch(): string {
    return storageInitializerFetch(`hf://${this.location}:${this.version}`);
  }
}

/** An archive over HTTPS, pinned by its SHA-256, fetched and unpacked by a Python step. */
export class HttpsSource extends DownloadedSource {
  constructor(url: string, sha256: string) {
    super('https', url, sha256, { pattern: /^https:\/\/[^\s]+\.(tar\.gz|tgz|zip)$/, example: 'https://host/path/model.tar.gz (or .tgz, .zip)' });
  }

  public pathVersion(): string {
    return shortDigest(this.version);
  }

  protected checkVersion(fail: Fail): void {
    this.checkPin(fail, { pattern: /^[a-f0-9]{64}$/, allowed: 'the archive\'s SHA-256, 64 hex characters', fix: 'compute it with `sha256sum` and pass it as sha256' });
  }

  protected fetch(): string {
    return httpsArchiveFetch();
  }

  protected fetchEnv(): k8s.EnvVar[] {
    return [{ name: 'MODEL_URL', value: this.location }, { name: 'MODEL_SHA256', value: this.version }];
  }
}
