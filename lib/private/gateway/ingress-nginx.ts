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
  /** Paths of the canary Ingresses: each needs the host Ingress to serve the same path. */
  private readonly canaryPaths: string[] = [];

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
    scope.node.addValidation({ validate: () => this.missingMainPaths() });
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
    this.canaryPaths.push(route.pathPrefix);
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
  private missingMainPaths(): string[] {
    const served = new Set(this.paths.map((p) => p.path));
    const orphans = [...new Set(this.canaryPaths.filter((p) => !served.has(p)))];
    if (this.paths.length > 0 && orphans.length === 0) return [];
    return [new InferenceConfigError(this.gateway.scope, 'InferenceGateway', {
      code: ErrorCode.NO_PLAIN_ROUTE, prop: 'routes',
      received: this.paths.length === 0 ? 'no route without a header or cookie match' : `header or cookie routes on ${orphans.join(', ')} with no plain route there`,
      allowed: 'with ingress-nginx, a route on a plain path (no header) for every path: the host Ingress, which the API server needs at least one path in, '
        + 'and which canary Ingresses split traffic from',
      fix: `route a service on ${orphans[0] ?? 'a path'} with addRoute(service, { pathPrefix }) (no headerName), or use a CanaryRelease there`,
    }).message];
  }

  private className(): string {
    return this.gateway.className ?? 'nginx';
  }
}

function ingressPath(path: string, backend: TrafficBackend): k8s.HttpIngressPath {
  return { path, pathType: 'Prefix', backend: { service: { name: serviceNameOf(backend), port: { name: 'http' } } } };
}
