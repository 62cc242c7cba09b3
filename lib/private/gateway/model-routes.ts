import { aiGateway } from '../crds';
import { GatewayContext } from './controller';
import { INFERENCE_POOL_GROUP } from './gateway-api-routes';
import { TrafficRoute } from './route';

/** The header Envoy AI Gateway copies the request body's `model` field into before it matches routes. */
export const MODEL_HEADER = 'x-ai-eg-model';

/**
 * Routes `route` to its InferencePool by the model each request names (the body's `model` field),
 * through Envoy AI Gateway's AIGatewayRoute: one rule whose matches are the model names the pool
 * serves (`x-ai-eg-model`, with the route's header match, if any). One rule, since an
 * AIGatewayRoute holds at most 15. Envoy AI Gateway serves the OpenAI API paths (`/v1/...`) itself.
 * @see https://aigateway.envoyproxy.io/docs/capabilities/inference/
 */
export function renderModelRoute(gateway: GatewayContext, i: number, route: TrafficRoute): void {
  const timeout = `${gateway.timeoutSeconds}s`;
  const extra = route.match?.headers() ?? [];
  const exact = aiGateway().AiGatewayRouteSpecRulesMatchesHeadersType.EXACT;
  const regex = aiGateway().AiGatewayRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION;
  new (aiGateway().AiGatewayRoute)(gateway.scope, `ModelRoute${i}`, {
    metadata: { name: `${gateway.name}-${route.name}` },
    spec: {
      parentRefs: [{ name: gateway.name }],
      hostnames: gateway.host ? [gateway.host] : undefined,
      rules: [{
        matches: (route.modelNames ?? []).map((model) => ({
          headers: [
            { type: exact, name: MODEL_HEADER, value: model },
            ...extra.map((h) => ({ name: h.name, value: h.value, type: h.regex ? regex : exact })),
          ],
        })),
        backendRefs: [{ group: INFERENCE_POOL_GROUP, kind: 'InferencePool', name: route.pool?.name ?? route.name }],
        timeouts: { request: timeout, backendRequest: timeout },
      }],
    },
  });
}
