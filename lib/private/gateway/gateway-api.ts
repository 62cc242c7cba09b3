import { gatewayApi } from '../crds';
import { certManagerAnnotations, GatewayController } from './controller';
import { ExtensionRef, grpcServiceOf, renderGatewayApiRoute } from './gateway-api-routes';
import { TrafficRoute } from './route';
import { claimGrpcRoute } from './route-claims';

/**
 * A controller that implements Gateway API: a Gateway with one listener (HTTPS when there is a
 * certificate), an HTTPRoute per route and a GRPCRoute beside it for gRPC servers.
 * @see https://gateway-api.sigs.k8s.io/
 */
export abstract class GatewayApiController extends GatewayController {
  public readonly gatewayApi = true;
  /** The GatewayClass when the gateway names none. */
  protected abstract readonly defaultClassName: string;

  public render(): void {
    const { scope, name, host, tls, className } = this.gateway;
    const secret = tls?.secretName;
    new (gatewayApi().Gateway)(scope, 'Gateway', {
      metadata: { name, annotations: certManagerAnnotations(tls) },
      spec: {
        gatewayClassName: className ?? this.defaultClassName,
        listeners: [{
          name: secret ? 'https' : 'http',
          port: secret ? 443 : 80,
          protocol: secret ? 'HTTPS' : 'HTTP',
          hostname: host,
          tls: secret ? { mode: gatewayApi().GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ kind: 'Secret', name: secret }] } : undefined,
          allowedRoutes: { namespaces: { from: gatewayApi().GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
        }],
      },
    });
  }

  public addRoute(i: number, route: TrafficRoute): void {
    const grpcService = grpcServiceOf(route);
    if (grpcService !== undefined) claimGrpcRoute(this.gateway, route, grpcService);
    renderGatewayApiRoute(this.gateway, i, route, this.routeRateLimit());
  }

  /** The rate-limit filter every route carries, when the controller limits rates per route. */
  protected routeRateLimit(): ExtensionRef | undefined {
    return undefined;
  }
}
