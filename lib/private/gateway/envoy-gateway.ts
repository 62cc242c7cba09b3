import {
  BackendTrafficPolicy, BackendTrafficPolicySpecRateLimit, BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectors,
  BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType, BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsSourceCidrType,
  BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit, BackendTrafficPolicySpecRateLimitType, SecurityPolicy,
} from '../../../imports/gateway.envoyproxy.io';
import { ProxyPods } from './controller';
import { GatewayApiController } from './gateway-api';

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
    if (auth) new SecurityPolicy(scope, 'SecurityPolicy', { metadata: { name }, spec: { targetRefs, ...auth.securityPolicy(limitHeader) } });
    new BackendTrafficPolicy(scope, 'TrafficPolicy', {
      metadata: { name },
      spec: {
        targetRefs,
        timeout: { http: { requestTimeout: `${timeoutSeconds}s`, maxStreamDuration: `${timeoutSeconds}s` } },
        rateLimit: this.rateLimit(),
      },
    });
  }

  public proxyPods(): ProxyPods {
    return { namespace: 'envoy-gateway-system', labels: { 'gateway.envoyproxy.io/owning-gateway-name': this.gateway.name } };
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
      type: BackendTrafficPolicySpecRateLimitType.GLOBAL,
      global: {
        rules: [{
          clientSelectors: [this.clientSelector()],
          limit: { requests: limit.requestsPerMinute, unit: BackendTrafficPolicySpecRateLimitGlobalRulesLimitUnit.MINUTE },
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
      ? { headers: [{ name: header, type: BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsHeadersType.DISTINCT }] }
      : { sourceCidr: { type: BackendTrafficPolicySpecRateLimitGlobalRulesClientSelectorsSourceCidrType.DISTINCT, value: '0.0.0.0/0' } };
  }
}
