import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Gpu } from './gpu';
import { checkImage } from './image';
import { InferenceServiceProps } from './inference-service-props';
import { IInferenceService, LABEL_COMPONENT, LABEL_NAME } from './inference-service-ref';
import { validateChartInvariants } from './invariants';
import { ModelServer } from './model-server';
import { ModelMount, ModelVolume, WorkloadIdentity } from './model-volume';
import { checkLabels, checkName, claimName } from './names';
import { LABEL_POOL } from './private/labels';
import { requireKubernetesVersion } from './private/model/kubernetes-target';
import { ObjectMetadata } from './private/network';
import { requireScrape } from './private/observability/scrape-registry';
import { disruptionBudget } from './private/service/disruption-budget';
import { KIND, site } from './private/service/fail';
import { addGpuClaim, checkGpuClaim } from './private/service/gpu-claim';
import { PodPatches } from './private/service/kube-patches';
import { ServiceLifecycle } from './private/service/lifecycle';
import { checkModelVolume, ModelMounts } from './private/service/model-mounts';
import { groupSize, LeaderWorkerGroup, LWS_REVISION_LABEL, MAX_GROUP_SERVICE_NAME, ROLE_LABELS } from './private/service/multi-node';
import { allowWithinGroup, serviceNetworkPolicy, serviceOf } from './private/service/networking';
import { ServicePlacement } from './private/service/placement';
import { mountServerVolumes } from './private/service/pod-volumes';
import { checkGpu, ServiceResources } from './private/service/resources';
import { ServiceSecurity } from './private/service/security';
import { inferencePorts, serverContainer, serverEnvironment } from './private/service/server-container';
import { serviceLabels } from './private/service/service-labels';
import { requireInstance } from './private/values';
import { Scaling } from './scaling';

export type { InferenceServiceProps, NodeToleration } from './inference-service-props';

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
  /**
   * The Deployment of model-server pods. In a multi-node service (`groupSize` above 1) it is not
   * emitted: it holds the pod both templates of the LeaderWorkerSet are made from, so its labels
   * and patches reach the groups.
   */
  public readonly deployment: kplus.Deployment;
  /** The object emitted to run the pods: the Deployment, or the LeaderWorkerSet of a multi-node service. */
  public readonly workload: ApiObject;
  /** Pods per replica: 1, or the size of a multi-node group (see `gpusPerNode`). */
  public readonly groupSize: number;
  /** The LeaderWorkerSet, when a replica spans several nodes (see `gpusPerNode`). */
  public readonly leaderWorkerSet?: ApiObject;
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
  /** GPUs per replica, if any (a multi-node replica's, over its whole group). */
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
    this.server = requireInstance(site(this, 'server'), props.server, ModelServer, "ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct' })", true);
    this.server._check(this, KIND);
    this.name = checkName(this, KIND, 'name', props.name ?? id);
    claimName(this, KIND, 'name', this.name);
    validateChartInvariants(this);
    const image = checkImage(this, KIND, 'server image', this.server.image);
    this.gpu = props.gpu;
    this.scaling = requireInstance(site(this, 'scaling'), props.scaling, Scaling, 'Scaling.fixed(2)') ?? Scaling.fixed(2);
    this.modelVolume = requireInstance(site(this, 'modelVolume'), props.modelVolume, ModelVolume, "new ModelVolume(chart, 'weights', { source })");
    this.security = new ServiceSecurity(this, props.runAsUser);
    checkGpu(this, this.server, props.gpu);
    this.groupSize = groupSize(this, { server: this.server, gpu: props.gpu, gpusPerNode: props.gpusPerNode });
    if (this.groupSize > 1) checkName(this, KIND, 'name', this.name, MAX_GROUP_SERVICE_NAME);
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
    this.deployment = this.createDeployment(parts);
    this.container = this.deployment.addContainer(serverContainer({
      ...parts, server: this.server, imagePullPolicy: props.imagePullPolicy, modelVolume: this.modelVolume, security: this.security,
    }));
    this.modelMounts = this.completePod(parts);
    const group = this.groupSize > 1 ? this.createGroup(parts) : undefined;
    this.leaderWorkerSet = group;
    this.workload = group ?? ApiObject.of(this.deployment);
    const exposure = { ...props, metadata: this.metadata(), selectorLabels: this.selectorLabels, egressPorts: this.modelVolume?.egressPorts };
    this.service = serviceOf(this, { ...exposure, selectorLabels: this.servingLabels() });
    this.networkPolicy = serviceNetworkPolicy(this, exposure);
    if (group) allowWithinGroup(this, this.networkPolicy, this.selectorLabels);
    const scaled = this.scaling._bind({ scope: this, metadata: this.metadata(), workload: group ?? this.deployment, server: this.server });
    this.autoscaler = scaled.autoscaler;
    this.scaledObject = scaled.scaledObject;
    this.queueMetricName = scaled.queueMetricName;
    this.disruptionBudget = disruptionBudget(this, {
      metadata: this.metadata(), selectorLabels: this.selectorLabels, minReplicas: this.scaling.minReplicas, maxUnavailable: props.pdbMaxUnavailable,
    });
    // LoRA adapters: each ModelVolume read-only at its own path, where the server's flags point.
    for (const adapter of this.server.adapters) this.addModelVolume(adapter.volume);
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
    this.modelMounts.attach(volume, volume._mountFor(this, this.security.containerContext(), this.maxPods()));
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
    requireKubernetesVersion(site(this, 'kubernetesVersion'), props.kubernetesVersion);
    checkGpuClaim(this, props.gpu, props.kubernetesVersion);
    this.scaling._validate(this);
    requireScrape(this);
    checkLabels(this, KIND, 'labels', props.labels ?? {});
    const placement = new ServicePlacement(this, props);
    const lifecycle = new ServiceLifecycle(this, this.server, props);
    const resources = new ServiceResources(this, this.server, { ...props, gpu: this.podGpu(props.gpu) });
    checkModelVolume(this, this.server, this.modelVolume);
    const modelMount = this.modelVolume?._mountFor(this, this.security.containerContext(), this.maxPods());
    const env = serverEnvironment(this, this.server, props.env ?? {}, this.modelVolume !== undefined);
    const identity = modelMount?.downloads ? this.modelVolume?.workloadIdentity : undefined;
    return { placement, lifecycle, resources, modelMount, identity, env };
  }

  /** The most pods the service runs at once (replicas × group size), each mounting the model. */
  private maxPods(): number {
    return this.scaling.maxReplicas * this.groupSize;
  }

  /** The GPUs of one pod: a replica's, or one member's share of a group. */
  private podGpu(gpu: Gpu | undefined): Gpu | undefined {
    return gpu && this.groupSize > 1 ? gpu._withCount(gpu.count / this.groupSize) : gpu;
  }

  /** Labels of the pods that serve the API: every pod, or the leaders of the groups. */
  private servingLabels(): { [key: string]: string } {
    return this.groupSize > 1 ? { ...this.selectorLabels, ...ROLE_LABELS.leader } : this.selectorLabels;
  }

  /** The LeaderWorkerSet of a multi-node service, in place of its Deployment (which stays, unemitted, as the pod). */
  private createGroup(parts: ServiceParts): LeaderWorkerGroup {
    // groupSize refused a server without a multi-node launch for groups of several pods.
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion
    const launch = this.server._multiNode!;
    const group = new LeaderWorkerGroup(this, 'Group', {
      metadata: this.metadata(), pod: this.deployment, container: this.container.name, size: this.groupSize,
      replicas: this.scaling.fixedReplicas, maxSurge: parts.lifecycle.maxSurge, launch, leaderOnlyLabels: [LABEL_POOL],
    });
    this.node.tryRemoveChild(this.deployment.node.id);
    return group;
  }

  /** Name and labels of one object of the service. */
  private metadata(): ObjectMetadata {
    return { name: this.name, labels: this.labels };
  }

  private createDeployment(parts: ServiceParts): kplus.Deployment {
    const downloads = parts.modelMount?.initContainers.length && this.modelVolume ? this.modelVolume.downloadTimeout.toSeconds() : 0;
    const deployment = new kplus.Deployment(this, 'Resource', {
      metadata: this.metadata(),
      podMetadata: { labels: { ...this.labels, ...parts.identity?.podLabels } },
      select: false,
      replicas: this.scaling.fixedReplicas,
      strategy: parts.lifecycle.strategy(),
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
    const gpu = this.podGpu(this.gpu);
    if (gpu?.claim !== undefined) addGpuClaim(this, gpu, this.metadata(), patches);
    parts.placement.apply(this.deployment, patches, this.groupSize > 1
      ? { labels: this.servingLabels(), revisionLabel: LWS_REVISION_LABEL }
      : { labels: this.selectorLabels, revisionLabel: 'pod-template-hash' });
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
