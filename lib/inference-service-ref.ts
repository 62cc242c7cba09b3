import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import type { Gpu } from './gpu';
import type { ModelServer } from './model-server';
import type { ModelVolume } from './model-volume';
import type { Scaling } from './scaling';

/** Label keys the library sets on every object of a service. */
export { LABEL_NAME } from './private/labels';
/** Label marking the pods' role. */
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
/** Label naming the model server preset. */
export const LABEL_SERVER = 'inference.cdk8s.io/server';
/** Label naming the model the pods serve. */
export const LABEL_MODEL = 'inference.cdk8s.io/model';
/** Label naming the version of the model the pods serve. */
export const LABEL_MODEL_VERSION = 'inference.cdk8s.io/model-version';

/**
 * An InferenceService as other constructs see it: the gateway routes to it, releases shift traffic
 * between two of them, the ObservabilityBundle watches it. Depend on this, not on the class.
 */
export interface IInferenceService extends IConstruct {
  /** Name of every object of the service (Deployment, Service, …). */
  readonly name: string;
  /** The model server preset: ports, metrics, drain. */
  readonly server: ModelServer;
  /** Labels of every object of the service and its pods. */
  readonly labels: { [key: string]: string };
  /** Labels selecting the service's pods. */
  readonly selectorLabels: { [key: string]: string };
  /** Replica count or autoscaler bounds. */
  readonly scaling: Scaling;
  /**
   * The Deployment of model-server pods; in a multi-node service, the pod its LeaderWorkerSet's
   * templates are made from (not emitted itself).
   */
  readonly deployment: kplus.Deployment;
  /** The object emitted to run the pods: the Deployment, or a multi-node service's LeaderWorkerSet. */
  readonly workload: ApiObject;
  /** Pods per replica: 1, or the size of a multi-node group. */
  readonly groupSize: number;
  /** Start-up budget of the startup probe (download, load, compile). */
  readonly startupTimeout: Duration;
  /** The HorizontalPodAutoscaler, when scaling is automatic and not through KEDA. */
  readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** The KEDA ScaledObject, when scaling on queue depth through KEDA. */
  readonly scaledObject?: ApiObject;
  /** The PodDisruptionBudget, when the service runs at least two replicas. */
  readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** GPUs per replica, if any. */
  readonly gpu?: Gpu;
  /** The model's weights, when they come from a ModelVolume. */
  readonly modelVolume?: ModelVolume;
  /**
   * Name of the queue metric in the Kubernetes metrics API, when scaling on queue depth through an
   * adapter.
   */
  readonly queueMetricName?: string;
  /** Admits a peer to the inference ports (HTTP and gRPC) through the service's NetworkPolicy. */
  allowFrom(peer: kplus.INetworkPolicyPeer): void;
}
