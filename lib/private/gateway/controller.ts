import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import { InvalidPropOptions } from '../../errors';
import type { IInferencePool } from '../../inference-pool';
import { AuthVariant } from './auth';
import { TrafficBackend, TrafficRoute } from './route';

/** Where the gateway's TLS certificate is kept, and who issues it. */
export interface TlsSettings {
  readonly secretName: string;
  readonly clusterIssuer?: string;
}

/** The annotation that has cert-manager issue the gateway's certificate, when it does. */
export function certManagerAnnotations(tls?: TlsSettings): { [key: string]: string } | undefined {
  return tls?.clusterIssuer ? { 'cert-manager.io/cluster-issuer': tls.clusterIssuer } : undefined;
}

/** A per-client rate limit (the public `RateLimitOptions`). */
export interface RateLimit {
  readonly requestsPerMinute: number;
  readonly clientHeader?: string;
}

/** An InferenceGateway's resolved settings, as its controller renders them. */
export interface GatewayContext {
  /** The InferenceGateway: the controller's objects are its children. */
  readonly scope: Construct;
  /** The `GatewayImplementation` value, for messages. */
  readonly implementation: string;
  readonly name: string;
  readonly host?: string;
  /** The GatewayClass or IngressClass, when not the controller's default. */
  readonly className?: string;
  readonly tls?: TlsSettings;
  readonly auth?: AuthVariant;
  readonly rateLimit?: RateLimit;
  readonly timeoutSeconds: number;
  readonly maxBodySize: Size;
  /** Throws the gateway's error. */
  fail(options: InvalidPropOptions): never;
}

/**
 * Why a gateway host cannot be a listener hostname or an Ingress host, or nothing: every
 * implementation refuses a DNS label over 63 characters or a name over 253. (Its characters are
 * checked by the gateway itself.)
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#hostname
 */
function hostProblem(host: unknown): InvalidPropOptions | undefined {
  if (host === undefined) return undefined;
  if (typeof host !== 'string') {
    return { code: ErrorCode.WRONG_TYPE, prop: 'host', received: host, allowed: 'a DNS name as a string', fix: "pass e.g. 'inference.example.com'" };
  }
  const long = host.split('.').find((label) => label.length > 63);
  if (long === undefined && host.length <= 253) return undefined;
  return {
    code: ErrorCode.INVALID_HOST, prop: 'host', received: host,
    allowed: 'a DNS name of at most 253 characters whose labels (the parts between dots) have at most 63',
    fix: long !== undefined ? `shorten the label '${long.slice(0, 20)}…' (${long.length} characters)` : 'use a shorter host name',
  };
}

/** The gateway's proxy pods, which every routed service admits. */
export interface ProxyPods {
  readonly namespace: string;
  readonly labels: { [key: string]: string };
}

/**
 * The controller that implements an InferenceGateway (a value of the public
 * `GatewayImplementation`): it renders the gateway's objects and routes, says where its proxies
 * run, and refuses what it cannot do. By default a controller has no API keys, JWT or mirroring.
 */
export abstract class GatewayController {
  /** Whether routes are Gateway API HTTPRoutes, which Argo Rollouts' gatewayAPI plugin can step. */
  public abstract readonly gatewayApi: boolean;

  constructor(protected readonly gateway: GatewayContext) {
    const problem = hostProblem(gateway.host);
    if (problem) gateway.fail(problem);
  }

  /** Renders the gateway's own objects (Gateway or Ingress, policies). */
  public abstract render(): void;

  /** Renders route number `i` of the gateway. */
  public abstract addRoute(i: number, route: TrafficRoute): void;

  /** Where the proxies run, by default. */
  public abstract proxyPods(): ProxyPods;

  /** Why the gateway's settings ask for something the controller cannot do, or nothing. */
  public refusal(): InvalidPropOptions | undefined {
    const { auth, rateLimit } = this.gateway;
    return (auth && this.refuseAuth(auth)) || (rateLimit?.clientHeader ? this.refuseClientHeader(rateLimit.clientHeader) : undefined);
  }

  /** Why the controller cannot mirror requests to `mirror`, or nothing when it can. */
  public refuseMirror(mirror: TrafficBackend): InvalidPropOptions | undefined {
    // Traefik's Gateway API provider (v3.5) rejects RequestMirror filters: the whole route would fail to load.
    return {
      code: ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION, prop: 'mirror', received: `${mirror.service.name} on ${this.gateway.implementation}`,
      allowed: 'mirroring with Envoy Gateway only (ingress-nginx has no mirror split; Traefik rejects RequestMirror filters)',
      fix: 'use Envoy Gateway for a mirrored release, or a weighted or header release',
    };
  }

  /**
   * Why the controller cannot send requests to `pool` through its endpoint picker, or nothing when
   * it can. Traefik and ingress-nginx implement no Gateway API Inference Extension.
   * @see https://gateway-api-inference-extension.sigs.k8s.io/implementations/gateways/
   */
  public refusePool(pool: IInferencePool): InvalidPropOptions | undefined {
    return {
      code: ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION, prop: 'pool', received: `${pool.node.path} on ${this.gateway.implementation}`,
      allowed: `InferencePools on Envoy Gateway with Envoy AI Gateway's extension; ${this.gateway.implementation} has no endpoint-picker support`,
      fix: 'use GatewayImplementation.ENVOY_GATEWAY for this gateway, or route the services with addRoute (round-robin)',
    };
  }

  /**
   * Sets (or strips) the InferencePool objective headers of every request before routing, once per
   * gateway. Only a controller that routes to pools has to.
   */
  public objectiveHeaders(_objective: string | undefined): void {
    return;
  }

  /** Why the controller cannot authenticate clients with `auth`, or nothing when it can. */
  protected refuseAuth(auth: AuthVariant): InvalidPropOptions | undefined {
    const implementation = this.gateway.implementation;
    return {
      code: ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION, prop: 'auth', received: `${auth.mode} with ${implementation}`,
      allowed: `API keys and JWT with Envoy Gateway only; ${implementation} needs an external authentication service for them`,
      fix: 'use GatewayImplementation.ENVOY_GATEWAY, or remove auth and authenticate in front of the gateway',
    };
  }

  /** Why the controller cannot key rate limits on `header`, or nothing when it can. */
  protected refuseClientHeader(_header: string): InvalidPropOptions | undefined {
    return undefined;
  }

  /** The header each client's rate-limit budget is keyed on: the configured one, else the auth's. */
  protected clientHeader(): string | undefined {
    return this.gateway.rateLimit?.clientHeader ?? this.gateway.auth?.clientHeader;
  }
}
