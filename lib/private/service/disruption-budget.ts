import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import { ObjectMetadata } from '../network';
import { requireNumber } from '../values';
import { fail, site } from './fail';

/** What the PodDisruptionBudget of a service protects. */
export interface DisruptionBudgetOptions {
  readonly metadata: ObjectMetadata;
  /** Labels of the pods protected. */
  readonly selectorLabels: { [key: string]: string };
  /** The service's fewest replicas. */
  readonly minReplicas: number;
  /** `pdbMaxUnavailable` as given. */
  readonly maxUnavailable?: number;
}

/**
 * The PodDisruptionBudget of a service with at least two replicas: a drain takes `maxUnavailable`
 * pods (1 by default) at a time, never all; stuck pods may always be evicted. One replica gets
 * none: it could only block drains or allow the outage.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export function disruptionBudget(scope: Construct, options: DisruptionBudgetOptions): k8s.KubePodDisruptionBudget | undefined {
  requireNumber(site(scope, 'pdbMaxUnavailable'), options.maxUnavailable);
  if (options.minReplicas < 2) {
    if (options.maxUnavailable !== undefined) {
      fail(scope, {
        code: ErrorCode.DISRUPTION_BUDGET_WITHOUT_REPLICAS,
        prop: 'pdbMaxUnavailable',
        received: options.maxUnavailable,
        allowed: 'only with at least 2 replicas (one replica cannot be protected without blocking node drains)',
        fix: 'raise the replicas (or minReplicas) to 2 or more, or remove pdbMaxUnavailable',
      });
    }
    return undefined;
  }
  const maxUnavailable = options.maxUnavailable ?? 1;
  checkMaxUnavailable(scope, maxUnavailable, options.minReplicas);
  return new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata: options.metadata,
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(maxUnavailable),
      selector: { matchLabels: options.selectorLabels },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

function checkMaxUnavailable(scope: Construct, maxUnavailable: number, minReplicas: number): void {
  if (!Number.isInteger(maxUnavailable) || maxUnavailable < 1) {
    fail(scope, {
      code: ErrorCode.INVALID_DISRUPTION_BUDGET,
      prop: 'pdbMaxUnavailable',
      received: maxUnavailable,
      allowed: 'a whole number of at least 1: 0 blocks every node drain and cluster upgrade',
      fix: 'set pdbMaxUnavailable to 1',
    });
  }
  if (maxUnavailable >= minReplicas) {
    fail(scope, {
      code: ErrorCode.INVALID_DISRUPTION_BUDGET,
      prop: 'pdbMaxUnavailable',
      received: maxUnavailable,
      allowed: `fewer than the minimum replicas (${minReplicas}), so a drain never takes every pod`,
      fix: `set pdbMaxUnavailable to at most ${minReplicas - 1}, or raise the replicas`,
    });
  }
}
