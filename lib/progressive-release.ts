import { ApiObject, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ErrorCode } from './error-codes';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import { InferenceGateway } from './inference-gateway';
import { IInferenceService } from './inference-service-ref';
import { checkName } from './names';
import { argoRollouts } from './private/crds';
import { serviceProblem } from './private/gateway/release-strategies';
import { pathPrefixProblem } from './private/gateway/route';
import { isPlainHttpUrl, requireInstance, requireSeconds, ValueSite } from './private/values';

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
   * Pause after each step while the analysis watches the canary, in whole seconds.
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
    this.checkValues(props);
    const { service, gateway } = props;
    const name = checkName(this, KIND, 'service', service.name);
    const steps = props.steps ?? [5, 25, 50, 100];
    const availability = props.availability ?? 0.995;
    const pause = props.pause ?? Duration.minutes(10);
    const errorRatio = this.check(props, steps, availability);
    const canaryService = this.canaryService(service, name);
    gateway._addTrafficRoute({
      name, owner: this.node.path, pathPrefix: props.pathPrefix ?? `/${name}`,
      backends: [{ service, weight: 100 }, { service, serviceName: canaryService.name, weight: 0 }],
    });
    const namespace = Chart.of(this).namespace ?? 'default';
    this.analysis = this.analysisTemplate(name, namespace, {
      availability, errorRatio, count: Math.ceil((steps.length * pause.toSeconds()) / 60),
      prometheusUrl: props.prometheusUrl ?? 'http://prometheus-operated.monitoring.svc:9090',
    });
    const route = { httpRoute: `${gateway.name}-${name}`, namespace };
    this.rollout = new (argoRollouts().Rollout)(this, 'Rollout', {
      metadata: { name, labels: service.labels },
      spec: {
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: service.name, scaleDown: 'progressively' },
        replicas: service.scaling.fixedReplicas,
        strategy: { canary: this.canaryStrategy({ stableService: service.name, canaryService: canaryService.name, route, steps, pause }) },
      },
    });
    retargetAutoscaler(service, name);
  }

  /** A second Service for the canary pods: it selects the same pods; Argo narrows both Services by pod-template hash. */
  private canaryService(service: IInferenceService, name: string): kplus.Service {
    const canaryService = new kplus.Service(this, 'CanaryService', {
      metadata: { name: `${name}-canary`, labels: { ...service.labels, 'app.kubernetes.io/component': 'model-server-canary' } },
      ports: [{ name: 'http', port: service.server.httpPort, targetPort: service.server.httpPort }],
    });
    for (const [k, v] of Object.entries(service.selectorLabels)) canaryService.selectLabel(k, v);
    return canaryService;
  }

  /** The analysis: the service's availability SLI, measured on the canary pods only, within the page burn rate. */
  private analysisTemplate(name: string, namespace: string, options: AnalysisOptions): ApiObject {
    const canaryPods = `namespace="${namespace}",service="${name}",pod=~".+-{{args.canary-hash}}-.+"`;
    const budget = +(14.4 * (1 - options.availability)).toFixed(6);
    return new (argoRollouts().AnalysisTemplate)(this, 'Analysis', {
      metadata: { name: `${name}-slo` },
      spec: {
        args: [{ name: 'canary-hash' }],
        metrics: [{
          name: 'error-ratio',
          interval: '1m',
          count: argoRollouts().AnalysisTemplateSpecMetricsCount.fromNumber(options.count),
          failureLimit: argoRollouts().AnalysisTemplateSpecMetricsFailureLimit.fromNumber(2),
          // No traffic yet counts as healthy; otherwise the canary's error ratio must stay in budget.
          successCondition: `len(result) == 0 || isNaN(result[0]) || result[0] <= ${budget}`,
          provider: { prometheus: { address: options.prometheusUrl, query: options.errorRatio(canaryPods) } },
        }],
      },
    });
  }

  /** The Rollout's canary strategy: the two Services, the gateway route it steps, the analysis and the steps. */
  private canaryStrategy(options: CanaryStrategyOptions) {
    const { steps } = options;
    const duration = argoRollouts().RolloutSpecStrategyCanaryStepsPauseDuration.fromString(`${options.pause.toSeconds()}s`);
    return {
      stableService: options.stableService,
      canaryService: options.canaryService,
      trafficRouting: { plugins: { 'argoproj-labs/gatewayAPI': options.route } },
      analysis: {
        templates: [{ templateName: this.analysis.name }],
        startingStep: 1,
        args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
      },
      steps: steps.flatMap((w, i) => (i === steps.length - 1 ? [{ setWeight: w }] : [{ setWeight: w }, { pause: { duration } }])),
    };
  }

  private fail(options: InvalidPropOptions): never {
    throw new InferenceConfigError(this, KIND, options);
  }

  /** Checks the type of every prop and what Argo Rollouts and the gateway accept of it, before any is read. */
  private checkValues(props: ProgressiveReleaseProps): void {
    const site = (prop: string): ValueSite => ({ scope: this, kind: KIND, prop });
    const problem = serviceProblem('service', props.service) ?? (props.pathPrefix === undefined ? undefined : pathPrefixProblem('pathPrefix', props.pathPrefix));
    if (problem) this.fail(problem);
    if (props.service.groupSize > 1) {
      this.fail({
        code: ErrorCode.PROGRESSIVE_RELEASE_OF_GROUPS, prop: 'service', received: `'${props.service.node.path}', a multi-node service (groups of ${props.service.groupSize} pods)`,
        allowed: 'a service run by a Deployment: Argo Rollouts takes over Deployments, not LeaderWorkerSets',
        fix: 'release a new version as a second InferenceService with a CanaryRelease, or rely on the LeaderWorkerSet\'s rolling update (whole groups, maxSurge)',
      });
    }
    requireInstance(site('gateway'), props.gateway, InferenceGateway, 'the InferenceGateway itself', true);
    const pause = requireSeconds(site('pause'), props.pause);
    if (pause !== undefined && pause.toSeconds() < 1) {
      this.fail({ code: ErrorCode.INVALID_ROLLOUT_PAUSE, prop: 'pause', received: pause.toHumanString(), allowed: 'whole seconds above 0', fix: 'e.g. Duration.minutes(10)' });
    }
    const url = props.prometheusUrl;
    if (url !== undefined && !isPlainHttpUrl(url)) {
      this.fail({
        code: ErrorCode.INVALID_PROMETHEUS_ADDRESS, prop: 'prometheusUrl', received: url,
        allowed: 'an http(s) URL of Prometheus, without credentials, query or fragment', fix: "e.g. 'http://prometheus-operated.monitoring.svc:9090'",
      });
    }
  }

  /** Checks the props; returns the PromQL of the error ratio of the pods a selector picks. */
  private check(props: ProgressiveReleaseProps, steps: number[], availability: number): (selector: string) => string {
    if (!props.gateway._routesWithGatewayApi) {
      this.fail({
        code: ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION, prop: 'gateway', received: props.gateway.implementation,
        allowed: 'a Gateway API implementation (Envoy Gateway, Traefik)', fix: 'use GatewayImplementation.ENVOY_GATEWAY',
      });
    }
    if (!isRolloutSteps(steps)) {
      this.fail({
        code: ErrorCode.INVALID_ROLLOUT_STEPS, prop: 'steps', received: steps,
        allowed: 'whole percentages above 0, strictly increasing, ending at 100', fix: 'e.g. [5, 25, 50, 100]',
      });
    }
    if (!(typeof availability === 'number' && availability > 0 && availability < 1)) {
      this.fail({ code: ErrorCode.INVALID_OBJECTIVE, prop: 'availability', received: availability, allowed: 'a share between 0 and 1', fix: 'e.g. 0.995' });
    }
    const { errorRate, requestRate } = props.service.server._metrics;
    if (!errorRate || !requestRate) {
      return this.fail({
        code: ErrorCode.UNMEASURABLE_OBJECTIVE, prop: 'service', received: `${props.service.node.path} (${props.service.server.kind})`,
        allowed: 'a server with request and error counters (vllm, tgi, triton), so the analysis can judge the canary',
        fix: 'use CanaryRelease (weights you move yourself) for this server',
      });
    }
    return (selector) => `(${errorRate(selector, '5m')}) / (${requestRate(selector, '5m')})`;
  }
}

/** What the analysis measures, how often, and where Prometheus is. */
interface AnalysisOptions {
  readonly availability: number;
  readonly errorRatio: (selector: string) => string;
  readonly count: number;
  readonly prometheusUrl: string;
}

/** The Services, route, steps and pause of the Rollout's canary strategy. */
interface CanaryStrategyOptions {
  readonly stableService: string;
  readonly canaryService: string;
  readonly route: { readonly httpRoute: string; readonly namespace: string };
  readonly steps: number[];
  readonly pause: Duration;
}

/** Whether `steps` are whole percentages above 0, strictly increasing, ending at 100. */
function isRolloutSteps(steps: number[]): boolean {
  const valid = (w: number, i: number) => Number.isInteger(w) && w > 0 && w <= 100 && (i === 0 || w > steps[i - 1]);
  return Array.isArray(steps) && steps.length > 0 && steps.every(valid) && steps[steps.length - 1] === 100;
}

/** The Rollout now owns the replica count: the autoscaler (HPA or KEDA) scales it, not the Deployment. */
function retargetAutoscaler(service: IInferenceService, rollout: string): void {
  const autoscaler = service.autoscaler ? ApiObject.of(service.autoscaler) : service.scaledObject;
  autoscaler?.addJsonPatch(JsonPatch.replace('/spec/scaleTargetRef', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: rollout }));
}
