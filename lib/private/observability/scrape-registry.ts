import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import { InferenceConfigError } from '../../errors';
import type { IInferenceService } from '../../inference-service-ref';

/** Services an ObservabilityBundle's ServiceMonitor scrapes (a construct belongs to one app). */
const scraped = new WeakSet<IConstruct>();
/** Services whose check is registered already. */
const required = new WeakSet<IConstruct>();

/**
 * What the check reads of a service's scaling: the public `Scaling`'s queue settings.
 * `scrapedExternally` is the opt-out of `QueueDepthScalingOptions`.
 */
interface QueueScaling {
  readonly metricsApi?: string;
  readonly scrapedExternally?: boolean;
}

/** Records that an ObservabilityBundle scrapes `service` with the `namespace` and `service` labels. */
export function markScraped(service: IConstruct): void {
  scraped.add(service);
}

/** Whether an ObservabilityBundle scrapes `service`. */
export function isScraped(service: IConstruct): boolean {
  return scraped.has(service);
}

/**
 * Makes the synth fail when `service` scales on queue depth (any `QueueMetricsApi`) and, by the
 * time the app is synthesized, no ObservabilityBundle watches it: its autoscaler would never get
 * the metric. A service scraped by the user's own Prometheus opts out with
 * `scrapedExternally: true`. The check is a construct validation of the service, so a bundle
 * added after the service counts; calling this twice registers it once.
 */
export function requireScrape(service: IInferenceService): void {
  const scaling: QueueScaling = service.scaling;
  if (scaling.metricsApi === undefined || scaling.scrapedExternally || required.has(service)) return;
  required.add(service);
  service.node.addValidation({ validate: () => (isScraped(service) ? [] : [notScraped(service, scaling.metricsApi)]) });
}

/** The message of a queue-scaled service nothing scrapes. */
function notScraped(service: IInferenceService, metricsApi?: string): string {
  return new InferenceConfigError(service, 'InferenceService', {
    code: ErrorCode.QUEUE_METRICS_NOT_SCRAPED,
    prop: 'scaling',
    received: `Scaling.onQueueDepth (QueueMetricsApi ${metricsApi}), and no ObservabilityBundle of the app watches the service`,
    allowed: 'queue-depth scaling of a service whose metrics Prometheus scrapes with the namespace and service labels, '
      + 'or the autoscaler never gets the metric',
    fix: `add the service to an ObservabilityBundle (services: [...] or addService(${service.node.id})), `
      + 'or set scrapedExternally: true in Scaling.onQueueDepth if your own Prometheus scrapes it with those labels',
  }).message;
}
