/**
 * Stable codes of the errors the synth raises for bad input. Messages may be reworded between
 * releases; a code keeps its meaning. Every message ends with `[code: <Code>]`, so callers in any
 * language (Python sees only the message) can match on the code.
 */
export enum ErrorCode {
  // ---- names, labels, images, namespaces (names.ts, image.ts, namespace-baseline.ts, external-secret.ts)
  /** A name is not a DNS-1035 label, or is longer than allowed. */
  INVALID_NAME = 'InvalidName',
  /** Another construct of the app already holds the name in the namespace. */
  NAME_TAKEN = 'NameTaken',
  /** A label key or value (labels, a node selector) that Kubernetes refuses. */
  INVALID_LABEL = 'InvalidLabel',
  /** An image reference whose repository is malformed. */
  INVALID_IMAGE_REFERENCE = 'InvalidImageReference',
  /** An image tag with characters or a length a registry refuses. */
  INVALID_IMAGE_TAG = 'InvalidImageTag',
  /** An image digest that is not `sha256:` and 64 lower-case hex digits. */
  INVALID_DIGEST = 'InvalidDigest',
  /** An image that is untagged or `latest`: neither a version tag nor a digest pins it. */
  UNPINNED_IMAGE = 'UnpinnedImage',
  /** Neither a name nor the chart gives the namespace. */
  NAMESPACE_REQUIRED = 'NamespaceRequired',
  /** The pinned-image admission policy is asked for below Kubernetes 1.30. */
  PINNED_IMAGE_POLICY_NEEDS_KUBERNETES_130 = 'PinnedImagePolicyNeedsKubernetes130',
  /** A quota that is not a whole, non-negative amount. */
  INVALID_QUOTA = 'InvalidQuota',
  /** A secret store name that cannot name a SecretStore or ClusterSecretStore. */
  INVALID_SECRET_STORE = 'InvalidSecretStore',
  /** An ExternalSecret with no key and nothing to extract. */
  SECRET_KEYS_REQUIRED = 'SecretKeysRequired',
  /** A secret to extract that is empty or named twice. */
  INVALID_SECRET_EXTRACT = 'InvalidSecretExtract',
  /** A Secret data key with characters a Secret refuses. */
  INVALID_SECRET_KEY = 'InvalidSecretKey',
  /** A Secret data key listed twice: the second value would overwrite the first. */
  DUPLICATE_SECRET_KEY = 'DuplicateSecretKey',
  /** A Secret key without the name or path of its secret in the provider. */
  REMOTE_KEY_REQUIRED = 'RemoteKeyRequired',
  /** A refresh interval that is not zero or whole seconds of at least a minute. */
  INVALID_REFRESH_INTERVAL = 'InvalidRefreshInterval',
  /**
   * Two objects of one app (any charts, the user's own objects too) with one API group, kind,
   * namespace and name: applied, the second would silently replace the first.
   */
  DUPLICATE_OBJECT = 'DuplicateObject',
  // ---- end names

  // ---- InferenceService and its parts (inference-service.ts, scaling.ts, gpu.ts, lib/private/service/)
  /** A replica count (fixed, minReplicas or maxReplicas) that is not a whole number of at least 1. */
  INVALID_REPLICAS = 'InvalidReplicas',
  /** minReplicas is above maxReplicas. */
  MIN_REPLICAS_ABOVE_MAX = 'MinReplicasAboveMax',
  /** An autoscaling target out of range: a CPU percentage outside (0, 100], a queue target of 0 or less. */
  INVALID_SCALING_TARGET = 'InvalidScalingTarget',
  /** A Prometheus address given to a queue-depth autoscaler that does not use KEDA. */
  PROMETHEUS_ADDRESS_WITHOUT_KEDA = 'PrometheusAddressWithoutKeda',
  /** A Prometheus address that is not an http(s) URL without query or fragment. */
  INVALID_PROMETHEUS_ADDRESS = 'InvalidPrometheusAddress',
  /** Scaling on queue depth a server that exports no queue-depth metric. */
  NO_QUEUE_METRIC = 'NoQueueMetric',
  /** A GPU count that is not a whole number of at least 1. */
  INVALID_GPU_COUNT = 'InvalidGpuCount',
  /** The GPU count does not equal the server's tensor x pipeline parallelism. */
  GPU_COUNT_MISMATCH = 'GpuCountMismatch',
  /** `gpusPerNode` that is not a whole number of at least 1, or given without GPUs. */
  INVALID_GPUS_PER_NODE = 'InvalidGpusPerNode',
  /** A replica's GPUs that do not split into whole nodes of `gpusPerNode`. */
  GPUS_PER_NODE_MISMATCH = 'GpusPerNodeMismatch',
  /** A replica that needs more GPUs than one node has, on a server that cannot span nodes. */
  MULTI_NODE_UNSUPPORTED = 'MultiNodeUnsupported',
  /** No /dev/shm (shared memory) for a server that spans several GPUs. */
  SHARED_MEMORY_REQUIRED = 'SharedMemoryRequired',
  /** A CPU amount that is not positive. */
  INVALID_CPU = 'InvalidCpu',
  /** A memory or storage size that is not positive. */
  INVALID_SIZE = 'InvalidSize',
  /** A literal value under an environment variable name that looks secret. */
  LITERAL_SECRET_IN_ENV = 'LiteralSecretInEnv',
  /** A startupTimeout shorter than one startup probe period. */
  STARTUP_TIMEOUT_TOO_SHORT = 'StartupTimeoutTooShort',
  /** A terminationGracePeriod shorter than preStopDelay + maxRequestDuration. */
  GRACE_PERIOD_TOO_SHORT = 'GracePeriodTooShort',
  /** A nodeLossTolerance that is not whole seconds from 0 to 3600. */
  INVALID_NODE_LOSS_TOLERANCE = 'InvalidNodeLossTolerance',
  /** The node selector names another GPU product than the GPU does. */
  CONFLICTING_GPU_PRODUCT = 'ConflictingGpuProduct',
  /** A toleration whose key or value is not a valid taint key or value. */
  INVALID_TOLERATION = 'InvalidToleration',
  /** An image pull Secret that is named twice or is not a Secret name. */
  INVALID_IMAGE_PULL_SECRET = 'InvalidImagePullSecret',
  /** A priority class that is not a PriorityClass name, or is a "system-" class. */
  INVALID_PRIORITY_CLASS = 'InvalidPriorityClass',
  /** A pdbMaxUnavailable below 1, or not below the minimum replicas. */
  INVALID_DISRUPTION_BUDGET = 'InvalidDisruptionBudget',
  /** A pdbMaxUnavailable for a service with fewer than 2 replicas. */
  DISRUPTION_BUDGET_WITHOUT_REPLICAS = 'DisruptionBudgetWithoutReplicas',
  /** A server preset given no model, and no ModelVolume either. */
  MODEL_VOLUME_REQUIRED = 'ModelVolumeRequired',
  /** A model version the server cannot load (e.g. TF Serving needs a numeric version). */
  MODEL_VERSION_REFUSED = 'ModelVersionRefused',
  /** A model volume mounted where another volume or a writable folder already is. */
  MOUNT_PATH_TAKEN = 'MountPathTaken',
  /**
   * A value of the wrong type, as JavaScript or Python callers can pass: a string where a Size,
   * Duration or Cpu is expected, a number where a Duration is expected, a string where a number is.
   * Shared by every construct through `lib/private/values.ts`.
   */
  WRONG_TYPE = 'WrongType',
  /** A count, port or UID that is not a whole number, or a duration that is not whole seconds (or a size not whole MiB). */
  NOT_A_WHOLE_NUMBER = 'NotAWholeNumber',
  /** A container or HTTP path that is not absolute (leading `/`, no whitespace), e.g. a probe path or a writable folder. */
  INVALID_PATH = 'InvalidPath',
  /** A number outside what Kubernetes accepts, e.g. above 2147483647 (int32) or a port outside 1–65535. */
  OUT_OF_RANGE = 'OutOfRange',
  /** A CPU limit below the CPU request: the API server refuses the pod. */
  CPU_LIMIT_BELOW_REQUEST = 'CpuLimitBelowRequest',
  /** A maxSurge that is not a whole number of at least 1 (maxUnavailable is always 0, and both cannot be 0). */
  INVALID_MAX_SURGE = 'InvalidMaxSurge',
  /** A runAsUser that is not a UID from 1 to 2147483647 (0 is root, which the pod refuses to run as). */
  INVALID_RUN_AS_USER = 'InvalidRunAsUser',
  /** A GPU product that is not a valid label value (e.g. with a space): the node selector would be refused. */
  INVALID_GPU_PRODUCT = 'InvalidGpuProduct',
  // ---- end service

  // ---- ModelServer presets (model-server.ts, lib/private/servers/)
  /** Two ports of a server (HTTP, gRPC, metrics) with the same number where they must differ. */
  PORT_CONFLICT = 'PortConflict',
  /** A parallelism setting (tensor or pipeline parallel, shards) that is not a whole number of at least 1. */
  INVALID_PARALLELISM = 'InvalidParallelism',
  // ---- end servers

  // ---- ModelVolume and model sources (model-volume.ts, lib/private/model/)
  /** A model source URI whose scheme is none of s3://, gs://, hf://, https://, nfs://, pvc://, oci://. */
  UNSUPPORTED_MODEL_SOURCE_SCHEME = 'UnsupportedModelSourceScheme',
  /** A model source location with a user and password in it: the secret would land in the YAML. */
  CREDENTIALS_IN_MODEL_SOURCE = 'CredentialsInModelSource',
  /** A model source location that is not of its kind's form (bucket URI, repository id, path, digest). */
  INVALID_MODEL_SOURCE_LOCATION = 'InvalidModelSourceLocation',
  /** A model version that does not pin the weights: not a folder of the location, a branch, no checksum. */
  UNPINNED_MODEL_VERSION = 'UnpinnedModelVersion',
  /** A secret-looking variable in downloaderEnv: its value would land in the YAML. */
  SECRET_IN_DOWNLOADER_ENV = 'SecretInDownloaderEnv',
  /** A workload identity that is not a role ARN, Google service account or Azure client id. */
  INVALID_WORKLOAD_IDENTITY = 'InvalidWorkloadIdentity',
  /** A cache for a source that is mounted directly (NFS, PVC, OCI image), not downloaded. */
  CACHE_FOR_MOUNTED_SOURCE = 'CacheForMountedSource',
  /** A cache smaller than the declared model size. */
  CACHE_TOO_SMALL = 'CacheTooSmall',
  /** A ReadWriteOnce cache for more than one replica: only one node can mount it. */
  READ_WRITE_ONCE_CACHE_REPLICAS = 'ReadWriteOnceCacheReplicas',
  /** A kubernetesVersion that is not `<major>.<minor>`, e.g. '1.30'. */
  INVALID_KUBERNETES_VERSION = 'InvalidKubernetesVersion',
  /** A download timeout that is not whole seconds of at least a minute. */
  INVALID_DOWNLOAD_TIMEOUT = 'InvalidDownloadTimeout',
  /** A storage class name that is not a DNS-1123 subdomain. */
  INVALID_STORAGE_CLASS = 'InvalidStorageClass',
  /** A Secret name that is not a DNS-1123 subdomain, or a Secret that is not a cdk8s-plus Secret. */
  INVALID_SECRET_NAME = 'InvalidSecretName',
  /** An S3 endpoint that is not an http(s) URL (without query or fragment), or an S3 region that is not a region name. */
  INVALID_S3_ENDPOINT = 'InvalidS3Endpoint',
  /** A downloaderEnv entry whose name is not an environment variable name or whose value is not a string. */
  INVALID_DOWNLOADER_ENV = 'InvalidDownloaderEnv',
  /** A cache access mode that is none of CacheAccessMode's values. */
  INVALID_CACHE_ACCESS_MODE = 'InvalidCacheAccessMode',
  // ---- end volumes

  // ---- InferenceGateway, CanaryRelease, ProgressiveRelease (lib/private/gateway/)
  /** A gateway implementation that is none of GatewayImplementation's values. */
  UNKNOWN_GATEWAY_IMPLEMENTATION = 'UnknownGatewayImplementation',
  /** A gateway host that is not a lower-case DNS name. */
  INVALID_HOST = 'InvalidHost',
  /** TLS at a gateway without a host: a certificate names the host it serves. */
  TLS_WITHOUT_HOST = 'TlsWithoutHost',
  /** A rate limit that is not a whole number of requests above 0. */
  INVALID_RATE_LIMIT = 'InvalidRateLimit',
  /** Something the gateway implementation cannot do: API keys or JWT, mirroring, client-header rate limits, Gateway API routes. */
  UNSUPPORTED_BY_IMPLEMENTATION = 'UnsupportedByImplementation',
  /** A Secret (TLS certificate, API keys, storage or log store credentials) given both by name and as a cdk8s-plus Secret. */
  CONFLICTING_SECRET = 'ConflictingSecret',
  /** A TLS or API-key Secret given neither by name nor as a cdk8s-plus Secret. */
  MISSING_SECRET = 'MissingSecret',
  /** Two routes for the same host, path and match, or the same gRPC service header. */
  ROUTE_CONFLICT = 'RouteConflict',
  /** A header or cookie match whose name is not a valid header or cookie name, or whose value is empty. */
  INVALID_HEADER_MATCH = 'InvalidHeaderMatch',
  /** A release weight or mirror share that is not a whole percentage from 0 to 100. */
  INVALID_CANARY_WEIGHT = 'InvalidCanaryWeight',
  /** Stable and canary weights that do not add up to 100. */
  CANARY_WEIGHTS_NOT_100 = 'CanaryWeightsNot100',
  /** A canary that is the stable service itself, or runs the same image and model version. */
  CANARY_IDENTICAL_TO_STABLE = 'CanaryIdenticalToStable',
  /** A progressive release (Argo Rollouts) of a multi-node service, which runs no Deployment to take over. */
  PROGRESSIVE_RELEASE_OF_GROUPS = 'ProgressiveReleaseOfGroups',
  /** Rollout steps that are not whole percentages above 0, strictly increasing, ending at 100. */
  INVALID_ROLLOUT_STEPS = 'InvalidRolloutSteps',
  /** A JWT rate-limit claim that is not a claim name (letters, digits, `_ : / -`, dots for nesting). */
  INVALID_JWT_CLAIM = 'InvalidJwtClaim',
  /** A path prefix that is not an absolute path a route can match (leading `/`, no `//`, `.` or `..` segments, no `#` or `?`). */
  INVALID_PATH_PREFIX = 'InvalidPathPrefix',
  /** A release strategy or color that none of ReleaseStrategy's factories or ReleaseColor's values made. */
  INVALID_RELEASE_STRATEGY = 'InvalidReleaseStrategy',
  /** A rollout pause that is not whole seconds above 0. */
  INVALID_ROLLOUT_PAUSE = 'InvalidRolloutPause',
  /** An ingress-nginx gateway with no route on a plain path: its Ingress would have no paths, and its canaries no main Ingress. */
  NO_PLAIN_ROUTE = 'NoPlainRoute',
  // ---- end gateway

  // ---- ObservabilityBundle, rules, dashboards, log shipping (lib/private/observability/)
  /** The same service given to an ObservabilityBundle twice. */
  DUPLICATE_WATCHED_SERVICE = 'DuplicateWatchedService',
  /** A service whose model server exposes no Prometheus metrics, given to an ObservabilityBundle. */
  SERVICE_WITHOUT_METRICS = 'ServiceWithoutMetrics',
  /** An availability or latency objective that is not a share between 0 and 1. */
  INVALID_OBJECTIVE = 'InvalidObjective',
  /** An objective the service's model server has no metric to measure. */
  UNMEASURABLE_OBJECTIVE = 'UnmeasurableObjective',
  /** A latency threshold that is not a bucket bound of the server's latency histogram. */
  LATENCY_THRESHOLD_NOT_A_BUCKET = 'LatencyThresholdNotABucket',
  /** A log store URL that is not http(s), cannot be parsed, or carries credentials. */
  INVALID_LOG_STORE_URL = 'InvalidLogStoreUrl',
  /** A service scaling on queue depth whose metrics no ObservabilityBundle scrapes (and not marked scrapedExternally). */
  QUEUE_METRICS_NOT_SCRAPED = 'QueueMetricsNotScraped',
  // ---- end observability

  // InferencePool (model-aware routing)
  /** An InferencePool in a chart without a namespace: its picker's RoleBinding must name one. */
  POOL_WITHOUT_NAMESPACE = 'PoolWithoutNamespace',
  /** An InferencePool given no services. */
  POOL_WITHOUT_SERVICES = 'PoolWithoutServices',
  /** A service put in two InferencePools: its pods carry one pool label. */
  SERVICE_IN_TWO_POOLS = 'ServiceInTwoPools',
  /** A pool service in another namespace, on a server whose metrics the picker cannot read, or unlike the pool's other services. */
  INVALID_POOL_SERVICE = 'InvalidPoolService',
  /** A failure mode that is not a PoolFailureMode value. */
  INVALID_FAILURE_MODE = 'InvalidFailureMode',
  /** Scorer weights that are all 0: the picker would have nothing to score with. */
  INVALID_POOL_SCORING = 'InvalidPoolScoring',
  /** A LoRA adapter whose name clients cannot send, or used twice, or a maxLoras without adapters or above their number. */
  INVALID_LORA_ADAPTER = 'InvalidLoraAdapter',
  /** A LoRA adapter trained on another base model than the server's. */
  LORA_BASE_MISMATCH = 'LoraBaseMismatch',
  /** A model split whose name is already served, or whose targets are not models the pool serves, or whose weights are all 0. */
  INVALID_MODEL_SPLIT = 'InvalidModelSplit',
  /** A route objective that is not one of the pool's objectives. */
  UNKNOWN_OBJECTIVE = 'UnknownObjective',
  /** A route by model name given a path, or for a pool whose model names are unknown. */
  INVALID_MODEL_ROUTE = 'InvalidModelRoute',
  /** A DRA GPU claim below Kubernetes 1.34, or for a vendor whose DRA driver the library does not know. */
  GPU_CLAIM_UNSUPPORTED = 'GpuClaimUnsupported',
}
