// The classes generated from the CRDs (imports/, over 3 MB of JavaScript), loaded when a construct
// first renders one of their objects instead of with the library: an app without a progressive
// release never loads Argo Rollouts' 2 MB, one without a gateway never loads the Gateway API's.
// Node's module cache makes every later call a lookup. Types come from `import type`, which costs
// nothing at run time.


/** Argo Rollouts: Rollout, AnalysisTemplate. */
export const argoRollouts = (): typeof import('../../imports/argoproj.io') => require('../../imports/argoproj.io');
/** Envoy AI Gateway: AIGatewayRoute. */
export const aiGateway = (): typeof import('../../imports/aigateway.envoyproxy.io') => require('../../imports/aigateway.envoyproxy.io');
/** External Secrets Operator: ExternalSecret. */
export const externalSecrets = (): typeof import('../../imports/external-secrets.io') => require('../../imports/external-secrets.io');
/** Envoy Gateway: SecurityPolicy, BackendTrafficPolicy, ClientTrafficPolicy, EnvoyExtensionPolicy. */
export const envoyGateway = (): typeof import('../../imports/gateway.envoyproxy.io') => require('../../imports/gateway.envoyproxy.io');
/** Gateway API: Gateway, HTTPRoute, GRPCRoute. */
export const gatewayApi = (): typeof import('../../imports/gateway.networking.k8s.io') => require('../../imports/gateway.networking.k8s.io');
/** Gateway API Inference Extension: InferencePool. */
export const inferencePools = (): typeof import('../../imports/inference.networking.k8s.io') => require('../../imports/inference.networking.k8s.io');
/** Gateway API Inference Extension (experimental group): InferenceObjective, InferenceModelRewrite. */
export const inferenceObjectives = (): typeof import('../../imports/inference.networking.x-k8s.io') => require('../../imports/inference.networking.x-k8s.io');
/** KEDA: ScaledObject. */
export const keda = (): typeof import('../../imports/keda.sh') => require('../../imports/keda.sh');
/** Prometheus Operator: ServiceMonitor, PodMonitor, PrometheusRule. */
export const prometheusOperator = (): typeof import('../../imports/monitoring.coreos.com') => require('../../imports/monitoring.coreos.com');
/** Traefik: Middleware. */
export const traefik = (): typeof import('../../imports/traefik.io') => require('../../imports/traefik.io');
