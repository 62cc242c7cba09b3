import { IConstruct } from 'constructs';
import { ErrorCode } from './error-codes';
import { InferenceConfigError } from './errors';

/** A container image reference split into its parts. */
export interface ImageReference {
  /** Registry and repository, e.g. `vllm/vllm-openai`. */
  readonly repository: string;
  /**
   * The tag.
   * @default - untagged
   */
  readonly tag?: string;
  /**
   * The digest (`sha256:…`).
   * @default - no digest
   */
  readonly digest?: string;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REPOSITORY = /^[a-z0-9]+(?:[._-]+[a-z0-9]+|\/[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*$/;

/** Splits `repo[:tag][@digest]` without judging it. A `:` before the last `/` is a registry port. */
export function parseImage(image: string): ImageReference {
  const [name, digest] = image.split('@', 2);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) {
    return { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest };
  }
  return { repository: name, digest };
}

/**
 * Checks that an image is pinned: a tag other than `latest`, or a sha256 digest.
 *
 * A floating image makes two replicas of one Deployment run different code, and makes a
 * rollback roll back nothing.
 *
 * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
 */
export function checkImage(scope: IConstruct, kind: string, prop: string, image: string): ImageReference {
  const fail = (code: ErrorCode, allowed: string, fix: string): never => {
    throw new InferenceConfigError(scope, kind, { code, prop, received: image, allowed, fix });
  };
  if (typeof image !== 'string') fail(ErrorCode.WRONG_TYPE, 'an image reference as a string', "pass e.g. 'vllm/vllm-openai:v0.18.0'");
  const ref = parseImage(image);
  if (!REPOSITORY.test(ref.repository)) {
    fail(ErrorCode.INVALID_IMAGE_REFERENCE, 'an image reference such as registry/repository:tag or repository@sha256:<64 hex digits>', 'correct the image name');
  }
  if (ref.digest !== undefined && !DIGEST.test(ref.digest)) {
    fail(ErrorCode.INVALID_DIGEST, 'a digest of the form sha256:<64 lower-case hex digits>', 'copy the digest from the registry');
  }
  if (ref.tag !== undefined && !TAG.test(ref.tag)) {
    fail(ErrorCode.INVALID_IMAGE_TAG, 'a tag of letters, digits, "_", "." and "-" (at most 128)', 'correct the tag');
  }
  if (ref.digest === undefined && (ref.tag === undefined || ref.tag === 'latest')) {
    fail(ErrorCode.UNPINNED_IMAGE, 'an image pinned by a version tag (not "latest") or by digest', `pin it, e.g. '${ref.repository}:<version>' or '${ref.repository}@sha256:<digest>'`);
  }
  return ref;
}
