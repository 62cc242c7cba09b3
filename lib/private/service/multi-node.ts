// Replicas bigger than a node: each one a LeaderWorkerSet group of pods, one node's GPUs each.
// The service builds one pod (on a Deployment it never emits) and this module turns it into the
// group's two templates, so every part of the pod (probes, drain, GPUs, model, security) is written
// once for both kinds of workload.
import { ApiObject, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import type { Gpu } from '../../gpu';
import type { ModelServer } from '../../model-server';
import { LABEL_ROLE } from '../labels';
import { ObjectMetadata } from '../network';
import type { MultiNodeLaunch } from '../servers/spec';
import { requireNumber } from '../values';
import { fail, site } from './fail';

/** API version of the LeaderWorkerSet (sigs.k8s.io/lws v0.9.0). */
export const LWS_API_VERSION = 'leaderworkerset.x-k8s.io/v1';
/** Kind of the LeaderWorkerSet. */
export const LWS_KIND = 'LeaderWorkerSet';
/** The label the LWS controller puts on every pod of a group, with the hash of its templates. */
export const LWS_REVISION_LABEL = 'leaderworkerset.sigs.k8s.io/template-revision-hash';
/** Suffix of the LeaderWorkerSet's name: the LWS controller names a headless Service after it, which must not be the service's own. */
const GROUP_SUFFIX = '-group';
/**
 * Longest service name of a multi-node service: the worker StatefulSet `<name>-group-<replica>`
 * labels its pods `controller-revision-hash: <statefulset>-<10-character hash>`, at most 63
 * characters, with room for 999 replicas.
 */
export const MAX_GROUP_SERVICE_NAME = 63 - 11 - 4 - GROUP_SUFFIX.length;

/** The pod labels of the leader (which serves the API) and of the workers. */
export const ROLE_LABELS = { leader: { [LABEL_ROLE]: 'leader' }, worker: { [LABEL_ROLE]: 'worker' } } as const;

/** What decides whether a replica is one pod or a group, as the service was given it. */
export interface GroupSizing {
  readonly server: ModelServer;
  readonly gpu?: Gpu;
  /** `gpusPerNode` as given. */
  readonly gpusPerNode?: number;
}

/**
 * Pods per replica: 1 when the replica's GPUs fit on one node, else `gpu.count / gpusPerNode`.
 * Refuses `gpusPerNode` that is not a whole number or comes without GPUs, GPUs that do not split
 * into whole nodes, and a server that cannot span nodes.
 */
export function groupSize(scope: IConstruct, sizing: GroupSizing): number {
  const { server, gpu, gpusPerNode } = sizing;
  requireNumber(site(scope, 'gpusPerNode'), gpusPerNode);
  if (gpusPerNode === undefined) return 1;
  if (!Number.isInteger(gpusPerNode) || gpusPerNode < 1 || gpu === undefined) {
    fail(scope, {
      code: ErrorCode.INVALID_GPUS_PER_NODE, prop: 'gpusPerNode', received: gpu === undefined ? `${gpusPerNode} without gpu` : gpusPerNode,
      allowed: 'a whole number of at least 1: the GPUs one node gives one pod, with `gpu` set to the GPUs of a replica',
      fix: gpu === undefined ? 'set gpu (e.g. Gpu.nvidia(16)), or remove gpusPerNode' : 'set gpusPerNode to the GPUs of your nodes, e.g. 8',
    });
  }
  if (gpu.count <= gpusPerNode) return 1;
  if (gpu.count % gpusPerNode !== 0) {
    fail(scope, {
      code: ErrorCode.GPUS_PER_NODE_MISMATCH, prop: 'gpusPerNode', received: `${gpusPerNode} for ${gpu.count} GPUs per replica`,
      allowed: 'a divisor of the GPUs of a replica: each member of the group takes the same share',
      fix: `give each replica a multiple of ${gpusPerNode} GPUs (e.g. Gpu.nvidia(${Math.ceil(gpu.count / gpusPerNode) * gpusPerNode}), with the server's parallelism to match), or set gpusPerNode to a divisor of ${gpu.count}`,
    });
  }
  if (server._multiNode === undefined) {
    fail(scope, {
      code: ErrorCode.MULTI_NODE_UNSUPPORTED, prop: 'server', received: `'${server.kind}' with ${gpu.count} GPUs over nodes of ${gpusPerNode}`,
      allowed: 'a server that spans nodes (ModelServer.vllm or ModelServer.sglang), or at most gpusPerNode GPUs per replica',
      fix: `serve the model with ModelServer.vllm (tensorParallelSize × pipelineParallelSize = ${gpu.count}) or ModelServer.sglang, or fit a replica on one node`,
    });
  }
  if (server._multiNode.conflicts.length > 0) {
    fail(scope, {
      code: ErrorCode.MULTI_NODE_UNSUPPORTED, prop: 'server', received: `'${server.kind}' with extraArgs ${server._multiNode.conflicts.join(', ')}`,
      allowed: 'a group split by tensor × pipeline parallelism only, launched by the library (each node one rank of one model copy)',
      fix: `remove ${server._multiNode.conflicts.join(', ')} from extraArgs: the library sets the group's launch flags, and replicas (not data parallelism) add model copies`,
    });
  }
  return gpu.count / gpusPerNode;
}

/** What a multi-node service's LeaderWorkerSet is made of. */
export interface GroupOptions {
  /** Name and labels of the service's objects. */
  readonly metadata: ObjectMetadata;
  /** The service's pod, on a Deployment that is rendered but not emitted. */
  readonly pod: kplus.Deployment;
  /** Name of the server container. */
  readonly container: string;
  /** Pods per group. */
  readonly size: number;
  /** Groups, when fixed; an autoscaler sets them otherwise. */
  readonly replicas?: number;
  /** Extra groups during a rollout. */
  readonly maxSurge: number;
  /** What leader and workers add to the server's arguments. */
  readonly launch: MultiNodeLaunch;
  /** Pod labels that only the leader carries (an InferencePool's: workers serve no API). */
  readonly leaderOnlyLabels: string[];
}

/**
 * A LeaderWorkerSet whose groups are the service's pod: the leader keeps the probes, ports and
 * spread over zones and nodes, and serves; workers drop them and join the leader's model. A member
 * that fails restarts its whole group (`RecreateGroupOnPodRestart`): a group with a missing rank
 * cannot serve. Workers start with the leader (`LeaderCreated`), since the leader waits for them
 * before it is ready. Rollouts add `maxSurge` whole groups and never take one away first.
 * It is the autoscaler's target through its scale subresource, which counts groups and selects
 * leaders.
 * @see https://lws.sigs.k8s.io/docs/concepts/
 */
export class LeaderWorkerGroup extends ApiObject implements kplus.IScalable {
  /** Name of a multi-node service's LeaderWorkerSet. */
  public static nameOf(service: string): string {
    return `${service}${GROUP_SUFFIX}`;
  }

  public hasAutoscaler = false;
  private readonly options: GroupOptions;
  /** The Deployment's JSON while this object renders. */
  private pod?: any;

  public constructor(scope: Construct, id: string, options: GroupOptions) {
    const metadata = { ...options.metadata, name: LeaderWorkerGroup.nameOf(options.metadata.name) };
    // The spec is rendered when the app is (after every construct has labelled or patched the
    // pod), and before this object's own JSON patches apply, so they can edit it too.
    super(scope, id, { apiVersion: LWS_API_VERSION, kind: LWS_KIND, metadata, spec: Lazy.any({ produce: () => this.renderSpec() }) });
    this.options = options;
  }

  public markHasAutoscaler(): void {
    this.hasAutoscaler = true;
  }

  public toScalingTarget(): kplus.ScalingTarget {
    return { apiVersion: LWS_API_VERSION, kind: LWS_KIND, name: this.name, containers: this.options.pod.containers, replicas: this.options.replicas };
  }

  /** The LeaderWorkerSet, with the labels given to the pod's Deployment (a release's track) beside its own. */
  public toJson(): any {
    // The pod as rendered (with every patch of the service and of other constructs), once per render.
    this.pod = ApiObject.of(this.options.pod).toJson();
    try {
      const json = super.toJson();
      json.metadata.labels = { ...this.pod.metadata.labels, ...json.metadata.labels };
      return json;
    } finally {
      this.pod = undefined;
    }
  }

  /** The spec, from the pod rendered for this render. */
  private renderSpec(): any {
    const template = (this.pod ?? ApiObject.of(this.options.pod).toJson()).spec.template;
    const { size, replicas, maxSurge } = this.options;
    return {
      ...(this.hasAutoscaler ? {} : { replicas }),
      startupPolicy: 'LeaderCreated',
      rolloutStrategy: { type: 'RollingUpdate', rollingUpdateConfiguration: { maxUnavailable: 0, maxSurge } },
      leaderWorkerTemplate: {
        size,
        restartPolicy: 'RecreateGroupOnPodRestart',
        leaderTemplate: this.member(template, 'leader'),
        workerTemplate: this.member(template, 'worker'),
      },
    };
  }

  /** The leader's or a worker's pod template. */
  private member(template: any, role: 'leader' | 'worker'): any {
    const pod = JSON.parse(JSON.stringify(template));
    const labels = { ...pod.metadata.labels, ...ROLE_LABELS[role] };
    if (role === 'worker') for (const key of this.options.leaderOnlyLabels) delete labels[key];
    pod.metadata.labels = labels;
    const server = pod.spec.containers.find((c: any) => c.name === this.options.container);
    server.args = [...(server.args ?? []), ...this.options.launch[role]];
    if (role === 'worker') {
      // Workers serve nothing: no port to probe or list, and the leaders are what spreads.
      for (const field of ['startupProbe', 'readinessProbe', 'livenessProbe', 'ports']) delete server[field];
      delete pod.spec.topologySpreadConstraints;
    }
    return pod;
  }
}

