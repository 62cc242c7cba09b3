// The public API of cdk8s-inference: what TypeScript users import, and what jsii compiles for Python.
// Named exports only: a helper (a function or constant that other modules of lib/ use) stays out, so
// TypeScript does not see an API that jsii drops for other languages. test/public-api.test.ts compares
// this list with the jsii assembly; add a new public type here, in its area.

import { installYamlWriter } from './private/yaml';

// Serving: the InferenceService, the interface other constructs depend on, and its parts
export { InferenceService } from './inference-service';
export type { InferenceServiceProps, NodeToleration } from './inference-service';
export { LABEL_COMPONENT, LABEL_MODEL, LABEL_MODEL_VERSION, LABEL_NAME, LABEL_SERVER } from './inference-service-ref';
export type { IInferenceService } from './inference-service-ref';
export { ModelServer } from './model-server';
export type {
  CustomServerOptions,
  HealthCheck,
  LoraAdapter,
  LoraServingOptions,
  ModelServerBaseOptions,
  ServerConfigFile,
  SglangOptions,
  TfServingOptions,
  TgiOptions,
  TorchServeOptions,
  TritonOptions,
  VllmOptions,
} from './model-server-options';
export { Gpu } from './gpu';
export type { GpuClaimOptions, GpuOptions } from './gpu';
export { QueueMetricsApi, Scaling } from './scaling';
export type { AutoscalingBounds, CpuScalingOptions, QueueDepthScalingOptions } from './scaling';

// Model weights: where they come from and how pods see them
export { CacheAccessMode, ModelSource, ModelVolume, WorkloadIdentity } from './model-volume';
export type {
  HttpsSourceOptions,
  HuggingFaceSourceOptions,
  ModelVolumeProps,
  MountedSourceOptions,
  ObjectStoreSourceOptions,
  OciImageSourceOptions,
  PvcSourceOptions,
  S3SourceOptions,
} from './model-volume';

// Traffic: the gateway and releases between two services
export { ApiAuth, GatewayImplementation, GatewayTls, InferenceGateway } from './inference-gateway';
export type {
  ApiKeysOptions,
  GatewayTlsSecretOptions,
  InferenceGatewayProps,
  JwtAuthOptions,
  RateLimitOptions,
  PoolRouteOptions,
  RouteOptions,
} from './inference-gateway';
export { InferencePool, LABEL_POOL, PoolFailureMode } from './inference-pool';
export type { EndpointPickerOptions, IInferencePool, InferencePoolProps, ModelSplitTarget, PoolObjective, PoolScoring } from './inference-pool';
export { CanaryRelease, LABEL_TRACK, ReleaseColor, ReleaseStrategy } from './canary-release';
export type { CanaryReleaseProps } from './canary-release';
export { ProgressiveRelease } from './progressive-release';
export type { ProgressiveReleaseProps } from './progressive-release';

// Observability: metrics, alerts, dashboards and logs
export { ObservabilityBundle } from './observability-bundle';
export type { ObservabilityBundleProps } from './observability-bundle';
export type { PrometheusRuleDefinition, PrometheusRuleGroup, ResolvedObjectives, ServiceObjectives, ServiceRuleSettings } from './prometheus-rules';
export { LogShipper, LogShipping } from './log-shipping';
export type { ElasticsearchOptions, LogShipperProps, LokiOptions } from './log-shipping';

// The namespace and its secrets
export { NamespaceBaseline } from './namespace-baseline';
export type { NamespaceBaselineProps } from './namespace-baseline';
export { ExternalSecret, SecretStore } from './external-secret';
export type { ExternalSecretKey, ExternalSecretProps } from './external-secret';

// Errors: every rejected input carries one of the codes
export { InferenceConfigError } from './errors';
export type { InvalidPropOptions } from './errors';
export { ErrorCode } from './error-codes';

// Cross-object checks, for the validation plugin (validation/plugin.js) and `npm run validate`: JavaScript only
export { checkManifests, INVARIANT_RULES } from './invariants';
export type { InvariantFinding } from './invariants';

// cdk8s writes manifests with a faster writer while the library is loaded: the same bytes (see lib/private/yaml.ts).
installYamlWriter();
