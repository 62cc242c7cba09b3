import { k8s } from 'cdk8s-plus-27';
import { ErrorCode } from '../../error-codes';
import { InvalidPropOptions } from '../../errors';
import { isPlainHttpUrl } from '../values';
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

  /** The endpoint is an http(s) URL without credentials; the region a region name. */
  protected checkSettings(fail: Fail): void {
    const problem = this.endpoint === undefined ? undefined : endpointProblem(this.endpoint);
    if (problem) fail(problem);
    if (this.region !== undefined && !(typeof this.region === 'string' && /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/.test(this.region))) {
      fail({
        code: ErrorCode.INVALID_S3_ENDPOINT, prop: 'source region', received: this.region,
        allowed: 'a region name: lower-case letters, digits and "-", e.g. eu-central-1', fix: 'copy the bucket\'s region from the storage console',
      });
    }
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

/** Why an S3-compatible endpoint cannot be used: not an http(s) URL, or with credentials in it; or nothing. */
function endpointProblem(endpoint: unknown): InvalidPropOptions | undefined {
  const url = typeof endpoint === 'string' && URL.canParse(endpoint) ? new URL(endpoint) : undefined;
  if (url && (url.username || url.password)) {
    return {
      code: ErrorCode.CREDENTIALS_IN_MODEL_SOURCE, prop: 'source endpoint', received: `${url.protocol}//<credentials>@${url.host}`,
      allowed: 'an endpoint without credentials in it: a secret value must never appear in the YAML',
      fix: 'remove the user:password part and pass credentialsSecret (or a workloadIdentity) instead',
    };
  }
  if (isPlainHttpUrl(endpoint)) return undefined;
  return {
    code: ErrorCode.INVALID_S3_ENDPOINT, prop: 'source endpoint', received: endpoint,
    allowed: 'an http:// or https:// URL of an S3-compatible store, without query or fragment, e.g. https://minio.storage:9000',
    fix: 'give the store\'s URL with its scheme, host and port',
  };
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
  public readonly hubRepository: string;

  constructor(repoId: string, revision: string) {
    super('hugging-face', repoId, revision, { pattern: /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, example: '<org>/<repository>' });
    this.hubRepository = repoId;
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
