import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Gpu } from './gpu';
import type { ModelServer } from './model-server';
import type { ModelVolume } from './model-volume';
import type { Scaling } from './scaling';

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
 * Props of an `InferenceService`.
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
   * CPU requested per replica, in whole millicores (`Cpu.millis(1)` at least).
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - 4 cores with GPUs, 1 core without
   */
  readonly cpu?: kplus.Cpu;

  /**
   * CPU limit per replica: room for tokenizer and scheduler bursts without starving neighbours.
   * At least the CPU request (the API server refuses a lower limit).
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
   * GPUs per replica. For LLM servers (vLLM, SGLang, TGI) the count must equal tensor × pipeline
   * parallel (or `numShard`): 4 GPUs need e.g. `tensorParallelSize: 4`. A product must be a label
   * value (`NVIDIA-L4`, not `NVIDIA L4`), unless the GPUs are claimed through DRA (`claim`).
   * @see https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/
   * @default - no GPU (CPU inference)
   */
  readonly gpu?: Gpu;

  /**
   * The oldest Kubernetes minor version the service is applied to, as `'<major>.<minor>'`:
   * features that need a newer one are refused below it (GPU claims through DRA need 1.34).
   * @default '1.27'
   */
  readonly kubernetesVersion?: string;

  /**
   * GPUs one node gives one pod. When a replica needs more (its `gpu` count, the server's tensor ×
   * pipeline parallelism), each replica becomes a group of `gpu.count / gpusPerNode` pods on as
   * many nodes, run by a LeaderWorkerSet named `<name>-group` instead of a Deployment (the LWS
   * controller must be installed). The leader serves the API and alone backs the Service; the
   * workers join its model (vLLM and SGLang); a member that fails restarts its whole group; the
   * disruption budget, autoscaler and alerts count groups. Each member mounts the ModelVolume,
   * which must then be ReadWriteMany or read-only.
   * @see https://lws.sigs.k8s.io/docs/overview/
   * @see https://docs.vllm.ai/en/latest/serving/parallelism_scaling.html
   * @default - every replica is one pod with all its GPUs, run by a Deployment
   */
  readonly gpusPerNode?: number;

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
   * is never killed. Also raises the Deployment's progress deadline above it. Whole seconds.
   * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/#startup-probe
   * @default - the preset's default: 15 minutes for LLM servers, 3–5 minutes for others
   */
  readonly startupTimeout?: Duration;

  /**
   * The longest request the service must finish when a pod is stopped (a long LLM stream).
   * The server's drain flag gets this value, so rolling updates and scale-down do not cut streams.
   * Whole seconds.
   * @default - 3 minutes for LLM servers, 30 s–1 minute for others
   */
  readonly maxRequestDuration?: Duration;

  /**
   * Pause in `preStop` before SIGTERM, so load balancers and kube-proxy stop sending new
   * requests before the server stops accepting them. Whole seconds.
   * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
   * @default Duration.seconds(15)
   */
  readonly preStopDelay?: Duration;

  /**
   * Time from the start of termination to SIGKILL. Must cover `preStopDelay + maxRequestDuration`.
   * Whole seconds.
   * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
   * @default - preStopDelay + maxRequestDuration + 15 s
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * Extra pods a rolling update may add: a whole number, 1 or more. Unavailable pods are always 0,
   * so serving capacity never drops during an update; each surge pod needs its GPUs free. A
   * multi-node service adds whole groups.
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#max-surge
   * @default 1
   */
  readonly maxSurge?: number;

  /**
   * Pods the PodDisruptionBudget lets a voluntary disruption (node drain) take at once. It must
   * be at least 1 (0 blocks every drain) and below the minimum replicas (never all pods down).
   * With fewer than 2 replicas no PodDisruptionBudget is emitted: one pod cannot be protected
   * without blocking node drains. In a multi-node service (`gpusPerNode`) it counts groups: one
   * evicted member takes its whole group down (the group restarts as one), so evictions take at
   * most this many groups at once; with 1 (the default), none while a group restarts.
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
   * UID (and GID) the server runs as, from 1 to 2147483647; the pod refuses to run as root (0).
   * Above 10000 so it never matches a user of the node.
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
