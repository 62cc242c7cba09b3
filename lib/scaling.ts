import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ErrorCode } from './error-codes';
import { AutoscalingTarget, BoundScaling, horizontalPodAutoscaler, kedaScaledObject, queueMetric } from './private/service/autoscalers';
import { fail, KIND } from './private/service/fail';
import { INT32_MAX, isPlainHttpUrl, requireNumber } from './private/values';

/**
 * Which Kubernetes metrics API carries the queue-depth metric to the HorizontalPodAutoscaler.
 */
export enum QueueMetricsApi {
  /**
   * `custom.metrics.k8s.io`, per pod (HPA metric type `Pods`), averaged over the pods.
   * Served by prometheus-adapter with a rule per server (see the README).
   */
  PODS = 'Pods',
  /**
   * `external.metrics.k8s.io` (HPA metric type `External`), selected by service and namespace
   * labels, divided by the replica count. Served by prometheus-adapter's external rules (for KEDA,
   * use `KEDA`).
   */
  EXTERNAL = 'External',
  /**
   * A KEDA `ScaledObject` whose Prometheus trigger runs the query itself, so no adapter rules are
   * needed. KEDA creates the HorizontalPodAutoscaler (named like the service, with the same
   * behaviour) and serves it the metric through `external.metrics.k8s.io`. The cluster needs the
   * KEDA operator, and the server's metrics scraped with the `namespace` and `service` labels a
   * ServiceMonitor gives (ObservabilityBundle).
   * @see https://keda.sh/docs/latest/scalers/prometheus/
   */
  KEDA = 'KEDA',
}

/** Where KEDA finds Prometheus by default: kube-prometheus-stack's Service in `monitoring`. */
export const DEFAULT_PROMETHEUS_ADDRESS = 'http://prometheus-operated.monitoring.svc:9090';

/** Replica bounds shared by every autoscaling mode. */
export interface AutoscalingBounds {
  /**
   * Fewest replicas. Two or more keep the service up through a node drain.
   * @default 2
   */
  readonly minReplicas?: number;

  /** Most replicas (bounded by your GPU quota). */
  readonly maxReplicas: number;
}

/** Options for {@link Scaling.onCpu}. */
export interface CpuScalingOptions extends AutoscalingBounds {
  /**
   * Average CPU use, as a percentage of the CPU request, the autoscaler aims for.
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details
   * @default 70
   */
  readonly targetUtilizationPercent?: number;
}

/** Options for {@link Scaling.onQueueDepth}. */
export interface QueueDepthScalingOptions extends AutoscalingBounds {
  /**
   * Requests waiting in each replica's queue the autoscaler aims for (`averageValue`).
   * Waiting requests, not GPU memory, measure load: vLLM and TGI pre-allocate GPU memory.
   * @default 5
   */
  readonly targetPerReplica?: number;

  /**
   * Which metrics API serves the queue metric.
   * @default QueueMetricsApi.PODS
   */
  readonly metricsApi?: QueueMetricsApi;

  /**
   * URL of the Prometheus HTTP API KEDA queries (`metricsApi: QueueMetricsApi.KEDA` only).
   * @default 'http://prometheus-operated.monitoring.svc:9090'
   */
  readonly prometheusAddress?: string;

  /**
   * Whether your own Prometheus (not an ObservabilityBundle of this app) scrapes the service's
   * metrics with the `namespace` and `service` labels the queue query selects. Without a bundle
   * watching the service or this, the synth fails (`QueueMetricsNotScraped`): the autoscaler would
   * never get the metric.
   * @see https://prometheus-operator.dev/docs/developer/getting-started/
   * @default false
   */
  readonly scrapedExternally?: boolean;
}

/**
 * How many replicas an InferenceService runs: fixed, or an `autoscaling/v2`
 * HorizontalPodAutoscaler on CPU or on the model server's queue depth.
 *
 * Autoscalers get GPU-minded behaviour: scale up at once by up to 2 pods a minute, scale down
 * after 10 minutes of calm by 1 pod every 5 minutes, because a GPU replica takes minutes to load.
 *
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export class Scaling {
  /** A fixed number of replicas, no autoscaler. */
  public static fixed(replicas: number): Scaling {
    return new Scaling('fixed', new FixedReplicas(replicas));
  }

  /** Scale on average CPU use: for CPU-bound classic models. */
  public static onCpu(options: CpuScalingOptions): Scaling {
    return new Scaling('cpu', new CpuScaling(options.minReplicas ?? 2, options.maxReplicas, options.targetUtilizationPercent ?? 70));
  }

  /**
   * Scale on requests waiting in the server's queue (vLLM `num_requests_waiting`, TGI
   * `tgi_queue_size`, Triton pending requests, SGLang `num_queue_reqs`). The cluster needs a
   * metrics adapter serving that metric (prometheus-adapter), or KEDA with
   * `metricsApi: QueueMetricsApi.KEDA` (see the README).
   */
  public static onQueueDepth(options: QueueDepthScalingOptions): Scaling {
    const metricsApi = options.metricsApi ?? QueueMetricsApi.PODS;
    // A JavaScript or Python caller may pass a string that is no QueueMetricsApi: refused when the service validates.
    const scaler = QUEUE_SCALERS[metricsApi] ?? ((settings: QueueScalingSettings) => new UnknownApiQueueScaling(settings));
    return new Scaling('queue', scaler({
      minReplicas: options.minReplicas ?? 2,
      maxReplicas: options.maxReplicas,
      targetPerReplica: options.targetPerReplica ?? 5,
      metricsApi,
      prometheusAddress: options.prometheusAddress,
    }), options.scrapedExternally === true);
  }

  /** `fixed`, `cpu` or `queue` (for information: the variant renders itself). */
  public readonly mode: string;
  /** Fewest replicas (the replica count when fixed). */
  public readonly minReplicas: number;
  /** Most replicas (the replica count when fixed). */
  public readonly maxReplicas: number;
  /** Target: CPU percentage or queued requests per replica. */
  public readonly target?: number;
  /** Metrics API of a queue-depth autoscaler. */
  public readonly metricsApi?: QueueMetricsApi;
  /** Prometheus URL given for KEDA, if any. */
  public readonly prometheusAddress?: string;
  /** The replica count, when it is fixed (no autoscaler owns it). */
  public readonly fixedReplicas?: number;
  /** Whether an autoscaler moves the replica count between `minReplicas` and `maxReplicas`. */
  public readonly autoscaled: boolean;
  /** Queued requests per replica the autoscaler aims for, when scaling on queue depth. */
  public readonly queueTargetPerReplica?: number;
  /** Whether the user's own Prometheus scrapes the queue metric (see `QueueDepthScalingOptions`). */
  public readonly scrapedExternally: boolean;

  private readonly variant: ScalingVariant;

  private constructor(mode: string, variant: ScalingVariant, scrapedExternally = false) {
    this.mode = mode;
    this.scrapedExternally = scrapedExternally;
    this.variant = variant;
    this.minReplicas = variant.minReplicas;
    this.maxReplicas = variant.maxReplicas;
    this.target = variant.target;
    this.metricsApi = variant.metricsApi;
    this.prometheusAddress = variant.prometheusAddress;
    this.fixedReplicas = variant.fixedReplicas;
    this.autoscaled = variant.fixedReplicas === undefined;
    this.queueTargetPerReplica = variant.queueTargetPerReplica;
  }

  /**
   * Refuses settings no Deployment or autoscaler accepts, naming the service at `scope`.
   * @internal
   */
  public _validate(scope: IConstruct): void {
    this.variant.validate(scope);
  }

  /**
   * Creates the autoscaler of the service, if any.
   * @internal
   */
  public _bind(target: AutoscalingTarget): BoundScaling {
    return this.variant.bind(target);
  }
}

/** One way of scaling: checks its numbers, then creates its autoscaler (or none). */
abstract class ScalingVariant {
  public readonly target?: number;
  public readonly fixedReplicas?: number;
  public readonly metricsApi?: QueueMetricsApi;
  public readonly prometheusAddress?: string;
  public readonly queueTargetPerReplica?: number;

  public constructor(public readonly minReplicas: number, public readonly maxReplicas: number) {}

  /** Refuses replica bounds and a target no autoscaler accepts. */
  public validate(scope: IConstruct): void {
    for (const [bound, value] of [['minReplicas', this.minReplicas], ['maxReplicas', this.maxReplicas]] as const) {
      requireNumber({ scope, kind: KIND, prop: this.replicasProp(bound) }, value);
      if (!Number.isInteger(value) || value < 1 || value > INT32_MAX) {
        fail(scope, {
          code: ErrorCode.INVALID_REPLICAS,
          prop: this.replicasProp(bound), received: value, allowed: `a whole number, 1 or more (at most ${INT32_MAX})`, fix: 'give at least one replica',
        });
      }
    }
    if (this.minReplicas > this.maxReplicas) {
      fail(scope, {
        code: ErrorCode.MIN_REPLICAS_ABOVE_MAX,
        prop: 'scaling.minReplicas',
        received: this.minReplicas,
        allowed: `at most maxReplicas (${this.maxReplicas})`,
        fix: 'raise maxReplicas or lower minReplicas',
      });
    }
    this.validateTarget(scope);
  }

  /** Creates the autoscaler for `target`. */
  public abstract bind(target: AutoscalingTarget): BoundScaling;

  /** The prop a replica bound is named by in errors. */
  protected replicasProp(bound: 'minReplicas' | 'maxReplicas'): string {
    return `scaling.${bound}`;
  }

  /** Refuses a target out of range. */
  protected abstract validateTarget(scope: IConstruct): void;
}

/** A replica count in the Deployment, no autoscaler. */
class FixedReplicas extends ScalingVariant {
  public readonly fixedReplicas: number;

  public constructor(replicas: number) {
    super(replicas, replicas);
    this.fixedReplicas = replicas;
  }

  public bind(): BoundScaling {
    return {};
  }

  protected replicasProp(): string {
    return 'scaling (replicas)';
  }

  protected validateTarget(): void {}
}

/** A HorizontalPodAutoscaler on average CPU utilization. */
class CpuScaling extends ScalingVariant {
  /** Average CPU utilization (percent of the request) aimed for. */
  public readonly target: number;

  public constructor(minReplicas: number, maxReplicas: number, targetUtilizationPercent: number) {
    super(minReplicas, maxReplicas);
    this.target = targetUtilizationPercent;
  }

  public bind(target: AutoscalingTarget): BoundScaling {
    const metric = kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(this.target));
    return { autoscaler: horizontalPodAutoscaler(target, { minReplicas: this.minReplicas, maxReplicas: this.maxReplicas, metric }) };
  }

  protected validateTarget(scope: IConstruct): void {
    requireNumber({ scope, kind: KIND, prop: 'scaling.targetUtilizationPercent' }, this.target);
    // averageUtilization is an int32 in autoscaling/v2: 70.5 is refused by the API server.
    if (!(Number.isInteger(this.target) && this.target > 0 && this.target <= 100)) {
      fail(scope, {
        code: ErrorCode.INVALID_SCALING_TARGET,
        prop: 'scaling.targetUtilizationPercent', received: this.target, allowed: 'a percentage above 0, at most 100, and whole', fix: 'use e.g. 70',
      });
    }
  }
}

/** The options of `Scaling.onQueueDepth` with their defaults. */
interface QueueScalingSettings {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetPerReplica: number;
  readonly metricsApi: QueueMetricsApi;
  readonly prometheusAddress?: string;
}

/** Scaling on the server's queue, through one of the metrics APIs. */
abstract class QueueScaling extends ScalingVariant {
  /** Queued requests per replica aimed for. */
  public readonly target: number;
  public readonly metricsApi: QueueMetricsApi;
  public readonly prometheusAddress?: string;
  public readonly queueTargetPerReplica: number;

  public constructor(settings: QueueScalingSettings) {
    super(settings.minReplicas, settings.maxReplicas);
    this.target = settings.targetPerReplica;
    this.metricsApi = settings.metricsApi;
    this.prometheusAddress = settings.prometheusAddress;
    this.queueTargetPerReplica = settings.targetPerReplica;
  }

  protected validateTarget(scope: IConstruct): void {
    requireNumber({ scope, kind: KIND, prop: 'scaling.targetPerReplica' }, this.target);
    if (!(this.target > 0)) {
      fail(scope, {
        code: ErrorCode.INVALID_SCALING_TARGET,
        prop: 'scaling.targetPerReplica', received: this.target, allowed: 'a number of queued requests above 0', fix: 'use e.g. 5',
      });
    }
    if (this.prometheusAddress !== undefined) this.validatePrometheusAddress(scope, this.prometheusAddress);
  }

  /** Refuses a Prometheus address this metrics API cannot use. */
  protected abstract validatePrometheusAddress(scope: IConstruct, address: string): void;
}

/** The HPA metric of the queue metric `name` of the service named `service`, aiming at `target`. */
type QueueHpaMetric = (name: string, target: kplus.MetricTarget, service: string) => kplus.Metric;

/** Our HorizontalPodAutoscaler on a metric a metrics adapter (prometheus-adapter) serves. */
class AdapterQueueScaling extends QueueScaling {
  public constructor(settings: QueueScalingSettings, private readonly metric: QueueHpaMetric) {
    super(settings);
  }

  public bind(target: AutoscalingTarget): BoundScaling {
    // The metrics API names the series without the colons of Prometheus' recording-rule style.
    const queueMetricName = queueMetric(target).replace(/:/g, '_');
    const metric = this.metric(queueMetricName, kplus.MetricTarget.averageValue(this.target), target.metadata.name);
    return { queueMetricName, autoscaler: horizontalPodAutoscaler(target, { minReplicas: this.minReplicas, maxReplicas: this.maxReplicas, metric }) };
  }

  protected validatePrometheusAddress(scope: IConstruct, address: string): void {
    fail(scope, {
      code: ErrorCode.PROMETHEUS_ADDRESS_WITHOUT_KEDA,
      prop: 'scaling.prometheusAddress',
      received: address,
      allowed: 'only with metricsApi: QueueMetricsApi.KEDA (an adapter finds Prometheus through its own configuration)',
      fix: 'set metricsApi to QueueMetricsApi.KEDA, or remove prometheusAddress',
    });
  }
}

/** A KEDA ScaledObject that queries Prometheus itself; KEDA creates the HorizontalPodAutoscaler. */
class KedaQueueScaling extends QueueScaling {
  public bind(target: AutoscalingTarget): BoundScaling {
    return {
      scaledObject: kedaScaledObject(target, {
        minReplicas: this.minReplicas,
        maxReplicas: this.maxReplicas,
        threshold: this.target,
        prometheusAddress: this.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS,
      }),
    };
  }

  protected validatePrometheusAddress(scope: IConstruct, address: string): void {
    if (!isPlainHttpUrl(address)) {
      fail(scope, {
        code: ErrorCode.INVALID_PROMETHEUS_ADDRESS,
        prop: 'scaling.prometheusAddress',
        received: address,
        allowed: 'an http:// or https:// URL of the Prometheus HTTP API, without credentials, query or fragment',
        fix: `use e.g. '${DEFAULT_PROMETHEUS_ADDRESS}'`,
      });
    }
  }
}

/** A metrics API that is none of QueueMetricsApi's values: refused before anything is bound. */
class UnknownApiQueueScaling extends AdapterQueueScaling {
  public constructor(settings: QueueScalingSettings) {
    super(settings, (name, target) => kplus.Metric.pods({ name, target }));
  }

  public validate(scope: IConstruct): void {
    fail(scope, {
      code: ErrorCode.WRONG_TYPE,
      prop: 'scaling.metricsApi', received: this.metricsApi,
      allowed: `a QueueMetricsApi: ${Object.values(QueueMetricsApi).map((api) => `'${api}'`).join(', ')}`,
      fix: 'use QueueMetricsApi.PODS, QueueMetricsApi.EXTERNAL or QueueMetricsApi.KEDA',
    });
  }
}

/** The queue-depth variant of each metrics API. */
const QUEUE_SCALERS: { readonly [api in QueueMetricsApi]: (settings: QueueScalingSettings) => QueueScaling } = {
  [QueueMetricsApi.PODS]: (settings) => new AdapterQueueScaling(settings, (name, target) => kplus.Metric.pods({ name, target })),
  [QueueMetricsApi.EXTERNAL]: (settings) => new AdapterQueueScaling(settings, (name, target, service) => kplus.Metric.external({
    name, target, labelSelector: kplus.LabelSelector.of({ labels: { service } }),
  })),
  [QueueMetricsApi.KEDA]: (settings) => new KedaQueueScaling(settings),
};
