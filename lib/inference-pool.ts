import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import type { InferencePool as InferencePoolResource } from '../imports/inference.networking.k8s.io';
import { ErrorCode } from './error-codes';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import { checkImage } from './image';
import { IInferenceService } from './inference-service-ref';
import { ModelServer } from './model-server';
import { checkName, claimName, isDnsSubdomain } from './names';
import { claim } from './private/claims';
import { inferencePools } from './private/crds';
import { LABEL_POOL, MANAGED_BY_LABELS } from './private/labels';
import { defaultMetricsScraper } from './private/network';
import { endpointPicker, EndpointPickerObjects, EXT_PROC_PORT, METRICS_PORT } from './private/pool/endpoint-picker';
import { modelSplit, objective } from './private/pool/model-routing';
import { ScoringWeights } from './private/pool/picker-config';
import { INT32_MAX, millicores, requireCpu, requireList, requireSize, requireWholeNumber, ValueSite } from './private/values';

const KIND = 'InferencePool';

/** The endpoint picker of llm-d's router, pinned. */
export const DEFAULT_ENDPOINT_PICKER_IMAGE = 'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0';

/** Label that puts a service's pods in a pool: the pool's selector. */
export { LABEL_POOL };

/**
 * What the gateway does with a request when the endpoint picker does not answer.
 * @see https://gateway-api-inference-extension.sigs.k8s.io/api-types/inferencepool/
 */
export enum PoolFailureMode {
  /**
   * Route the request to a pod of the pool chosen by the gateway itself (no scoring): LLM traffic
   * keeps flowing while a picker is replaced or fails over, at worse placement.
   */
  FAIL_OPEN = 'FailOpen',
  /** Refuse the request (503): no request is ever placed without the picker's scoring and priorities. */
  FAIL_CLOSE = 'FailClose',
}

/**
 * How much each signal counts when the endpoint picker scores a pod for a request; a weight of 0
 * leaves the scorer out. Defaults are those of llm-d's router.
 * @see https://github.com/llm-d/llm-d-router/tree/main/pkg/epp/framework/plugins/scheduling/scorer
 */
export interface PoolScoring {
  /** Fewer requests waiting in the pod's queue. @default 2 */
  readonly queue?: number;
  /** Lower KV-cache utilization. @default 2 */
  readonly kvCache?: number;
  /** More of the prompt's prefix already cached on the pod (approximated from the requests it routed). @default 3 */
  readonly prefixCache?: number;
  /**
   * The LoRA adapter the request names already loaded (or a free adapter slot) on the pod.
   * @default - 1 when a vLLM service of the pool serves LoRA adapters, else 0 (the picker reads no LoRA metric of SGLang)
   */
  readonly loraAffinity?: number;
}

/** Options of the endpoint picker (EPP) that scores the pool's pods for every request. */
export interface EndpointPickerOptions {
  /**
   * The picker's image (llm-d's router).
   * @see https://github.com/llm-d/llm-d-router
   * @default 'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0'
   */
  readonly image?: string;
  /**
   * Replicas: with 2 or more they elect a leader, which alone is ready and serves; the others are
   * warm standbys that take over when it goes.
   * @default 2
   */
  readonly replicas?: number;
  /** Scorer weights. @default - queue 2, KV cache 2, prefix cache 3 (LoRA affinity 1 with adapters) */
  readonly scoring?: PoolScoring;
  /**
   * CPU request of each picker; the limit is twice this.
   * @default Cpu.units(2)
   */
  readonly cpu?: kplus.Cpu;
  /**
   * Memory request of each picker; the limit is twice this. llm-d measures 4–6 GiB at 50–100
   * requests per second with 1k output tokens.
   * @see https://github.com/llm-d/llm-d-router/blob/main/docs/operations.md
   * @default Size.gibibytes(4)
   */
  readonly memory?: Size;
}

/**
 * A priority class of the pool's requests (an InferenceObjective). A route names it for its
 * requests (`PoolRouteOptions.objective`); when the pool is saturated, requests of higher priority
 * go first and those below 0 are refused first.
 * @see https://github.com/llm-d/llm-d-router/blob/main/apix/v1alpha2/inferenceobjective_types.go
 */
export interface PoolObjective {
  /** Its name, e.g. `interactive` or `batch` (also the InferenceObjective's). */
  readonly name: string;
  /** Higher is served first; below 0 is sheddable. A whole number. */
  readonly priority: number;
}

/** A model a split sends requests to, and its weight. */
export interface ModelSplitTarget {
  /** A model the pool serves: a service's served model name or one of its LoRA adapters. */
  readonly model: string;
  /** Relative weight, a whole number from 1. */
  readonly weight: number;
}

/** Props of an {@link InferencePool}. */
export interface InferencePoolProps {
  /**
   * The services whose pods the pool spans: one model, possibly in several versions (a stable and
   * a canary Deployment). All run the same server preset (vLLM or SGLang, whose metrics the
   * picker reads) on the same port, in the pool's namespace.
   */
  readonly services: IInferenceService[];
  /**
   * What the gateway does when the picker does not answer. Only the leading picker is ready, so
   * when it goes (a drain, a rollout, a lost node) a standby takes over within seconds: `FAIL_OPEN`
   * keeps traffic flowing meanwhile, `FAIL_CLOSE` answers 503 until then. The default is the one
   * every implementation honors: Envoy AI Gateway always fails closed, so Envoy Gateway refuses
   * `FAIL_OPEN`.
   * @see https://gateway-api-inference-extension.sigs.k8s.io/api-types/inferencepool/
   * @see https://github.com/envoyproxy/ai-gateway/issues/2502
   * @default PoolFailureMode.FAIL_CLOSE
   */
  readonly failureMode?: PoolFailureMode;
  /** The endpoint picker. @default - two replicas of llm-d's router v0.10.0 with its default scoring */
  readonly endpointPicker?: EndpointPickerOptions;
  /**
   * Pods allowed to scrape the picker's metrics (port 9090).
   * @default - pods labelled `app.kubernetes.io/name=prometheus` in namespace `monitoring`
   */
  readonly metricsScraper?: kplus.INetworkPolicyPeer;
  /**
   * Priority classes of the pool's requests, as InferenceObjectives; routes name one with
   * `PoolRouteOptions.objective`.
   * @default - none: every request has priority 0
   */
  readonly objectives?: PoolObjective[];
  /** Name of the pool; the picker's objects are `<name>-epp`. @default - the construct id */
  readonly name?: string;
}

/** An InferencePool as the gateway and the ObservabilityBundle see it. */
export interface IInferencePool extends IConstruct {
  /** Name of the InferencePool. */
  readonly name: string;
  /** The services whose pods it spans. */
  readonly services: IInferenceService[];
  /** The port of the pods the gateway sends requests to. */
  readonly targetPort: number;
  /** What the gateway does when the picker does not answer. */
  readonly failureMode: PoolFailureMode;
  /** Name of the picker's Deployment and Service. */
  readonly pickerName: string;
  /** Labels of the picker's pods. */
  readonly pickerLabels: { [key: string]: string };
  /** The picker's replicas. */
  readonly pickerReplicas: number;
  /** Names of the pool's objectives (priority classes). */
  readonly objectiveNames: string[];
  /**
   * The model names requests for the pool carry (the body's `model` field): each service's served
   * model, its vLLM adapters, and the names `splitModel` added.
   */
  readonly modelNames: string[];
  /** Admits a peer (the gateway's proxies) to the picker's ext-proc port. */
  allowFrom(peer: kplus.INetworkPolicyPeer): void;
}

/**
 * Model-aware routing with the Gateway API Inference Extension: an InferencePool over the pods of
 * one model's services, and its endpoint picker (llm-d's router), which scores every pod for every
 * request on queue depth, KV-cache use, prefix-cache hits and loaded LoRA adapters, instead of
 * round-robin. Route to it with `InferenceGateway.addPoolRoute`; watch it with `ObservabilityBundle.addPool`.
 *
 * @example
 * const pool = new InferencePool(chart, 'chat-pool', { services: [chat] });
 * gateway.addPoolRoute(pool, { pathPrefix: '/v1' });
 * @see https://gateway-api-inference-extension.sigs.k8s.io/
 */
export class InferencePool extends Construct implements IInferencePool {
  /** Name of the InferencePool. */
  public readonly name: string;
  /** The services whose pods it spans. */
  public readonly services: IInferenceService[];
  /** The port of the pods the gateway sends requests to (the servers' HTTP port). */
  public readonly targetPort: number;
  /** What the gateway does when the picker does not answer. */
  public readonly failureMode: PoolFailureMode;
  /** Name of the picker's Deployment and Service (`<name>-epp`). */
  public readonly pickerName: string;
  /** Labels of the picker's pods. */
  public readonly pickerLabels: { [key: string]: string };
  /** The picker's replicas. */
  public readonly pickerReplicas: number;
  /** Names of the pool's objectives (priority classes). */
  public readonly objectiveNames: string[];
  /** The InferencePool (inference.networking.k8s.io/v1). */
  public readonly resource: InferencePoolResource;
  private readonly picker: EndpointPickerObjects;
  private readonly splitNames: string[] = [];
  private modelRouted = false;

  /**
   * Defines an InferencePool and its endpoint picker.
   * @param scope the construct (usually a Chart) the objects are created in
   * @param id the construct id, unique within `scope`
   * @param props the settings, see `InferencePoolProps`
   */
  constructor(scope: Construct, id: string, props: InferencePoolProps) {
    super(scope, id);
    props = props ?? ({} as InferencePoolProps);
    this.name = checkName(this, KIND, 'name', props.name ?? id);
    claimName(this, KIND, 'name', this.name, KIND);
    this.pickerName = `${this.name}-epp`;
    claimName(this, KIND, 'name', this.pickerName);
    const namespace = this.requireNamespace();
    this.services = this.checkServices(props.services, namespace);
    this.targetPort = this.services[0].server.httpPort;
    this.failureMode = this.checkFailureMode(props.failureMode);
    const options = props.endpointPicker ?? {};
    const image = options.image ?? DEFAULT_ENDPOINT_PICKER_IMAGE;
    checkImage(this, KIND, 'endpointPicker.image', image);
    this.pickerReplicas = requireWholeNumber(this.site('endpointPicker.replicas'), options.replicas, { min: 1, max: 10 }) ?? 2;
    this.picker = endpointPicker(this, {
      poolName: this.name, namespace, image, ...this.resources(options),
      replicas: this.pickerReplicas,
      weights: this.weights(options.scoring),
      engine: this.services[0].server._pickerEngine ?? 'vllm',
    });
    this.pickerLabels = this.picker.labels;
    const crd = inferencePools();
    const [Pool, AppProtocol, FailureMode] = [crd.InferencePool, crd.InferencePoolSpecAppProtocol, crd.InferencePoolSpecEndpointPickerRefFailureMode];
    this.resource = new Pool(this, 'Resource', {
      metadata: { name: this.name, labels: { ...MANAGED_BY_LABELS } },
      spec: {
        selector: { matchLabels: { [LABEL_POOL]: this.name } },
        targetPorts: [{ number: this.targetPort }],
        appProtocol: AppProtocol.HTTP,
        endpointPickerRef: {
          name: this.pickerName,
          port: { number: EXT_PROC_PORT },
          failureMode: this.failureMode === PoolFailureMode.FAIL_CLOSE ? FailureMode.FAIL_CLOSE : FailureMode.FAIL_OPEN,
        },
      },
    });
    this.joinServices();
    this.objectiveNames = this.addObjectives(props.objectives);
    if (props.metricsScraper !== undefined && typeof (props.metricsScraper as { toNetworkPolicyPeerConfig?: unknown }).toNetworkPolicyPeerConfig !== 'function') {
      this.fail({ code: ErrorCode.WRONG_TYPE, prop: 'metricsScraper', received: props.metricsScraper, allowed: 'a cdk8s-plus network policy peer', fix: "e.g. kplus.Pods.select(chart, 'prometheus', { labels })" });
    }
    this.picker.networkPolicy.addIngressRule(props.metricsScraper ?? defaultMetricsScraper(this), [kplus.NetworkPolicyPort.tcp(METRICS_PORT)]);
  }

  /** Admits a peer (the gateway's proxies) to the picker's ext-proc port. */
  public allowFrom(peer: kplus.INetworkPolicyPeer): void {
    this.picker.networkPolicy.addIngressRule(peer, [kplus.NetworkPolicyPort.tcp(EXT_PROC_PORT)]);
  }

  /**
   * Sends requests for `model` to other models the pool serves, by weight (an
   * InferenceModelRewrite): e.g. `splitModel('sql', [{ model: 'sql-v1', weight: 90 }, { model: 'sql-v2', weight: 10 }])`
   * for a canary between two versions of a LoRA adapter. Clients keep asking for `model`.
   */
  public splitModel(model: string, targets: ModelSplitTarget[]): void {
    const served = this.servedModels();
    const problem = this.modelRouted ? [model, 'a split made before the pool is routed by model name (the route lists the names)']
      : typeof model !== 'string' || !isDnsSubdomain(model) ? [model, 'a model name clients send, e.g. sql']
      : served.includes(model) ? [model, 'a name no model of the pool is served as (requests for it would never reach that model)']
        : !Array.isArray(targets) || targets.length === 0 || targets.some((t) => typeof t !== 'object' || t === null) ? [targets, 'one or more targets { model, weight }']
          : targets.some((t) => !served.includes(t.model)) ? [targets.find((t) => !served.includes(t.model))?.model, `a model the pool serves: ${served.join(', ')}`]
            : undefined;
    if (problem) this.fail({ code: ErrorCode.INVALID_MODEL_SPLIT, prop: 'splitModel', received: problem[0], allowed: problem[1] as string, fix: 'split a new name over models the pool serves' });
    // The CRD takes weights from 1: a target that gets nothing is left out.
    targets.forEach((t, i) => requireWholeNumber(this.site(`splitModel targets[${i}].weight`), t.weight, { min: 1, max: 1000000 }));
    const name = `${this.name}-${model}`;
    claimName(this, KIND, 'splitModel', name, 'InferenceModelRewrite');
    modelSplit(this, `Split-${model}`, name, this.name, model, targets);
    this.splitNames.push(model);
  }

  /** The model names of the pool (see `IInferencePool.modelNames`). */
  public get modelNames(): string[] {
    return [...this.servedModels(), ...this.splitNames];
  }

  /**
   * Marks the pool as routed by model name: its names are in the route, so no split may add one.
   * @internal
   */
  public _routeByModel(): void {
    this.modelRouted = true;
  }

  /** Each service's served model and its vLLM adapters (SGLang takes `<model>:<adapter>`, which the picker does not parse). */
  private servedModels(): string[] {
    const adapters = (s: IInferenceService) => (s.server._pickerEngine === 'vllm' ? s.server.adapters.map((a) => a.name) : []);
    const names = this.services.flatMap((s) => [s.server.model ?? s.modelVolume?.name, ...adapters(s)]);
    return [...new Set(names.filter((n): n is string => n !== undefined))];
  }

  /** The InferenceObjectives of `objectives`, checked; their names. */
  private addObjectives(objectives: PoolObjective[] | undefined): string[] {
    requireList(this.site('objectives'), objectives, "[{ name: 'batch', priority: -1 }]");
    return (objectives ?? []).map((o, i) => {
      const name = checkName(this, KIND, `objectives[${i}].name`, o?.name);
      requireWholeNumber(this.site(`objectives[${i}].priority`), o.priority, { min: -INT32_MAX - 1 });
      claimName(this, KIND, `objectives[${i}].name`, name, 'InferenceObjective');
      objective(this, `Objective-${name}`, this.name, name, o.priority);
      return name;
    });
  }

  /** Labels each service's pods into the pool, and lets the picker scrape them (and only them). */
  private joinServices(): void {
    const poolPods = kplus.Pods.select(this, 'PoolPods', { labels: { [LABEL_POOL]: this.name } });
    const pickerPods = kplus.Pods.select(this, 'PickerPeer', { labels: this.pickerLabels });
    this.picker.networkPolicy.addEgressRule(poolPods, [kplus.NetworkPolicyPort.tcp(this.targetPort)]);
    for (const service of this.services) {
      service.deployment.podMetadata.addLabel(LABEL_POOL, this.name);
      service.allowFrom(pickerPods);
    }
  }

  /** The chart's namespace: the picker's RoleBinding names it, and the pool selects pods in it only. */
  private requireNamespace(): string {
    const namespace = Chart.of(this).namespace;
    if (namespace !== undefined) return namespace;
    return this.fail({
      code: ErrorCode.POOL_WITHOUT_NAMESPACE, prop: 'namespace', received: 'a chart without a namespace',
      allowed: "a chart with a namespace: the picker's RoleBinding names its ServiceAccount's namespace",
      fix: "create the pool in a Chart with a namespace, e.g. new Chart(app, 'llm', { namespace: 'llm' })",
    });
  }

  /** Refuses no services, services of another namespace or server, and a service already in a pool. */
  private checkServices(services: IInferenceService[], namespace: string): IInferenceService[] {
    requireList(this.site('services'), services, '[chat]');
    if (!services || services.length === 0) {
      this.fail({ code: ErrorCode.POOL_WITHOUT_SERVICES, prop: 'services', received: services, allowed: 'one or more InferenceServices', fix: 'pass the services of the model, e.g. [chat]' });
    }
    for (const service of services) {
      if (!Construct.isConstruct(service) || !((service as IInferenceService).server instanceof ModelServer)) {
        this.fail({ code: ErrorCode.WRONG_TYPE, prop: 'services', received: service, allowed: 'an InferenceService', fix: 'pass the InferenceService constructs of the model' });
      }
      this.checkService(service, services[0], namespace);
      const holder = claim(this, 'pool-member', service.node.path, this.node.path);
      if (holder !== undefined) {
        this.fail({
          code: ErrorCode.SERVICE_IN_TWO_POOLS, prop: 'services', received: service.node.path,
          allowed: `a service in one pool only (it is in '${holder}'): its pods carry one ${LABEL_POOL} label`,
          fix: 'put the service in one pool, or give the other model its own InferenceService',
        });
      }
    }
    return [...services];
  }

  private checkService(service: IInferenceService, first: IInferenceService, namespace: string): void {
    const where = Chart.of(service).namespace;
    const server = service.server;
    const problem: [string, string] | undefined = where !== namespace ? [`namespace ${where ?? '(none)'}`, `services in namespace ${namespace}, the pool's`]
      : server._pickerEngine === undefined ? [`${server.kind} server`, 'vLLM or SGLang servers: the picker scores pods on their queue and KV-cache metrics']
        : server._pickerEngine !== first.server._pickerEngine || server.httpPort !== first.server.httpPort
          ? [`${server.kind} on port ${server.httpPort}`, `the server of ${first.name}: ${first.server.kind} on port ${first.server.httpPort} (one target port per pool)`]
          : undefined;
    if (problem) {
      this.fail({
        code: ErrorCode.INVALID_POOL_SERVICE, prop: 'services', received: `${service.node.path} (${problem[0]})`, allowed: problem[1],
        fix: 'give each model and server its own pool, in the namespace of its services',
      });
    }
  }

  private checkFailureMode(value: PoolFailureMode | undefined): PoolFailureMode {
    const values = Object.values(PoolFailureMode) as string[];
    if (value === undefined || values.includes(value)) return value ?? PoolFailureMode.FAIL_CLOSE;
    return this.fail({
      code: ErrorCode.INVALID_FAILURE_MODE, prop: 'failureMode', received: value, allowed: `one of ${values.join(', ')}`,
      fix: 'use PoolFailureMode.FAIL_OPEN or PoolFailureMode.FAIL_CLOSE',
    });
  }

  private weights(given: PoolScoring | undefined): ScoringWeights {
    const scoring = given ?? {};
    if (typeof scoring !== 'object') {
      this.fail({ code: ErrorCode.WRONG_TYPE, prop: 'endpointPicker.scoring', received: scoring, allowed: 'an object of weights', fix: 'e.g. { queue: 2 }' });
    }
    const weight = (prop: keyof PoolScoring, fallback: number) =>
      requireWholeNumber(this.site(`endpointPicker.scoring.${prop}`), scoring[prop], { min: 0, max: 100 }) ?? fallback;
    // The picker reads which adapters a pod has loaded from vLLM's metrics only (its SGLang engine has no LoRA series).
    const adapters = this.services.some((s) => s.server.adapters.length > 0 && s.server._pickerEngine === 'vllm');
    const weights = { queue: weight('queue', 2), kvCache: weight('kvCache', 2), prefixCache: weight('prefixCache', 3), loraAffinity: weight('loraAffinity', adapters ? 1 : 0) };
    if (Object.values(weights).every((w) => w === 0)) {
      this.fail({
        code: ErrorCode.INVALID_POOL_SCORING, prop: 'endpointPicker.scoring', received: scoring, allowed: 'at least one weight above 0',
        fix: 'leave scoring out for llm-d\'s defaults, or give e.g. queue: 1',
      });
    }
    return weights;
  }

  private resources(options: EndpointPickerOptions): { cpu: string; cpuLimit: string; memory: string; memoryLimit: string } {
    const cpu = requireCpu(this.site('endpointPicker.cpu'), options.cpu) ?? kplus.Cpu.units(2);
    const memory = requireSize(this.site('endpointPicker.memory'), options.memory) ?? Size.gibibytes(4);
    const mebibytes = memory.toMebibytes();
    if (mebibytes < 256) {
      this.fail({
        code: ErrorCode.OUT_OF_RANGE, prop: 'endpointPicker.memory', received: `${mebibytes}Mi`, allowed: 'at least 256 MiB',
        fix: 'give the picker Size.gibibytes(4) or more for production traffic',
      });
    }
    const m = millicores(cpu) ?? 2000;
    return { cpu: `${m}m`, cpuLimit: `${2 * m}m`, memory: `${mebibytes}Mi`, memoryLimit: `${2 * mebibytes}Mi` };
  }

  private site(prop: string): ValueSite {
    return { scope: this, kind: KIND, prop };
  }

  private fail(options: InvalidPropOptions): never {
    throw new InferenceConfigError(this, KIND, options);
  }
}
