import { Chart, Duration, Size, Testing } from 'cdk8s';
import { ApiAuth, checkManifests, GatewayImplementation, GatewayTls, Gpu, InferenceGateway, InferenceGatewayProps, InferenceService, ModelServer } from '../lib';
import { Manifest, only } from './util';

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
  });

  test('a header match makes the same path distinct', () => {
    const { chat, vision, gateway } = setup({ host: 'models.example.com' });
    gateway.addRoute(chat, { pathPrefix: '/v1', headerName: 'x-model', headerValue: 'chat' });
    expect(() => gateway.addRoute(vision, { pathPrefix: '/v1', headerName: 'x-model', headerValue: 'vision' })).not.toThrow();
  });

  test('throws when TLS has no host', () => {
    expect(() => setup({ tls: GatewayTls.fromSecret('x') })).toThrow(
      "InferenceGateway 'gw/gateway': invalid tls: received 'x'; allowed: TLS only with a host: a certificate names the host it serves. Fix: set host, e.g. inference.example.com");
  });

  test('throws when the rate limit is not above zero', () => {
    expect(() => setup({ rateLimit: { requestsPerMinute: 0 } })).toThrow(/invalid rateLimit.requestsPerMinute: received 0; allowed: a whole number of requests above 0/);
  });

  test('throws when the implementation cannot do the auth mode', () => {
    expect(() => setup({ implementation: GatewayImplementation.TRAEFIK, auth: ApiAuth.apiKeys('k') })).toThrow(
      /invalid auth: received 'api-keys with traefik'; allowed: API keys and JWT with Envoy Gateway only/);
    expect(() => setup({ implementation: GatewayImplementation.INGRESS_NGINX, auth: ApiAuth.jwt({ issuer: 'i', jwksUri: 'https://j' }) })).toThrow(/invalid auth: received 'jwt with ingress-nginx'/);
  });
});
