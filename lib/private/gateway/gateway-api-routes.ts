import type { GrpcRouteSpecRulesFiltersType, GrpcRouteSpecRulesMatchesHeadersType, HttpRouteSpecRulesFiltersType, HttpRouteSpecRulesMatchesHeadersType } from '../../../imports/gateway.networking.k8s.io';
import { IInferenceService } from '../../inference-service-ref';
import { gatewayApi } from '../crds';
import { GatewayContext } from './controller';
import { HeaderMatch, servedBy, serviceNameOf, TrafficRoute } from './route';

/** A reference to an implementation's own filter object (a Traefik Middleware). */
export interface ExtensionRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

/** What differs between the rules of an HTTPRoute and a GRPCRoute: the port and the generated enum types. */
interface Protocol<F, H> {
  readonly extensionRef: F;
  readonly requestMirror: F;
  readonly exact: H;
  readonly regex: H;
  port(service: IInferenceService): number | undefined;
}

/** HTTPRoute's names for the filters and matches the library writes (read when a route is made: the CRD classes load then). */
const HTTP = (): Protocol<HttpRouteSpecRulesFiltersType, HttpRouteSpecRulesMatchesHeadersType> => ({
  extensionRef: gatewayApi().HttpRouteSpecRulesFiltersType.EXTENSION_REF,
  requestMirror: gatewayApi().HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
  exact: gatewayApi().HttpRouteSpecRulesMatchesHeadersType.EXACT,
  regex: gatewayApi().HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION,
  port: (service) => service.server.httpPort,
});

/** GRPCRoute's names for the same. */
const GRPC = (): Protocol<GrpcRouteSpecRulesFiltersType, GrpcRouteSpecRulesMatchesHeadersType> => ({
  extensionRef: gatewayApi().GrpcRouteSpecRulesFiltersType.EXTENSION_REF,
  requestMirror: gatewayApi().GrpcRouteSpecRulesFiltersType.REQUEST_MIRROR,
  exact: gatewayApi().GrpcRouteSpecRulesMatchesHeadersType.EXACT,
  regex: gatewayApi().GrpcRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION,
  port: (service) => service.server.grpcPort,
});

/** The header gRPC clients name the service in (gRPC paths are method names). */
export const GRPC_SERVICE_HEADER = 'x-inference-service';

/**
 * Routes `route` through the gateway's listener: an HTTPRoute (`Route<i>`) and, when every
 * backend serves gRPC and the route names a gRPC service, a GRPCRoute (`GrpcRoute<i>`) before it.
 */
export function renderGatewayApiRoute(gateway: GatewayContext, i: number, route: TrafficRoute, rateLimit?: ExtensionRef): void {
  const grpcService = grpcServiceOf(route);
  if (grpcService !== undefined) grpcRoute(gateway, `GrpcRoute${i}`, route, grpcService, rateLimit);
  httpRoute(gateway, `Route${i}`, route, rateLimit);
}

/**
 * The gRPC service a GRPCRoute beside the route matches: the one the route names, when every
 * service it reaches serves gRPC; otherwise nothing (no GRPCRoute).
 */
export function grpcServiceOf(route: TrafficRoute): string | undefined {
  return servedBy(route).every((b) => b.service.server.grpcPort !== undefined) ? route.grpcService : undefined;
}

function httpRoute(gateway: GatewayContext, id: string, route: TrafficRoute, rateLimit?: ExtensionRef): void {
  const timeout = `${gateway.timeoutSeconds}s`;
  const headers = route.match ? headerMatches(HTTP(), route.match.headers()) : undefined;
  new (gatewayApi().HttpRoute)(gateway.scope, id, {
    metadata: { name: `${gateway.name}-${route.name}` },
    spec: {
      ...parent(gateway),
      rules: [{
        matches: [{ path: { type: gatewayApi().HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: route.pathPrefix }, headers }],
        backendRefs: backendRefs(HTTP(), route),
        timeouts: { request: timeout, backendRequest: timeout },
        filters: routeFilters(HTTP(), route, rateLimit),
      }],
    },
  });
}

/**
 * The gRPC side of a route: gRPC clients name the service in the `x-inference-service` header,
 * split and matched like the HTTP route.
 */
function grpcRoute(gateway: GatewayContext, id: string, route: TrafficRoute, grpcService: string, rateLimit?: ExtensionRef): void {
  const service: HeaderMatch = { name: GRPC_SERVICE_HEADER, value: grpcService, regex: false };
  new (gatewayApi().GrpcRoute)(gateway.scope, id, {
    metadata: { name: `${gateway.name}-${route.name}-grpc` },
    spec: {
      ...parent(gateway),
      rules: [{
        matches: [{ headers: headerMatches(GRPC(), [service, ...(route.match?.headers() ?? [])]) }],
        backendRefs: backendRefs(GRPC(), route),
        filters: routeFilters(GRPC(), route, rateLimit),
      }],
    },
  });
}

/** The gateway's listener a route attaches to, and its host. */
function parent(gateway: GatewayContext) {
  return { parentRefs: [{ name: gateway.name }], hostnames: gateway.host ? [gateway.host] : undefined };
}

/** The group of the InferencePool kind (Gateway API Inference Extension). */
export const INFERENCE_POOL_GROUP = 'inference.networking.k8s.io';

/** The route's services, weights only when the route splits; or its InferencePool. */
function backendRefs<F, H>(protocol: Protocol<F, H>, route: TrafficRoute) {
  if (route.pool) return [{ group: INFERENCE_POOL_GROUP, kind: 'InferencePool', name: route.pool.name }];
  const split = route.backends.length > 1;
  return route.backends.map((b) => ({ name: serviceNameOf(b), port: protocol.port(b.service), weight: split ? b.weight : undefined }));
}

function headerMatches<F, H>(protocol: Protocol<F, H>, headers: HeaderMatch[]) {
  return headers.map((h) => ({ name: h.name, value: h.value, type: h.regex ? protocol.regex : protocol.exact }));
}

/** The route's filters in the order they apply: the implementation's rate limit, then the mirror. */
function routeFilters<F, H>(protocol: Protocol<F, H>, route: TrafficRoute, rateLimit?: ExtensionRef) {
  const mirror = route.mirror;
  const filters = [
    ...(rateLimit ? [{ type: protocol.extensionRef, extensionRef: rateLimit }] : []),
    ...(mirror ? [{
      type: protocol.requestMirror,
      requestMirror: { backendRef: { name: serviceNameOf(mirror), port: protocol.port(mirror.service) }, percent: mirror.weight },
    }] : []),
  ];
  return filters.length ? filters : undefined;
}
