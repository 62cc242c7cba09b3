// The cross-object rules, one function each. A rule reads one object (or one container of a pod
// template) and reports what it breaks through `RuleContext.add`; the context holds the indexes
// every rule shares, built once per check.
import {
  candidates, containers, isAutoscaler, LabelIndex, labelIndex, LabelSelector, labelsOf, Manifest,
  namespaceOf, PodTemplate, podTemplates, ref, scaleTarget, selects,
} from './manifests';

/** What each rule asks for, by rule id (the public `INVARIANT_RULES`). A new rule adds its line here. */
export const RULE_DESCRIPTIONS = {
  'selector-matches-pods': 'Services, PodDisruptionBudgets, NetworkPolicies and InferencePools must select pods that are applied with them',
  'service-port-exists': 'A Service must target ports its pods declare',
  'pdb-allows-disruption': 'A PodDisruptionBudget must leave room for one voluntary disruption',
  'scale-target-exists': 'An autoscaler must scale a workload that is applied with it',
  'grace-covers-prestop': 'The termination grace period must outlast the preStop pause',
  'multi-gpu-shared-memory': 'Pods with several GPUs need a /dev/shm volume',
  'service-monitor-matches': 'A ServiceMonitor must select a Service that has the port it scrapes',
  'route-backend-exists': 'A route must send traffic to a Service port or an InferencePool that exists',
  'pool-picker-exists': 'An InferencePool must target ports its pods declare and name an endpoint picker Service applied with it, on its port',
  'group-subdomain-free': 'No Service may take the name of a LeaderWorkerSet in its namespace: the LWS controller names the headless Service of its groups after it',
} as const;

/** The id of a rule: only a described rule can report a finding. */
export type RuleId = keyof typeof RULE_DESCRIPTIONS;

/** One broken rule (the public `InvariantFinding`). */
export interface Finding {
  readonly rule: string;
  readonly object: string;
  readonly message: string;
  readonly fix: string;
}

/**
 * The manifests under check, indexed so every rule stays linear in the number of objects:
 * candidates are looked up by namespace and the selector's rarest label, then matched in full.
 */
export class RuleContext {
  /** What the rules found, in the order they found it. */
  public readonly findings: Finding[] = [];
  /** Every pod template of the manifests. */
  public readonly pods: PodTemplate[];
  private readonly podIndex: LabelIndex<PodTemplate>;
  private readonly serviceIndex: LabelIndex<Manifest>;
  private readonly refs: Set<string>;
  private readonly servicesByName: Map<string, Manifest>;
  private readonly scalerByTarget: Map<string, Manifest>;

  constructor(manifests: Manifest[]) {
    this.pods = podTemplates(manifests);
    this.podIndex = labelIndex(this.pods, (p) => p.namespace, (p) => p.labels);
    const services = manifests.filter((o) => o.kind === 'Service');
    this.serviceIndex = labelIndex(services, namespaceOf, labelsOf);
    this.refs = new Set(manifests.map((o) => ref(o)));
    this.servicesByName = new Map(services.map((o) => [`${namespaceOf(o)}/${o.metadata?.name}`, o]));
    this.scalerByTarget = new Map(manifests.filter((o) => isAutoscaler(o) && o.spec?.scaleTargetRef)
      .map((o) => [`${scaleTarget(o).kind}/${namespaceOf(o)}/${scaleTarget(o).name}`, o]));
  }

  /** Records that `m` breaks `rule`. */
  public add(rule: RuleId, m: Manifest, message: string, fix: string): void {
    this.findings.push({ rule, object: ref(m), message, fix });
  }

  /** The pod templates in `m`'s namespace that `selector` selects. */
  public podsSelectedBy(m: Manifest, selector: LabelSelector): PodTemplate[] {
    return candidates(this.podIndex, namespaceOf(m), selector).filter((p) => selects(selector, p.labels));
  }

  /** The Services in `namespaces` that `selector` selects. */
  public servicesSelectedBy(namespaces: string[], selector: LabelSelector): Manifest[] {
    return namespaces.flatMap((ns) => candidates(this.serviceIndex, ns, selector)).filter((o) => selects(selector, labelsOf(o)));
  }

  /** The Service `name` in `namespace`, if applied. */
  public service(namespace: string, name: string): Manifest | undefined {
    return this.servicesByName.get(`${namespace}/${name}`);
  }

  /** Whether an object with this `Kind/namespace/name` is applied. */
  public has(objectRef: string): boolean {
    return this.refs.has(objectRef);
  }

  /** The fewest replicas a workload runs: its autoscaler's minimum, else its replica count. */
  public minReplicas(workload: Manifest): number {
    const scaler = this.scalerByTarget.get(`${workload.kind}/${namespaceOf(workload)}/${workload.metadata?.name}`);
    if (!scaler) return workload.spec?.replicas ?? 1;
    return scaler.kind === 'ScaledObject' ? (scaler.spec.minReplicaCount ?? 0) : (scaler.spec.minReplicas ?? 1);
  }
}

/** A Service selects pods, and each of its ports targets a port they declare. */
function serviceSelectsPods(m: Manifest, ctx: RuleContext): void {
  if (m.kind !== 'Service' || !m.spec?.selector || m.spec.type === 'ExternalName') return;
  const selected = ctx.podsSelectedBy(m, { matchLabels: m.spec.selector });
  if (selected.length === 0) {
    ctx.add('selector-matches-pods', m, `selector ${JSON.stringify(m.spec.selector)} selects no pod template in namespace '${namespaceOf(m)}'`,
      'make the selector equal to the labels of the pods it serves');
    return;
  }
  for (const port of m.spec.ports ?? []) {
    const target = port.targetPort ?? port.port;
    const declares = (cp: any) => (typeof target === 'number' ? cp.containerPort === target : cp.name === target);
    const served = selected.some((p) => p.spec.containers?.some((c: any) => (c.ports ?? []).some(declares)));
    if (!served) {
      ctx.add('service-port-exists', m, `port '${port.name ?? port.port}' targets ${target}, which no selected container declares`,
        'target a containerPort (number or name) of the selected pods');
    }
  }
}

/** A PodDisruptionBudget selects pods, and leaves room for one voluntary disruption. */
function disruptionBudgetAllowsEviction(m: Manifest, ctx: RuleContext): void {
  if (m.kind !== 'PodDisruptionBudget' || !m.spec?.selector) return;
  const selected = ctx.podsSelectedBy(m, m.spec.selector);
  if (selected.length === 0) {
    ctx.add('selector-matches-pods', m, `selector ${JSON.stringify(m.spec.selector)} selects no pod template in namespace '${namespaceOf(m)}'`,
      'make the selector match the pods it protects');
    return;
  }
  const replicas = Math.min(...selected.map((p) => ctx.minReplicas(p.owner)));
  const { minAvailable, maxUnavailable } = m.spec;
  const blocks = maxUnavailable === 0 || maxUnavailable === '0%' || (typeof minAvailable === 'number' && minAvailable >= replicas) || minAvailable === '100%';
  if (blocks) {
    ctx.add('pdb-allows-disruption', m, `with ${replicas} replica(s) it allows no voluntary disruption: node drains and upgrades block`,
      'set maxUnavailable to at least 1, or minAvailable below the replica count');
  }
}

/** A NetworkPolicy with a non-empty pod selector selects pods. */
function networkPolicySelectsPods(m: Manifest, ctx: RuleContext): void {
  const selector: LabelSelector | undefined = m.kind === 'NetworkPolicy' ? m.spec?.podSelector : undefined;
  if (!selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)) return;
  if (ctx.podsSelectedBy(m, selector).length === 0) {
    ctx.add('selector-matches-pods', m, `podSelector ${JSON.stringify(selector)} selects no pod template in namespace '${namespaceOf(m)}'`,
      'make the podSelector match the pods it protects');
  }
}

/** A ServiceMonitor selects a Service that has each port it scrapes. */
function serviceMonitorMatches(m: Manifest, ctx: RuleContext): void {
  if (m.kind !== 'ServiceMonitor' || !m.spec?.selector) return;
  const namespaces: string[] = m.spec.namespaceSelector?.matchNames ?? [namespaceOf(m)];
  const selected = ctx.servicesSelectedBy(namespaces, m.spec.selector);
  if (selected.length === 0) {
    ctx.add('service-monitor-matches', m, `selector ${JSON.stringify(m.spec.selector)} selects no Service in ${namespaces.join(', ')}`,
      'select the labels of the Service whose pods expose the metrics');
    return;
  }
  for (const e of m.spec.endpoints ?? []) {
    if (e.port && !selected.some((svc) => (svc.spec?.ports ?? []).some((p: any) => p.name === e.port))) {
      ctx.add('service-monitor-matches', m, `endpoint port '${e.port}' is not a named port of the selected Service`, 'name the Service port it should scrape');
    }
  }
}

/** Each backend of an HTTPRoute, GRPCRoute or AIGatewayRoute is applied: a Service with the port it names, or an InferencePool. */
function routeBackendsExist(m: Manifest, ctx: RuleContext): void {
  if (!['HTTPRoute', 'GRPCRoute', 'AIGatewayRoute'].includes(m.kind ?? '') || !Array.isArray(m.spec?.rules)) return;
  for (const b of m.spec.rules.flatMap((rule: any) => rule.backendRefs ?? [])) {
    if (b.kind === 'InferencePool' && b.group === 'inference.networking.k8s.io') {
      if (!ctx.has(`InferencePool/${b.namespace ?? (namespaceOf(m) || '(default)')}/${b.name}`)) {
        ctx.add('route-backend-exists', m, `backendRef InferencePool ${b.name} is not applied with it`, 'route to an InferencePool of the app');
      }
      continue;
    }
    if ((b.kind ?? 'Service') !== 'Service' || (b.group ?? '') !== '') continue;
    const target = ctx.service(b.namespace ?? namespaceOf(m), b.name);
    if (!target) {
      ctx.add('route-backend-exists', m, `backendRef ${b.name} is not a Service applied with it`, 'route to the Service of an InferenceService');
    } else if (b.port !== undefined && !(target.spec?.ports ?? []).some((p: any) => p.port === b.port)) {
      ctx.add('route-backend-exists', m, `backendRef ${b.name} has no port ${b.port}`, 'route to one of the Service\'s ports');
    }
  }
}

/**
 * An InferencePool selects pods that declare its target ports, and its endpoint picker is a
 * Service applied with it, on the port it names.
 */
function poolMatches(m: Manifest, ctx: RuleContext): void {
  if (m.kind !== 'InferencePool' || !m.spec?.selector) return;
  const selected = ctx.podsSelectedBy(m, m.spec.selector);
  if (selected.length === 0) {
    ctx.add('selector-matches-pods', m, `selector ${JSON.stringify(m.spec.selector)} selects no pod template in namespace '${namespaceOf(m)}'`,
      'label the pods of the pool\'s services with its selector');
  }
  for (const { number } of m.spec.targetPorts ?? []) {
    const declares = (p: PodTemplate) => containers(p.spec).some((c: any) => (c.ports ?? []).some((cp: any) => cp.containerPort === number));
    if (selected.length > 0 && !selected.some(declares)) {
      ctx.add('pool-picker-exists', m, `target port ${number} is declared by no selected container`, 'target the port the model server listens on');
    }
  }
  const picker = m.spec.endpointPickerRef;
  if (!picker || (picker.kind ?? 'Service') !== 'Service') return;
  const service = ctx.service(namespaceOf(m), picker.name);
  if (!service || !(service.spec?.ports ?? []).some((p: any) => p.port === picker.port?.number)) {
    ctx.add('pool-picker-exists', m, `endpointPickerRef ${picker.name}:${picker.port?.number} is not a Service port applied with it`,
      'apply the endpoint picker\'s Service with the pool');
  }
}

/** An autoscaler's target workload is applied with it. */
function scaleTargetExists(m: Manifest, ctx: RuleContext): void {
  if (!isAutoscaler(m) || !m.spec?.scaleTargetRef) return;
  const t = scaleTarget(m);
  const namespace = namespaceOf(m);
  if (!ctx.has(`${t.kind}/${namespace || '(default)'}/${t.name}`)) {
    ctx.add('scale-target-exists', m, `scaleTargetRef ${t.kind}/${t.name} is not among the manifests in namespace '${namespace}'`,
      'point scaleTargetRef at the workload it scales');
  }
}

/** A container's preStop pause ends before the grace period does. */
function graceCoversPreStop(p: PodTemplate, c: any, ctx: RuleContext): void {
  const grace = p.spec.terminationGracePeriodSeconds ?? 30;
  const command: string[] | undefined = c.lifecycle?.preStop?.exec?.command;
  const pause = command && command[0]?.endsWith('sleep') ? Number(command[1]) : c.lifecycle?.preStop?.sleep?.seconds;
  if (typeof pause === 'number' && pause >= grace) {
    ctx.add('grace-covers-prestop', p.owner,
      `container '${c.name}' pauses ${pause} s in preStop but the grace period is ${grace} s, so SIGTERM never comes before SIGKILL`,
      'raise terminationGracePeriodSeconds above the preStop pause plus the drain time');
  }
}

/** A container with several GPUs mounts a /dev/shm volume. */
function multiGpuHasSharedMemory(p: PodTemplate, c: any, ctx: RuleContext): void {
  const gpus = Object.entries(c.resources?.limits ?? {}).filter(([k]) => k.endsWith('/gpu')).reduce((n, [, v]) => n + Number(v), 0);
  if (gpus > 1 && !(c.volumeMounts ?? []).some((vm: any) => vm.mountPath === '/dev/shm')) {
    ctx.add('multi-gpu-shared-memory', p.owner, `container '${c.name}' uses ${gpus} GPUs without a /dev/shm volume (the runtime default is 64Mi)`,
      'mount an emptyDir with medium Memory at /dev/shm');
  }
}

/**
 * A LeaderWorkerSet's name is free for the headless Service its controller creates, through which
 * the members of a group resolve their leader; a Service of that name would silently take its place.
 */
function groupSubdomainFree(m: Manifest, ctx: RuleContext): void {
  if (m.kind !== 'LeaderWorkerSet' || !ctx.service(namespaceOf(m), m.metadata?.name ?? '')) return;
  ctx.add('group-subdomain-free', m, `Service '${m.metadata?.name}' in its namespace takes the name of the headless Service its controller creates, so LWS_LEADER_ADDRESS never resolves`,
    'rename that Service, or the service that owns the LeaderWorkerSet');
}

/** The rules on one object, in the order their findings are reported for it. */
const OBJECT_RULES: ((m: Manifest, ctx: RuleContext) => void)[] = [
  serviceSelectsPods, disruptionBudgetAllowsEviction, networkPolicySelectsPods, serviceMonitorMatches, routeBackendsExist, poolMatches,
  scaleTargetExists, groupSubdomainFree,
];

/** The rules on one container of a pod template, in the order their findings are reported for it. */
const CONTAINER_RULES: ((p: PodTemplate, c: any, ctx: RuleContext) => void)[] = [graceCoversPreStop, multiGpuHasSharedMemory];

/** Every broken rule in `manifests`: object by object, then pod template by pod template. */
export function findViolations(manifests: Manifest[]): Finding[] {
  const ctx = new RuleContext(manifests);
  for (const m of manifests) for (const rule of OBJECT_RULES) rule(m, ctx);
  for (const p of ctx.pods) for (const c of containers(p.spec)) for (const rule of CONTAINER_RULES) rule(p, c, ctx);
  return ctx.findings;
}
