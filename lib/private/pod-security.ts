import { k8s } from 'cdk8s-plus-27';

/**
 * UID (and GID) the library's containers run as unless told otherwise: above 10000, so it never
 * matches a user of the node.
 */
export const DEFAULT_UID = 10001;

/** Pod security context of the restricted Pod Security Standard. */
export function restrictedPodSecurityContext(uid: number): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } };
}

/** Container security context of the restricted Pod Security Standard. */
export function restrictedContainerSecurityContext(uid: number): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    capabilities: { drop: ['ALL'] },
  };
}
