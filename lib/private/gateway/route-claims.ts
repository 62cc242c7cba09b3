import { ErrorCode } from '../../error-codes';
import { InvalidPropOptions } from '../../errors';
import { claim } from '../claims';
import { GatewayContext } from './controller';
import { GRPC_SERVICE_HEADER } from './gateway-api-routes';
import { TrafficRoute } from './route';

/**
 * Claims the route's host, path and match app-wide for its owner; throws when another construct
 * already routes them.
 */
export function claimHttpRoute(gateway: GatewayContext, route: TrafficRoute): void {
  const host = gateway.host ?? '*';
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

function matchKey(route: TrafficRoute): string {
  return route.match?.key ?? '= ';
}

/** What a clash message says besides the code and prop. */
type Conflict = Pick<InvalidPropOptions, 'received' | 'allowed' | 'fix'>;

function claimRoute(gateway: GatewayContext, key: string, route: TrafficRoute, conflict: (holder: string) => Conflict): void {
  const holder = claim(gateway.scope, 'route', key, route.owner);
  if (holder !== undefined) gateway.fail({ code: ErrorCode.ROUTE_CONFLICT, prop: 'route', ...conflict(holder) });
}
