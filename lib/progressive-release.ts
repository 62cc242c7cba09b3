import { ApiObject, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  AnalysisTemplate, AnalysisTemplateSpecMetricsCount, AnalysisTemplateSpecMetricsFailureLimit, Rollout, RolloutSpecStrategyCanaryStepsPauseDuration,
} from '../imports/argoproj.io';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import { GatewayImplementation, InferenceGateway } from './inference-gateway';
import { IInferenceService } from './inference-service-ref';
import { checkName } from './names';

const KIND = 'ProgressiveRelease';

/** Props of a {@link ProgressiveRelease}. */
export interface ProgressiveReleaseProps {
  /** The service whose new versions roll out progressively; Argo Rollouts takes over its Deployment. */
  readonly service: IInferenceService;

  /** The gateway (Gateway API: Envoy Gateway or Traefik) whose route carries the split. */
  readonly gateway: InferenceGateway;

  /**
   * Canary weights, percent, strictly increasing and ending at 100.
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/canary/
   * @default [5, 25, 50, 100]
   */
  readonly steps?: number[];

  /**
   * Pause after each step while the analysis watches the canary.
   * @default Duration.minutes(10)
   */
  readonly pause?: Duration;

  /**
   * Availability objective the canary must meet (0–1). The rollout aborts when the canary's error
   * ratio over 5 minutes exceeds the budget burnt 14.4 times over (the SRE workbook's page rate).
   * @default 0.995
   */
  readonly availability?: number;

  /**
   * Prometheus the analysis queries.
   * @default 'http://prometheus-operated.monitoring.svc:9090'
   */
  readonly prometheusUrl?: string;

  /**
   * Path prefix the service is routed under.
   * @default '/<service name>'
   */
  readonly pathPrefix?: string;
}

/**
 * Automated progressive delivery with Argo Rollouts: a Rollout that takes over the service's
 * Deployment (`workloadRef`), shifts the gateway's HTTPRoute weight step by step through the
 * Gateway API traffic-router plugin, and runs an AnalysisTemplate whose Prometheus query is the
 * service's own availability SLI, measured on the canary pods only; a failed analysis aborts and
 * rolls back. The cluster needs Argo Rollouts with the `argoproj-labs/gatewayAPI` plugin.
 *
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/plugins/
 */
export class ProgressiveRelease extends Construct {
  /** The Rollout (argoproj.io/v1alpha1). */
  public readonly rollout: ApiObject;
  /** The AnalysisTemplate (argoproj.io/v1alpha1). */
  public readonly analysis: ApiObject;

  /**
   * Defines a ProgressiveRelease.
   * @param scope the construct (usually a Chart) the objects are created in
   * @param id the construct id, unique within `scope`
   * @param props the settings, see `ProgressiveReleaseProps`
   */
  constructor(scope: Construct, id: string, props: ProgressiveReleaseProps) {
    super(scope, id);
    const { service, gateway } = props;
    const name = checkName(this, KIND, 'service', service.name);
    const steps = props.steps ?? [5, 25, 50, 100];
    const availability = props.availability ?? 0.995;
    this.check(props, steps, availability);
    const namespace = Chart.of(this).namespace ?? 'default';
    const pause = RolloutSpecStrategyCanaryStepsPauseDuration.fromString(`${(props.pause ?? Duration.minutes(10)).toSeconds()}s`);

    // The canary Service selects the same pods; Argo narrows both Services by pod-template hash.
    const canaryService = new kplus.Service(this, 'CanaryService', {
      metadata: { name: `${name}-canary`, labels: { ...service.labels, 'app.kubernetes.io/component': 'model-server-canary' } },
      ports: [{ name: 'http', port: service.server.httpPort, targetPort: service.server.httpPort }],
    });
    for (const [k, v] of Object.entries(service.selectorLabels)) canaryService.selectLabel(k, v);

    gateway._addTrafficRoute({
      name, owner: this.node.path, pathPrefix: props.pathPrefix ?? `/${name}`,
      backends: [{ service, weight: 100 }, { service, serviceName: canaryService.name, weight: 0 }],
    });

    const m = service.server._metrics;
    const canaryPods = `namespace="${namespace}",service="${name}",pod=~".+-{{args.canary-hash}}-.+"`;
    const budget = +(14.4 * (1 - availability)).toFixed(6);
    this.analysis = new AnalysisTemplate(this, 'Analysis', {
      metadata: { name: `${name}-slo` },
      spec: {
        args: [{ name: 'canary-hash' }],
        metrics: [{
          name: 'error-ratio',
          interval: '1m',
          count: AnalysisTemplateSpecMetricsCount.fromNumber(Math.ceil(steps.length * (props.pause ?? Duration.minutes(10)).toMinutes())),
          failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(2),
          // No traffic yet counts as healthy; otherwise the canary's error ratio must stay in budget.
          successCondition: `len(result) == 0 || isNaN(result[0]) || result[0] <= ${budget}`,
          provider: {
            prometheus: {
              address: props.prometheusUrl ?? 'http://prometheus-operated.monitoring.svc:9090',
              query: `(${m.errorRate!(canaryPods, '5m')}) / (${m.requestRate!(canaryPods, '5m')})`,
            },
          },
        }],
      },
    });

    this.rollout = new Rollout(this, 'Rollout', {
      metadata: { name, labels: service.labels },
      spec: {
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: service.name, scaleDown: 'progressively' },
        replicas: service.scaling.fixedReplicas,
        strategy: {
          canary: {
            stableService: service.name,
            canaryService: canaryService.name,
            trafficRouting: { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: `${gateway.name}-${name}`, namespace } } },
            analysis: {
              templates: [{ templateName: this.analysis.name }],
              startingStep: 1,
              args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
            },
            steps: steps.flatMap((w, i) => (i === steps.length - 1 ? [{ setWeight: w }] : [{ setWeight: w }, { pause: { duration: pause } }])),
          },
        },
      },
    });
    // The Rollout now owns the replica count: the autoscaler scales it, not the Deployment.
    const autoscaler = service.autoscaler ? ApiObject.of(service.autoscaler) : service.scaledObject;
    autoscaler?.addJsonPatch(JsonPatch.replace('/spec/scaleTargetRef', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name }));
  }

  private fail(options: InvalidPropOptions): never {
    throw new InferenceConfigError(this, KIND, options);
  }

  private check(props: ProgressiveReleaseProps, steps: number[], availability: number): void {
    if (props.gateway.implementation === GatewayImplementation.INGRESS_NGINX) {
      this.fail({ prop: 'gateway', received: props.gateway.implementation, allowed: 'a Gateway API implementation (Envoy Gateway, Traefik)', fix: 'use GatewayImplementation.ENVOY_GATEWAY' });
    }
    if (steps.length === 0 || steps.some((w, i) => !Number.isInteger(w) || w <= 0 || w > 100 || (i > 0 && w <= steps[i - 1])) || steps[steps.length - 1] !== 100) {
      this.fail({
        prop: 'steps', received: steps, allowed: 'whole percentages above 0, strictly increasing, ending at 100', fix: 'e.g. [5, 25, 50, 100]',
      });
    }
    if (!(availability > 0 && availability < 1)) this.fail({ prop: 'availability', received: availability, allowed: 'a share between 0 and 1', fix: 'e.g. 0.995' });
    const m = props.service.server._metrics;
    if (!m.errorRate || !m.requestRate) {
      this.fail({
        prop: 'service', received: `${props.service.node.path} (${props.service.server.kind})`,
        allowed: 'a server with request and error counters (vllm, tgi, triton), so the analysis can judge the canary',
        fix: 'use CanaryRelease (weights you move yourself) for this server',
      });
    }
  }
}
