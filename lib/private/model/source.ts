import { createHash } from 'node:crypto';
import { ErrorCode } from '../../error-codes';
import { InvalidPropOptions } from '../../errors';
import { isDnsSubdomain } from '../../names';
import { Fail, ModelDelivery, VolumeContext } from './types';

/**
 * One kind of model source (S3, NFS, an OCI image, …): checks its location and version when a
 * ModelVolume binds it, and renders how the weights reach the pods. `ModelSource` holds one.
 */
export interface SourceStrategy {
  /** The kind, for messages and the content hash: `s3`, `hugging-face`, `oci-image`, … */
  readonly kindName: string;
  /** The location: URI, repository id, path or image reference. */
  readonly location: string;
  /** The pinned version: version, commit, SHA-256 or digest. */
  readonly version: string;
  /** Whether the weights are downloaded rather than mounted. */
  readonly downloads: boolean;
  /** The Hugging Face repository id, for a source of the Hub (the base model of LoRA adapters). */
  readonly hubRepository?: string;
  /** Rejects a location or version that does not pin the weights. */
  check(fail: Fail): void;
  /** The version as it appears in paths and labels. */
  pathVersion(): string;
  /** Egress ports the download needs besides HTTPS. */
  egressPorts(): number[];
  /** Hash of kind, location and version: names the fill Job of this version. */
  contentHash(): string;
  /** Adds the objects the source needs to `volume` and says how pods see the weights. */
  bind(volume: VolumeContext): ModelDelivery;
}

/** The form a kind's location must have. */
export interface LocationRule {
  /** What a valid location matches. */
  readonly pattern: RegExp;
  /** An example for the message. */
  readonly example: string;
  /** How to fix a location that does not match; by default 'correct the location'. */
  readonly fix?: string;
}

/** A version that pins by itself (commit, checksum, digest) rather than as a folder of the location. */
export interface PinRule {
  /** What a valid version matches. */
  readonly pattern: RegExp;
  /** What is allowed, for the message. */
  readonly allowed: string;
  /** How to fix it. */
  readonly fix: string;
}

/** A source of a known kind: location, credentials and version checks shared by every kind. */
export abstract class KnownSource implements SourceStrategy {
  public abstract readonly downloads: boolean;

  protected constructor(public readonly kindName: string, public readonly location: string, public readonly version: string,
    private readonly locationRule: LocationRule) {}

  public check(fail: Fail): void {
    this.refuseWrongTypes(fail);
    this.refuseCredentials(fail);
    const rule = this.locationRule;
    if (!rule.pattern.test(this.location)) {
      fail({
        code: ErrorCode.INVALID_MODEL_SOURCE_LOCATION,
        prop: 'source',
        received: this.location,
        allowed: `a ${this.kindName} location like ${rule.example}`,
        fix: rule.fix ?? 'correct the location',
      });
    }
    this.checkSettings(fail);
    this.checkVersion(fail);
  }

  public pathVersion(): string {
    return this.version;
  }

  public egressPorts(): number[] {
    return [];
  }

  public contentHash(): string {
    return createHash('sha256').update(`${this.kindName}\n${this.location}\n${this.version}`).digest('hex').slice(0, 8);
  }

  public abstract bind(volume: VolumeContext): ModelDelivery;

  /** Checks what the kind takes besides its location and version (an endpoint, a server, a folder); nothing by default. */
  protected checkSettings(_fail: Fail): void {
    // Most kinds take only a location and a version.
  }

  /** By default the version must be a folder of the location, so the location is pinned. */
  protected checkVersion(fail: Fail): void {
    const segments = this.location.split('/').filter(Boolean);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(this.version) || !segments.includes(this.version)) {
      fail({
        code: ErrorCode.UNPINNED_MODEL_VERSION,
        prop: 'source version',
        received: this.version || '(none)',
        allowed: `a version (letters, digits, '.', '_', '-') that is a folder of the location '${this.location}', so the location is pinned`,
        fix: 'point the location at a versioned folder (e.g. .../2024-07-23/) and pass that folder name as version',
      });
    }
  }

  /** Checks a version that pins by itself. */
  protected checkPin(fail: Fail, pin: PinRule): void {
    if (!pin.pattern.test(this.version)) {
      fail({ code: ErrorCode.UNPINNED_MODEL_VERSION, prop: 'source version', received: this.version || '(none)', allowed: pin.allowed, fix: pin.fix });
    }
  }

  /** A location or version that is not a string (JavaScript and Python callers): refused before it is read as one. */
  private refuseWrongTypes(fail: Fail): void {
    const refuse = (prop: string, value: unknown, what: string) => fail({
      code: ErrorCode.WRONG_TYPE, prop, received: value, allowed: `a string: the ${this.kindName} ${what}`, fix: `pass the ${what} as a string`,
    });
    if (typeof this.location !== 'string') refuse('source', this.location, 'location');
    if (this.version !== undefined && typeof this.version !== 'string') refuse('source version', this.version, 'version');
  }

  private refuseCredentials(fail: Fail): void {
    if (/^[a-z0-9+.-]+:\/\/[^/@\s]+:[^/@\s]+@/i.test(this.location)) {
      fail({
        code: ErrorCode.CREDENTIALS_IN_MODEL_SOURCE,
        prop: 'source',
        received: this.location.replace(/\/\/[^/@]+@/, '//<credentials>@'),
        allowed: 'a location without credentials in it: a secret value must never appear in the YAML',
        fix: 'remove the user:password part and pass credentialsSecret (or a workloadIdentity) instead',
      });
    }
  }
}

/** Whether a relative or absolute path has a `..` segment (it would leave the folder it names). */
export function climbsOut(path: string): boolean {
  return path.split('/').includes('..');
}

/** Why `value` cannot name a Kubernetes object (a Secret, a claim, a storage class: a DNS-1123 subdomain), or nothing. */
export function subdomainProblem(value: unknown, options: Pick<InvalidPropOptions, 'code' | 'prop'> & { readonly what: string }): InvalidPropOptions | undefined {
  if (typeof value === 'string' && isDnsSubdomain(value)) return undefined;
  const suggestion = typeof value === 'string' ? value.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') : '';
  return {
    code: options.code, prop: options.prop, received: value,
    allowed: `the name of ${options.what}: a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit)`,
    fix: `use the name as Kubernetes knows it${suggestion ? `, e.g. '${suggestion}'` : ''}`,
  };
}

/** The first 12 hex digits of a SHA-256 or an image digest: the version in paths and labels. */
export function shortDigest(version: string): string {
  return version.replace(/^sha256:/, '').slice(0, 12);
}

/** A URI of a scheme the library does not know: refused when a volume binds it. */
export class UnknownSchemeSource implements SourceStrategy {
  public readonly kindName: string;
  public readonly downloads = false;

  constructor(public readonly location: string, public readonly version: string, scheme: string) {
    this.kindName = `unknown:${scheme}`;
  }

  public check(fail: Fail): never {
    return fail({
      code: ErrorCode.UNSUPPORTED_MODEL_SOURCE_SCHEME,
      prop: 'source',
      received: this.location,
      allowed: 'a URI with scheme s3://, gs://, hf://, https://, nfs://, pvc:// or oci://',
      fix: 'use one of those schemes, or a ModelSource factory such as ModelSource.s3(...)',
    });
  }

  public pathVersion(): string {
    return this.version;
  }

  public egressPorts(): number[] {
    return [];
  }

  public contentHash(): string {
    return '';
  }

  public bind(volume: VolumeContext): never {
    return this.check(volume.fail);
  }
}
