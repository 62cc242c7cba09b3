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
import { requireKubernetesVersion } from './private/model/kubernetes-target';
import { ObjectMetadata } from './private/network';
import { requireScrape } from './private/observability/scrape-registry';
import { disruptionBudget } from './private/service/disruption-budget';
import { KIND, site } from './private/service/fail';
import { addGpuClaim, checkGpuClaim } from './private/service/gpu-claim';
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
    requireKubernetesVersion(site(this, 'kubernetesVersion'), props.kubernetesVersion);
    checkGpuClaim(this, props.gpu, props.kubernetesVersion);
    this.scaling._validate(this);
    requireScrape(this);
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
    if (this.gpu?.claim !== undefined) addGpuClaim(this, this.gpu, this.metadata(), patches);
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
