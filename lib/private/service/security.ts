import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import { DEFAULT_UID, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../pod-security';
import { INT32_MAX, requireNumber } from '../values';
import { fail, KIND } from './fail';
import { PodPatches } from './kube-patches';

/**
 * The server pod's security: the restricted Pod Security Standard as one non-root UID (and GID),
 * written through cdk8s-plus where it can and through patches where it cannot.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export class ServiceSecurity {
  /** UID and GID of every container. */
  public readonly uid: number;
  private readonly pod: k8s.PodSecurityContext;
  private readonly container: k8s.SecurityContext;

  public constructor(scope: IConstruct, runAsUser?: number) {
    this.uid = checkUid(scope, runAsUser ?? DEFAULT_UID);
    this.pod = restrictedPodSecurityContext(this.uid);
    this.container = restrictedContainerSecurityContext(this.uid);
  }

  /** The pod's security context in cdk8s-plus's terms (without the seccomp profile, see `patch`). */
  public podProps(): kplus.PodSecurityContextProps {
    return {
      ...runAs(this.pod),
      fsGroup: this.pod.fsGroup,
      fsGroupChangePolicy: this.pod.fsGroupChangePolicy as kplus.FsGroupChangePolicy,
    };
  }

  /** The server container's security context in cdk8s-plus's terms (without capabilities, see `patch`). */
  public serverProps(): kplus.ContainerSecurityContextProps {
    return {
      ...runAs(this.container),
      readOnlyRootFilesystem: this.container.readOnlyRootFilesystem,
      allowPrivilegeEscalation: this.container.allowPrivilegeEscalation,
      privileged: this.container.privileged,
    };
  }

  /** A container's security context in Kubernetes' terms, for the init containers of model volumes. */
  public containerContext(): k8s.SecurityContext {
    return restrictedContainerSecurityContext(this.uid);
  }

  /** Writes the fields cdk8s-plus-27 has no API for: the seccomp profile and the dropped capabilities. */
  public patch(patches: PodPatches): void {
    if (this.pod.seccompProfile) patches.seccompProfile(this.pod.seccompProfile);
    if (this.container.capabilities) patches.serverCapabilities(this.container.capabilities);
  }
}

/** Refuses a UID Kubernetes refuses (negative, not whole, above int32) or root, which the pod refuses to run as. */
function checkUid(scope: IConstruct, uid: number): number {
  requireNumber({ scope, kind: KIND, prop: 'runAsUser' }, uid);
  if (!Number.isInteger(uid) || uid < 1 || uid > INT32_MAX) {
    fail(scope, {
      code: ErrorCode.INVALID_RUN_AS_USER,
      prop: 'runAsUser', received: uid,
      allowed: `a whole UID from 1 to ${INT32_MAX} (0 is root, which runAsNonRoot refuses); above 10000 to match no user of the node`,
      fix: `set runAsUser to the UID the image expects, or leave it out for ${DEFAULT_UID}`,
    });
  }
  return uid;
}

/** The non-root user and group of a Kubernetes security context, in cdk8s-plus's terms. */
function runAs(context: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number }) {
  return { ensureNonRoot: context.runAsNonRoot, user: context.runAsUser, group: context.runAsGroup };
}
