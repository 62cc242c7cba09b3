import { ApiObject, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import type { ModelServer } from '../../model-server';
import { keda } from '../crds';
import { ObjectMetadata } from '../network';
import { serviceSelector } from '../observability/promql';
import { fail } from './fail';

/**
 * How autoscalers move, for GPU replicas that take minutes to load: up at once by up to 2 pods a
 * minute; down after 10 minutes of calm, by 1 pod every 5 minutes.
 */
const SCALING_BEHAVIOUR = {
  scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
  scaleDown: { stabilizationWindowSeconds: 600, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] },
};

/** The service a Scaling is bound to: what its autoscaler needs to know. */
export interface AutoscalingTarget {
  /** The InferenceService: scope of the autoscaler and of its errors. */
  readonly scope: Construct;
  /** Name and labels of the service's objects. */
  readonly metadata: ObjectMetadata;
  /** The workload scaled: the Deployment, or the LeaderWorkerSet of a multi-node service (by groups). */
  readonly workload: kplus.IScalable;
  /** The model server, for its queue-depth metric. */
  readonly server: ModelServer;
}

/** What a Scaling created for a service. */
export interface BoundScaling {
  /** The HorizontalPodAutoscaler, when one is ours. */
  readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** The KEDA ScaledObject, when KEDA makes the autoscaler. */
  readonly scaledObject?: ApiObject;
  /** Name of the queue metric in the Kubernetes metrics API, when an adapter serves it. */
  readonly queueMetricName?: string;
}

/** The replica bounds and metric of a HorizontalPodAutoscaler. */
export interface HpaSettings {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly metric: kplus.Metric;
}

/** The server's queue-depth gauge as Prometheus names it; refuses a server without one. */
export function queueMetric(target: AutoscalingTarget): string {
  const metric = target.server.queueDepthMetric;
  if (metric === undefined) {
    fail(target.scope, {
      code: ErrorCode.NO_QUEUE_METRIC,
      prop: 'scaling',
      received: 'Scaling.onQueueDepth',
      allowed: `a server with a queue-depth metric (vllm, tgi, triton, sglang, or custom with queueDepthMetric); '${target.server.kind}' has none`,
      fix: 'use Scaling.onCpu or Scaling.fixed, or set queueDepthMetric on ModelServer.custom',
    });
  }
  return metric;
}

/** A HorizontalPodAutoscaler of the service's workload, with the GPU-minded behaviour. */
export function horizontalPodAutoscaler(target: AutoscalingTarget, settings: HpaSettings): kplus.HorizontalPodAutoscaler {
  return new kplus.HorizontalPodAutoscaler(target.scope, 'Autoscaler', {
    metadata: target.metadata,
    target: target.workload,
    minReplicas: settings.minReplicas,
    maxReplicas: settings.maxReplicas,
    metrics: [settings.metric],
    scaleUp: scalingRules(SCALING_BEHAVIOUR.scaleUp),
    scaleDown: scalingRules(SCALING_BEHAVIOUR.scaleDown),
  });
}

/** The settings of a KEDA ScaledObject on the server's queue. */
export interface KedaSettings {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Queued requests per replica. */
  readonly threshold: number;
  /** URL of the Prometheus HTTP API. */
  readonly prometheusAddress: string;
}

/**
 * A KEDA ScaledObject: its Prometheus trigger sums the queue over the service's pods and KEDA's
 * HorizontalPodAutoscaler (named like the service, so the HPA alerts apply) divides it by the
 * replicas, as the `Pods` metric does.
 * @see https://keda.sh/docs/latest/scalers/prometheus/
 */
export function kedaScaledObject(target: AutoscalingTarget, settings: KedaSettings): ApiObject {
  const name = target.metadata.name;
  const namespace = Chart.of(target.scope).namespace ?? 'default';
  // KEDA's HPA owns the replica count: the Deployment carries none, so an apply never resets it.
  target.workload.markHasAutoscaler();
  const { apiVersion, kind } = target.workload.toScalingTarget();
  return new (keda().ScaledObject)(target.scope, 'ScaledObject', {
    metadata: target.metadata,
    spec: {
      scaleTargetRef: { apiVersion, kind, name: target.workload.toScalingTarget().name },
      minReplicaCount: settings.minReplicas,
      maxReplicaCount: settings.maxReplicas,
      // As often as Prometheus scrapes the servers (the ServiceMonitor's interval).
      pollingInterval: 15,
      advanced: { horizontalPodAutoscalerConfig: { name, behavior: SCALING_BEHAVIOUR } },
      triggers: [{
        type: 'prometheus',
        metadata: {
          serverAddress: settings.prometheusAddress,
          query: `sum(${queueMetric(target)}{${serviceSelector(namespace, name)}})`,
          threshold: String(settings.threshold),
          // No series (the servers are not scraped) is an error KEDA reports on the
          // ScaledObject, and the HPA holds its replicas, rather than a queue of 0.
          ignoreNullValues: 'false',
        },
      }],
    },
  });
}

/** One direction of `SCALING_BEHAVIOUR` in cdk8s-plus's terms. */
function scalingRules(rules: typeof SCALING_BEHAVIOUR.scaleUp): kplus.ScalingRules {
  return {
    strategy: rules.selectPolicy === 'Max' ? kplus.ScalingStrategy.MAX_CHANGE : kplus.ScalingStrategy.MIN_CHANGE,
    stabilizationWindow: Duration.seconds(rules.stabilizationWindowSeconds),
    policies: rules.policies.map((p) => ({ replicas: kplus.Replicas.absolute(p.value), duration: Duration.seconds(p.periodSeconds) })),
  };
}
