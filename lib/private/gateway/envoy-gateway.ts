import { ApiObject } from 'cdk8s';
import type { BackendTrafficPolicySpecRateLimit, BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectors } from '../../../imports/gateway.envoyproxy.io';
import { ErrorCode } from '../../error-codes';
import { InvalidPropOptions } from '../../errors';
import { PoolFailureMode } from '../../inference-pool';
import type { IInferencePool } from '../../inference-pool';
import { envoyGateway } from '../crds';
import { OBJECTIVE_HEADERS } from '../pool/model-routing';
import { ProxyPods } from './controller';
import { GatewayApiController } from './gateway-api';
import { renderModelRoute } from './model-routes';
import { TrafficRoute } from './route';

/**
 * Envoy Gateway: API keys and JWT through a SecurityPolicy, per-client rate limits and stream
 * timeouts through a BackendTrafficPolicy, and request mirroring. With JWT, the rate limit keys on
 * a claim of the verified token, which the SecurityPolicy copies to a header (the JWT filter runs
 * before the rate limit filter).
 * @see https://gateway.envoyproxy.io/docs/
 */
export class EnvoyGateway extends GatewayApiController {
  protected readonly defaultClassName = 'envoy-gateway';

  public render(): void {
    super.render();
    const { scope, name, auth, timeoutSeconds } = this.gateway;
    const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name }];
    // With JWT, the policy copies the claim the rate limit keys on to a header.
    const limitHeader = this.gateway.rateLimit ? this.clientHeader() : undefined;
    if (auth) new (envoyGateway().SecurityPolicy)(scope, 'SecurityPolicy', { metadata: { name }, spec: { targetRefs, ...auth.securityPolicy(limitHeader) } });
    new (envoyGateway().BackendTrafficPolicy)(scope, 'TrafficPolicy', {
      metadata: { name },
      spec: {
        targetRefs,
        timeout: { http: { requestTimeout: `${timeoutSeconds}s`, maxStreamDuration: `${timeoutSeconds}s` } },
        rateLimit: this.rateLimit(),
      },
    });
  }

  /**
   * A ClientTrafficPolicy whose early request headers set the gateway's pool objective (or strip
   * it), with the deprecated header name removed: before routing, so before the endpoint picker's
   * ext_proc filter reads them (a route's header filters apply only in the router, after it).
   * @see https://gateway.envoyproxy.io/docs/api/extension_types/#clienttrafficpolicy
   */
  public objectiveHeaders(objective: string | undefined): void {
    const { scope, name } = this.gateway;
    if (scope.node.tryFindChild('ObjectiveHeaders')) return;
    new ApiObject(scope, 'ObjectiveHeaders', {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'ClientTrafficPolicy',
      metadata: { name },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name }],
        headers: {
          earlyRequestHeaders: objective === undefined
            ? { remove: [...OBJECTIVE_HEADERS] }
            : { set: [{ name: OBJECTIVE_HEADERS[0], value: objective }], remove: OBJECTIVE_HEADERS.slice(1) },
        },
      },
    });
  }

  /** A route by model name becomes an AIGatewayRoute (Envoy AI Gateway); any other, an HTTPRoute. */
  public addRoute(i: number, route: TrafficRoute): void {
    if (route.modelNames) renderModelRoute(this.gateway, i, route);
    else super.addRoute(i, route);
  }

  public proxyPods(): ProxyPods {
    return { namespace: 'envoy-gateway-system', labels: { 'gateway.envoyproxy.io/owning-gateway-name': this.gateway.name } };
  }

  /**
   * InferencePools need Envoy AI Gateway's extension server, which injects the picker's ext_proc
   * filter with `failure_mode_allow: false` whatever the pool says: a pool that fails open would
   * silently fail closed, so it is refused.
   * @see https://github.com/envoyproxy/ai-gateway/issues/2502
   */
  public refusePool(pool: IInferencePool): InvalidPropOptions | undefined {
    if (pool.failureMode !== PoolFailureMode.FAIL_OPEN) return undefined;
    return {
      code: ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION, prop: 'pool', received: `${pool.node.path} with failureMode FailOpen on envoy-gateway`,
      allowed: "PoolFailureMode.FAIL_CLOSE: Envoy AI Gateway calls the picker with failure_mode_allow false, so FailOpen would not be honored",
      fix: 'set failureMode: PoolFailureMode.FAIL_CLOSE on the pool (the default)',
    };
  }

  public refuseMirror(): undefined {
    return undefined;
  }

  protected refuseAuth(): undefined {
    return undefined;
  }

  private rateLimit(): BackendTrafficPolicySpecRateLimit | undefined {
    const limit = this.gateway.rateLimit;
    if (!limit) return undefined;
    // Per-client budgets (a Distinct header) need Envoy Gateway's global rate limit service.
    return {
      type: envoyGateway().BackendTrafficPolicySpecRateLimitType.GLOBAL,
      global: {
        rules: [{
          clientSelectors: [this.clientSelector()],
          limit: { requests: limit.requestsPerMinute, unit: envoyGateway().BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.MINUTE },
        }],
      },
    };
  }

  /**
   * Each distinct value of the client header (`x-api-key`, the JWT claim's header, or the one
   * configured) gets its own budget; without one, each client IP does.
   */
  private clientSelector(): BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectors {
    const header = this.clientHeader();
    return header
      ? { headers: [{ name: header, type: envoyGateway().BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType.DISTINCT }] }
      : { sourceCidr: { type: envoyGateway().BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsSourceCidrType.DISTINCT, value: '0.0.0.0/0' } };
  }
}
