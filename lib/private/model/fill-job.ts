import { k8s } from 'cdk8s-plus-27';
import { allowBaselineEgress, denyAllNetworkPolicy } from '../network';
import { DEFAULT_UID, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../pod-security';
import { Downloader } from './downloader';
import { STAGING_ROOT } from './scripts';
import { VolumeContext, versionFolder } from './types';

/** What names and opens the fill Job besides the volume. */
export interface FillJobOptions {
  /** Hash of source kind, location and version: names the Job, so each version has its own. */
  readonly contentHash: string;
  /** Egress ports the download needs besides HTTPS. */
  readonly egressPorts: number[];
}

/**
 * The Job that fills the shared cache `claim` with this version (once), its ServiceAccount (with
 * the workload identity) and its NetworkPolicy (no ingress; DNS, HTTPS and the endpoint out).
 */
export function addFillJob(volume: VolumeContext, claim: k8s.KubePersistentVolumeClaim, downloader: Downloader,
  options: FillJobOptions): k8s.KubeJob {
  const { scope, name } = volume;
  const serviceAccount = new k8s.KubeServiceAccount(scope, 'FillServiceAccount', {
    metadata: { name: `${name}-fill`, labels: volume.labels(), annotations: volume.serviceAccountAnnotations },
    automountServiceAccountToken: false,
  });
  const podLabels = { ...volume.labels(), ...volume.identityPodLabels };
  const policy = denyAllNetworkPolicy(scope, 'FillNetworkPolicy', { name: `${name}-fill`, labels: volume.labels() }, volume.labels(), 'FillPods');
  allowBaselineEgress(scope, policy, options.egressPorts);
  const cache = 'cache';
  return new k8s.KubeJob(scope, 'Fill', {
    metadata: { name: `${name}-fill-${options.contentHash}`, labels: volume.labels() },
    spec: {
      backoffLimit: 6,
      activeDeadlineSeconds: volume.downloadTimeout.toSeconds() * 2,
      ttlSecondsAfterFinished: 7 * 24 * 3600,
      template: {
        metadata: { labels: podLabels },
        spec: {
          restartPolicy: 'OnFailure',
          serviceAccountName: serviceAccount.name,
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext(DEFAULT_UID),
          containers: [downloader.container('fill', cache, restrictedContainerSecurityContext(DEFAULT_UID), `${STAGING_ROOT}/${versionFolder(volume)}`)],
          volumes: [{ name: cache, persistentVolumeClaim: { claimName: claim.name } }, ...downloader.volumes()],
        },
      },
    },
  });
}
