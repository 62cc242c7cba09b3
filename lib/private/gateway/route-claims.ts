import { ApiObject, JsonPatch } from 'cdk8s';
import { ErrorCode } from '../../error-codes';
import { InvalidPropOptions } from '../../errors';
import { claim } from '../claims';
import { identityOf } from '../invariants/duplicates';
import { GatewayContext } from './controller';
import { GRPC_SERVICE_HEADER } from './gateway-api-routes';
import { servedBy, TrafficRoute } from './route';

/**
 * Claims the route's host, path and match app-wide for its owner; throws when another construct
 * already routes them.
 */
export function claimHttpRoute(gateway: GatewayContext, route: TrafficRoute): void {
  const host = gateway.host ?? '*';
  // Envoy AI Gateway matches model names under every path: a path route on the host would take
  // their requests first (Gateway API prefers the longer path), so a host routes one way only.
  const way = route.modelNames ? 'by model name' : 'by path';
  const other = claim(gateway.scope, 'host-routing', host, way);
  if (other !== undefined) {
    gateway.fail({
      code: ErrorCode.ROUTE_CONFLICT, prop: 'route', received: `a route ${way} for '${route.owner}' on ${host}`,
      allowed: `one way of routing per host: ${host} already routes ${other}, whose routes would take these requests`,
      fix: 'route by model name on a host of its own, e.g. another InferenceGateway with another host',
    });
  }
  for (const model of route.modelNames ?? []) {
    claimRoute(gateway, `${host} model=${model} ${matchKey(route)}`, route, (holder) => ({
      received: `model ${model} on ${host}${route.match?.describe('with') ?? ''} for '${route.owner}'`,
      allowed: `one pool per model name and host; requests for ${model} already go to '${holder}'`,
      fix: 'serve each model name from one pool, or route the pools on different hosts',
    }));
  }
  if (route.modelNames) return;
  claimRoute(gateway, `${host} ${route.pathPrefix} ${matchKey(route)}`, route, (holder) => ({
    received: `${host}${route.pathPrefix}${route.match?.describe('with') ?? ''} for '${route.owner}'`,
    allowed: `one service per host, path and header; it already goes to '${holder}'`,
    fix: 'give the route another pathPrefix, or match a header',
  }));
}

/** Claims the route's gRPC service header (and match) app-wide; throws when another construct already routes it. */
export function claimGrpcRoute(gateway: GatewayContext, route: TrafficRoute, grpcService: string): void {
  const key = `grpc ${gateway.host ?? '*'} ${GRPC_SERVICE_HEADER}=${grpcService} ${matchKey(route)}`;
  claimRoute(gateway, key, route, (holder) => ({
    received: `gRPC requests with ${GRPC_SERVICE_HEADER}: ${grpcService}${route.match?.describe('and') ?? ''} for '${route.owner}'`,
    allowed: `one service per gRPC service header; it already goes to '${holder}'`,
    fix: 'route the service either with gateway.addRoute or with a release, not both',
  }));
}

/**
 * Claims, app-wide, every service the route sends requests to for the route's owner: a service is
 * routed either by `gateway.addRoute` (whose routes the service itself owns) or by one release.
 * Throws when another owner already routes one of them.
 */
export function claimRoutedServices(gateway: GatewayContext, route: TrafficRoute): void {
  for (const { service } of servedBy(route)) {
    const holder = claim(gateway.scope, 'routed-service', service.node.path, route.owner);
    if (holder === undefined) continue;
    const by = (owner: string) => (owner === service.node.path ? 'gateway.addRoute' : `the release '${owner}'`);
    gateway.fail({
      code: ErrorCode.ROUTE_CONFLICT, prop: 'route', received: `${service.node.path} routed by ${by(route.owner)}`,
      allowed: `a service routed either by gateway.addRoute or by one release, not both; it is already routed by ${by(holder)}`,
      fix: 'route the stable service through the release alone (give the release the pathPrefix the route had), or remove the release',
    });
  }
}

/** The routes `gateway.addRoute` gave one service: their header match, paths, and the objects rendered for them. */
export interface ServiceRoutes {
  readonly route: TrafficRoute;
  readonly paths: Set<string>;
  readonly objects: ApiObject[];
}

/**
 * Whether a repeated `gateway.addRoute` of one service adds a path (true), repeats a path it has
 * (false: nothing to do), or throws because its header match differs from the earlier routes'.
 */
export function addsPath(gateway: GatewayContext, earlier: ServiceRoutes, route: TrafficRoute): boolean {
  if (matchKey(earlier.route) !== matchKey(route)) {
    const match = (r: TrafficRoute) => (r.match ? r.match.describe('with').trim() : 'without a header match');
    gateway.fail({
      code: ErrorCode.ROUTE_CONFLICT, prop: 'headerName', received: `${route.pathPrefix} ${match(route)}, for ${route.owner}`,
      allowed: `the header match of the service's earlier routes (${[...earlier.paths].join(', ')} ${match(earlier.route)}): `
        + 'the routes of one service are one route object',
      fix: 'give every addRoute of the service the same headerName and headerValue, or serve the other match from another InferenceService',
    });
  }
  return !earlier.paths.has(route.pathPrefix);
}

/**
 * Folds the objects rendered for a further path of a service into those of its earlier routes:
 * an object with the identity of an earlier one (the HTTPRoute, GRPCRoute or canary Ingress of the
 * service) is removed, and the arrays in which it differs (its rules) are appended to the earlier
 * object's. Returns the objects left (new ones, with no earlier twin).
 */
export function foldRoutes(gateway: GatewayContext, earlier: ApiObject[], added: ApiObject[]): ApiObject[] {
  const byIdentity = new Map(earlier.map((o) => [JSON.stringify(identityOf(o)), o]));
  const left: ApiObject[] = [];
  for (const o of added) {
    const twin = byIdentity.get(JSON.stringify(identityOf(o)));
    if (!twin) {
      left.push(o);
      continue;
    }
    for (const patch of arrayFolds(gateway, twin.toJson(), o.toJson(), '')) twin.addJsonPatch(patch);
    o.node.scope?.node.tryRemoveChild(o.node.id);
  }
  return left;
}

/** Patches that append to `a` the elements of each array in which `b` differs from it; throws on any other difference. */
function arrayFolds(gateway: GatewayContext, a: any, b: any, path: string): JsonPatch[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const have = new Set(a.map((x) => JSON.stringify(x)));
    return [JsonPatch.replace(path, [...a, ...b.filter((x) => !have.has(JSON.stringify(x)))])];
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) || Array.isArray(b)) {
    return gateway.fail({
      code: ErrorCode.ROUTE_CONFLICT, prop: 'route', received: `${path}: ${JSON.stringify(b)}`,
      allowed: `the same settings as the service's earlier route (${JSON.stringify(a)})`, fix: 'route the service once, with one set of options',
    });
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => arrayFolds(gateway, a[k], b[k], `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
}

function matchKey(route: TrafficRoute): string {
  return route.match?.key ?? '= ';
}

/** What a clash message says besides the code and prop. */
type Conflict = Pick<InvalidPropOptions, 'received' | 'allowed' | 'fix'>;

function claimRoute(gateway: GatewayContext, key: string, route: TrafficRoute, conflict: (holder: string) => Conflict): void {
  const holder = claim(gateway.scope, 'route', key, route.owner);
  if (holder !== undefined) gateway.fail({ code: ErrorCode.ROUTE_CONFLICT, prop: 'route', ...conflict(holder) });
}
