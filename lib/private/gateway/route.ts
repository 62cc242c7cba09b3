import { ErrorCode } from '../../error-codes';
import { InvalidPropOptions } from '../../errors';
import type { IInferencePool } from '../../inference-pool';
import { IInferenceService } from '../../inference-service-ref';

/** A route split between services, as releases and `addRoute` hand it to the gateway. */
export interface TrafficRoute {
  /** Suffix of the route object's name. */
  readonly name: string;
  /** Construct path that owns the route (for clash messages). */
  readonly owner: string;
  /** Path prefix matched. */
  readonly pathPrefix: string;
  /** The header or cookie that selects the route, if any. */
  readonly match?: RouteMatch;
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
  /**
   * The InferencePool the route sends requests to, whose endpoint picker chooses a pod among the
   * backends (the pool's services); the backends are then not split by weight.
   * @default - the backends' Services
   */
  readonly pool?: IInferencePool;
  /**
   * The model names (the `model` field of the request body) the route matches, instead of a path:
   * a route to a pool by the models it serves (Envoy AI Gateway's AIGatewayRoute).
   * @default - the route matches its path
   */
  readonly modelNames?: string[];
}

/** A Service behind a route and its share of the traffic. */
export interface TrafficBackend {
  /** The InferenceService behind it, admitted from the gateway. */
  readonly service: IInferenceService;
  /** The Service name, when it is not the InferenceService's own (an Argo Rollouts canary Service). */
  readonly serviceName?: string;
  /** Weight, or mirror percent. */
  readonly weight: number;
}

/** The name of the Service a backend's requests go to. */
export function serviceNameOf(backend: TrafficBackend): string {
  return backend.serviceName ?? backend.service.name;
}

/** Every service a route sends requests to: its backends, then its mirror. */
export function servedBy(route: TrafficRoute): TrafficBackend[] {
  return [...route.backends, ...(route.mirror ? [route.mirror] : [])];
}

/** One header a Gateway API route matches, before it takes the HTTPRoute or GRPCRoute type. */
export interface HeaderMatch {
  readonly name: string;
  readonly value: string;
  /** Whether `value` is a regular expression (otherwise an exact value). */
  readonly regex: boolean;
}

/** Names of the props a match was given under, for error messages. */
export interface MatchProps {
  readonly name: string;
  readonly value: string;
}

/** A path as Gateway API's HTTPPathMatch accepts it: absolute, of URL path characters and %-escapes. */
const PATH_PREFIX = /^\/(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2}){0,1023}$/;
/** What Gateway API refuses in a path besides its characters: `//`, `.` and `..` segments, an escaped `/`. */
const PATH_SEGMENTS = /\/\/|\/\.{1,2}(\/|$)|%2f/i;

/**
 * Why `value` cannot be the path prefix of a route (`prop` names it in the message), or nothing:
 * Gateway API and Kubernetes Ingresses need an absolute path.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httppathmatch
 */
export function pathPrefixProblem(prop: string, value: unknown): InvalidPropOptions | undefined {
  if (typeof value === 'string' && PATH_PREFIX.test(value) && !PATH_SEGMENTS.test(value)) return undefined;
  const relative = typeof value === 'string' && /^[A-Za-z0-9]/.test(value);
  return {
    code: ErrorCode.INVALID_PATH_PREFIX, prop, received: value,
    allowed: 'an absolute path of at most 1024 characters: a leading "/", then letters, digits, "-", "_", ".", "~", "/" or %-escapes, ' +
      'without "//", "." or ".." segments, "?" or "#"',
    fix: relative ? `write it with a leading slash: '/${value}'` : `set ${prop} to a path such as '/v1'`,
  };
}

/** An HTTP header name (RFC 9110 token), as Gateway API accepts it. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$/;
/** A cookie name without the characters that would change the regular expression matching it. */
const COOKIE_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * What selects a route besides its path: a header value or a cookie. Each renders itself for
 * Gateway API routes (header matches) and ingress-nginx (canary annotations).
 */
export abstract class RouteMatch {
  /** Requests carrying `name: value`. */
  public static header(name: string, value: string): RouteMatch {
    return new HeaderValueMatch(name, value);
  }

  /** Requests carrying the cookie `name=always`, as ingress-nginx's canary-by-cookie selects them. */
  public static cookie(name: string): RouteMatch {
    return new CookieMatch(name);
  }

  /** Part of the route's app-wide claim key. */
  public abstract readonly key: string;
  /** The match in a clash message, after the path (` with x-model: chat`), joined by `joiner`. */
  public abstract describe(joiner: string): string;
  /** The headers a Gateway API route matches. */
  public abstract headers(): HeaderMatch[];
  /** The annotations of ingress-nginx's canary Ingress that select the same requests. */
  public abstract nginxAnnotations(): { [key: string]: string };
  /** Why the match cannot be rendered, or nothing. */
  public abstract problem(props: MatchProps): InvalidPropOptions | undefined;
}

class HeaderValueMatch extends RouteMatch {
  public readonly key: string;

  constructor(private readonly name: string, private readonly value: string) {
    super();
    this.key = `${name}=${value} `;
  }

  public describe(joiner: string): string {
    return ` ${joiner} ${this.name}: ${this.value}`;
  }

  public headers(): HeaderMatch[] {
    return [{ name: this.name, value: this.value, regex: false }];
  }

  public nginxAnnotations(): { [key: string]: string } {
    return { 'nginx.ingress.kubernetes.io/canary-by-header': this.name, 'nginx.ingress.kubernetes.io/canary-by-header-value': this.value };
  }

  public problem(props: MatchProps): InvalidPropOptions | undefined {
    if (typeof this.name !== 'string' || !HEADER_NAME.test(this.name)) return invalidHeaderName(props.name, this.name);
    // Control characters (a line break) would end the header, or the annotation, early.
    const text = typeof this.value === 'string' && !/[\x00-\x1f\x7f]/.test(this.value);
    if (!text || this.value.length === 0 || this.value.length > 4096) {
      return {
        code: ErrorCode.INVALID_HEADER_MATCH, prop: props.value, received: this.value,
        allowed: `a value of 1 to 4096 characters for header ${this.name}${text ? '' : ', as a string without control characters'}`,
        fix: `set ${props.value}, e.g. 'true'`,
      };
    }
    return undefined;
  }
}

class CookieMatch extends RouteMatch {
  public readonly key: string;

  constructor(private readonly name: string) {
    super();
    this.key = `= ${name}`;
  }

  public describe(): string {
    return '';
  }

  public headers(): HeaderMatch[] {
    // Matched in the Cookie header, as ingress-nginx's canary-by-cookie does: value `always`.
    return [{ name: 'cookie', value: `(^|;\\s*)${this.name}=always(;|$)`, regex: true }];
  }

  public nginxAnnotations(): { [key: string]: string } {
    return { 'nginx.ingress.kubernetes.io/canary-by-cookie': this.name };
  }

  public problem(props: MatchProps): InvalidPropOptions | undefined {
    if (typeof this.name === 'string' && COOKIE_NAME.test(this.name)) return undefined;
    return {
      code: ErrorCode.INVALID_HEADER_MATCH, prop: props.name, received: this.name,
      allowed: 'a cookie name of 1 to 256 letters, digits, "-" or "_"', fix: `set ${props.name}, e.g. 'canary'`,
    };
  }
}

function invalidHeaderName(prop: string, name: string): InvalidPropOptions {
  return {
    code: ErrorCode.INVALID_HEADER_MATCH, prop, received: name,
    allowed: 'a header name of 1 to 256 letters, digits or !#$%&\'*+-.^_`|~', fix: `set ${prop}, e.g. 'x-canary'`,
  };
}
