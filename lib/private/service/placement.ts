import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import type { InferenceServiceProps } from '../../inference-service-props';
import { checkLabels, isDnsSubdomain, isLabelKey, isLabelValue } from '../../names';
import { requireDuration, requireList } from '../values';
import { fail, KIND } from './fail';
import { PodPatches } from './kube-patches';

/** Seconds a pod stays on an unreachable or NotReady node before it is replaced elsewhere. */
const DEFAULT_NODE_LOSS_TOLERANCE = Duration.seconds(30);
/** The taints a node gets when it is lost; the pods tolerate them for `nodeLossTolerance`. */
const NODE_LOSS_TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];
/** Topologies the replicas spread over: zones, then nodes. */
const SPREAD_TOPOLOGIES = ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'];

/** The scheduling props of an InferenceService (see InferenceServiceProps). */
export type PlacementOptions = Pick<InferenceServiceProps,
  'gpu' | 'nodeSelector' | 'tolerations' | 'nodeLossTolerance' | 'imagePullSecrets' | 'priorityClassName' | 'spread'>;

/** The pods that spread, and the label their controller gives each revision of their template. */
export interface SpreadSelection {
  readonly labels: { [key: string]: string };
  readonly revisionLabel: string;
}

/**
 * Where the server's pods run and how they get there: node selector (with the GPU's product),
 * tolerations (the GPU taint, the given taints, node loss), spread over zones and nodes,
 * priority class and image pull Secrets.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/
 */
export class ServicePlacement {
  private readonly nodeLossSeconds: number;

  public constructor(private readonly scope: IConstruct, private readonly options: PlacementOptions) {
    requireDuration({ scope, kind: KIND, prop: 'nodeLossTolerance' }, options.nodeLossTolerance);
    requireList({ scope, kind: KIND, prop: 'imagePullSecrets' }, options.imagePullSecrets, "['ngc']");
    requireList({ scope, kind: KIND, prop: 'tolerations' }, options.tolerations, "[{ key: 'dedicated', value: 'inference' }]");
    checkLabels(scope, KIND, 'nodeSelector', options.nodeSelector ?? {});
    this.checkGpuProduct();
    this.checkNodeLoss();
    this.checkTolerations();
    this.checkPullSecrets();
    this.checkPriorityClass();
    this.nodeLossSeconds = (options.nodeLossTolerance ?? DEFAULT_NODE_LOSS_TOLERANCE).toSeconds();
  }

  /**
   * Places the pods of `deployment`. `spread` says which pods spread over zones and nodes (the
   * service's, or the leaders of its groups) and the label that tells their revisions apart.
   */
  public apply(deployment: kplus.Deployment, patches: PodPatches, spread: SpreadSelection): void {
    const { gpu, nodeSelector, imagePullSecrets, priorityClassName } = this.options;
    // A claimed GPU's product is matched by the claim's selector, on the device, not by a node label.
    const product = gpu?.product && gpu.claim === undefined ? { [gpu.productLabel]: gpu.product } : {};
    const selector = { ...product, ...nodeSelector };
    if (Object.keys(selector).length > 0) patches.nodeSelector(selector);
    deployment.scheduling.tolerate(kplus.Node.tainted(...this.tolerations()));
    if (imagePullSecrets?.length) patches.imagePullSecrets(imagePullSecrets);
    if (priorityClassName) patches.priorityClass(priorityClassName);
    if (this.options.spread ?? true) {
      // maxSkew 1 and ScheduleAnyway: scarce GPU capacity never leaves a pod pending.
      patches.topologySpread(SPREAD_TOPOLOGIES.map((topologyKey) => ({
        maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: spread.labels }, matchLabelKeys: [spread.revisionLabel],
      })));
    }
  }

  /** The GPU taint, the given taints, then the node-loss taints for `nodeLossTolerance`. */
  private tolerations(): kplus.NodeTaintQuery[] {
    const gpu = this.options.gpu;
    return [
      ...(gpu?.tolerateTaint ? [kplus.NodeTaintQuery.exists(gpu.resourceName, { effect: kplus.TaintEffect.NO_SCHEDULE })] : []),
      ...(this.options.tolerations ?? []).map((t) => (t.value === undefined
        ? kplus.NodeTaintQuery.exists(t.key, { effect: t.effect })
        : kplus.NodeTaintQuery.is(t.key, t.value, { effect: t.effect }))),
      ...NODE_LOSS_TAINTS.map((key) => kplus.NodeTaintQuery.exists(key, {
        effect: kplus.TaintEffect.NO_EXECUTE, evictAfter: Duration.seconds(this.nodeLossSeconds),
      })),
    ];
  }

  private checkGpuProduct(): void {
    const gpu = this.options.gpu;
    const product = gpu?.product ? this.options.nodeSelector?.[gpu.productLabel] : undefined;
    if (gpu && product !== undefined && product !== gpu.product) {
      fail(this.scope, {
        code: ErrorCode.CONFLICTING_GPU_PRODUCT,
        prop: `nodeSelector['${gpu.productLabel}']`, received: product,
        allowed: `the GPU's product, '${gpu.product}', or no such key: a pod cannot select two products`,
        fix: 'name the product in gpu only, or drop it from nodeSelector',
      });
    }
  }

  private checkNodeLoss(): void {
    const tolerance = this.options.nodeLossTolerance;
    const seconds = tolerance === undefined ? undefined : tolerance.toMilliseconds({ integral: false }) / 1000;
    if (seconds !== undefined && !(Number.isInteger(seconds) && seconds >= 0 && seconds <= 3600)) {
      fail(this.scope, {
        code: ErrorCode.INVALID_NODE_LOSS_TOLERANCE,
        prop: 'nodeLossTolerance', received: `${seconds} s`,
        allowed: 'whole seconds from 0 to 3600',
        fix: 'use e.g. Duration.seconds(30); longer only if your nodes often drop out briefly and reloading a model costs more than the lost capacity',
      });
    }
  }

  private checkTolerations(): void {
    for (const t of this.options.tolerations ?? []) {
      if (!isLabelKey(t.key) || (t.value !== undefined && !isLabelValue(t.value))) {
        fail(this.scope, {
          code: ErrorCode.INVALID_TOLERATION,
          prop: 'tolerations', received: t.value === undefined ? t.key : `${t.key}=${t.value}`,
          allowed: 'a taint key with the syntax of a label key and, optionally, a value with the syntax of a label value',
          fix: 'copy the taint as `kubectl describe node` shows it, e.g. { key: \'dedicated\', value: \'inference\' }',
        });
      }
    }
  }

  private checkPullSecrets(): void {
    const names = this.options.imagePullSecrets ?? [];
    for (const [i, name] of names.entries()) {
      if (!isDnsSubdomain(name) || names.indexOf(name) !== i) {
        fail(this.scope, {
          code: ErrorCode.INVALID_IMAGE_PULL_SECRET,
          prop: 'imagePullSecrets', received: name,
          allowed: 'names of Secrets, each once: lower-case letters, digits, "-" and "."',
          fix: 'list each pull Secret once, by its name in the namespace',
        });
      }
    }
  }

  private checkPriorityClass(): void {
    const priority = this.options.priorityClassName;
    if (priority !== undefined && (!isDnsSubdomain(priority) || priority.startsWith('system-'))) {
      fail(this.scope, {
        code: ErrorCode.INVALID_PRIORITY_CLASS,
        prop: 'priorityClassName', received: priority,
        allowed: 'the name of a PriorityClass you created; the "system-" classes are for node and cluster components, which a model server must not preempt',
        fix: "create a PriorityClass for inference (e.g. 'inference-high') and name it here",
      });
    }
  }
}
