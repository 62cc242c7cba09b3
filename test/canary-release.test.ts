import { Chart, Testing } from 'cdk8s';
import {
  CanaryRelease, checkManifests, ErrorCode, GatewayImplementation, Gpu, InferenceGateway, InferenceGatewayProps, InferenceService, ModelServer,
  ModelSource, ModelVolume, ReleaseColor, ReleaseStrategy,
} from '../lib';
import { Manifest, only } from './util';

function setup(implementation = GatewayImplementation.ENVOY_GATEWAY) {
  const c = new Chart(Testing.app(), 'rel', { namespace: 'ml' });
  const weights = (id: string, version: string) => new ModelVolume(c, id, { source: ModelSource.s3(`s3://models/llama/${version}/`, { version }) });
  const stable = new InferenceService(c, 'chat', { server: ModelServer.vllm({}), gpu: Gpu.nvidia(1), modelVolume: weights('llama-v1', 'v1') });
  const canary = new InferenceService(c, 'chat-canary', { server: ModelServer.vllm({}), gpu: Gpu.nvidia(1), modelVolume: weights('llama-v2', 'v2') });
  const gateway = new InferenceGateway(c, 'gateway', { host: 'models.example.com', implementation });
  return { c, stable, canary, gateway };
}

const rules = (m: Manifest[], name: string) => only(m, 'HTTPRoute', name).spec.rules;

/** The error must carry `code`. */
const withCode = (code: ErrorCode) => expect.objectContaining({ code });

describe('CanaryRelease', () => {
  test('weighted: one HTTPRoute with weighted backendRefs; versions labelled', () => {
    const { c, stable, canary, gateway } = setup();
    new CanaryRelease(c, 'chat-release', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(90, 10), pathPrefix: '/v1' });
    const m = Testing.synth(c) as Manifest[];
    expect(rules(m, 'gateway-chat-release')[0].backendRefs).toEqual([{ name: 'chat', port: 8000, weight: 90 }, { name: 'chat-canary', port: 8000, weight: 10 }]);
    expect(only(m, 'Deployment', 'chat').spec.template.metadata.labels['inference.cdk8s.io/track']).toBe('stable');
    expect(only(m, 'Deployment', 'chat-canary').spec.template.metadata.labels['inference.cdk8s.io/track']).toBe('canary');
    // Each version keeps its own Service and PDB.
    expect(m.filter((x) => x.kind === 'PodDisruptionBudget').map((x) => x.metadata.name)).toEqual(['chat', 'chat-canary']);
    expect(checkManifests(m)).toEqual([]);
  });

  test('weighted on ingress-nginx: a canary Ingress with canary-weight', () => {
    const { c, stable, canary, gateway } = setup(GatewayImplementation.INGRESS_NGINX);
    new CanaryRelease(c, 'chat-release', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(75, 25), pathPrefix: '/v1' });
    const m = Testing.synth(c) as Manifest[];
    const ingresses = m.filter((x) => x.kind === 'Ingress');
    expect(ingresses.map((i) => [i.metadata.name, i.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'], i.spec.rules[0].http.paths[0].backend.service.name]))
      .toEqual([['gateway', undefined, 'chat'], ['gateway-chat-release-chat-canary', '25', 'chat-canary']]);
  });

  test('header: testers with the header reach the canary, everyone else stable', () => {
    const { c, stable, canary, gateway } = setup();
    new CanaryRelease(c, 'chat-release', { gateway, stable, canary, strategy: ReleaseStrategy.header('x-canary', 'true'), pathPrefix: '/v1' });
    const m = Testing.synth(c) as Manifest[];
    expect(rules(m, 'gateway-chat-release-canary')[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/v1' }, headers: [{ name: 'x-canary', value: 'true', type: 'Exact' }] }]);
    expect(rules(m, 'gateway-chat-release-canary')[0].backendRefs).toEqual([{ name: 'chat-canary', port: 8000 }]);
    expect(rules(m, 'gateway-chat-release')[0].backendRefs).toEqual([{ name: 'chat', port: 8000 }]);
  });

  test('header on ingress-nginx: a canary Ingress matched by header', () => {
    const { c, stable, canary, gateway } = setup(GatewayImplementation.INGRESS_NGINX);
    new CanaryRelease(c, 'chat-release', { gateway, stable, canary, strategy: ReleaseStrategy.header('x-canary', 'always'), pathPrefix: '/v1' });
    const m = Testing.synth(c) as Manifest[];
    const canaryIngress = only(m, 'Ingress', 'gateway-chat-release-canary-chat-canary');
    expect(canaryIngress.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-by-header': 'x-canary', 'nginx.ingress.kubernetes.io/canary-by-header-value': 'always',
    });
    expect(canaryIngress.spec.rules[0].http.paths[0].backend.service.name).toBe('chat-canary');
    expect(only(m, 'Ingress', 'gateway').spec.rules[0].http.paths.map((p: any) => p.backend.service.name)).toEqual(['chat']);
  });

  test('cookie: browsers with the cookie set to always reach the canary', () => {
    const { c, stable, canary, gateway } = setup();
    new CanaryRelease(c, 'chat-release', { gateway, stable, canary, strategy: ReleaseStrategy.cookie('canary'), pathPrefix: '/v1' });
    const m = Testing.synth(c) as Manifest[];
    expect(rules(m, 'gateway-chat-release-canary')[0].matches[0].headers).toEqual([{ name: 'cookie', value: '(^|;\\s*)canary=always(;|$)', type: 'RegularExpression' }]);
    const { c: c2, stable: s2, canary: k2, gateway: g2 } = setup(GatewayImplementation.INGRESS_NGINX);
    new CanaryRelease(c2, 'chat-release', { gateway: g2, stable: s2, canary: k2, strategy: ReleaseStrategy.cookie('canary'), pathPrefix: '/v1' });
    const nginx = only(Testing.synth(c2) as Manifest[], 'Ingress', 'gateway-chat-release-canary-chat-canary');
    expect(nginx.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/canary-by-cookie': 'canary' });
  });

  test('mirror: stable serves, a share is copied to the canary', () => {
    const { c, stable, canary, gateway } = setup();
    new CanaryRelease(c, 'chat-release', { gateway, stable, canary, strategy: ReleaseStrategy.mirror(20) });
    const m = Testing.synth(c) as Manifest[];
    expect(rules(m, 'gateway-chat-release')[0].filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'chat-canary', port: 8000 }, percent: 20 } }]);
    expect(only(m, 'NetworkPolicy', 'chat-canary').spec.ingress.length).toBe(2);
  });

  test('blue-green: all traffic to the active color, the idle one keeps running', () => {
    const { c, stable, canary, gateway } = setup();
    new CanaryRelease(c, 'chat-release', { gateway, stable, canary, strategy: ReleaseStrategy.blueGreen(ReleaseColor.GREEN) });
    const m = Testing.synth(c) as Manifest[];
    expect(rules(m, 'gateway-chat-release')[0].backendRefs).toEqual([{ name: 'chat-canary', port: 8000 }]);
    expect(only(m, 'Deployment', 'chat').spec.template.metadata.labels['inference.cdk8s.io/track']).toBe('blue');
    expect(only(m, 'Deployment', 'chat').spec.replicas).toBe(2);
  });
});

describe('CanaryRelease refuses bad input', () => {
  test('throws when weights are outside 0–100 or do not add up to 100', () => {
    const { c, stable, canary, gateway } = setup();
    expect(() => new CanaryRelease(c, 'r1', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(120, -20) })).toThrow(
      /CanaryRelease 'rel\/r1': invalid strategy stableWeight: received 120; allowed: a whole percentage from 0 to 100/);
    expect(() => new CanaryRelease(c, 'r2', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(80, 10) })).toThrow(
      "CanaryRelease 'rel/r2': invalid strategy weights: received '80 + 10 = 90'; allowed: weights that add up to 100. Fix: e.g. ReleaseStrategy.weighted(90, 10)");
    expect(() => new CanaryRelease(c, 'r3', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(120, -20) })).toThrow(withCode(ErrorCode.INVALID_CANARY_WEIGHT));
    expect(() => new CanaryRelease(c, 'r4', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(80, 10) })).toThrow(withCode(ErrorCode.CANARY_WEIGHTS_NOT_100));
    expect(() => new CanaryRelease(c, 'r5', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(90, 10.5) }))
      .toThrow(/invalid strategy canaryWeight: received 10.5; allowed: a whole percentage from 0 to 100/);
  });

  test('throws when the canary is identical to stable', () => {
    const c = new Chart(Testing.app(), 'rel', { namespace: 'ml' });
    const a = new InferenceService(c, 'a', { server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1) });
    const b = new InferenceService(c, 'b', { server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1) });
    const gateway = new InferenceGateway(c, 'gateway', {});
    expect(() => new CanaryRelease(c, 'r', { gateway, stable: a, canary: b, strategy: ReleaseStrategy.weighted(90, 10) })).toThrow(
      "CanaryRelease 'rel/r': invalid canary: received 'rel/b'; allowed: a version that differs from stable ('rel/a') in what it serves: " +
      "model, model version, server image or server arguments. Fix: change the canary's image, its model, or its ModelVolume version [code: CanaryIdenticalToStable]");
    expect(() => new CanaryRelease(c, 'r2', { gateway, stable: a, canary: b, strategy: ReleaseStrategy.weighted(90, 10) })).toThrow(withCode(ErrorCode.CANARY_IDENTICAL_TO_STABLE));
  });

  test('a canary serving another model under the same served name is a new version; the same model is not', () => {
    // GIVEN stable serving Llama as 'chat'
    const c = new Chart(Testing.app(), 'rel', { namespace: 'ml' });
    const vllm = (id: string, model: string) => new InferenceService(c, id, { server: ModelServer.vllm({ model, servedModelName: 'chat' }), gpu: Gpu.nvidia(1) });
    const stable = vllm('chat', 'meta-llama/Llama-3.1-8B-Instruct');
    const gateway = new InferenceGateway(c, 'gateway', {});
    // WHEN the canary serves Qwen under the same name, THEN it is a release
    const qwen = vllm('chat-qwen', 'Qwen/Qwen2.5-7B-Instruct');
    expect(() => new CanaryRelease(c, 'to-qwen', { gateway, stable, canary: qwen, strategy: ReleaseStrategy.weighted(90, 10), pathPrefix: '/a' })).not.toThrow();
    // WHEN the canary serves Llama again under the same name, THEN nothing changes and it is refused
    const again = vllm('chat-again', 'meta-llama/Llama-3.1-8B-Instruct');
    expect(() => new CanaryRelease(c, 'same', { gateway, stable, canary: again, strategy: ReleaseStrategy.weighted(90, 10), pathPrefix: '/b' }))
      .toThrow(withCode(ErrorCode.CANARY_IDENTICAL_TO_STABLE));
  });

  test('the same weights from two volumes of other names are identical; another version is not', () => {
    const c = new Chart(Testing.app(), 'rel', { namespace: 'ml' });
    const weights = (id: string, version: string) => new ModelVolume(c, id, { source: ModelSource.s3(`s3://models/llama/${version}/`, { version }) });
    const service = (id: string, modelVolume: ModelVolume) =>
      new InferenceService(c, id, { server: ModelServer.vllm({}), gpu: Gpu.nvidia(1), modelVolume });
    const stable = service('chat', weights('llama-a', 'v1'));
    const gateway = new InferenceGateway(c, 'gateway', {});
    expect(() => new CanaryRelease(c, 'r1', { gateway, stable, canary: service('copy', weights('llama-b', 'v1')), strategy: ReleaseStrategy.mirror(10) }))
      .toThrow(withCode(ErrorCode.CANARY_IDENTICAL_TO_STABLE));
    expect(() => new CanaryRelease(c, 'r2', { gateway, stable, canary: service('next', weights('llama-c', 'v2')), strategy: ReleaseStrategy.mirror(10) })).not.toThrow();
  });

  test('throws when the path prefix is not an absolute path', () => {
    const { c, stable, canary, gateway } = setup();
    const strategy = ReleaseStrategy.weighted(90, 10);
    const release = (id: string, pathPrefix: string) => () => new CanaryRelease(c, id, { gateway, stable, canary, strategy, pathPrefix });
    expect(release('r1', 'v1')).toThrow(
      "CanaryRelease 'rel/r1': invalid pathPrefix: received 'v1'; allowed: an absolute path of at most 1024 characters: a leading \"/\", then letters, digits, " +
      '"-", "_", ".", "~", "/" or %-escapes, without "//", "." or ".." segments, "?" or "#". Fix: write it with a leading slash: \'/v1\' [code: InvalidPathPrefix]');
    for (const [i, bad] of ['', '/v1?x=1', '/v1#a', '/a//b', '/a/../b', '/a/.', '/v 1', '/a%2Fb'].entries()) {
      expect(release(`bad${i}`, bad)).toThrow(withCode(ErrorCode.INVALID_PATH_PREFIX));
    }
    expect(release('ok', '/v1/chat-completions_2.0~x')).not.toThrow();
  });

  test('throws when a header match has no value, a control character or the wrong type', () => {
    const { c, stable, canary, gateway } = setup();
    const release = (id: string, strategy: ReleaseStrategy) => () => new CanaryRelease(c, id, { gateway, stable, canary, strategy });
    expect(release('r1', ReleaseStrategy.header('x-canary', 'true\r\nx-admin: 1'))).toThrow(
      /invalid strategy header value: received 'true\r\nx-admin: 1'; allowed: a value of 1 to 4096 characters for header x-canary, as a string without control characters/);
    expect(release('r2', ReleaseStrategy.header('x-canary', 1 as any))).toThrow(withCode(ErrorCode.INVALID_HEADER_MATCH));
    expect(release('r3', ReleaseStrategy.header(7 as any, 'true'))).toThrow(/invalid strategy header: received 7/);
    expect(release('r4', ReleaseStrategy.cookie(undefined as any))).toThrow(withCode(ErrorCode.INVALID_HEADER_MATCH));
  });

  test('throws when a blue-green color is not a ReleaseColor', () => {
    const { c, stable, canary, gateway } = setup();
    expect(() => new CanaryRelease(c, 'r', { gateway, stable, canary, strategy: ReleaseStrategy.blueGreen('GREEN' as ReleaseColor) })).toThrow(
      "CanaryRelease 'rel/r': invalid strategy active color: received 'GREEN'; allowed: a ReleaseColor: blue or green. " +
      'Fix: pass ReleaseColor.BLUE or ReleaseColor.GREEN [code: InvalidReleaseStrategy]');
  });

  test('throws InferenceConfigError, not a TypeError, when JavaScript or Python passes the wrong type', () => {
    const { c, stable, canary, gateway } = setup();
    const untyped = (value: unknown) => value as any;
    expect(() => new CanaryRelease(c, 'r1', { gateway, stable, canary: untyped('chat-canary'), strategy: ReleaseStrategy.weighted(90, 10) })).toThrow(
      "CanaryRelease 'rel/r1': invalid canary: received 'chat-canary'; allowed: an InferenceService (the construct, not its name). " +
      'Fix: pass the InferenceService itself as canary [code: WrongType]');
    expect(() => new CanaryRelease(c, 'r2', { gateway, stable, canary, strategy: untyped('weighted') })).toThrow(
      /CanaryRelease 'rel\/r2': invalid strategy: received 'weighted'; allowed: a ReleaseStrategy/);
    expect(() => new CanaryRelease(c, 'r3', { gateway: untyped('gateway'), stable, canary, strategy: ReleaseStrategy.weighted(90, 10) }))
      .toThrow(withCode(ErrorCode.WRONG_TYPE));
    expect(() => new CanaryRelease(c, 'r4', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(untyped('90'), 10) }))
      .toThrow(withCode(ErrorCode.INVALID_CANARY_WEIGHT));
  });

  test('throws when the gateway host has a label over 63 characters, or is not a string', () => {
    const c = new Chart(Testing.app(), 'rel', { namespace: 'ml' });
    const label = 'a'.repeat(64);
    expect(() => new InferenceGateway(c, 'g1', { host: `${label}.example.com` })).toThrow(
      "InferenceGateway 'rel/g1': invalid host: received '" + label + ".example.com'; allowed: a DNS name of at most 253 characters whose labels " +
      `(the parts between dots) have at most 63. Fix: shorten the label '${'a'.repeat(20)}…' (64 characters) [code: InvalidHost]`);
    for (const implementation of [GatewayImplementation.INGRESS_NGINX, GatewayImplementation.TRAEFIK]) {
      expect(() => new InferenceGateway(c, `g-${implementation}`, { host: `${label}.example.com`, implementation })).toThrow(withCode(ErrorCode.INVALID_HOST));
    }
    expect(() => new InferenceGateway(c, 'g2', { host: `${'a.'.repeat(127)}com` })).toThrow(withCode(ErrorCode.INVALID_HOST));
    expect(() => new InferenceGateway(c, 'g3', { host: 123 as any })).toThrow(withCode(ErrorCode.WRONG_TYPE));
  });

  test('throws when the mirror share is above 100', () => {
    const { c, stable, canary, gateway } = setup();
    expect(() => new CanaryRelease(c, 'r', { gateway, stable, canary, strategy: ReleaseStrategy.mirror(150) })).toThrow(/invalid strategy mirror percent: received 150/);
    expect(() => new CanaryRelease(c, 'r2', { gateway, stable, canary, strategy: ReleaseStrategy.mirror(150) })).toThrow(withCode(ErrorCode.INVALID_CANARY_WEIGHT));
  });

  test('throws on blue-green with one color', () => {
    const { c, stable, gateway } = setup();
    expect(() => new CanaryRelease(c, 'r', { gateway, stable, canary: stable, strategy: ReleaseStrategy.blueGreen(ReleaseColor.BLUE) })).toThrow(
      /invalid canary: received 'rel\/chat'; allowed: two different services, one per color/);
    expect(() => new CanaryRelease(c, 'r2', { gateway, stable, canary: stable, strategy: ReleaseStrategy.blueGreen(ReleaseColor.BLUE) }))
      .toThrow(withCode(ErrorCode.CANARY_IDENTICAL_TO_STABLE));
  });

  test('throws when the header or cookie of a tester match is not a valid name, or the value is empty', () => {
    const { c, stable, canary, gateway } = setup();
    expect(() => new CanaryRelease(c, 'r1', { gateway, stable, canary, strategy: ReleaseStrategy.header('x canary', 'true') })).toThrow(
      "CanaryRelease 'rel/r1': invalid strategy header: received 'x canary'; allowed: a header name of 1 to 256 letters, digits or !#$%&'*+-.^_`|~. "
      + "Fix: set strategy header, e.g. 'x-canary' [code: InvalidHeaderMatch]");
    expect(() => new CanaryRelease(c, 'r2', { gateway, stable, canary, strategy: ReleaseStrategy.header('x-canary', '') }))
      .toThrow(/invalid strategy header value: received ''; allowed: a value of 1 to 4096 characters for header x-canary/);
    expect(() => new CanaryRelease(c, 'r3', { gateway, stable, canary, strategy: ReleaseStrategy.cookie('canary;path') }))
      .toThrow(/invalid strategy cookie: received 'canary;path'; allowed: a cookie name of 1 to 256 letters, digits, "-" or "_"/);
    expect(() => new CanaryRelease(c, 'r4', { gateway, stable, canary, strategy: ReleaseStrategy.cookie('') })).toThrow(withCode(ErrorCode.INVALID_HEADER_MATCH));
  });

  test('each strategy still names its kind', () => {
    expect([
      ReleaseStrategy.weighted(90, 10), ReleaseStrategy.header('x', 'y'), ReleaseStrategy.cookie('c'), ReleaseStrategy.mirror(5), ReleaseStrategy.blueGreen(ReleaseColor.BLUE),
    ].map((s) => s.kind)).toEqual(['weighted', 'header', 'cookie', 'mirror', 'blue-green']);
  });

  test.each([GatewayImplementation.INGRESS_NGINX, GatewayImplementation.TRAEFIK])('throws when mirroring on %s', (implementation) => {
    // Traefik's Gateway API provider (v3.5.3, pkg/provider/kubernetes/gateway) answers a RequestMirror filter with
    // "unsupported filter" and drops the route.
    const { c, stable, canary, gateway } = setup(implementation);
    expect(() => new CanaryRelease(c, 'r', { gateway, stable, canary, strategy: ReleaseStrategy.mirror(10) }))
      .toThrow(`InferenceGateway 'rel/gateway': invalid mirror: received 'chat-canary on ${implementation}'; allowed: mirroring with Envoy Gateway only`);
    expect(() => new CanaryRelease(c, 'r2', { gateway, stable, canary, strategy: ReleaseStrategy.mirror(10) })).toThrow(withCode(ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION));
  });

  describe('gRPC servers', () => {
    /** Two Triton versions (HTTP 8000, gRPC 8001) behind a gateway. */
    function triton(implementation = GatewayImplementation.ENVOY_GATEWAY, gatewayProps: Partial<InferenceGatewayProps> = {}) {
      const c = new Chart(Testing.app(), 'rel', { namespace: 'ml' });
      const version = (id: string, tag: string) => new InferenceService(c, id, {
        server: ModelServer.triton({ image: `nvcr.io/nvidia/tritonserver:${tag}` }), gpu: Gpu.nvidia(1),
      });
      const gateway = new InferenceGateway(c, 'gateway', { host: 'models.example.com', implementation, ...gatewayProps });
      return { c, stable: version('vision', '25.01-py3'), canary: version('vision-next', '25.02-py3'), gateway };
    }
    const grpc = (m: Manifest[], name: string) => only(m, 'GRPCRoute', name).spec.rules[0];
    const service = { name: 'x-inference-service', value: 'vision', type: 'Exact' };

    test('weighted: gRPC clients naming the stable service are split like HTTP', () => {
      const { c, stable, canary, gateway } = triton();
      new CanaryRelease(c, 'vision-release', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(80, 20) });
      const m = Testing.synth(c) as Manifest[];
      expect(grpc(m, 'gateway-vision-release-grpc')).toEqual({
        matches: [{ headers: [service] }],
        backendRefs: [{ name: 'vision', port: 8001, weight: 80 }, { name: 'vision-next', port: 8001, weight: 20 }],
      });
      expect(rules(m, 'gateway-vision-release')[0].backendRefs).toEqual([{ name: 'vision', port: 8000, weight: 80 }, { name: 'vision-next', port: 8000, weight: 20 }]);
      expect(checkManifests(m)).toEqual([]);
    });

    test('header and cookie: the tester match is added to the service header', () => {
      for (const [strategy, match] of [
        [ReleaseStrategy.header('x-canary', 'true'), { name: 'x-canary', value: 'true', type: 'Exact' }],
        [ReleaseStrategy.cookie('canary'), { name: 'cookie', value: '(^|;\\s*)canary=always(;|$)', type: 'RegularExpression' }],
      ] as const) {
        const { c, stable, canary, gateway } = triton();
        new CanaryRelease(c, 'vision-release', { gateway, stable, canary, strategy });
        const m = Testing.synth(c) as Manifest[];
        expect(grpc(m, 'gateway-vision-release-canary-grpc')).toEqual({ matches: [{ headers: [service, match] }], backendRefs: [{ name: 'vision-next', port: 8001 }] });
        expect(grpc(m, 'gateway-vision-release-grpc')).toEqual({ matches: [{ headers: [service] }], backendRefs: [{ name: 'vision', port: 8001 }] });
      }
    });

    test('mirror and blue-green', () => {
      const mirrored = triton();
      new CanaryRelease(mirrored.c, 'vision-release', { ...mirrored, strategy: ReleaseStrategy.mirror(10) });
      expect(grpc(Testing.synth(mirrored.c) as Manifest[], 'gateway-vision-release-grpc').filters)
        .toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'vision-next', port: 8001 }, percent: 10 } }]);
      const colors = triton();
      new CanaryRelease(colors.c, 'vision-release', { ...colors, strategy: ReleaseStrategy.blueGreen(ReleaseColor.GREEN) });
      expect(grpc(Testing.synth(colors.c) as Manifest[], 'gateway-vision-release-grpc').backendRefs).toEqual([{ name: 'vision-next', port: 8001 }]);
    });

    test('on Traefik, the gRPC route carries the rate-limit Middleware like the HTTP route', () => {
      const { c, stable, canary, gateway } = triton(GatewayImplementation.TRAEFIK, { rateLimit: { requestsPerMinute: 60 } });
      new CanaryRelease(c, 'vision-release', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(90, 10) });
      const m = Testing.synth(c) as Manifest[];
      const middleware = [{ type: 'ExtensionRef', extensionRef: { group: 'traefik.io', kind: 'Middleware', name: 'gateway-rate-limit' } }];
      expect(grpc(m, 'gateway-vision-release-grpc').filters).toEqual(middleware);
      expect(rules(m, 'gateway-vision-release')[0].filters).toEqual(middleware);
    });

    test('no gRPC route for HTTP-only servers or on ingress-nginx', () => {
      const http = setup();
      new CanaryRelease(http.c, 'chat-release', { ...http, strategy: ReleaseStrategy.weighted(90, 10) });
      expect((Testing.synth(http.c) as Manifest[]).filter((x) => x.kind === 'GRPCRoute')).toEqual([]);
      const nginx = triton(GatewayImplementation.INGRESS_NGINX);
      new CanaryRelease(nginx.c, 'vision-release', { ...nginx, strategy: ReleaseStrategy.weighted(90, 10) });
      expect((Testing.synth(nginx.c) as Manifest[]).filter((x) => x.kind === 'GRPCRoute')).toEqual([]);
    });

    test('a service routed both by addRoute and by a release is refused for gRPC', () => {
      const { c, stable, canary, gateway } = triton();
      gateway.addRoute(stable, { pathPrefix: '/vision-direct' });
      expect(() => new CanaryRelease(c, 'vision-release', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(90, 10) }))
        .toThrow("InferenceGateway 'rel/gateway': invalid route: received 'gRPC requests with x-inference-service: vision for 'rel/vision-release''; "
          + "allowed: one service per gRPC service header; it already goes to 'rel/vision'. Fix: route the service either with gateway.addRoute or with a release, not both");
      expect(() => new CanaryRelease(c, 'vision-release-2', { gateway, stable, canary, strategy: ReleaseStrategy.weighted(90, 10), pathPrefix: '/vision-2' }))
        .toThrow(withCode(ErrorCode.ROUTE_CONFLICT));
    });
  });
});
