import { ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ErrorCode } from './error-codes';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import type { IInferencePool } from './inference-pool';
import { IInferenceService } from './inference-service-ref';
import { checkName, claimName } from './names';
import { ApiKeys, AuthVariant, Jwt } from './private/gateway/auth';
import { GatewayContext, GatewayController, TlsSettings } from './private/gateway/controller';
import { controllerFor, IMPLEMENTATIONS } from './private/gateway/controllers';
import { pathPrefixProblem, RouteMatch, servedBy, TrafficRoute } from './private/gateway/route';
import { addsPath, claimHttpRoute, claimRoutedServices, foldRoutes, ServiceRoutes } from './private/gateway/route-claims';
import { SecretRef } from './private/secret-ref';

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

/** Options for {@link GatewayTls.fromSecret}. */
export interface GatewayTlsSecretOptions {
  /**
   * The `kubernetes.io/tls` Secret as a cdk8s-plus object (a `kplus.TlsSecret`, or
   * `kplus.Secret.fromSecretName(...)`), instead of its name.
   * @default - the Secret named by `secretName`
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
   */
  readonly secret?: kplus.ISecret;
}

/**
 * Where the gateway's TLS certificate comes from.
 * @see https://cert-manager.io/docs/usage/gateway/
 */
export class GatewayTls {
  /**
   * A `kubernetes.io/tls` Secret that already exists, by name or (`options.secret`) as a
   * cdk8s-plus Secret; give one of the two.
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
   */
  public static fromSecret(secretName?: string, options: GatewayTlsSecretOptions = {}): GatewayTls {
    return new GatewayTls(new SecretRef('tls', 'the certificate', secretName, options.secret));
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
  private readonly secret?: SecretRef;

  private constructor(secret?: SecretRef, clusterIssuer?: string) {
    this.secret = secret;
    this._secretName = secret?.name;
    this._clusterIssuer = clusterIssuer;
  }

  /**
   * Why the certificate cannot be used, or nothing.
   * @internal
   */
  public _problem(): InvalidPropOptions | undefined {
    return this.secret?.problem();
  }

  /**
   * The certificate's Secret and issuer, for the gateway named `gatewayName`.
   * @internal
   */
  public _settings(gatewayName: string): TlsSettings {
    return { secretName: this._secretName ?? `${gatewayName}-tls`, clusterIssuer: this._clusterIssuer };
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

  /**
   * The token claim that identifies a client for the gateway's rate limit: Envoy Gateway copies it
   * to an `x-jwt-<claim>` header after verifying the token, and each distinct value gets its own
   * budget, so a client keeps its budget when it refreshes its token. Every token must carry the
   * claim: for a token without it, Envoy leaves a client-sent header of that name in place. Dots
   * reach a nested claim (`org.id`).
   * @see https://gateway.envoyproxy.io/docs/tasks/security/jwt-claim-authorization/
   * @default 'sub'
   */
  readonly rateLimitClaim?: string;
}

/** Options for {@link ApiAuth.apiKeys}. */
export interface ApiKeysOptions {
  /**
   * The Secret of client ids and API keys as a cdk8s-plus object (e.g. a `kplus.Secret`, or
   * `kplus.Secret.fromSecretName(...)` for one an ExternalSecret fills), instead of its name.
   * @default - the Secret named by `secretName`
   * @see https://gateway.envoyproxy.io/docs/tasks/security/apikey-auth/
   */
  readonly secret?: kplus.ISecret;
}

/**
 * How clients authenticate at the gateway.
 * @see https://gateway.envoyproxy.io/docs/tasks/security/apikey-auth
 */
export class ApiAuth {
  /**
   * API keys: a Secret whose keys are client ids and whose values are their API keys, sent in
   * the `x-api-key` header. Give the Secret by name or (`options.secret`) as a cdk8s-plus Secret.
   * @see https://gateway.envoyproxy.io/docs/tasks/security/apikey-auth/
   */
  public static apiKeys(secretName?: string, options: ApiKeysOptions = {}): ApiAuth {
    return new ApiAuth(new ApiKeys(new SecretRef('auth', 'the API keys', secretName, options.secret)));
  }

  /**
   * JSON Web Tokens (OIDC access tokens) in the `Authorization: Bearer` header.
   * @see https://gateway.envoyproxy.io/docs/tasks/security/jwt-authentication/
   */
  public static jwt(options: JwtAuthOptions): ApiAuth {
    return new ApiAuth(new Jwt(options));
  }

  /** `api-keys` or `jwt`. */
  public readonly mode: string;
  /** @internal */
  public readonly _variant: AuthVariant;

  private constructor(variant: AuthVariant) {
    this.mode = variant.mode;
    this._variant = variant;
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
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#listener
   * @default - any host (no TLS possible)
   */
  readonly host?: string;

  /**
   * The controller that implements the gateway. Switching is this one prop.
   * @default GatewayImplementation.ENVOY_GATEWAY
   */
  readonly implementation?: GatewayImplementation;

  /**
   * TLS termination at the gateway (needs `host`).
   * @see https://gateway-api.sigs.k8s.io/guides/tls/
   * @default - plain HTTP (only for development)
   */
  readonly tls?: GatewayTls;

  /**
   * Client authentication (Envoy Gateway only).
   * @see https://gateway.envoyproxy.io/docs/tasks/security/
   * @default - none
   */
  readonly auth?: ApiAuth;

  /**
   * Per-client rate limit.
   * @see https://gateway.envoyproxy.io/docs/tasks/traffic/global-rate-limit/
   * @default - none
   */
  readonly rateLimit?: RateLimitOptions;

  /**
   * Longest request, streams included: the proxy never cuts a stream shorter than this.
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httproutetimeouts
   * @default Duration.minutes(10)
   */
  readonly requestTimeout?: Duration;

  /**
   * Largest request body (prompts with images or long contexts), set on ingress-nginx's
   * `proxy-body-size`; Gateway API implementations keep their own limit.
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#custom-max-body-size
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
   * The objective (priority class) of every InferencePool request through this gateway, e.g.
   * `batch` on a gateway for batch clients: the gateway sets `x-llm-d-inference-objective` before
   * routing, so before the endpoint picker reads it (Envoy Gateway's ClientTrafficPolicy
   * `earlyRequestHeaders`; a route's filters apply only after the picker). Every pool it routes
   * must define it. Envoy Gateway only.
   * @default - none: the gateway strips the objective headers, so no client picks its own priority
   */
  readonly poolObjective?: string;

  /**
   * Name of the gateway's objects.
   * @default - the construct id
   */
  readonly name?: string;
}

/** Options for {@link InferenceGateway.addRoute}. */
export interface RouteOptions {
  /**
   * Path prefix routed to the service.
   * @default '/<service name>'
   */
  readonly pathPrefix?: string;
  /**
   * Route only requests with this header value (e.g. `x-model: llama`); give `headerValue` with it.
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httpheadermatch
   * @default - no header match
   */
  readonly headerName?: string;
  /**
   * Value of `headerName` to match exactly.
   * @default - none (required with `headerName`)
   */
  readonly headerValue?: string;
}

/** Options for {@link InferenceGateway.addPoolRoute}. */
export interface PoolRouteOptions {
  /**
   * Path prefix routed to the pool. The OpenAI-compatible API of vLLM and SGLang is under `/v1`.
   * @default '/v1'
   */
  readonly pathPrefix?: string;
  /**
   * Route only requests with this header value; give `headerValue` with it.
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httpheadermatch
   * @default - no header match
   */
  readonly headerName?: string;
  /**
   * Value of `headerName` to match exactly.
   * @default - none (required with `headerName`)
   */
  readonly headerValue?: string;
  /**
   * Route by the model each request names (the body's `model` field) instead of by path: the
   * route matches every model name of the pool (its served models, vLLM adapters and splits), so
   * several pools share one host. Envoy AI Gateway's AIGatewayRoute, which serves the OpenAI API
   * paths itself: give no `pathPrefix` with it. Split the pool's models before.
   * @see https://aigateway.envoyproxy.io/docs/capabilities/inference/
   * @default false
   */
  readonly byModelName?: boolean;
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
  /** The resolved settings the controller renders. */
  private readonly context: GatewayContext;
  /** The implementation's controller: it renders the objects and refuses what it cannot do. */
  private readonly controller: GatewayController;
  private routeCount = 0;
  /** What `addRoute` gave each service: its match, paths and route objects. */
  private readonly serviceRoutes = new Map<IInferenceService, ServiceRoutes>();
  /** The pools `addPoolRoute` routed. */
  private readonly routedPools = new Set<string>();

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
    this.context = this.resolve(props);
    this.controller = this.controllerOf(props);
    this.check();
    this.controller.render();
  }

  /**
   * Whether the gateway routes with Gateway API HTTPRoutes, which Argo Rollouts' gatewayAPI
   * plugin can step.
   * @internal
   */
  public get _routesWithGatewayApi(): boolean {
    return this.controller.gatewayApi;
  }

  /**
   * Routes requests for `pathPrefix` (and optionally a header value) to the service's HTTP port,
   * and its gRPC port when it has one (Gateway API implementations, GRPCRoute), and admits the
   * gateway's proxies through the service's NetworkPolicy.
   *
   * Routing one service again with another `pathPrefix` adds the path to the same route objects
   * (one HTTPRoute with a rule per path, one canary Ingress with a rule per path); the header
   * match must then be the same. A service routed by a release cannot be routed here too.
   */
  public addRoute(service: IInferenceService, options: RouteOptions = {}): void {
    const pathProblem = options.pathPrefix === undefined ? undefined : pathPrefixProblem('pathPrefix', options.pathPrefix);
    if (pathProblem) this.fail(pathProblem);
    const route: TrafficRoute = {
      name: service.name,
      owner: service.node.path,
      pathPrefix: options.pathPrefix ?? `/${service.name}`,
      match: this.headerMatch(options),
      backends: [{ service, weight: 100 }],
      grpcService: service.name,
    };
    const earlier = this.serviceRoutes.get(service);
    if (!earlier) {
      this.serviceRoutes.set(service, { route, paths: new Set([route.pathPrefix]), objects: this.renderRoute(route) });
    } else if (addsPath(this.context, earlier, route)) {
      earlier.paths.add(route.pathPrefix);
      earlier.objects.push(...foldRoutes(this.context, earlier.objects, this.renderRoute(route)));
    }
  }

  /**
   * Routes requests for `pathPrefix` (and optionally a header value) to an InferencePool: its
   * endpoint picker chooses the pod of each request (by queue, KV cache, prefix cache and LoRA
   * adapter) instead of round-robin. Admits the gateway's proxies to the pool's pods and to its
   * picker. Envoy Gateway only, with Envoy AI Gateway's extension installed (see the README);
   * refused on Traefik and ingress-nginx.
   * @see https://gateway-api-inference-extension.sigs.k8s.io/
   */
  public addPoolRoute(pool: IInferencePool, options: PoolRouteOptions = {}): void {
    this.checkPoolRoute(pool, options);
    const modelNames = options.byModelName ? this.modelNamesOf(pool, options) : undefined;
    this.controller.objectiveHeaders(this.props.poolObjective);
    this.renderRoute({
      modelNames,
      name: pool.name,
      owner: pool.node.path,
      pathPrefix: options.pathPrefix ?? '/v1',
      match: this.headerMatch(options),
      backends: pool.services.map((service) => ({ service, weight: 100 })),
      pool,
    });
    pool.allowFrom(this.proxyPods());
  }

  /**
   * A route whose traffic is split by weight between services, optionally mirrored to another.
   * @internal
   */
  public _addTrafficRoute(route: TrafficRoute): void {
    this.renderRoute(route);
  }

  /**
   * Refuses what `addPoolRoute` cannot route: no pool, a gateway without endpoint-picker support,
   * a bad path, a pool without the gateway's objective, or the same pool twice (one route name).
   */
  private checkPoolRoute(pool: IInferencePool, options: PoolRouteOptions): void {
    if (!Construct.isConstruct(pool) || !Array.isArray((pool as IInferencePool).services)) {
      this.fail({ code: ErrorCode.WRONG_TYPE, prop: 'pool', received: pool, allowed: 'an InferencePool', fix: 'pass the InferencePool construct itself' });
    }
    const refusal = this.controller.refusePool(pool);
    if (refusal) this.fail(refusal);
    const pathProblem = options.pathPrefix === undefined ? undefined : pathPrefixProblem('pathPrefix', options.pathPrefix);
    if (pathProblem) this.fail(pathProblem);
    const objective = this.props.poolObjective;
    if (objective !== undefined && !pool.objectiveNames.includes(objective)) {
      this.fail({
        code: ErrorCode.UNKNOWN_OBJECTIVE, prop: 'poolObjective', received: `${objective} for pool '${pool.node.path}'`,
        allowed: pool.objectiveNames.length ? `one of the pool's objectives: ${pool.objectiveNames.join(', ')}` : 'none: the pool has no objectives',
        fix: "add it to the pool's objectives, e.g. { name: 'batch', priority: -1 }, or route the pool through another gateway",
      });
    }
    if (this.routedPools.has(pool.name)) {
      this.fail({
        code: ErrorCode.ROUTE_CONFLICT, prop: 'pool', received: pool.node.path,
        allowed: 'one route per pool on a gateway', fix: 'route the pool once (a second gateway, on another host, can route it with another poolObjective)',
      });
    }
    this.routedPools.add(pool.name);
  }

  /** The model names a route by model name matches; refuses a path with it, or a pool of no known names. */
  private modelNamesOf(pool: IInferencePool, options: PoolRouteOptions): string[] {
    const names = pool.modelNames;
    const problem = options.pathPrefix !== undefined ? [options.pathPrefix, 'no pathPrefix: a route by model name serves the OpenAI API paths', 'leave pathPrefix out']
      : names.length === 0 ? [pool.node.path, 'a pool whose services name their model (a preset model or a ModelVolume)', 'give the servers a model']
        : undefined;
    if (problem) this.fail({ code: ErrorCode.INVALID_MODEL_ROUTE, prop: 'byModelName', received: problem[0], allowed: problem[1], fix: problem[2] });
    (pool as { _routeByModel?: () => void })._routeByModel?.();
    return names;
  }

  /** Claims and renders `route`, and returns the objects rendered for it. */
  private renderRoute(route: TrafficRoute): ApiObject[] {
    // Refused before anything is claimed or admitted, so a refused route leaves no trace.
    const refusal = route.mirror && this.controller.refuseMirror(route.mirror);
    if (refusal) this.fail(refusal);
    claimHttpRoute(this.context, route);
    for (const b of servedBy(route)) b.service.allowFrom(this.proxyPods());
    const before = new Set(this.node.children);
    this.controller.addRoute(this.routeCount++, route);
    // After the controller's own claims (a gRPC route's names the clash more precisely).
    claimRoutedServices(this.context, route);
    return this.node.children.filter((c) => !before.has(c)).flatMap((c) => c.node.findAll()).filter((c): c is ApiObject => ApiObject.isApiObject(c));
  }

  /** The controller of the implementation, which renders into this gateway. */
  private controllerOf(props: InferenceGatewayProps): GatewayController {
    const controller = controllerFor(this.implementation, this.context);
    if (controller) return controller;
    return this.fail({
      code: ErrorCode.UNKNOWN_GATEWAY_IMPLEMENTATION, prop: 'implementation', received: props.implementation,
      allowed: `one of ${IMPLEMENTATIONS.join(', ')}`, fix: 'use a GatewayImplementation value, e.g. GatewayImplementation.ENVOY_GATEWAY',
    });
  }

  /** The gateway's settings, resolved, as its controller renders them. */
  private resolve(p: InferenceGatewayProps): GatewayContext {
    return {
      scope: this,
      implementation: this.implementation,
      name: this.name,
      host: this.host,
      className: p.className,
      tls: p.tls?._settings(this.name),
      auth: p.auth?._variant,
      rateLimit: p.rateLimit,
      timeoutSeconds: (p.requestTimeout ?? Duration.minutes(10)).toSeconds(),
      maxBodySize: p.maxBodySize ?? Size.mebibytes(64),
      fail: (options) => this.fail(options),
    };
  }

  /** The header match of `addRoute`, if any, checked. */
  private headerMatch(options: RouteOptions | PoolRouteOptions): RouteMatch | undefined {
    if (options.headerName === undefined && options.headerValue === undefined) return undefined;
    const match = RouteMatch.header(options.headerName ?? '', options.headerValue ?? '');
    const problem = match.problem({ name: 'headerName', value: 'headerValue' });
    return problem ? this.fail(problem) : match;
  }

  private proxyPods(): kplus.INetworkPolicyPeer {
    if (this.props.proxyPods) return this.props.proxyPods;
    const id = 'ProxyPods';
    const existing = this.node.tryFindChild(id) as kplus.Pods | undefined;
    if (existing) return existing;
    const { namespace, labels } = this.controller.proxyPods();
    return kplus.Pods.select(this, id, { labels, namespaces: kplus.Namespaces.select(this, 'ProxyNamespace', { names: [namespace] }) });
  }

  private fail(options: InvalidPropOptions): never {
    throw new InferenceConfigError(this, KIND, options);
  }

  private check(): void {
    const p = this.props;
    if (p.host !== undefined && !/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(p.host)) {
      this.fail({ code: ErrorCode.INVALID_HOST, prop: 'host', received: p.host, allowed: 'a DNS name in lower case, e.g. inference.example.com', fix: 'correct the host name' });
    }
    const tlsProblem = p.tls?._problem();
    if (tlsProblem) this.fail(tlsProblem);
    if (p.tls && !p.host) {
      this.fail({
        code: ErrorCode.TLS_WITHOUT_HOST, prop: 'tls', received: p.tls._secretName ?? `cert-manager issuer ${p.tls._clusterIssuer}`,
        allowed: 'TLS only with a host: a certificate names the host it serves', fix: 'set host, e.g. inference.example.com',
      });
    }
    if (p.rateLimit && !(Number.isInteger(p.rateLimit.requestsPerMinute) && p.rateLimit.requestsPerMinute > 0)) {
      this.fail({
        code: ErrorCode.INVALID_RATE_LIMIT, prop: 'rateLimit.requestsPerMinute', received: p.rateLimit.requestsPerMinute,
        allowed: 'a whole number of requests above 0', fix: 'e.g. 600',
      });
    }
    const problem = this.controller.refusal() ?? p.auth?._variant.problem();
    if (problem) this.fail(problem);
  }
}
