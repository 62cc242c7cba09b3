import { ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Gpu } from './gpu';
import { checkImage } from './image';
import { IInferenceService, LABEL_COMPONENT, LABEL_NAME } from './inference-service-ref';
import { validateChartInvariants } from './invariants';
import { ModelServer } from './model-server';
import { ModelMount, ModelVolume, WorkloadIdentity } from './model-volume';
import { checkLabels, checkName, claimName } from './names';
import { ObjectMetadata } from './private/network';
import { disruptionBudget } from './private/service/disruption-budget';
import { KIND } from './private/service/fail';
import { PodPatches } from './private/service/kube-patches';
import { ServiceLifecycle } from './private/service/lifecycle';
import { checkModelVolume, ModelMounts } from './private/service/model-mounts';
import { serviceNetworkPolicy, serviceOf } from './private/service/networking';
import { ServicePlacement } from './private/service/placement';
import { mountServerVolumes } from './private/service/pod-volumes';
import { checkGpu, ServiceResources } from './private/service/resources';
import { ServiceSecurity } from './private/service/security';
import { inferencePorts, serverContainer, serverEnvironment } from './private/service/server-container';
import { serviceLabels } from './private/service/service-labels';
import { Scaling } from './scaling';

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

  private readonly security: ServiceSecurity;
  private readonly modelMounts: ModelMounts;

  /**
   * Defines an InferenceService.
   * @param scope the construct (usually a Chart) the objects are created in
   * @param id the construct id, unique within `scope`
   * @param props the settings, see `InferenceServiceProps`
   */
  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    this.server = props.server;
    this.name = checkName(this, KIND, 'name', props.name ?? id);
    claimName(this, KIND, 'name', this.name);
    validateChartInvariants(this);
    const image = checkImage(this, KIND, 'server image', this.server.image);
    this.gpu = props.gpu;
    this.scaling = props.scaling ?? Scaling.fixed(2);
    this.modelVolume = props.modelVolume;
    this.security = new ServiceSecurity(props.runAsUser);
    const parts = this.checkedParts(props);
    this.startupTimeout = parts.lifecycle.startupTimeout;
    this.maxRequestDuration = parts.lifecycle.maxRequestDuration;
    this.preStopDelay = parts.lifecycle.preStopDelay;
    this.terminationGracePeriod = parts.lifecycle.terminationGracePeriod;

    this.selectorLabels = { [LABEL_NAME]: this.name, [LABEL_COMPONENT]: 'model-server' };
    this.labels = serviceLabels(this, image, props.labels);
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { ...this.metadata(), annotations: parts.identity?.serviceAccountAnnotations },
      automountToken: false,
    });
    this.deployment = this.createDeployment(props, parts);
    this.container = this.deployment.addContainer(serverContainer({
      ...parts, server: this.server, imagePullPolicy: props.imagePullPolicy, modelVolume: this.modelVolume, security: this.security,
    }));
    this.modelMounts = this.completePod(parts);
    const exposure = { ...props, metadata: this.metadata(), selectorLabels: this.selectorLabels, egressPorts: this.modelVolume?.egressPorts };
    this.service = serviceOf(this, exposure);
    this.networkPolicy = serviceNetworkPolicy(this, exposure);
    const scaled = this.scaling._bind({ scope: this, metadata: this.metadata(), deployment: this.deployment, server: this.server });
    this.autoscaler = scaled.autoscaler;
    this.scaledObject = scaled.scaledObject;
    this.queueMetricName = scaled.queueMetricName;
    this.disruptionBudget = disruptionBudget(this, {
      metadata: this.metadata(), selectorLabels: this.selectorLabels, minReplicas: this.scaling.minReplicas, maxUnavailable: props.pdbMaxUnavailable,
    });
  }

  /**
   * Admits another peer to the inference ports (HTTP and gRPC) through the NetworkPolicy.
   */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    this.networkPolicy.addIngressRule(peer, inferencePorts(this.server).map((p) => kplus.NetworkPolicyPort.tcp(p)));
  }

  /**
   * Mounts another ModelVolume read-only at its own path (`/models/<name>/<version>`), e.g. LoRA
   * adapters next to the base model. The server is not pointed at it: pass the path in its args.
   */
  public addModelVolume(volume: ModelVolume): void {
    this.modelMounts.attach(volume, volume._mountFor(this, this.security.containerContext(), this.scaling.maxReplicas));
    for (const port of volume.egressPorts) this.allowEgressTo(kplus.NetworkPolicyIpBlock.anyIpv4(this, `ModelEndpoint${port}-${volume.name}`), [port]);
  }

  /**
   * Lets the pods open connections to `peer` on the given TCP ports (an in-cluster object store,
   * a private model registry) through the NetworkPolicy.
   */
  public allowEgressTo(peer: kplus.INetworkPolicyPeer, ports: number[]): void {
    this.networkPolicy.addEgressRule(peer, ports.map((p) => kplus.NetworkPolicyPort.tcp(p)));
  }

  /** Checks every prop (in this order: the first mistake is reported) and resolves the parts of the pod. */
  private checkedParts(props: InferenceServiceProps): ServiceParts {
    checkGpu(this, this.server, props.gpu);
    this.scaling._validate(this);
    checkLabels(this, KIND, 'labels', props.labels ?? {});
    const placement = new ServicePlacement(this, props);
    const lifecycle = new ServiceLifecycle(this, this.server, props);
    const resources = new ServiceResources(this, this.server, props);
    checkModelVolume(this, this.server, this.modelVolume);
    const modelMount = this.modelVolume?._mountFor(this, this.security.containerContext(), this.scaling.maxReplicas);
    const env = serverEnvironment(this, this.server, props.env ?? {}, this.modelVolume !== undefined);
    const identity = modelMount?.downloads ? this.modelVolume?.workloadIdentity : undefined;
    return { placement, lifecycle, resources, modelMount, identity, env };
  }

  /** Name and labels of one object of the service. */
  private metadata(): ObjectMetadata {
    return { name: this.name, labels: this.labels };
  }

  private createDeployment(props: InferenceServiceProps, parts: ServiceParts): kplus.Deployment {
    const downloads = parts.modelMount?.initContainers.length && this.modelVolume ? this.modelVolume.downloadTimeout.toSeconds() : 0;
    const deployment = new kplus.Deployment(this, 'Resource', {
      metadata: this.metadata(),
      podMetadata: { labels: { ...this.labels, ...parts.identity?.podLabels } },
      select: false,
      replicas: this.scaling.fixedReplicas,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(props.maxSurge ?? 1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      progressDeadline: parts.lifecycle.progressDeadline(downloads),
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      terminationGracePeriod: parts.lifecycle.terminationGracePeriod,
      securityContext: this.security.podProps(),
    });
    deployment.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));
    return deployment;
  }

  /**
   * Adds the server's own volumes, what cdk8s-plus-27 cannot write, and the model; returns the
   * model mounts, for more volumes.
   */
  private completePod(parts: ServiceParts): ModelMounts {
    const { cacheSize, sharedMemory } = parts.resources;
    mountServerVolumes(this, this.container, { server: this.server, cacheSize, sharedMemory, metadata: this.metadata() });
    const patches = new PodPatches(this.deployment);
    patches.removeAddressLabel();
    this.security.patch(patches);
    patches.disableServiceLinks();
    parts.resources.patch(patches);
    parts.placement.apply(this.deployment, patches, this.selectorLabels);
    const mounts = new ModelMounts(this, this.server, patches);
    if (this.modelVolume && parts.modelMount) mounts.attach(this.modelVolume, parts.modelMount);
    return mounts;
  }
}

/** The parts of the server's pod, checked and resolved from the props. */
interface ServiceParts {
  readonly placement: ServicePlacement;
  readonly lifecycle: ServiceLifecycle;
  readonly resources: ServiceResources;
  /** The main ModelVolume's part of the pod, if any. */
  readonly modelMount?: ModelMount;
  /**
   * The identity of the pods for the storage, when they download the weights themselves (with a
   * filled cache the Job holds the credentials).
   */
  readonly identity?: WorkloadIdentity;
  readonly env: { [name: string]: kplus.EnvValue };
}
