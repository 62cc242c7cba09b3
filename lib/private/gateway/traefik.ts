import { traefik } from '../crds';
import { ProxyPods } from './controller';
import { GatewayApiController } from './gateway-api';
import { ExtensionRef } from './gateway-api-routes';

/**
 * Traefik: rate limits through a Middleware that every route references as an ExtensionRef
 * filter; no API keys, JWT or mirroring in its open-source Gateway API provider.
 * @see https://doc.traefik.io/traefik/routing/providers/kubernetes-gateway/
 */
export class Traefik extends GatewayApiController {
  protected readonly defaultClassName = 'traefik';

  public render(): void {
    super.render();
    const limit = this.gateway.rateLimit;
    if (!limit) return;
    const header = this.clientHeader();
    new (traefik().Middleware)(this.gateway.scope, 'RateLimit', {
      metadata: { name: this.middlewareName() },
      spec: {
        rateLimit: {
          average: limit.requestsPerMinute,
          period: traefik().MiddlewareSpecRateLimitPeriod.fromString('1m'),
          burst: limit.requestsPerMinute,
          sourceCriterion: header ? { requestHeaderName: header } : { ipStrategy: { depth: 0 } },
        },
      },
    });
  }

  public proxyPods(): ProxyPods {
    return { namespace: 'traefik', labels: { 'app.kubernetes.io/name': 'traefik' } };
  }

  protected routeRateLimit(): ExtensionRef | undefined {
    return this.gateway.rateLimit ? { group: 'traefik.io', kind: 'Middleware', name: this.middlewareName() } : undefined;
  }

  private middlewareName(): string {
    return `${this.gateway.name}-rate-limit`;
  }
}
