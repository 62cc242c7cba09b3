import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  BackendTrafficPolicy, BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType, BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit,
  BackendTrafficPolicySpecRateLimitType, SecurityPolicy,
} from '../imports/gateway.envoyproxy.io';
import {
  Gateway, GatewaySpecListenersAllowedRoutesNamespacesFrom, GatewaySpecListenersTlsMode, GrpcRoute, GrpcRouteSpecRulesFiltersType, GrpcRouteSpecRulesMatchesHeadersType, HttpRoute,
  HttpRouteSpecRulesFiltersType, HttpRouteSpecRulesMatchesHeadersType, HttpRouteSpecRulesMatchesPathType,
} from '../imports/gateway.networking.k8s.io';
import { Middleware, MiddlewareSpecRateLimitPeriod } from '../imports/traefik.io';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import { IInferenceService } from './inference-service-ref';
import { checkName, claimName } from './names';
import { claim } from './private/claims';

const KIND = 'InferenceGateway';

/** The controller that implements the gateway. */
export enum GatewayImplementation {
  /** ingress-nginx, through a Kubernetes Ingress. Rate limits per client IP; no API keys or JWT. */
  INGRESS_NGINX = 'ingress-nginx',
  /** Envoy Gateway, through Gateway API, with SecurityPolicy (API keys, JWT) and BackendTrafficPolicy (rate limits). */
  ENVOY_GATEWAY = 'envoy-gateway',
  /** Traefik, through Gateway API, with Middlewares (rate limits); no API keys or JWT in Traefik's open-source edition. */
  TRAEFIK = 'traefik',
}

/**
 * Where the gateway's TLS certificate comes from.
 * @see https://cert-manager.io/docs/usage/gateway/
 */
export class GatewayTls {
  /** A `kubernetes.io/tls` Secret that already exists. */
  public static fromSecret(secretName: string): GatewayTls {
    return new GatewayTls(secretName);
  }

  /**
   * A certificate issued by cert-manager from a ClusterIssuer, into Secret `<gateway>-tls`.
   * @see https://cert-manager.io/docs/usage/gateway/
   */
  public static certManager(clusterIssuer: string): GatewayTls {
    return new GatewayTls(undefined, clusterIssuer);
  }

  /** @internal */
  public readonly _secretName?: string;
  /** @internal */
  public readonly _clusterIssuer?: string;

  private constructor(secretName?: string, clusterIssuer?: string) {
    this._secretName = secretName;
    this._clusterIssuer = clusterIssuer;
  }
}

/** Options for {@link ApiAuth.jwt}. */
export interface JwtAuthOptions {
  /** Expected `iss` claim. */
  readonly issuer: string;
  /** Where the issuer publishes its keys (JWKS). */
  readonly jwksUri: string;
  /**
   * Accepted `aud` claims.
   * @default - any audience
   */
  readonly audiences?: string[];
}

/**
 * How clients authenticate at the gateway.
 * @see https://gateway.envoyproxy.io/docs/tasks/security/apikey-auth
 */
export class ApiAuth {
  /**
   * API keys: a Secret whose keys are client ids and whose values are their API keys, sent in
   * the `x-api-key` header.
   * @see https://gateway.envoyproxy.io/docs/tasks/security/apikey-auth/
   */
  public static apiKeys(secretName: string): ApiAuth {
    return new ApiAuth('api-keys', secretName);
  }

  /**
   * JSON Web Tokens (OIDC access tokens) in the `Authorization: Bearer` header.
   * @see https://gateway.envoyproxy.io/docs/tasks/security/jwt-authentication/
   */
  public static jwt(options: JwtAuthOptions): ApiAuth {
    return new ApiAuth('jwt', undefined, options);
  }

  /** `api-keys` or `jwt`. */
  public readonly mode: string;
  /** @internal */
  public readonly _secretName?: string;
  /** @internal */
  public readonly _jwt?: JwtAuthOptions;

  private constructor(mode: string, secretName?: string, jwt?: JwtAuthOptions) {
    this.mode = mode;
    this._secretName = secretName;
    this._jwt = jwt;
  }
}

/** Options for a gateway's rate limit. */
export interface RateLimitOptions {
  /** Requests each client may make per minute. */
  readonly requestsPerMinute: number;
  /**
   * Header that identifies a client (each distinct value gets its own budget).
   * @default 'x-api-key' with API keys, 'authorization' with JWT; the client IP otherwise
   */
  readonly clientHeader?: string;
}

/** Props of an {@link InferenceGateway}. */
export interface InferenceGatewayProps {
  /**
   * Host name clients use, e.g. `inference.example.com`.
   * @default - any host (no TLS possible)
   */
  readonly host?: string;

  /**
   * The controller that implements the gateway. Switching is this one prop.
   * @default GatewayImplementation.ENVOY_GATEWAY
   */
  readonly implementation?: GatewayImplementation;

  /**
   * TLS termination at the gateway.
   * @default - plain HTTP (only for development)
   */
  readonly tls?: GatewayTls;

  /**
   * Client authentication.
   * @default - none
   */
  readonly auth?: ApiAuth;

  /**
   * Per-client rate limit.
   * @default - none
   */
  readonly rateLimit?: RateLimitOptions;

  /**
   * Longest request, streams included: the proxy never cuts a stream shorter than this.
   * @default Duration.minutes(10)
   */
  readonly requestTimeout?: Duration;

  /**
   * Largest request body (prompts with images or long contexts).
   * @default Size.mebibytes(64)
   */
  readonly maxBodySize?: Size;

  /**
   * GatewayClass (Gateway API implementations) or IngressClass (ingress-nginx).
   * @default - 'envoy-gateway', 'traefik' or 'nginx'
   */
  readonly className?: string;

  /**
   * The gateway's proxy pods, admitted by each service's NetworkPolicy.
   * @default - the implementation's pods in its usual namespace (envoy-gateway-system, traefik, ingress-nginx)
   */
  readonly proxyPods?: kplus.INetworkPolicyPeer;

  /**
   * Name of the gateway's objects.
   * @default - the construct id
   */
  readonly name?: string;
}

/**
 * A route split between services.
 * @internal
 */
export interface TrafficRoute {
  /** Suffix of the route object's name. */
  readonly name: string;
  /** Construct path that owns the route (for clash messages). */
  readonly owner: string;
  /** Path prefix matched. */
  readonly pathPrefix: string;
  /** Header matched, if any. */
  readonly headerName?: string;
  /** Header value matched. */
  readonly headerValue?: string;
  /** Cookie whose value `always` selects the route (instead of a header). */
  readonly cookie?: string;
  /** Services and their weights (0–100). */
  readonly backends: TrafficBackend[];
  /** A service receiving a copy of `weight` percent of the requests; responses discarded. */
  readonly mirror?: TrafficBackend;
  /**
   * The `x-inference-service` header value gRPC clients send for this route; when every backend
   * serves gRPC, a GRPCRoute splits and matches the same way (Gateway API implementations).
   * @default - no gRPC route
   */
  readonly grpcService?: string;
}

/**
 * A Service behind a route and its share of the traffic.
 * @internal
 */
export interface TrafficBackend {
  /** The InferenceService behind it, admitted from the gateway. */
  readonly service: IInferenceService;
  /** The Service name, when it is not the InferenceService's own (an Argo Rollouts canary Service). */
  readonly serviceName?: string;
  /** Weight, or mirror percent. */
  readonly weight: number;
}

/** Options for {@link InferenceGateway.addRoute}. */
export interface RouteOptions {
  /**
   * Path prefix routed to the service.
   * @default '/<service name>'
   */
  readonly pathPrefix?: string;
  /**
   * Route only requests with this header value (e.g. `x-model: llama`).
   * @default - no header match
   */
  readonly headerName?: string;
  /** Value of `headerName` to match. @default - none */
  readonly headerValue?: string;
}

/**
 * The entry point: one host, TLS, authentication and rate limits, and a route per model
 * (path or header) to its InferenceService, on ingress-nginx (Ingress) or Gateway API (Envoy
 * Gateway, Traefik). Timeouts and body limits fit long LLM streams.
 * @see https://gateway-api.sigs.k8s.io/
 */
export class InferenceGateway extends Construct {
  /** Name of the gateway's objects. */
  public readonly name: string;
  /** The implementation. */
  public readonly implementation: GatewayImplementation;
  /** The host, if any. */
  public readonly host?: string;

  private readonly props: InferenceGatewayProps;
  private readonly ingressPaths: k8s.HttpIngressPath[] = [];
  private routeCount = 0;

  /**
   * Defines an InferenceGateway.
   * @param scope the construct (usually a Chart) the objects are created in
   * @param id the construct id, unique within `scope`
   * @param props the settings, see `InferenceGatewayProps`
   */
  constructor(scope: Construct, id: string, props: InferenceGatewayProps = {}) {
    super(scope, id);
    this.props = props;
    this.name = checkName(this, KIND, 'name', props.name ?? id);
    claimName(this, KIND, 'name', `gateway/${this.name}`);
    this.implementation = props.implementation ?? GatewayImplementation.ENVOY_GATEWAY;
    this.host = props.host;
    this.check();
    const timeout = this.timeoutSeconds();
    if (this.implementation === GatewayImplementation.INGRESS_NGINX) {
      const tlsSecret = props.tls ? props.tls._secretName ?? `${this.name}-tls` : undefined;
      new k8s.KubeIngress(this, 'Ingress', {
        metadata: {
          name: this.name,
          annotations: {
            // Streams: no buffering, and no 60 s proxy timeout cutting a long generation.
            'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
            'nginx.ingress.kubernetes.io/proxy-read-timeout': String(timeout),
            'nginx.ingress.kubernetes.io/proxy-send-timeout': String(timeout),
            'nginx.ingress.kubernetes.io/proxy-body-size': `${(props.maxBodySize ?? Size.mebibytes(64)).toMebibytes()}m`,
            ...(props.rateLimit ? { 'nginx.ingress.kubernetes.io/limit-rpm': String(props.rateLimit.requestsPerMinute) } : {}),
            ...(props.tls?._clusterIssuer ? { 'cert-manager.io/cluster-issuer': props.tls._clusterIssuer } : {}),
          },
        },
        spec: {
          ingressClassName: props.className ?? 'nginx',
          tls: tlsSecret ? [{ hosts: [props.host!], secretName: tlsSecret }] : undefined,
          rules: [{ host: props.host, http: { paths: this.ingressPaths } }],
        },
      });
      return;
    }
    const tlsSecret = props.tls ? props.tls._secretName ?? `${this.name}-tls` : undefined;
    new Gateway(this, 'Gateway', {
      metadata: {
        name: this.name,
        annotations: props.tls?._clusterIssuer ? { 'cert-manager.io/cluster-issuer': props.tls._clusterIssuer } : undefined,
      },
      spec: {
        gatewayClassName: props.className ?? (this.implementation === GatewayImplementation.TRAEFIK ? 'traefik' : 'envoy-gateway'),
        listeners: [{
          name: tlsSecret ? 'https' : 'http',
          port: tlsSecret ? 443 : 80,
          protocol: tlsSecret ? 'HTTPS' : 'HTTP',
          hostname: props.host,
          tls: tlsSecret ? { mode: GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ kind: 'Secret', name: tlsSecret }] } : undefined,
          allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
        }],
      },
    });
    const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: this.name }];
    if (this.implementation === GatewayImplementation.ENVOY_GATEWAY) {
      const auth = props.auth;
      if (auth) {
        new SecurityPolicy(this, 'SecurityPolicy', {
          metadata: { name: this.name },
          spec: {
            targetRefs,
            apiKeyAuth: auth.mode === 'api-keys'
              ? { credentialRefs: [{ kind: 'Secret', name: auth._secretName! }], extractFrom: [{ headers: ['x-api-key'] }] } : undefined,
            jwt: auth._jwt ? {
              providers: [{ name: 'oidc', issuer: auth._jwt.issuer, audiences: auth._jwt.audiences, remoteJwks: { uri: auth._jwt.jwksUri } }],
            } : undefined,
          },
        });
      }
      new BackendTrafficPolicy(this, 'TrafficPolicy', {
        metadata: { name: this.name },
        spec: {
          targetRefs,
          timeout: { http: { requestTimeout: `${timeout}s`, maxStreamDuration: `${timeout}s` } },
          rateLimit: props.rateLimit ? {
            // Per-client budgets (a Distinct header) need Envoy Gateway's global rate limit service.
            type: BackendTrafficPolicySpecRateLimitType.GLOBAL,
            global: {
              rules: [{
                clientSelectors: [{ headers: [{ name: this.clientHeader()!, type: BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType.DISTINCT }] }],
                limit: { requests: props.rateLimit.requestsPerMinute, unit: BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.MINUTE },
              }],
            },
          } : undefined,
        },
      });
    } else if (props.rateLimit) {
      new Middleware(this, 'RateLimit', {
        metadata: { name: `${this.name}-rate-limit` },
        spec: {
          rateLimit: {
            average: props.rateLimit.requestsPerMinute,
            period: MiddlewareSpecRateLimitPeriod.fromString('1m'),
            burst: props.rateLimit.requestsPerMinute,
            sourceCriterion: this.clientHeader() ? { requestHeaderName: this.clientHeader() } : { ipStrategy: { depth: 0 } },
          },
        },
      });
    }
  }

  /**
   * Routes requests for `pathPrefix` (and optionally a header value) to the service's HTTP port,
   * and its gRPC port when it has one (Gateway API implementations, GRPCRoute), and admits the
   * gateway's proxies through the service's NetworkPolicy.
   */
  public addRoute(service: IInferenceService, options: RouteOptions = {}): void {
    this._addTrafficRoute({
      name: service.name,
      owner: service.node.path,
      pathPrefix: options.pathPrefix ?? `/${service.name}`,
      headerName: options.headerName,
      headerValue: options.headerValue,
      backends: [{ service, weight: 100 }],
      grpcService: service.name,
    });
  }

  /**
   * A route whose traffic is split by weight between services, optionally mirrored to another.
   * @internal
   */
  public _addTrafficRoute(route: TrafficRoute): void {
    const path = route.pathPrefix;
    const key = `${this.host ?? '*'} ${path} ${route.headerName ?? ''}=${route.headerValue ?? ''} ${route.cookie ?? ''}`;
    const holder = claim(this, 'route', key, route.owner);
    if (holder !== undefined) {
      this.fail({
        prop: 'route',
        received: `${this.host ?? '*'}${path}${route.headerName ? ` with ${route.headerName}: ${route.headerValue}` : ''} for '${route.owner}'`,
        allowed: `one service per host, path and header; it already goes to '${holder}'`,
        fix: 'give the route another pathPrefix, or match a header',
      });
    }
    for (const b of [...route.backends, ...(route.mirror ? [route.mirror] : [])]) b.service.allowFrom(this.proxyPods());
    const i = this.routeCount++;
    const timeout = `${this.timeoutSeconds()}s`;
    const [primary, ...others] = route.backends.filter((b) => b.weight > 0 || route.backends.length === 1);
    // Traefik's Gateway API provider (v3.5) rejects RequestMirror filters: the whole route would fail to load.
    if (route.mirror && this.implementation !== GatewayImplementation.ENVOY_GATEWAY) {
      this.fail({
        prop: 'mirror', received: `${route.mirror.service.name} on ${this.implementation}`,
        allowed: 'mirroring with Envoy Gateway only (ingress-nginx has no mirror split; Traefik rejects RequestMirror filters)',
        fix: 'use Envoy Gateway for a mirrored release, or a weighted or header release',
      });
    }
    if (this.implementation === GatewayImplementation.INGRESS_NGINX) {
      // ingress-nginx matches headers and splits traffic with a second, "canary" Ingress for the same host and path.
      if (route.headerName) {
        this.canaryIngress(i, path, primary, route, { 'nginx.ingress.kubernetes.io/canary-by-header': route.headerName,
          'nginx.ingress.kubernetes.io/canary-by-header-value': route.headerValue ?? '' });
        return;
      }
      if (route.cookie) {
        this.canaryIngress(i, path, primary, route, { 'nginx.ingress.kubernetes.io/canary-by-cookie': route.cookie });
        return;
      }
      this.ingressPaths.push({ path, pathType: 'Prefix', backend: { service: { name: primary.serviceName ?? primary.service.name, port: { name: 'http' } } } });
      for (const b of others) this.canaryIngress(i, path, b, route, { 'nginx.ingress.kubernetes.io/canary-weight': String(b.weight) });
      return;
    }
    const headers = route.headerName ? [{ name: route.headerName, value: route.headerValue ?? '', type: HttpRouteSpecRulesMatchesHeadersType.EXACT }]
      // A cookie is matched in the Cookie header, as ingress-nginx's canary-by-cookie does: value `always`.
      : route.cookie ? [{ name: 'cookie', value: `(^|;\\s*)${route.cookie}=always(;|$)`, type: HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION }]
        : undefined;
    const filters = [
      ...(this.traefikRateLimit() ? [{ type: HttpRouteSpecRulesFiltersType.EXTENSION_REF, extensionRef: this.traefikRateLimit()! }] : []),
      ...(route.mirror ? [{
        type: HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
        requestMirror: { backendRef: { name: route.mirror.serviceName ?? route.mirror.service.name, port: route.mirror.service.server.httpPort }, percent: route.mirror.weight },
      }] : []),
    ];
    const split = route.backends.length > 1;
    this.grpcRoute(i, route, headers);
    new HttpRoute(this, `Route${i}`, {
      metadata: { name: `${this.name}-${route.name}` },
      spec: {
        parentRefs: [{ name: this.name }],
        hostnames: this.host ? [this.host] : undefined,
        rules: [{
          matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: path }, headers }],
          backendRefs: route.backends.map((b) => ({ name: b.serviceName ?? b.service.name, port: b.service.server.httpPort, weight: split ? b.weight : undefined })),
          timeouts: { request: timeout, backendRequest: timeout },
          filters: filters.length ? filters : undefined,
        }],
      },
    });
  }

  /**
   * The gRPC side of a route: gRPC clients name the service in the `x-inference-service` header
   * (paths are gRPC method names), split and matched like the HTTP route. Only when every backend
   * serves gRPC.
   */
  private grpcRoute(i: number, route: TrafficRoute, headers: { name: string; value: string; type: HttpRouteSpecRulesMatchesHeadersType }[] | undefined): void {
    const served = [...route.backends, ...(route.mirror ? [route.mirror] : [])];
    if (route.grpcService === undefined || served.some((b) => b.service.server.grpcPort === undefined)) return;
    const key = `grpc ${this.host ?? '*'} x-inference-service=${route.grpcService} ${route.headerName ?? ''}=${route.headerValue ?? ''} ${route.cookie ?? ''}`;
    const holder = claim(this, 'route', key, route.owner);
    if (holder !== undefined) {
      this.fail({
        prop: 'route',
        received: `gRPC requests with x-inference-service: ${route.grpcService}${route.headerName ? ` and ${route.headerName}: ${route.headerValue}` : ''} for '${route.owner}'`,
        allowed: `one service per gRPC service header; it already goes to '${holder}'`,
        fix: 'route the service either with gateway.addRoute or with a release, not both',
      });
    }
    const type = (t: HttpRouteSpecRulesMatchesHeadersType) => t === HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION
      ? GrpcRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION : GrpcRouteSpecRulesMatchesHeadersType.EXACT;
    const split = route.backends.length > 1;
    const filters = [
      ...(this.traefikRateLimit() ? [{ type: GrpcRouteSpecRulesFiltersType.EXTENSION_REF, extensionRef: this.traefikRateLimit()! }] : []),
      ...(route.mirror ? [{
        type: GrpcRouteSpecRulesFiltersType.REQUEST_MIRROR,
        requestMirror: { backendRef: { name: route.mirror.serviceName ?? route.mirror.service.name, port: route.mirror.service.server.grpcPort! }, percent: route.mirror.weight },
      }] : []),
    ];
    new GrpcRoute(this, `GrpcRoute${i}`, {
      metadata: { name: `${this.name}-${route.name}-grpc` },
      spec: {
        parentRefs: [{ name: this.name }],
        hostnames: this.host ? [this.host] : undefined,
        rules: [{
          matches: [{
            headers: [
              { name: 'x-inference-service', value: route.grpcService, type: GrpcRouteSpecRulesMatchesHeadersType.EXACT },
              ...(headers ?? []).map((h) => ({ name: h.name, value: h.value, type: type(h.type) })),
            ],
          }],
          backendRefs: route.backends.map((b) => ({ name: b.serviceName ?? b.service.name, port: b.service.server.grpcPort!, weight: split ? b.weight : undefined })),
          filters: filters.length ? filters : undefined,
        }],
      },
    });
  }

  /** Traefik's rate limit, a Middleware that HTTPRoutes and GRPCRoutes reference as an ExtensionRef filter. */
  private traefikRateLimit(): { group: string; kind: string; name: string } | undefined {
    return this.implementation === GatewayImplementation.TRAEFIK && this.props.rateLimit
      ? { group: 'traefik.io', kind: 'Middleware', name: `${this.name}-rate-limit` } : undefined;
  }

  private canaryIngress(i: number, path: string, backend: TrafficBackend, route: TrafficRoute, match: { [key: string]: string }): void {
    const timeout = String(this.timeoutSeconds());
    new k8s.KubeIngress(this, `Canary${i}`, {
      metadata: {
        name: `${this.name}-${route.name}-${backend.service.name}`.slice(0, 63).replace(/-+$/, ''),
        annotations: {
          'nginx.ingress.kubernetes.io/canary': 'true',
          ...match,
          'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
          'nginx.ingress.kubernetes.io/proxy-read-timeout': timeout,
          'nginx.ingress.kubernetes.io/proxy-send-timeout': timeout,
        },
      },
      spec: {
        ingressClassName: this.props.className ?? 'nginx',
        rules: [{ host: this.host, http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: backend.serviceName ?? backend.service.name, port: { name: 'http' } } } }] } }],
      },
    });
  }

  private timeoutSeconds(): number {
    return (this.props.requestTimeout ?? Duration.minutes(10)).toSeconds();
  }

  private clientHeader(): string | undefined {
    return this.props.rateLimit?.clientHeader
      ?? (this.props.auth?.mode === 'api-keys' ? 'x-api-key' : this.props.auth?.mode === 'jwt' ? 'authorization' : undefined);
  }

  private proxyPods(): kplus.INetworkPolicyPeer {
    if (this.props.proxyPods) return this.props.proxyPods;
    const id = 'ProxyPods';
    const existing = this.node.tryFindChild(id) as kplus.Pods | undefined;
    if (existing) return existing;
    const [namespace, labels] = this.implementation === GatewayImplementation.INGRESS_NGINX
      ? ['ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }]
      : this.implementation === GatewayImplementation.TRAEFIK
        ? ['traefik', { 'app.kubernetes.io/name': 'traefik' }]
        : ['envoy-gateway-system', { 'gateway.envoyproxy.io/owning-gateway-name': this.name }];
    return kplus.Pods.select(this, id, { labels, namespaces: kplus.Namespaces.select(this, 'ProxyNamespace', { names: [namespace] }) });
  }

  private fail(options: InvalidPropOptions): never {
    throw new InferenceConfigError(this, KIND, options);
  }

  private check(): void {
    const p = this.props;
    if (p.host !== undefined && !/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(p.host)) {
      this.fail({ prop: 'host', received: p.host, allowed: 'a DNS name in lower case, e.g. inference.example.com', fix: 'correct the host name' });
    }
    if (p.tls && !p.host) {
      this.fail({
        prop: 'tls', received: p.tls._secretName ?? `cert-manager issuer ${p.tls._clusterIssuer}`,
        allowed: 'TLS only with a host: a certificate names the host it serves', fix: 'set host, e.g. inference.example.com',
      });
    }
    if (p.rateLimit && !(Number.isInteger(p.rateLimit.requestsPerMinute) && p.rateLimit.requestsPerMinute > 0)) {
      this.fail({ prop: 'rateLimit.requestsPerMinute', received: p.rateLimit.requestsPerMinute, allowed: 'a whole number of requests above 0', fix: 'e.g. 600' });
    }
    if (p.auth && this.implementation !== GatewayImplementation.ENVOY_GATEWAY) {
      this.fail({
        prop: 'auth',
        received: `${p.auth.mode} with ${this.implementation}`,
        allowed: `API keys and JWT with Envoy Gateway only; ${this.implementation} needs an external authentication service for them`,
        fix: 'use GatewayImplementation.ENVOY_GATEWAY, or remove auth and authenticate in front of the gateway',
      });
    }
    if (p.rateLimit?.clientHeader && this.implementation === GatewayImplementation.INGRESS_NGINX) {
      this.fail({
        prop: 'rateLimit.clientHeader', received: p.rateLimit.clientHeader,
        allowed: 'none with ingress-nginx: it limits per client IP', fix: 'remove clientHeader, or use Envoy Gateway or Traefik',
      });
    }
  }
}
