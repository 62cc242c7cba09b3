/**
 * Stable codes of the errors the synth raises for bad input. Messages may be reworded between
 * releases; a code keeps its meaning. Every message ends with `[code: <Code>]`, so callers in any
 * language (Python sees only the message) can match on the code.
 */
export enum ErrorCode {
  // ---- names, labels, images, namespaces (names.ts, image.ts, namespace-baseline.ts, external-secret.ts)
  // ---- end names

  // ---- InferenceService and its parts (inference-service.ts, scaling.ts, gpu.ts, lib/private/service/)
  // ---- end service

  // ---- ModelServer presets (model-server.ts, lib/private/servers/)
  // ---- end servers

  // ---- ModelVolume and model sources (model-volume.ts, lib/private/model/)
  // ---- end volumes

  // ---- InferenceGateway, CanaryRelease, ProgressiveRelease (lib/private/gateway/)
  // ---- end gateway

  // ---- ObservabilityBundle, rules, dashboards, log shipping (lib/private/observability/)
  // ---- end observability
}
