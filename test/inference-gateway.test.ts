import { ApiObject, Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ApiAuth, CanaryRelease, checkManifests, ErrorCode, GatewayImplementation, GatewayTls, Gpu, InferenceGateway, InferenceGatewayProps,
  InferenceService, ModelServer, ReleaseStrategy,
} from '../lib';
import { InferenceConfigError, InvalidPropOptions } from '../lib/errors';
import { GatewayContext } from '../lib/private/gateway/controller';
import { foldRoutes } from '../lib/private/gateway/route-claims';
import { Manifest, only } from './util';

/** The error `f` throws must carry `code`. */
const withCode = (code: ErrorCode) => expect.objectContaining({ code });

function setup(props: InferenceGatewayProps) {
  const c = new Chart(Testing.app(), 'gw', { namespace: 'ml' });
  const chat = new InferenceService(c, 'chat', { server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1) });
  const vision = new InferenceService(c, 'vision', { server: ModelServer.triton(), gpu: Gpu.nvidia(1) });
  const gateway = new InferenceGateway(c, 'gateway', props);
  return { c, chat, vision, gateway };
}

function synth(props: InferenceGatewayProps): Manifest[] {
  const { c, chat, vision, gateway } = setup(props);
  gateway.addRoute(chat, { pathPrefix: '/v1' });
  gateway.addRoute(vision, { pathPrefix: '/v2' });
  return Testing.synth(c) as Manifest[];
}

describe('Envoy Gateway', () => {
  const m = synth({
    host: 'models.example.com', tls: GatewayTls.certManager('letsencrypt'), auth: ApiAuth.apiKeys('api-keys'), rateLimit: { requestsPerMinute: 600 },
  });

  test('a Gateway with an HTTPS listener, certificate from cert-manager', () => {
    const gw = only(m, 'Gateway');
    expect(gw.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt' });
    expect(gw.spec.gatewayClassName).toBe('envoy-gateway');
    expect(gw.spec.listeners).toEqual([{
      name: 'https', port: 443, protocol: 'HTTPS', hostname: 'models.example.com',
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'gateway-tls' }] }, allowedRoutes: { namespaces: { from: 'Same' } },
    }]);
  });

  test('an HTTPRoute per model with timeouts that fit long streams, a GRPCRoute for gRPC servers', () => {
    const route = only(m, 'HTTPRoute', 'gateway-chat');
    expect(route.spec.rules[0]).toEqual({
      matches: [{ path: { type: 'PathPrefix', value: '/v1' } }],
      backendRefs: [{ name: 'chat', port: 8000 }],
      timeouts: { request: '600s', backendRequest: '600s' },
    });
    expect(only(m, 'GRPCRoute').spec.rules[0].backendRefs).toEqual([{ name: 'vision', port: 8001 }]);
    expect(m.filter((x) => x.kind === 'GRPCRoute').map((x) => x.metadata.name)).toEqual(['gateway-vision-grpc']);
  });

  test('API keys by SecurityPolicy, per-key rate limit and stream timeout by BackendTrafficPolicy', () => {
    expect(only(m, 'SecurityPolicy').spec.apiKeyAuth).toEqual({ credentialRefs: [{ kind: 'Secret', name: 'api-keys' }], extractFrom: [{ headers: ['x-api-key'] }] });
    const traffic = only(m, 'BackendTrafficPolicy').spec;
    expect(traffic.rateLimit.global.rules[0]).toEqual({ clientSelectors: [{ headers: [{ name: 'x-api-key', type: 'Distinct' }] }], limit: { requests: 600, unit: 'Minute' } });
    expect(traffic.timeout.http).toEqual({ requestTimeout: '600s', maxStreamDuration: '600s' });
  });

  test('the services admit the gateway proxies, and every route reaches a real Service port', () => {
    const policy = only(m, 'NetworkPolicy', 'chat');
    expect(policy.spec.ingress.map((r: any) => r.from)).toContainEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
      podSelector: { matchLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'gateway' } },
    }]);
    expect(checkManifests(m)).toEqual([]);
  });

  test('without API keys, JWT or a client header, each client IP gets its own rate-limit budget', () => {
    const perIp = synth({ host: 'h.example.com', rateLimit: { requestsPerMinute: 60 } });
    expect(only(perIp, 'BackendTrafficPolicy').spec.rateLimit.global.rules[0].clientSelectors).toEqual([{ sourceCIDR: { type: 'Distinct', value: '0.0.0.0/0' } }]);
  });

  test('JWT', () => {
    const jwt = synth({ host: 'h.example.com', auth: ApiAuth.jwt({ issuer: 'https://idp', jwksUri: 'https://idp/jwks', audiences: ['a'] }) });
    expect(only(jwt, 'SecurityPolicy').spec.jwt).toEqual({ providers: [{ name: 'oidc', issuer: 'https://idp', audiences: ['a'], remoteJWKS: { uri: 'https://idp/jwks' } }] });
  });
});

describe('ingress-nginx', () => {
  const m = synth({
    host: 'models.example.com', implementation: GatewayImplementation.INGRESS_NGINX, tls: GatewayTls.fromSecret('models-tls'),
    rateLimit: { requestsPerMinute: 300 }, requestTimeout: Duration.minutes(30), maxBodySize: Size.mebibytes(100),
  });

  test('an Ingress that never cuts a stream, with TLS and a per-IP rate limit', () => {
    const ingress = only(m, 'Ingress');
    expect(ingress.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '1800',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '1800',
      'nginx.ingress.kubernetes.io/proxy-body-size': '100m',
      'nginx.ingress.kubernetes.io/limit-rpm': '300',
    });
    expect(ingress.spec.tls).toEqual([{ hosts: ['models.example.com'], secretName: 'models-tls' }]);
    expect(ingress.spec.rules[0].http.paths.map((p: any) => [p.path, p.backend.service.name])).toEqual([['/v1', 'chat'], ['/v2', 'vision']]);
  });
});

describe('Traefik', () => {
  test('routes carry a rate-limit Middleware keyed by a client header', () => {
    const m = synth({ host: 'models.example.com', implementation: GatewayImplementation.TRAEFIK, rateLimit: { requestsPerMinute: 60, clientHeader: 'x-client' } });
    expect(only(m, 'Middleware').spec.rateLimit).toEqual({ average: 60, period: '1m', burst: 60, sourceCriterion: { requestHeaderName: 'x-client' } });
    expect(only(m, 'HTTPRoute', 'gateway-chat').spec.rules[0].filters).toEqual([
      { type: 'ExtensionRef', extensionRef: { group: 'traefik.io', kind: 'Middleware', name: 'gateway-rate-limit' } }]);
    expect(only(m, 'Gateway').spec.gatewayClassName).toBe('traefik');
  });
});

describe('InferenceGateway refuses bad input', () => {
  test('throws when two routes claim the same host and path', () => {
    const { chat, vision, gateway } = setup({ host: 'models.example.com' });
    gateway.addRoute(chat, { pathPrefix: '/v1' });
    expect(() => gateway.addRoute(vision, { pathPrefix: '/v1' })).toThrow(
      "InferenceGateway 'gw/gateway': invalid route: received 'models.example.com/v1 for 'gw/vision''; allowed: one service per host, path and header; it already goes to 'gw/chat'. " +
      'Fix: give the route another pathPrefix, or match a header');
    expect(() => gateway.addRoute(vision, { pathPrefix: '/v1' })).toThrow(withCode(ErrorCode.ROUTE_CONFLICT));
  });

  test('a header match makes the same path distinct', () => {
    const { chat, vision, gateway } = setup({ host: 'models.example.com' });
    gateway.addRoute(chat, { pathPrefix: '/v1', headerName: 'x-model', headerValue: 'chat' });
    expect(() => gateway.addRoute(vision, { pathPrefix: '/v1', headerName: 'x-model', headerValue: 'vision' })).not.toThrow();
  });

  test('throws when TLS has no host', () => {
    expect(() => setup({ tls: GatewayTls.fromSecret('x') })).toThrow(
      "InferenceGateway 'gw/gateway': invalid tls: received 'x'; allowed: TLS only with a host: a certificate names the host it serves. Fix: set host, e.g. inference.example.com");
    expect(() => setup({ tls: GatewayTls.fromSecret('x') })).toThrow(withCode(ErrorCode.TLS_WITHOUT_HOST));
  });

  test('throws when the rate limit is not above zero', () => {
    expect(() => setup({ rateLimit: { requestsPerMinute: 0 } })).toThrow(/invalid rateLimit.requestsPerMinute: received 0; allowed: a whole number of requests above 0/);
    expect(() => setup({ rateLimit: { requestsPerMinute: 0 } })).toThrow(withCode(ErrorCode.INVALID_RATE_LIMIT));
  });

  test('throws when the implementation cannot do the auth mode', () => {
    expect(() => setup({ implementation: GatewayImplementation.TRAEFIK, auth: ApiAuth.apiKeys('k') })).toThrow(
      /invalid auth: received 'api-keys with traefik'; allowed: API keys and JWT with Envoy Gateway only/);
    expect(() => setup({ implementation: GatewayImplementation.INGRESS_NGINX, auth: ApiAuth.jwt({ issuer: 'i', jwksUri: 'https://j' }) })).toThrow(/invalid auth: received 'jwt with ingress-nginx'/);
    expect(() => setup({ implementation: GatewayImplementation.TRAEFIK, auth: ApiAuth.apiKeys('k') })).toThrow(withCode(ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION));
  });

  test('throws when an ingress-nginx gateway has no route on a plain path (an Ingress without paths)', () => {
    const host = 'models.example.com';
    // No route at all, then header routes only: either would emit an Ingress rule without paths.
    const none = setup({ implementation: GatewayImplementation.INGRESS_NGINX, host });
    expect(() => Testing.synth(none.c)).toThrow(/InferenceGateway 'gw\/gateway': invalid routes: received 'no route without a header or cookie match'.*\[code: NoPlainRoute\]/);
    const headersOnly = setup({ implementation: GatewayImplementation.INGRESS_NGINX, host });
    headersOnly.gateway.addRoute(headersOnly.chat, { pathPrefix: '/v1', headerName: 'x-model', headerValue: 'chat' });
    expect(() => Testing.synth(headersOnly.c)).toThrow(/\[code: NoPlainRoute\]/);
    // A plain route on another path leaves the header route without its main Ingress: ingress-nginx would ignore it.
    headersOnly.gateway.addRoute(headersOnly.vision, { pathPrefix: '/v2' });
    expect(() => Testing.synth(headersOnly.c)).toThrow(/invalid routes: received 'header or cookie routes on \/v1 with no plain route there'.*\[code: NoPlainRoute\]/);
    // A plain route on the header route's path is its main Ingress; the other implementations have no such rule.
    const matched = setup({ implementation: GatewayImplementation.INGRESS_NGINX, host });
    matched.gateway.addRoute(matched.chat, { pathPrefix: '/v1', headerName: 'x-model', headerValue: 'chat' });
    matched.gateway.addRoute(matched.vision, { pathPrefix: '/v1' });
    expect(Testing.synth(matched.c).filter((m: any) => m.kind === 'Ingress')).toHaveLength(2);
    expect(() => Testing.synth(setup({ implementation: GatewayImplementation.ENVOY_GATEWAY, host }).c)).not.toThrow();
  });

  test('throws when ingress-nginx is asked to key rate limits on a header', () => {
    expect(() => setup({ implementation: GatewayImplementation.INGRESS_NGINX, rateLimit: { requestsPerMinute: 60, clientHeader: 'x-client' } })).toThrow(
      "InferenceGateway 'gw/gateway': invalid rateLimit.clientHeader: received 'x-client'; allowed: none with ingress-nginx: it limits per client IP. "
      + 'Fix: remove clientHeader, or use Envoy Gateway or Traefik [code: UnsupportedByImplementation]');
  });

  test('throws when the host is not a lower-case DNS name', () => {
    expect(() => setup({ host: 'Models.Example.com' })).toThrow(/invalid host: received 'Models.Example.com'; allowed: a DNS name in lower case/);
    expect(() => setup({ host: 'Models.Example.com' })).toThrow(withCode(ErrorCode.INVALID_HOST));
  });

  test('throws when the implementation is none of GatewayImplementation', () => {
    expect(() => setup({ implementation: 'istio' as GatewayImplementation })).toThrow(
      "InferenceGateway 'gw/gateway': invalid implementation: received 'istio'; allowed: one of ingress-nginx, envoy-gateway, traefik. "
      + 'Fix: use a GatewayImplementation value, e.g. GatewayImplementation.ENVOY_GATEWAY [code: UnknownGatewayImplementation]');
  });

  test.each(Object.values(GatewayImplementation))('every implementation has a controller: %s', (implementation) => {
    expect(() => synth({ host: 'models.example.com', implementation })).not.toThrow();
  });

  test('throws when a header match has no value or a name that is not a header name', () => {
    const { chat, gateway } = setup({ host: 'models.example.com' });
    expect(() => gateway.addRoute(chat, { headerName: 'x-model' })).toThrow(
      "InferenceGateway 'gw/gateway': invalid headerValue: received ''; allowed: a value of 1 to 4096 characters for header x-model. "
      + "Fix: set headerValue, e.g. 'true' [code: InvalidHeaderMatch]");
    expect(() => gateway.addRoute(chat, { headerName: 'x model', headerValue: 'chat' })).toThrow(/invalid headerName: received 'x model'; allowed: a header name of 1 to 256/);
    expect(() => gateway.addRoute(chat, { headerValue: 'chat' })).toThrow(withCode(ErrorCode.INVALID_HEADER_MATCH));
  });
});

describe('a service routed on several paths', () => {
  const header = { headerName: 'x-model', headerValue: 'vision' };
  /** The manifests of `chat` routed at /a and /b, and `vision` (gRPC too) at /v and /w with a header, on `implementation`. */
  function twice(implementation: GatewayImplementation, headerPaths = ['/v', '/w']): Manifest[] {
    const { c, chat, vision, gateway } = setup({ host: 'models.example.com', implementation });
    gateway.addRoute(chat, { pathPrefix: '/a' });
    gateway.addRoute(chat, { pathPrefix: '/b' });
    for (const pathPrefix of headerPaths) gateway.addRoute(vision, { pathPrefix, ...header });
    return Testing.synth(c) as Manifest[];
  }
  const paths = (rules: any[]) => rules.map((r: any) => r.matches[0].path.value);

  test.each([GatewayImplementation.ENVOY_GATEWAY, GatewayImplementation.TRAEFIK])('%s: one HTTPRoute per service, a rule per path; one GRPCRoute', (impl) => {
    const m = twice(impl);
    expect(paths(only(m, 'HTTPRoute', 'gateway-chat').spec.rules)).toEqual(['/a', '/b']);
    const vision = only(m, 'HTTPRoute', 'gateway-vision').spec.rules;
    expect(paths(vision)).toEqual(['/v', '/w']);
    expect(vision.map((r: any) => r.matches[0].headers)).toEqual([0, 1].map(() => [{ name: 'x-model', type: 'Exact', value: 'vision' }]));
    expect(only(m, 'GRPCRoute', 'gateway-vision-grpc').spec.rules).toHaveLength(1);
    expect(checkManifests(m)).toEqual([]);
  });

  test('ingress-nginx: both paths on the host Ingress; one canary Ingress for the header match, a rule per path', () => {
    // ingress-nginx splits a canary Ingress off the host Ingress's path, so the header routes share the plain paths.
    const m = twice(GatewayImplementation.INGRESS_NGINX, ['/a', '/b']);
    expect(only(m, 'Ingress', 'gateway').spec.rules[0].http.paths.map((p: any) => p.path)).toEqual(['/a', '/b']);
    const canary = only(m, 'Ingress', 'gateway-vision-vision');
    expect(canary.spec.rules.map((r: any) => r.http.paths[0].path)).toEqual(['/a', '/b']);
    expect(canary.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/canary-by-header': 'x-model' });
  });

  test('the same path twice is routed once', () => {
    const once = setup({ host: 'models.example.com' });
    once.gateway.addRoute(once.vision, { pathPrefix: '/v' });
    const again = setup({ host: 'models.example.com' });
    again.gateway.addRoute(again.vision, { pathPrefix: '/v' });
    again.gateway.addRoute(again.vision, { pathPrefix: '/v' });
    expect(Testing.synth(again.c)).toEqual(Testing.synth(once.c));
  });

  test('throws when the path prefix is not an absolute path', () => {
    const { chat, gateway } = setup({ host: 'models.example.com' });
    expect(() => gateway.addRoute(chat, { pathPrefix: 'v1' })).toThrow(
      "InferenceGateway 'gw/gateway': invalid pathPrefix: received 'v1'; allowed: an absolute path of at most 1024 characters: a leading \"/\", then letters, "
      + 'digits, "-", "_", ".", "~", "/" or %-escapes, without "//", "." or ".." segments, "?" or "#". Fix: write it with a leading slash: \'/v1\' '
      + '[code: InvalidPathPrefix]');
    expect(() => gateway.addRoute(chat, { pathPrefix: '/a/../b' })).toThrow(withCode(ErrorCode.INVALID_PATH_PREFIX));
  });

  test('throws when the header match differs from the service\'s earlier route', () => {
    const { chat, gateway } = setup({ host: 'models.example.com' });
    gateway.addRoute(chat, { pathPrefix: '/a', ...header });
    expect(() => gateway.addRoute(chat, { pathPrefix: '/b' })).toThrow(
      "InferenceGateway 'gw/gateway': invalid headerName: received '/b without a header match, for gw/chat'; "
      + "allowed: the header match of the service's earlier routes (/a with x-model: vision): the routes of one service are one route object. "
      + 'Fix: give every addRoute of the service the same headerName and headerValue, or serve the other match from another InferenceService '
      + '[code: RouteConflict]');
    expect(() => gateway.addRoute(chat, { pathPrefix: '/b', headerName: 'x-model', headerValue: 'other' })).toThrow(withCode(ErrorCode.ROUTE_CONFLICT));
  });

  test.each(Object.values(GatewayImplementation))('%s: throws when a service is routed by addRoute and by a release on another path', (implementation) => {
    const { c, chat, gateway } = setup({ host: 'models.example.com', implementation });
    const next = new InferenceService(c, 'chat-next', { server: ModelServer.vllm({ model: 'm2' }), gpu: Gpu.nvidia(1) });
    gateway.addRoute(chat);
    const release = () => new CanaryRelease(c, 'release', { gateway, stable: chat, canary: next, strategy: ReleaseStrategy.weighted(90, 10), pathPrefix: '/v1' });
    expect(release).toThrow(
      "InferenceGateway 'gw/gateway': invalid route: received 'gw/chat routed by the release 'gw/release''; "
      + 'allowed: a service routed either by gateway.addRoute or by one release, not both; it is already routed by gateway.addRoute. '
      + 'Fix: route the stable service through the release alone (give the release the pathPrefix the route had), or remove the release [code: RouteConflict]');
  });

  test('throws when a repeated route would differ in anything but its rules (a guard: addRoute never renders such a route)', () => {
    const c = new Chart(Testing.app(), 'gw', { namespace: 'ml' });
    const route = (id: string, timeout: string) => new ApiObject(c, id, { apiVersion: 'v1', kind: 'Route', metadata: { name: 'r' }, spec: { timeout, rules: [id] } });
    const gateway = { fail: (o: InvalidPropOptions) => { throw new InferenceConfigError(c, 'InferenceGateway', o); } } as unknown as GatewayContext;
    const [a, b] = [route('a', '1s'), route('b', '2s')];
    expect(() => foldRoutes(gateway, [a], [b])).toThrow(
      "InferenceGateway 'gw': invalid route: received '/spec/timeout: \"2s\"'; allowed: the same settings as the service's earlier route (\"1s\"). "
      + 'Fix: route the service once, with one set of options [code: RouteConflict]');
    const [x, y] = [route('x', '1s'), route('y', '1s')];
    expect(foldRoutes(gateway, [x], [y])).toEqual([]);
    expect(x.toJson().spec.rules).toEqual(['x', 'y']);
    expect(c.node.tryFindChild('y')).toBeUndefined();
  });

  test('throws when a service in a release is routed by addRoute afterwards', () => {
    const { c, chat, gateway } = setup({ host: 'models.example.com' });
    const next = new InferenceService(c, 'chat-next', { server: ModelServer.vllm({ model: 'm2' }), gpu: Gpu.nvidia(1) });
    new CanaryRelease(c, 'release', { gateway, stable: chat, canary: next, strategy: ReleaseStrategy.weighted(90, 10), pathPrefix: '/v1' });
    expect(() => gateway.addRoute(next, { pathPrefix: '/next' })).toThrow(/received 'gw\/chat-next routed by gateway.addRoute'; .* already routed by the release 'gw\/release'/);
    expect(() => gateway.addRoute(chat, { pathPrefix: '/chat' })).toThrow(withCode(ErrorCode.ROUTE_CONFLICT));
  });
});

describe('Secrets as cdk8s-plus objects', () => {
  /** The manifests of a gateway with one route, its props made in the chart (where a cdk8s-plus Secret may be imported). */
  function synthIn(props: (c: Chart) => InferenceGatewayProps): Manifest[] {
    const c = new Chart(Testing.app(), 'gw', { namespace: 'ml' });
    const gateway = new InferenceGateway(c, 'gateway', props(c));
    gateway.addRoute(new InferenceService(c, 'chat', { server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1) }));
    return Testing.synth(c) as Manifest[];
  }
  /** The same, with the Secret named `name` as a cdk8s-plus Secret. */
  const synthWithSecret = (name: string, props: (secret: kplus.ISecret) => InferenceGatewayProps) =>
    synthIn((c) => props(kplus.Secret.fromSecretName(c, 'Secret', name)));
  const synthWithName = (props: InferenceGatewayProps) => synthIn(() => props);

  test('a TLS Secret given as a cdk8s-plus Secret renders as its name does', () => {
    const host = 'models.example.com';
    expect(synthWithSecret('models-tls', (secret) => ({ host, tls: GatewayTls.fromSecret(undefined, { secret }) })))
      .toEqual(synthWithName({ host, tls: GatewayTls.fromSecret('models-tls') }));
    const nginx = GatewayImplementation.INGRESS_NGINX;
    expect(synthWithSecret('models-tls', (secret) => ({ host, implementation: nginx, tls: GatewayTls.fromSecret(undefined, { secret }) })))
      .toEqual(synthWithName({ host, implementation: nginx, tls: GatewayTls.fromSecret('models-tls') }));
  });

  test('an API keys Secret given as a cdk8s-plus Secret renders as its name does', () => {
    const m = synthWithSecret('api-keys', (secret) => ({ host: 'models.example.com', auth: ApiAuth.apiKeys(undefined, { secret }) }));
    expect(m).toEqual(synthWithName({ host: 'models.example.com', auth: ApiAuth.apiKeys('api-keys') }));
    expect(only(m, 'SecurityPolicy').spec.apiKeyAuth.credentialRefs).toEqual([{ kind: 'Secret', name: 'api-keys' }]);
  });

  test('throws when a Secret is given both by name and as a cdk8s-plus Secret', () => {
    expect(() => synthWithSecret('models-tls', (secret) => ({ host: 'models.example.com', tls: GatewayTls.fromSecret('other-tls', { secret }) }))).toThrow(
      "InferenceGateway 'gw/gateway': invalid tls: received 'Secret name 'other-tls' and Secret 'models-tls''; "
      + 'allowed: the certificate Secret either by name or as a cdk8s-plus Secret, not both. Fix: pass only one of the two [code: ConflictingSecret]');
    expect(() => synthWithSecret('api-keys', (secret) => ({ auth: ApiAuth.apiKeys('api-keys', { secret }) })))
      .toThrow(withCode(ErrorCode.CONFLICTING_SECRET));
  });

  test('throws when a Secret is given neither by name nor as a cdk8s-plus Secret', () => {
    expect(() => synthWithName({ auth: ApiAuth.apiKeys() })).toThrow(
      "InferenceGateway 'gw/gateway': invalid auth: received nothing; allowed: the API keys Secret, by name or as a cdk8s-plus Secret. "
      + "Fix: pass the Secret's name, or the Secret as options.secret [code: MissingSecret]");
    expect(() => synthWithName({ host: 'models.example.com', tls: GatewayTls.fromSecret() })).toThrow(withCode(ErrorCode.MISSING_SECRET));
  });
});
