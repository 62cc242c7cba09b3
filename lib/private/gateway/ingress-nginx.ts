import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { ErrorCode } from '../../error-codes';
import { InferenceConfigError, InvalidPropOptions } from '../../errors';
import { certManagerAnnotations, GatewayController, ProxyPods } from './controller';
import { serviceNameOf, TrafficBackend, TrafficRoute } from './route';

/** Annotations of every Ingress that serves streams: no buffering, no 60 s proxy timeout cutting a long generation. */
function streamAnnotations(timeoutSeconds: number): { [key: string]: string } {
  return {
    'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
    'nginx.ingress.kubernetes.io/proxy-read-timeout': String(timeoutSeconds),
    'nginx.ingress.kubernetes.io/proxy-send-timeout': String(timeoutSeconds),
  };
}

/**
 * ingress-nginx, through Kubernetes Ingresses: one Ingress for the host, and a "canary" Ingress
 * for the same host and path for each header, cookie or weight split. Rate limits per client IP;
 * no API keys, JWT or mirroring.
 * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
 */
export class IngressNginx extends GatewayController {
  public readonly gatewayApi = false;
  private readonly paths: k8s.HttpIngressPath[] = [];

  public render(): void {
    const { scope, name, host, tls, rateLimit, maxBodySize, timeoutSeconds } = this.gateway;
    const secret = tls?.secretName;
    new k8s.KubeIngress(scope, 'Ingress', {
      metadata: {
        name,
        annotations: {
          ...streamAnnotations(timeoutSeconds),
          'nginx.ingress.kubernetes.io/proxy-body-size': `${maxBodySize.toMebibytes()}m`,
          ...(rateLimit ? { 'nginx.ingress.kubernetes.io/limit-rpm': String(rateLimit.requestsPerMinute) } : {}),
          ...certManagerAnnotations(tls),
        },
      },
      spec: {
        ingressClassName: this.className(),
        tls: secret && host ? [{ hosts: [host], secretName: secret }] : undefined,
        rules: [{ host, http: { paths: Lazy.any({ produce: () => this.paths }) } }],
      },
    });
    // Routes are added after the gateway: whether one serves a plain path is known at synth.
    scope.node.addValidation({ validate: () => (this.paths.length > 0 ? [] : [this.noPlainRoute()]) });
  }

  public addRoute(i: number, route: TrafficRoute): void {
    const [primary, ...others] = route.backends.filter((b) => b.weight > 0 || route.backends.length === 1);
    if (route.match) {
      this.canaryIngress(i, route, primary, route.match.nginxAnnotations());
      return;
    }
    this.paths.push(ingressPath(route.pathPrefix, primary));
    for (const b of others) this.canaryIngress(i, route, b, { 'nginx.ingress.kubernetes.io/canary-weight': String(b.weight) });
  }

  public proxyPods(): ProxyPods {
    return { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
  }

  protected refuseClientHeader(header: string): InvalidPropOptions {
    return {
      code: ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION, prop: 'rateLimit.clientHeader', received: header,
      allowed: 'none with ingress-nginx: it limits per client IP', fix: 'remove clientHeader, or use Envoy Gateway or Traefik',
    };
  }

  /** A second Ingress for the same host and path, which ingress-nginx reads as a canary of the first. */
  private canaryIngress(i: number, route: TrafficRoute, backend: TrafficBackend, match: { [key: string]: string }): void {
    const { scope, name, host, timeoutSeconds } = this.gateway;
    new k8s.KubeIngress(scope, `Canary${i}`, {
      metadata: {
        name: `${name}-${route.name}-${backend.service.name}`.slice(0, 63).replace(/-+$/, ''),
        annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', ...match, ...streamAnnotations(timeoutSeconds) },
      },
      spec: { ingressClassName: this.className(), rules: [{ host, http: { paths: [ingressPath(route.pathPrefix, backend)] } }] },
    });
  }

  /**
   * The API server refuses an Ingress rule without paths, and ingress-nginx ignores a canary Ingress
   * (a header, cookie or weight split) that has no main Ingress for its host and path.
   */
  private noPlainRoute(): string {
    return new InferenceConfigError(this.gateway.scope, 'InferenceGateway', {
      code: ErrorCode.NO_PLAIN_ROUTE, prop: 'routes',
      received: 'no route without a header or cookie match',
      allowed: 'with ingress-nginx, at least one route on a plain path: it becomes the host Ingress that canary Ingresses split from',
      fix: 'route a service with addRoute(service) (no headerName), or use a CanaryRelease, before the app synthesizes',
    }).message;
  }

  private className(): string {
    return this.gateway.className ?? 'nginx';
  }
}

function ingressPath(path: string, backend: TrafficBackend): k8s.HttpIngressPath {
  return { path, pathType: 'Prefix', backend: { service: { name: serviceNameOf(backend), port: { name: 'http' } } } };
}
