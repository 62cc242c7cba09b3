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
    return new Scaling('fixed', replicas, replicas);
  }

  /** Scale on average CPU use: for CPU-bound classic models. */
  public static onCpu(options: CpuScalingOptions): Scaling {
    return new Scaling('cpu', options.minReplicas ?? 2, options.maxReplicas, options.targetUtilizationPercent ?? 70);
  }

  /**
   * Scale on requests waiting in the server's queue (vLLM `num_requests_waiting`, TGI
   * `tgi_queue_size`, Triton pending requests, SGLang `num_queue_reqs`). The cluster needs a
   * metrics adapter serving that metric (prometheus-adapter), or KEDA with
   * `metricsApi: QueueMetricsApi.KEDA` (see the README).
   */
  public static onQueueDepth(options: QueueDepthScalingOptions): Scaling {
    return new Scaling('queue', options.minReplicas ?? 2, options.maxReplicas, options.targetPerReplica ?? 5,
      options.metricsApi ?? QueueMetricsApi.PODS, options.prometheusAddress);
  }

  /** `fixed`, `cpu` or `queue`. */
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

  private constructor(mode: string, minReplicas: number, maxReplicas: number, target?: number, metricsApi?: QueueMetricsApi, prometheusAddress?: string) {
    this.mode = mode;
    this.minReplicas = minReplicas;
    this.maxReplicas = maxReplicas;
    this.target = target;
    this.metricsApi = metricsApi;
    this.prometheusAddress = prometheusAddress;
    this.fixedReplicas = mode === 'fixed' ? minReplicas : undefined;
    this.autoscaled = mode !== 'fixed';
    this.queueTargetPerReplica = mode === 'queue' ? target : undefined;
  }
}
