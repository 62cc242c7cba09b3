import { ApiObject, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import { validateChartInvariants } from './invariants';
import { allowBaselineEgress } from './private/network';
import { Gpu } from './gpu';
import { checkImage } from './image';
import { ModelServer } from './model-server';
import { ModelMount, ModelPodVolume, ModelVolume } from './model-volume';
import { DEFAULT_UID, restrictedContainerSecurityContext } from './private/pod-security';
import { afterRender } from './private/render';
import { checkLabels, checkName, claimName, isDnsSubdomain, isLabelKey, isLabelValue, isSecretName, toLabelValue } from './names';
import { ScaledObject } from '../imports/keda.sh';
import { IInferenceService, LABEL_COMPONENT, LABEL_MODEL, LABEL_MODEL_VERSION, LABEL_NAME, LABEL_SERVER } from './inference-service-ref';
import { serviceSelector } from './prometheus-rules';
import { DEFAULT_PROMETHEUS_ADDRESS, QueueMetricsApi, Scaling } from './scaling';

const KIND = 'InferenceService';

/** A taint the pods tolerate. */
export interface NodeToleration {
  /** The taint's key, e.g. `dedicated`. */
  readonly key: string;
  /**
   * The taint's value; without one, any value of the key is tolerated (`Exists`).
   * @default - any value
   */
  readonly value?: string;
  /**
   * The taint's effect.
   * @default - every effect
   */
  readonly effect?: kplus.TaintEffect;
}

/**
 * How autoscalers move, for GPU replicas that take minutes to load: up at once by up to 2 pods a
 * minute; down after 10 minutes of calm, by 1 pod every 5 minutes.
 */
const SCALING_BEHAVIOUR = {
  scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
  scaleDown: { stabilizationWindowSeconds: 600, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] },
};

/** One direction of `SCALING_BEHAVIOUR` in cdk8s-plus's terms. */
function scalingRules(rules: typeof SCALING_BEHAVIOUR.scaleUp): kplus.ScalingRules {
  return {
    strategy: rules.selectPolicy === 'Max' ? kplus.ScalingStrategy.MAX_CHANGE : kplus.ScalingStrategy.MIN_CHANGE,
    stabilizationWindow: Duration.seconds(rules.stabilizationWindowSeconds),
    policies: rules.policies.map((p) => ({ replicas: kplus.Replicas.absolute(p.value), duration: Duration.seconds(p.periodSeconds) })),
  };
}

/** Default delay between the pod leaving the Service's endpoints and SIGTERM. */
const DEFAULT_PRESTOP_DELAY = Duration.seconds(15);
/** Seconds a pod stays on an unreachable or NotReady node before it is replaced elsewhere. */
const DEFAULT_NODE_LOSS_TOLERANCE = Duration.seconds(30);
/** Headroom after the drain for the process to exit before SIGKILL. */
const EXIT_MARGIN_SECONDS = 15;
/** Startup probe period; the threshold is derived from the start-up budget. */
const STARTUP_PERIOD_SECONDS = 10;
/** Readiness: period × failureThreshold = 10 s to leave the Service after the server fails. */
const READINESS_PERIOD_SECONDS = 5;
const READINESS_FAILURE_THRESHOLD = 2;
/** Liveness: 6 failed checks 10 s apart (one minute unresponsive) restart the container. */
const LIVENESS_PERIOD_SECONDS = 10;
const LIVENESS_FAILURE_THRESHOLD = 6;
/** Ephemeral storage for container logs on top of the emptyDirs. */
const LOG_ALLOWANCE_MIB = 2048;

/** CPU amount in millicores ('2' → 2000, '500m' → 500). */
function millicores(cpu: kplus.Cpu): number {
  return cpu.amount.endsWith('m') ? Number(cpu.amount.slice(0, -1)) : Math.round(Number(cpu.amount) * 1000);
}

/**
 * Props of an {@link InferenceService}.
 */
export interface InferenceServiceProps {
  /**
   * The model server and its model, from a preset (`ModelServer.vllm({...})`, …) or `ModelServer.custom`.
   */
  readonly server: ModelServer;

  /**
   * Name of the Deployment, Service and every other object (a DNS-1035 label, at most 48
   * characters). Names are part of the contract: changing one replaces the objects.
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Where the model's weights come from and how they reach the pods. The server is pointed at
   * the mounted folder (`/models/<name>/<version>`); changing the version rolls the Deployment.
   * Presets given no `model` need one.
   * @default - the server fetches the model itself (e.g. vLLM from the Hugging Face Hub)
   */
  readonly modelVolume?: ModelVolume;

  /**
   * Replica count or autoscaler.
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
   * @default Scaling.fixed(2)
   */
  readonly scaling?: Scaling;

  /**
   * CPU requested per replica.
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - 4 cores with GPUs, 1 core without
   */
  readonly cpu?: kplus.Cpu;

  /**
   * CPU limit per replica: room for tokenizer and scheduler bursts without starving neighbours.
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - twice the CPU request
   */
  readonly cpuLimit?: kplus.Cpu;

  /**
   * Memory per replica, set as both request and limit (weights pass through host memory while loading).
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - 32Gi for an LLM server, 4Gi otherwise
   */
  readonly memory?: Size;

  /**
   * GPUs per replica. For LLM servers the count must equal tensor × pipeline parallel.
   * @see https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/
   * @default - no GPU (CPU inference)
   */
  readonly gpu?: Gpu;

  /**
   * Size of `/dev/shm` (an in-memory emptyDir). Multi-GPU servers exchange tensors through it
   * (NCCL); `Size.mebibytes(0)` removes it, which is refused when more than one GPU is used.
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
   * @default - 2Gi with more than one GPU, 1Gi with one GPU, none on CPU
   */
  readonly sharedMemory?: Size;

  /**
   * Size limit of the writable cache folder (downloads, compile caches) the preset writes to.
   * @default - 50Gi for an LLM server, 5Gi otherwise
   */
  readonly cacheSize?: Size;

  /**
   * How long the model may take to become ready after the container starts (download, load,
   * compile). Sets the startup probe's budget; liveness only starts after it, so a loading pod
   * is never killed. Also raises the Deployment's progress deadline above it.
   * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/#startup-probe
   * @default - the preset's default: 15 minutes for LLM servers, 3–5 minutes for others
   */
  readonly startupTimeout?: Duration;

  /**
   * The longest request the service must finish when a pod is stopped (a long LLM stream).
   * The server's drain flag gets this value, so rolling updates and scale-down do not cut streams.
   * @default - 3 minutes for LLM servers, 30 s–1 minute for others
   */
  readonly maxRequestDuration?: Duration;

  /**
   * Pause in `preStop` before SIGTERM, so load balancers and kube-proxy stop sending new
   * requests before the server stops accepting them.
   * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
   * @default Duration.seconds(15)
   */
  readonly preStopDelay?: Duration;

  /**
   * Time from the start of termination to SIGKILL. Must cover `preStopDelay + maxRequestDuration`.
   * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
   * @default - preStopDelay + maxRequestDuration + 15 s
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * Extra pods a rolling update may add. Unavailable pods are always 0, so serving capacity
   * never drops during an update; each surge pod needs its GPUs free.
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#max-surge
   * @default 1
   */
  readonly maxSurge?: number;

  /**
   * Pods the PodDisruptionBudget lets a voluntary disruption (node drain) take at once. It must
   * be at least 1 (0 blocks every drain) and below the minimum replicas (never all pods down).
   * With fewer than 2 replicas no PodDisruptionBudget is emitted: one pod cannot be protected
   * without blocking node drains.
   * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
   * @default 1
   */
  readonly pdbMaxUnavailable?: number;

  /**
   * Environment variables. Secrets go by reference (`EnvValue.fromSecretValue(...)`); a literal
   * value under a name that looks secret (`*TOKEN*`, `*SECRET*`, `*PASSWORD*`, `*KEY*`) is refused.
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables
   * @default - only the preset's own variables
   */
  readonly env?: { [name: string]: kplus.EnvValue };

  /**
   * How the Service is exposed.
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;

  /**
   * Client CIDRs a `LoadBalancer` Service admits (also admitted by the NetworkPolicy).
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-source-ranges
   * @default - ['0.0.0.0/0'] for a LoadBalancer Service; ignored otherwise
   */
  readonly loadBalancerSourceRanges?: string[];

  /**
   * Peers the NetworkPolicy admits to the inference ports (a gateway, a namespace of clients).
   * Nothing else reaches them but the metrics scraper on the metrics port. Egress is limited
   * to cluster DNS and HTTPS (port 443: model hubs, object storage); add more with `allowEgressTo`.
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   * @default - no peer: only the metrics scraper (and LoadBalancer source ranges)
   */
  readonly allowFrom?: kplus.INetworkPolicyPeer[];

  /**
   * The Prometheus that scrapes the metrics port.
   * @default - pods labelled `app.kubernetes.io/name=prometheus` in namespace `monitoring`
   */
  readonly metricsScraper?: kplus.INetworkPolicyPeer;

  /**
   * UID (and GID) the server runs as; the pod refuses to run as root. Above 10000 so it never
   * matches a user of the node.
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   * @default 10001
   */
  readonly runAsUser?: number;

  /**
   * When the kubelet pulls the image. `Always` makes every start present the pull secret, so a
   * private image cached on a node is not usable by pods without credentials; with a pinned
   * image it only re-checks the manifest.
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
   * @default kplus.ImagePullPolicy.ALWAYS
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;

  /**
   * Secrets (type `kubernetes.io/dockerconfigjson`) the kubelet presents to pull the pod's
   * images: a private registry for the server, or NGC.
   * @see https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod
   * @default - none: public images, or the node's own registry credentials (ECR, Artifact Registry, ACR)
   */
  readonly imagePullSecrets?: string[];

  /**
   * PriorityClass of the pods. A high class lets inference preempt batch work when GPUs are short
   * and keeps batch work from preempting it.
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;

  /**
   * Node labels the pods must land on, e.g. a dedicated node pool
   * (`{ 'karpenter.sh/nodepool': 'gpu-inference' }`). Merged with the GPU's product label.
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodeselector
   * @default - only the GPU product label, when `gpu` names a product
   */
  readonly nodeSelector?: { [key: string]: string };

  /**
   * Taints of dedicated nodes the pods tolerate, besides the GPU taint.
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
   * @default - only the GPU taint, with a GPU
   */
  readonly tolerations?: NodeToleration[];

  /**
   * How long the pods stay bound to a node that stops answering (`node.kubernetes.io/unreachable`)
   * or reports NotReady (`node.kubernetes.io/not-ready`) before they are evicted and replaced
   * elsewhere: the `tolerationSeconds` of both `NoExecute` tolerations.
   *
   * The node controller marks a silent node after its grace period (50 s by default) and removes
   * its pods from the Service's endpoints at once, so from then on the node serves nothing. With
   * Kubernetes' own default (300 s, added by the DefaultTolerationSeconds admission plugin) a lost
   * GPU node's replicas are not even started elsewhere for five more minutes, on top of the model's
   * load time. 30 s rides out a kubelet or API server restart but starts the replacement early.
   * Between 0 and 3600 seconds.
   *
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions
   * @default Duration.seconds(30)
   */
  readonly nodeLossTolerance?: Duration;

  /**
   * Spread replicas across zones and nodes (`topologySpreadConstraints`, maxSkew 1,
   * `ScheduleAnyway` so scarce GPU capacity never leaves a pod pending).
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
   * @default true
   */
  readonly spread?: boolean;

  /**
   * Extra labels for every object and the pods.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/**
 * One model behind one Service, right by default for production inference.
 *
 * Emits a Deployment of model-server pods (startup, readiness and liveness probes sized to
 * model load time; drain of in-flight requests; GPUs; restricted security context), a Service,
 * a ServiceAccount without token, a HorizontalPodAutoscaler when scaling is automatic, a
 * PodDisruptionBudget and an ingress NetworkPolicy.
 *
 * @example
 * new InferenceService(chart, 'chat', {
 *   server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct' }),
 *   gpu: Gpu.nvidia(1),
 * });
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
 */
export class InferenceService extends Construct implements IInferenceService {
  /** Name of every object of this service. */
  public readonly name: string;
  /** The model server preset. */
  public readonly server: ModelServer;
  /** Labels of every object of this service. */
  public readonly labels: { [key: string]: string };
  /** Labels selecting this service's pods. */
  public readonly selectorLabels: { [key: string]: string };
  /** The Deployment of model-server pods. */
  public readonly deployment: kplus.Deployment;
  /** The server container. */
  public readonly container: kplus.Container;
  /** The Service in front of the pods. */
  public readonly service: kplus.Service;
  /** The pods' ServiceAccount (no token mounted). */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The ingress NetworkPolicy. */
  public readonly networkPolicy: kplus.NetworkPolicy;
  /** The autoscaler, when scaling is automatic (and not through KEDA). */
  public readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /**
   * The KEDA ScaledObject, when scaling on queue depth with `QueueMetricsApi.KEDA`. KEDA creates
   * the HorizontalPodAutoscaler, named like the service.
   */
  public readonly scaledObject?: ApiObject;
  /** The PodDisruptionBudget, when there are at least two replicas. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** Replica count or autoscaler bounds. */
  public readonly scaling: Scaling;
  /** Start-up budget of the startup probe. */
  public readonly startupTimeout: Duration;
  /** Longest request drained on shutdown. */
  public readonly maxRequestDuration: Duration;
  /** Pause before SIGTERM. */
  public readonly preStopDelay: Duration;
  /** Grace period from termination to SIGKILL. */
  public readonly terminationGracePeriod: Duration;
  /** GPUs per replica, if any. */
  public readonly gpu?: Gpu;
  /**
   * Name of the queue metric in the Kubernetes metrics API, when scaling on queue depth through
   * an adapter (KEDA names its metric itself).
   */
  public readonly queueMetricName?: string;
  /** The model's weights, when they come from a ModelVolume. */
  public readonly modelVolume?: ModelVolume;

  private readonly uid: number;
  private readonly modelMountPaths = new Map<string, string>();
  private initContainersPatched = false;
  private readonly podVolumeNames = new Set<string>();

  /**
   * Defines an InferenceService.
   * @param scope the construct (usually a Chart) the objects are created in
   * @param id the construct id, unique within `scope`
   * @param props the settings, see `InferenceServiceProps`
   */
  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    const server = props.server;
    this.server = server;
    this.name = checkName(this, KIND, 'name', props.name ?? id);
    claimName(this, KIND, 'name', this.name);
    validateChartInvariants(this);
    const image = checkImage(this, KIND, 'server image', server.image);

    this.gpu = props.gpu;
    this.checkGpu(props.gpu);
    this.scaling = props.scaling ?? Scaling.fixed(2);
    this.checkScaling(this.scaling);
    this.checkScheduling(props);

    this.startupTimeout = props.startupTimeout ?? server.defaultStartupTimeout;
    this.maxRequestDuration = props.maxRequestDuration ?? server.defaultMaxRequestDuration;
    this.preStopDelay = props.preStopDelay ?? DEFAULT_PRESTOP_DELAY;
    const drainSeconds = this.maxRequestDuration.toSeconds();
    const minimumGrace = this.preStopDelay.toSeconds() + drainSeconds;
    this.terminationGracePeriod = props.terminationGracePeriod ?? Duration.seconds(minimumGrace + EXIT_MARGIN_SECONDS);
    this.checkTimings(minimumGrace);

    const gpus = props.gpu?.count ?? 0;
    const sharedMemory = props.sharedMemory ?? (gpus > 1 ? Size.gibibytes(2) : gpus === 1 ? Size.gibibytes(1) : undefined);
    this.checkSharedMemory(sharedMemory, gpus);
    const cpu = props.cpu ?? kplus.Cpu.units(gpus > 0 ? 4 : 1);
    const memory = props.memory ?? Size.gibibytes(server.isLlm ? 32 : 4);
    const cacheSize = props.cacheSize ?? Size.gibibytes(server.isLlm ? 50 : 5);
    this.checkCpu('cpu', cpu);
    if (props.cpuLimit) this.checkCpu('cpuLimit', props.cpuLimit);
    const cpuLimit = props.cpuLimit ?? kplus.Cpu.millis(2 * millicores(cpu));
    const uid = props.runAsUser ?? DEFAULT_UID;
    this.uid = uid;
    const volume = props.modelVolume;
    this.modelVolume = volume;
    this.checkModelVolume(volume);
    const modelMount = volume?._mountFor(this, restrictedContainerSecurityContext(uid), this.scaling.maxReplicas);
    this.checkSize('memory', memory);
    this.checkSize('cacheSize', cacheSize);
    this.checkEnv(props.env ?? {});

    this.selectorLabels = { [LABEL_NAME]: this.name, [LABEL_COMPONENT]: 'model-server' };
    // Storage credentials go only to pods that download; with a filled cache the Job holds them.
    const identity = modelMount?.downloads ? volume?.workloadIdentity : undefined;
    const podLabels = { ...identity?.podLabels };
    const labels: { [key: string]: string } = this.labels = {
      ...props.labels,
      ...this.selectorLabels,
      'app.kubernetes.io/version': toLabelValue(image.tag ?? image.digest ?? 'pinned'),
      'app.kubernetes.io/managed-by': 'cdk8s-inference',
      [LABEL_SERVER]: server.kind,
      // Model and version reach metrics (ServiceMonitor podTargetLabels) and logs (log shipper).
      [LABEL_MODEL]: toLabelValue(volume?.name ?? server.model ?? server.kind),
      [LABEL_MODEL_VERSION]: toLabelValue(volume?.version ?? image.tag ?? image.digest ?? 'pinned'),
    };
    const metadata = (suffix = '') => ({ name: `${this.name}${suffix}`, labels });

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { ...metadata(), annotations: identity?.serviceAccountAnnotations },
      automountToken: false,
    });

    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: metadata(),
      podMetadata: { labels: { ...labels, ...podLabels } },
      select: false,
      replicas: this.scaling.mode === 'fixed' ? this.scaling.minReplicas : undefined,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(props.maxSurge ?? 1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      // A rollout may wait for the download (init containers) and then the load (startup probe).
      progressDeadline: Duration.seconds(Math.max(600, this.startupTimeout.toSeconds() + 300
        + (modelMount?.initContainers.length ? volume!.downloadTimeout.toSeconds() : 0))),
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      terminationGracePeriod: this.terminationGracePeriod,
      securityContext: {
        ensureNonRoot: true,
        user: uid,
        group: uid,
        fsGroup: uid,
        fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
      },
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));

    const scratch = this.writableVolumeSizes(cacheSize).reduce((a, b) => a + b, 0) + (modelMount?.scratchMebibytes ?? 0);
    this.container = this.deployment.addContainer({
      name: 'server',
      image: server.image,
      imagePullPolicy: props.imagePullPolicy ?? kplus.ImagePullPolicy.ALWAYS,
      command: server.command,
      args: server._args({ drainSeconds, modelPath: volume?.mountPath, modelName: volume?.name }),
      ports: this.containerPorts(),
      envVariables: this.environment(props.env ?? {}, volume !== undefined),
      resources: {
        cpu: { request: cpu, limit: cpuLimit },
        memory: { request: memory, limit: memory },
        // The emptyDirs count against ephemeral storage; the limit adds room for logs.
        // (cdk8s-plus renders ephemeral storage in whole GiB.)
        ephemeralStorage: { request: Size.gibibytes(Math.ceil(scratch / 1024)), limit: Size.gibibytes(Math.ceil((scratch + LOG_ALLOWANCE_MIB) / 1024)) },
      },
      securityContext: {
        ensureNonRoot: true,
        user: uid,
        group: uid,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
      },
      startup: this.probe(server.readiness, {
        periodSeconds: Duration.seconds(STARTUP_PERIOD_SECONDS),
        failureThreshold: Math.ceil(this.startupTimeout.toSeconds() / STARTUP_PERIOD_SECONDS),
        timeoutSeconds: Duration.seconds(5),
      }),
      readiness: this.probe(server.readiness, {
        periodSeconds: Duration.seconds(READINESS_PERIOD_SECONDS),
        failureThreshold: READINESS_FAILURE_THRESHOLD,
        successThreshold: 1,
        timeoutSeconds: Duration.seconds(3),
      }),
      liveness: this.probe(server.liveness, {
        periodSeconds: Duration.seconds(LIVENESS_PERIOD_SECONDS),
        failureThreshold: LIVENESS_FAILURE_THRESHOLD,
        timeoutSeconds: Duration.seconds(5),
      }),
      lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', String(this.preStopDelay.toSeconds())]) },
    });
    this.mountVolumes(cacheSize, sharedMemory);
    this.patchPodSpec(props);
    if (volume && modelMount) this.attachModel(volume, modelMount);

    this.service = new kplus.Service(this, 'Service', {
      metadata: metadata(),
      type: props.serviceType ?? kplus.ServiceType.CLUSTER_IP,
      loadBalancerSourceRanges: props.serviceType === kplus.ServiceType.LOAD_BALANCER
        ? props.loadBalancerSourceRanges ?? ['0.0.0.0/0'] : undefined,
      ports: this.containerPorts().map((p) => ({ name: p.name, port: p.number, targetPort: p.number })),
    });
    for (const [key, value] of Object.entries(this.selectorLabels)) this.service.selectLabel(key, value);

    this.networkPolicy = this.buildNetworkPolicy(props, metadata());

    if (this.scaling.metricsApi === QueueMetricsApi.KEDA) {
      this.scaledObject = this.buildScaledObject(metadata());
    } else if (this.scaling.mode !== 'fixed') {
      this.queueMetricName = this.scaling.mode === 'queue' ? this.queueMetric().replace(/:/g, '_') : undefined;
      this.autoscaler = this.buildAutoscaler(metadata());
    }
    if (this.scaling.minReplicas >= 2) {
      const maxUnavailable = props.pdbMaxUnavailable ?? 1;
      this.checkDisruptionBudget(maxUnavailable);
      this.disruptionBudget = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: metadata(),
        spec: {
          maxUnavailable: k8s.IntOrString.fromNumber(maxUnavailable),
          selector: { matchLabels: this.selectorLabels },
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    } else if (props.pdbMaxUnavailable !== undefined) {
      this.fail({
        prop: 'pdbMaxUnavailable',
        received: props.pdbMaxUnavailable,
        allowed: 'only with at least 2 replicas (one replica cannot be protected without blocking node drains)',
        fix: 'raise the replicas (or minReplicas) to 2 or more, or remove pdbMaxUnavailable',
      });
    }
  }

  /**
   * Admits another peer to the inference ports (HTTP and gRPC) through the NetworkPolicy.
   */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    this.networkPolicy.addIngressRule(peer, this.inferencePorts().map((p) => kplus.NetworkPolicyPort.tcp(p)));
  }

  /**
   * Mounts another ModelVolume read-only at its own path (`/models/<name>/<version>`), e.g. LoRA
   * adapters next to the base model. The server is not pointed at it: pass the path in its args.
   */
  public addModelVolume(volume: ModelVolume): void {
    this.attachModel(volume, volume._mountFor(this, restrictedContainerSecurityContext(this.uid), this.scaling.maxReplicas));
    for (const port of volume.egressPorts) this.allowEgressTo(kplus.NetworkPolicyIpBlock.anyIpv4(this, `ModelEndpoint${port}-${volume.name}`), [port]);
  }

  /**
   * Lets the pods open connections to `peer` on the given TCP ports (an in-cluster object store,
   * a private model registry) through the NetworkPolicy.
   */
  public allowEgressTo(peer: kplus.INetworkPolicyPeer, ports: number[]): void {
    this.networkPolicy.addEgressRule(peer, ports.map((p) => kplus.NetworkPolicyPort.tcp(p)));
  }

  private attachModel(volume: ModelVolume, mount: ModelMount): void {
    const holder = this.modelMountPaths.get(mount.mount.mountPath)
      ?? this.server.writablePaths.find((p) => p === mount.mount.mountPath || mount.mount.mountPath.startsWith(`${p}/`));
    if (holder !== undefined) {
      this.fail({
        prop: 'modelVolume',
        received: `'${volume.node.path}' at ${mount.mount.mountPath}`,
        allowed: `one volume per mount path; ${mount.mount.mountPath} is already taken by ${holder}`,
        fix: 'give the volumes distinct names or versions, or mount only one of them',
      });
    }
    this.modelMountPaths.set(mount.mount.mountPath, `'${volume.node.path}'`);
    const deployment = ApiObject.of(this.deployment);
    const pod = '/spec/template/spec';
    const volumes: ModelPodVolume[] = mount.volumes.filter((v) => !this.podVolumeNames.has(v.name));
    for (const v of volumes) {
      this.podVolumeNames.add(v.name);
      if (v.image) {
        // The Kubernetes 1.27 types of cdk8s-plus-27 have no image volume: add it to the rendered JSON.
        afterRender(deployment, (json) => json.spec.template.spec.volumes.push(v));
      } else {
        deployment.addJsonPatch(JsonPatch.add(`${pod}/volumes/-`, v));
      }
    }
    deployment.addJsonPatch(JsonPatch.add(`${pod}/containers/0/volumeMounts/-`, mount.mount));
    if (mount.initContainers.length > 0) {
      if (!this.initContainersPatched) {
        deployment.addJsonPatch(JsonPatch.add(`${pod}/initContainers`, mount.initContainers));
        this.initContainersPatched = true;
      } else {
        for (const c of mount.initContainers) deployment.addJsonPatch(JsonPatch.add(`${pod}/initContainers/-`, c));
      }
    }
  }

  private checkModelVolume(volume: ModelVolume | undefined): void {
    if (this.server.needsModelVolume && !volume) {
      this.fail({
        prop: 'modelVolume',
        received: undefined,
        allowed: `a ModelVolume, because ModelServer.${this.server.kind} was given no model`,
        fix: 'pass modelVolume, or give the preset a model (e.g. a Hugging Face id)',
      });
    }
    const refused = volume && this.server._refuseModelVersion(volume.version);
    if (volume && refused) {
      this.fail({ prop: 'modelVolume', received: `version '${volume.version}' of '${volume.node.path}'`, allowed: refused.allowed, fix: refused.fix });
    }
  }

  private fail(options: InvalidPropOptions): never {
    throw new InferenceConfigError(this, KIND, options);
  }

  private containerPorts(): kplus.ContainerPort[] {
    const s = this.server;
    const ports: kplus.ContainerPort[] = [{ name: 'http', number: s.httpPort }];
    if (s.grpcPort !== undefined) ports.push({ name: 'grpc', number: s.grpcPort });
    if (s.metricsPort !== undefined && s.metricsPort !== s.httpPort) ports.push({ name: 'metrics', number: s.metricsPort });
    return ports;
  }

  private inferencePorts(): number[] {
    return [this.server.httpPort, ...(this.server.grpcPort !== undefined ? [this.server.grpcPort] : [])];
  }

  private probe(check: { port: number; path?: string }, options: kplus.ProbeOptions): kplus.Probe {
    return check.path !== undefined
      ? kplus.Probe.fromHttpGet(check.path, { ...options, port: check.port })
      : kplus.Probe.fromTcpSocket({ ...options, port: check.port });
  }

  private environment(userEnv: { [name: string]: kplus.EnvValue }, localModel: boolean): { [name: string]: kplus.EnvValue } {
    const env: { [name: string]: kplus.EnvValue } = {};
    for (const [k, v] of Object.entries(this.server.env)) env[k] = kplus.EnvValue.fromValue(v);
    // Weights are local: the server must not reach for the Hugging Face Hub at start.
    if (localModel && this.server.isLlm) env.HF_HUB_OFFLINE = kplus.EnvValue.fromValue('1');
    return { ...env, ...userEnv };
  }

  /** emptyDir size limits (MiB) of the preset's writable folders: 1Gi for /tmp, cacheSize for the others. */
  private writableVolumeSizes(cacheSize: Size): number[] {
    return this.server.writablePaths.map((p) => (p === '/tmp' ? 1024 : cacheSize.toMebibytes()));
  }

  private mountVolumes(cacheSize: Size, sharedMemory: Size | undefined): void {
    const sizes = this.writableVolumeSizes(cacheSize);
    this.server.writablePaths.forEach((path, i) => {
      const volumeName = path === '/tmp' ? 'tmp' : `writable-${i}`;
      const volume = kplus.Volume.fromEmptyDir(this, `Writable${i}`, volumeName, { sizeLimit: Size.mebibytes(sizes[i]) });
      this.container.mount(path, volume);
    });
    if (sharedMemory && sharedMemory.toMebibytes() > 0) {
      const shm = kplus.Volume.fromEmptyDir(this, 'SharedMemory', 'dshm', {
        medium: kplus.EmptyDirMedium.MEMORY,
        sizeLimit: sharedMemory,
      });
      this.container.mount('/dev/shm', shm);
    }
    if (this.server.configFiles.length > 0) {
      const configMap = new kplus.ConfigMap(this, 'ServerConfig', {
        metadata: { name: `${this.name}-server-config`, labels: this.labels },
      });
      this.server.configFiles.forEach((file, i) => {
        const key = `file-${i}`;
        configMap.addData(key, file.content);
        const volume = kplus.Volume.fromConfigMap(this, `ServerConfigVolume${i}`, configMap, {
          name: `server-config-${i}`,
          items: { [key]: { path: file.path.split('/').pop()! } },
        });
        this.container.mount(file.path.slice(0, file.path.lastIndexOf('/')), volume, { readOnly: true });
      });
    }
  }

  /**
   * Fields cdk8s-plus-27 has no API for (or none that merges with the others): GPU limits,
   * seccomp, dropping ALL capabilities, topology spread, no service links, node selector,
   * tolerations, pull secrets, priority class.
   * Applied as JSON patches to the Deployment, hidden from users.
   */
  private patchPodSpec(props: InferenceServiceProps): void {
    const deployment = ApiObject.of(this.deployment);
    const pod = '/spec/template/spec';
    // cdk8s-plus labels pods with a hash of the construct path; selection here is by stable labels
    // only, so renaming a chart or construct never restarts the pods.
    deployment.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
    deployment.addJsonPatch(JsonPatch.add(`${pod}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }));
    // cdk8s-plus-27's Capability enum has no "ALL", which Pod Security "restricted" requires dropping.
    deployment.addJsonPatch(JsonPatch.add(`${pod}/containers/0/securityContext/capabilities`, { drop: ['ALL'] }));
    // Service links inject <SERVICE>_PORT variables; vLLM reads VLLM_PORT and breaks when a Service is named vllm.
    deployment.addJsonPatch(JsonPatch.add(`${pod}/enableServiceLinks`, false));
    const gpu = props.gpu;
    if (gpu) {
      deployment.addJsonPatch(JsonPatch.add(`${pod}/containers/0/resources/limits/${gpu.resourceName.replace('/', '~1')}`,
        k8s.Quantity.fromNumber(gpu.count)));
    }
    const nodeSelector = { ...(gpu?.product ? { [gpu.productLabel]: gpu.product } : {}), ...props.nodeSelector };
    if (Object.keys(nodeSelector).length > 0) deployment.addJsonPatch(JsonPatch.add(`${pod}/nodeSelector`, nodeSelector));
    const nodeLoss = (props.nodeLossTolerance ?? DEFAULT_NODE_LOSS_TOLERANCE).toSeconds();
    const tolerations = [
      ...(gpu?.tolerateTaint ? [{ key: gpu.resourceName, operator: 'Exists', effect: 'NoSchedule' }] : []),
      ...(props.tolerations ?? []).map((t) => ({ key: t.key, operator: t.value === undefined ? 'Exists' : 'Equal', value: t.value, effect: t.effect })),
      ...['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'].map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: nodeLoss })),
    ];
    deployment.addJsonPatch(JsonPatch.add(`${pod}/tolerations`, tolerations));
    if (props.imagePullSecrets?.length) deployment.addJsonPatch(JsonPatch.add(`${pod}/imagePullSecrets`, props.imagePullSecrets.map((name) => ({ name }))));
    if (props.priorityClassName) deployment.addJsonPatch(JsonPatch.add(`${pod}/priorityClassName`, props.priorityClassName));
    if (props.spread ?? true) {
      deployment.addJsonPatch(JsonPatch.add(`${pod}/topologySpreadConstraints`, ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((key) => ({
        maxSkew: 1,
        topologyKey: key,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: this.selectorLabels },
        matchLabelKeys: ['pod-template-hash'],
      }))));
    }
  }

  private buildNetworkPolicy(props: InferenceServiceProps, metadata: { name: string; labels: { [key: string]: string } }): kplus.NetworkPolicy {
    const policy = new kplus.NetworkPolicy(this, 'NetworkPolicy', {
      metadata,
      selector: kplus.Pods.select(this, 'Pods', { labels: this.selectorLabels }),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    allowBaselineEgress(this, policy, props.modelVolume?.egressPorts);
    const ports = this.inferencePorts().map((p) => kplus.NetworkPolicyPort.tcp(p));
    for (const peer of props.allowFrom ?? []) policy.addIngressRule(peer, ports);
    if (props.serviceType === kplus.ServiceType.LOAD_BALANCER) {
      (props.loadBalancerSourceRanges ?? ['0.0.0.0/0']).forEach((cidr, i) =>
        policy.addIngressRule(kplus.NetworkPolicyIpBlock.ipv4(this, `LoadBalancerSource${i}`, cidr), ports));
    }
    if (this.server.metricsPort !== undefined) {
      const scraper = props.metricsScraper ?? kplus.Pods.select(this, 'MetricsScraper', {
        labels: { [LABEL_NAME]: 'prometheus' },
        namespaces: kplus.Namespaces.select(this, 'MonitoringNamespace', { names: ['monitoring'] }),
      });
      policy.addIngressRule(scraper, [kplus.NetworkPolicyPort.tcp(this.server.metricsPort)]);
    }
    return policy;
  }

  private queueMetric(): string {
    const metric = this.server.queueDepthMetric;
    if (metric === undefined) {
      this.fail({
        prop: 'scaling',
        received: 'Scaling.onQueueDepth',
        allowed: `a server with a queue-depth metric (vllm, tgi, triton, sglang, or custom with queueDepthMetric); '${this.server.kind}' has none`,
        fix: 'use Scaling.onCpu or Scaling.fixed, or set queueDepthMetric on ModelServer.custom',
      });
    }
    return metric;
  }

  private buildAutoscaler(metadata: { name: string; labels: { [key: string]: string } }): kplus.HorizontalPodAutoscaler {
    const s = this.scaling;
    let metric: kplus.Metric;
    if (s.mode === 'cpu') {
      metric = kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(s.target!));
    } else if (s.metricsApi === QueueMetricsApi.EXTERNAL) {
      metric = kplus.Metric.external({
        name: this.queueMetricName!,
        target: kplus.MetricTarget.averageValue(s.target!),
        labelSelector: kplus.LabelSelector.of({ labels: { service: this.name } }),
      });
    } else {
      metric = kplus.Metric.pods({ name: this.queueMetricName!, target: kplus.MetricTarget.averageValue(s.target!) });
    }
    return new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata,
      target: this.deployment,
      minReplicas: s.minReplicas,
      maxReplicas: s.maxReplicas,
      metrics: [metric],
      scaleUp: scalingRules(SCALING_BEHAVIOUR.scaleUp),
      scaleDown: scalingRules(SCALING_BEHAVIOUR.scaleDown),
    });
  }

  /**
   * A KEDA ScaledObject: its Prometheus trigger sums the queue over the service's pods and KEDA's
   * HorizontalPodAutoscaler (named like the service, so the HPA alerts apply) divides it by the
   * replicas, as the `Pods` metric does.
   */
  private buildScaledObject(metadata: { name: string; labels: { [key: string]: string } }): ApiObject {
    const s = this.scaling;
    const namespace = Chart.of(this).namespace ?? 'default';
    // KEDA's HPA owns the replica count: the Deployment carries none, so an apply never resets it.
    this.deployment.markHasAutoscaler();
    return new ScaledObject(this, 'ScaledObject', {
      metadata,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
        minReplicaCount: s.minReplicas,
        maxReplicaCount: s.maxReplicas,
        // As often as Prometheus scrapes the servers (the ServiceMonitor's interval).
        pollingInterval: 15,
        advanced: { horizontalPodAutoscalerConfig: { name: this.name, behavior: SCALING_BEHAVIOUR } },
        triggers: [{
          type: 'prometheus',
          metadata: {
            serverAddress: s.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS,
            query: `sum(${this.queueMetric()}{${serviceSelector(namespace, this.name)}})`,
            threshold: String(s.target),
            // No series (the servers are not scraped) is an error KEDA reports on the
            // ScaledObject, and the HPA holds its replicas, rather than a queue of 0.
            ignoreNullValues: 'false',
          },
        }],
      },
    });
  }

  private checkGpu(gpu: Gpu | undefined): void {
    const parallelism = this.server.parallelism;
    if (gpu && (!Number.isInteger(gpu.count) || gpu.count < 1)) {
      this.fail({ prop: 'gpu', received: gpu.count, allowed: 'a whole number of GPUs, 1 or more', fix: 'request whole GPUs, e.g. Gpu.nvidia(1), or omit gpu for CPU inference' });
    }
    if (parallelism > 1 && (gpu?.count ?? 0) !== parallelism) {
      this.fail({
        prop: 'gpu',
        received: gpu ? `${gpu.count} GPU(s)` : 'no GPU',
        allowed: `exactly ${this.server._parallelismProp} = ${parallelism} GPUs per replica`,
        fix: `set gpu to Gpu.nvidia(${parallelism}) (or Gpu.amd), or change the parallelism of the server`,
      });
    }
  }

  private checkScaling(s: Scaling): void {
    for (const [prop, value] of [['minReplicas', s.minReplicas], ['maxReplicas', s.maxReplicas]] as const) {
      if (!Number.isInteger(value) || value < 1) {
        this.fail({
          prop: s.mode === 'fixed' ? 'scaling (replicas)' : `scaling.${prop}`,
          received: value,
          allowed: 'a whole number, 1 or more',
          fix: 'give at least one replica',
        });
      }
    }
    if (s.minReplicas > s.maxReplicas) {
      this.fail({
        prop: 'scaling.minReplicas',
        received: s.minReplicas,
        allowed: `at most maxReplicas (${s.maxReplicas})`,
        fix: 'raise maxReplicas or lower minReplicas',
      });
    }
    if (s.mode === 'cpu' && !(s.target! > 0 && s.target! <= 100)) {
      this.fail({ prop: 'scaling.targetUtilizationPercent', received: s.target, allowed: 'a percentage above 0, at most 100', fix: 'use e.g. 70' });
    }
    if (s.mode === 'queue' && !(s.target! > 0)) {
      this.fail({ prop: 'scaling.targetPerReplica', received: s.target, allowed: 'a number of queued requests above 0', fix: 'use e.g. 5' });
    }
    if (s.prometheusAddress !== undefined) {
      if (s.metricsApi !== QueueMetricsApi.KEDA) {
        this.fail({
          prop: 'scaling.prometheusAddress',
          received: s.prometheusAddress,
          allowed: 'only with metricsApi: QueueMetricsApi.KEDA (an adapter finds Prometheus through its own configuration)',
          fix: 'set metricsApi to QueueMetricsApi.KEDA, or remove prometheusAddress',
        });
      }
      if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(s.prometheusAddress)) {
        this.fail({
          prop: 'scaling.prometheusAddress',
          received: s.prometheusAddress,
          allowed: 'an http:// or https:// URL of the Prometheus HTTP API, without query or fragment',
          fix: `use e.g. '${DEFAULT_PROMETHEUS_ADDRESS}'`,
        });
      }
    }
  }

  private checkScheduling(props: InferenceServiceProps): void {
    checkLabels(this, KIND, 'labels', props.labels ?? {});
    checkLabels(this, KIND, 'nodeSelector', props.nodeSelector ?? {});
    const gpu = props.gpu;
    const product = gpu?.product ? props.nodeSelector?.[gpu.productLabel] : undefined;
    if (product !== undefined && product !== gpu!.product) {
      this.fail({
        prop: `nodeSelector['${gpu!.productLabel}']`, received: product,
        allowed: `the GPU's product, '${gpu!.product}', or no such key: a pod cannot select two products`,
        fix: 'name the product in gpu only, or drop it from nodeSelector',
      });
    }
    const nodeLoss = props.nodeLossTolerance === undefined ? undefined : props.nodeLossTolerance.toMilliseconds() / 1000;
    if (nodeLoss !== undefined && !(Number.isInteger(nodeLoss) && nodeLoss >= 0 && nodeLoss <= 3600)) {
      this.fail({
        prop: 'nodeLossTolerance', received: `${nodeLoss} s`,
        allowed: 'whole seconds from 0 to 3600',
        fix: 'use e.g. Duration.seconds(30); longer only if your nodes often drop out briefly and reloading a model costs more than the lost capacity',
      });
    }
    for (const t of props.tolerations ?? []) {
      if (!isLabelKey(t.key) || (t.value !== undefined && !isLabelValue(t.value))) {
        this.fail({
          prop: 'tolerations', received: t.value === undefined ? t.key : `${t.key}=${t.value}`,
          allowed: 'a taint key with the syntax of a label key and, optionally, a value with the syntax of a label value',
          fix: 'copy the taint as `kubectl describe node` shows it, e.g. { key: \'dedicated\', value: \'inference\' }',
        });
      }
    }
    const pullSecrets = props.imagePullSecrets ?? [];
    for (const [i, name] of pullSecrets.entries()) {
      if (!isDnsSubdomain(name) || pullSecrets.indexOf(name) !== i) {
        this.fail({
          prop: 'imagePullSecrets', received: name,
          allowed: 'names of Secrets, each once: lower-case letters, digits, "-" and "."',
          fix: 'list each pull Secret once, by its name in the namespace',
        });
      }
    }
    const priority = props.priorityClassName;
    if (priority !== undefined && (!isDnsSubdomain(priority) || priority.startsWith('system-'))) {
      this.fail({
        prop: 'priorityClassName', received: priority,
        allowed: 'the name of a PriorityClass you created; the "system-" classes are for node and cluster components, which a model server must not preempt',
        fix: "create a PriorityClass for inference (e.g. 'inference-high') and name it here",
      });
    }
  }

  private checkTimings(minimumGrace: number): void {
    if (this.startupTimeout.toSeconds() < STARTUP_PERIOD_SECONDS) {
      this.fail({
        prop: 'startupTimeout',
        received: this.startupTimeout.toHumanString(),
        allowed: `at least ${STARTUP_PERIOD_SECONDS} s (one startup probe period); the model's download and load time`,
        fix: 'set startupTimeout to the p99 time from container start to a loaded model, e.g. Duration.minutes(10)',
      });
    }
    const grace = this.terminationGracePeriod.toSeconds();
    if (grace < minimumGrace) {
      this.fail({
        prop: 'terminationGracePeriod',
        received: this.terminationGracePeriod.toHumanString(),
        allowed: `at least preStopDelay (${this.preStopDelay.toSeconds()} s) + maxRequestDuration (${this.maxRequestDuration.toSeconds()} s) = ${minimumGrace} s`,
        fix: `raise terminationGracePeriod to ${minimumGrace + EXIT_MARGIN_SECONDS} s, or lower maxRequestDuration`,
      });
    }
  }

  private checkSharedMemory(sharedMemory: Size | undefined, gpus: number): void {
    if (gpus > 1 && (sharedMemory === undefined || sharedMemory.toMebibytes() === 0)) {
      this.fail({
        prop: 'sharedMemory',
        received: '0',
        allowed: `a /dev/shm size above 0 with ${gpus} GPUs (NCCL exchanges tensors through shared memory)`,
        fix: 'remove sharedMemory to get the 2Gi default, or set e.g. Size.gibibytes(4)',
      });
    }
  }

  private checkCpu(prop: string, cpu: kplus.Cpu): void {
    const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(cpu.amount);
    if (!m || Number(m[1]) <= 0) {
      this.fail({ prop, received: cpu.amount, allowed: 'a positive CPU amount, e.g. Cpu.units(2) or Cpu.millis(500)', fix: `set ${prop} to a positive amount` });
    }
  }

  private checkSize(prop: string, size: Size): void {
    if (!(size.toMebibytes() > 0)) {
      this.fail({ prop, received: `${size.toMebibytes()}Mi`, allowed: 'a size above 0, e.g. Size.gibibytes(16)', fix: `set ${prop} to a positive size` });
    }
  }

  private checkEnv(env: { [name: string]: kplus.EnvValue }): void {
    for (const [name, value] of Object.entries(env)) {
      if (isSecretName(name) && value.value !== undefined) {
        this.fail({
          prop: `env.${name}`,
          received: '(a literal value, not shown)',
          allowed: 'a reference to a Secret: a secret value must never appear in the YAML',
          fix: `use EnvValue.fromSecretValue({ secret: Secret.fromSecretName(this, '${name}', '<secret>'), key: '<key>' })`,
        });
      }
    }
  }

  private checkDisruptionBudget(maxUnavailable: number): void {
    const min = this.scaling.minReplicas;
    if (!Number.isInteger(maxUnavailable) || maxUnavailable < 1) {
      this.fail({
        prop: 'pdbMaxUnavailable',
        received: maxUnavailable,
        allowed: 'a whole number of at least 1: 0 blocks every node drain and cluster upgrade',
        fix: 'set pdbMaxUnavailable to 1',
      });
    }
    if (maxUnavailable >= min) {
      this.fail({
        prop: 'pdbMaxUnavailable',
        received: maxUnavailable,
        allowed: `fewer than the minimum replicas (${min}), so a drain never takes every pod`,
        fix: `set pdbMaxUnavailable to at most ${min - 1}, or raise the replicas`,
      });
    }
  }
}

