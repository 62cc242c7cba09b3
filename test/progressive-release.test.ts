import { Chart, Duration, Testing } from 'cdk8s';
import {
  checkManifests, ErrorCode, GatewayImplementation, Gpu, InferenceGateway, InferenceService, ModelServer, ProgressiveRelease, ProgressiveReleaseProps,
  QueueMetricsApi, Scaling,
} from '../lib';
import { Manifest, only } from './util';

/** The error must carry `code`. */
const withCode = (code: ErrorCode) => expect.objectContaining({ code });

function synth(
  props: Partial<ProgressiveReleaseProps> = {},
  implementation = GatewayImplementation.ENVOY_GATEWAY,
  scaling = Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 4 }),
) {
  const c = new Chart(Testing.app(), 'rel', { namespace: 'ml' });
  const service = new InferenceService(c, 'chat', {
    server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct' }), gpu: Gpu.nvidia(1), scaling,
  });
  const gateway = new InferenceGateway(c, 'gateway', { host: 'models.example.com', implementation });
  new ProgressiveRelease(c, 'rollout', { service, gateway, ...props });
  return Testing.synth(c) as Manifest[];
}

describe('ProgressiveRelease (Argo Rollouts)', () => {
  const m = synth({ steps: [10, 50, 100], pause: Duration.minutes(5), availability: 0.99 });

  test('a Rollout that takes over the Deployment and steps the gateway route', () => {
    const r = only(m, 'Rollout').spec;
    expect(r.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat', scaleDown: 'progressively' });
    expect(r.strategy.canary.steps).toEqual([{ setWeight: 10 }, { pause: { duration: '300s' } }, { setWeight: 50 }, { pause: { duration: '300s' } }, { setWeight: 100 }]);
    expect(r.strategy.canary.trafficRouting.plugins).toEqual({ 'argoproj-labs/gatewayAPI': { httpRoute: 'gateway-chat', namespace: 'ml' } });
    expect(r.strategy.canary).toMatchObject({ stableService: 'chat', canaryService: 'chat-canary' });
    expect(only(m, 'HTTPRoute').spec.rules[0].backendRefs).toEqual([{ name: 'chat', port: 8000, weight: 100 }, { name: 'chat-canary', port: 8000, weight: 0 }]);
  });

  test('the analysis is the service\'s availability SLI on the canary pods, aborting past the page burn rate', () => {
    const metric = only(m, 'AnalysisTemplate').spec.metrics[0];
    expect(metric.provider.prometheus.query).toContain('status="5xx",namespace="ml",service="chat",pod=~".+-{{args.canary-hash}}-.+"');
    expect(metric.successCondition).toBe('len(result) == 0 || isNaN(result[0]) || result[0] <= 0.144');
    expect(only(m, 'Rollout').spec.strategy.canary.analysis.args).toEqual([{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }]);
  });

  test('the autoscaler scales the Rollout', () => {
    expect(only(m, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'chat' });
    // and it points at an object applied with it
    expect(checkManifests(m)).toEqual([]);
  });

  test('a KEDA ScaledObject scales the Rollout, which then carries no replica count', () => {
    const keda = Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 4, metricsApi: QueueMetricsApi.KEDA });
    const k = synth({}, GatewayImplementation.ENVOY_GATEWAY, keda);
    expect(only(k, 'ScaledObject').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'chat' });
    expect(only(k, 'Rollout').spec.replicas).toBeUndefined();
    expect(checkManifests(k)).toEqual([]);
  });

  test('throws when steps do not increase or do not end at 100', () => {
    expect(() => synth({ steps: [25, 10, 100] })).toThrow(
      "ProgressiveRelease 'rel/rollout': invalid steps: received [25,10,100]; allowed: whole percentages above 0, strictly increasing, ending at 100. Fix: e.g. [5, 25, 50, 100]");
    expect(() => synth({ steps: [5, 50] })).toThrow(/invalid steps: received \[5,50\]/);
    expect(() => synth({ steps: [5, 50] })).toThrow(withCode(ErrorCode.INVALID_ROLLOUT_STEPS));
  });

  test('throws when the availability objective is not a share between 0 and 1', () => {
    expect(() => synth({ availability: 99.5 })).toThrow(
      "ProgressiveRelease 'rel/rollout': invalid availability: received 99.5; allowed: a share between 0 and 1. Fix: e.g. 0.995 [code: InvalidObjective]");
  });

  test('throws when the server has no request and error counters to judge the canary', () => {
    const c = new Chart(Testing.app(), 'rel', { namespace: 'ml' });
    const service = new InferenceService(c, 'resnet', { server: ModelServer.torchServe(), gpu: Gpu.nvidia(1) });
    const gateway = new InferenceGateway(c, 'gateway', { host: 'models.example.com' });
    expect(() => new ProgressiveRelease(c, 'rollout', { service, gateway })).toThrow(
      /invalid service: received 'rel\/resnet \(torchserve\)'; allowed: a server with request and error counters/);
    expect(() => new ProgressiveRelease(c, 'rollout2', { service, gateway })).toThrow(withCode(ErrorCode.UNMEASURABLE_OBJECTIVE));
  });

  test('throws on ingress-nginx', () => {
    expect(() => synth({}, GatewayImplementation.INGRESS_NGINX)).toThrow(/invalid gateway: received 'ingress-nginx'; allowed: a Gateway API implementation/);
    expect(() => synth({}, GatewayImplementation.INGRESS_NGINX)).toThrow(withCode(ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION));
  });

  test('a pause that is not whole minutes counts the analysis runs from its seconds', () => {
    const p = synth({ steps: [50, 100], pause: Duration.seconds(90) });
    expect(only(p, 'AnalysisTemplate').spec.metrics[0].count).toBe(3);
    expect(only(p, 'Rollout').spec.strategy.canary.steps[1]).toEqual({ pause: { duration: '90s' } });
  });

  test('throws when the path prefix is not an absolute path', () => {
    expect(() => synth({ pathPrefix: 'chat' })).toThrow(
      /ProgressiveRelease 'rel\/rollout': invalid pathPrefix: received 'chat'; allowed: an absolute path .*Fix: write it with a leading slash: '\/chat'/);
    expect(() => synth({ pathPrefix: '/chat/../admin' })).toThrow(withCode(ErrorCode.INVALID_PATH_PREFIX));
  });

  test('throws when the pause is in milliseconds or zero', () => {
    expect(() => synth({ pause: Duration.millis(1500) })).toThrow(/invalid pause: received '1 second 500 millis'; allowed: whole seconds/);
    expect(() => synth({ pause: Duration.millis(1500) })).toThrow(withCode(ErrorCode.NOT_A_WHOLE_NUMBER));
    expect(() => synth({ pause: Duration.seconds(0) })).toThrow(
      "ProgressiveRelease 'rel/rollout': invalid pause: received '0 seconds'; allowed: whole seconds above 0. Fix: e.g. Duration.minutes(10) [code: InvalidRolloutPause]");
  });

  test('throws when the Prometheus URL is not an http(s) URL', () => {
    expect(() => synth({ prometheusUrl: 'prometheus:9090' })).toThrow(
      /invalid prometheusUrl: received 'prometheus:9090'; allowed: an http\(s\) URL of Prometheus, without credentials, query or fragment/);
    expect(() => synth({ prometheusUrl: 'http://admin:pw@prometheus:9090' })).toThrow(withCode(ErrorCode.INVALID_PROMETHEUS_ADDRESS));
  });

  test('throws InferenceConfigError, not a TypeError, when JavaScript or Python passes the wrong type', () => {
    const untyped = (value: unknown) => value as any;
    expect(() => synth({ steps: untyped('5,25,100') })).toThrow(withCode(ErrorCode.INVALID_ROLLOUT_STEPS));
    expect(() => synth({ pause: untyped(600) })).toThrow(/invalid pause: received 600; allowed: a Duration \(cdk8s\)/);
    expect(() => synth({ availability: untyped('0.99') })).toThrow(withCode(ErrorCode.INVALID_OBJECTIVE));
    expect(() => synth({ service: untyped('chat') })).toThrow(
      "ProgressiveRelease 'rel/rollout': invalid service: received 'chat'; allowed: an InferenceService (the construct, not its name). " +
      'Fix: pass the InferenceService itself as service [code: WrongType]');
    expect(() => synth({ gateway: untyped({ name: 'gateway' }) })).toThrow(/invalid gateway: .*allowed: a InferenceGateway/);
  });

  test('on Traefik too: the Rollout steps its HTTPRoute', () => {
    const t = synth({}, GatewayImplementation.TRAEFIK);
    expect(only(t, 'Rollout').spec.strategy.canary.trafficRouting.plugins).toEqual({ 'argoproj-labs/gatewayAPI': { httpRoute: 'gateway-chat', namespace: 'ml' } });
  });
});
