import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { afterRender } from './private/render';

/**
 * One broken cross-object rule, found in a set of manifests.
 */
export interface InvariantFinding {
  /** Short rule id, e.g. `selector-matches-pods`. */
  readonly rule: string;
  /** `Kind/namespace/name` of the object that breaks the rule. */
  readonly object: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** The cross-object rules and what each asks for. */
export const INVARIANT_RULES: { [rule: string]: string } = {
  'selector-matches-pods': 'Services, PodDisruptionBudgets and NetworkPolicies must select pods that are applied with them',
  'service-port-exists': 'A Service must target ports its pods declare',
  'pdb-allows-disruption': 'A PodDisruptionBudget must leave room for one voluntary disruption',
  'scale-target-exists': 'An autoscaler must scale a workload that is applied with it',
  'grace-covers-prestop': 'The termination grace period must outlast the preStop pause',
  'multi-gpu-shared-memory': 'Pods with several GPUs need a /dev/shm volume',
  'service-monitor-matches': 'A ServiceMonitor must select a Service that has the port it scrapes',
  'route-backend-exists': 'A route must send traffic to a Service port that exists',
};

/** A Kubernetes object as plain JSON. */
type Manifest = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: any };

interface LabelSelector {
  matchLabels?: { [key: string]: string };
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface PodTemplate {
  readonly owner: Manifest;
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  readonly spec: any;
}

/** Where each workload kind keeps its pod template. */
const TEMPLATE_PATHS: { [kind: string]: string[] } = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Rollout: ['spec', 'template'],
};

function ref(m: Manifest): string {
  return `${m.kind}/${m.metadata?.namespace ?? '(default)'}/${m.metadata?.name}`;
}

function podTemplates(manifests: Manifest[]): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const m of manifests) {
    if (m.kind === 'Pod') {
      templates.push({ owner: m, namespace: m.metadata?.namespace ?? '', labels: (m.metadata as any)?.labels ?? {}, spec: m.spec ?? {} });
      continue;
    }
    const path = m.kind ? TEMPLATE_PATHS[m.kind] : undefined;
    if (!path) continue;
    const template = path.reduce((node: any, key) => node?.[key], m);
    if (!template) continue;
    templates.push({ owner: m, namespace: m.metadata?.namespace ?? '', labels: template.metadata?.labels ?? {}, spec: template.spec ?? {} });
  }
  return templates;
}

/**
 * Whether a label selector selects a set of labels, with Kubernetes semantics
 * (`matchLabels` and `matchExpressions` ANDed; an empty selector selects everything).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
export function selects(selector: LabelSelector, labels: { [key: string]: string }): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const ok = e.operator === 'In' ? has && (e.values ?? []).includes(labels[e.key])
      : e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(labels[e.key])
        : e.operator === 'Exists' ? has
          : e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}

function containers(spec: any): any[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/**
 * Checks the rules no single-object schema can see, over everything that will be applied
 * together: selectors of Services, PodDisruptionBudgets, NetworkPolicies and autoscalers
 * match pods; Service target ports exist; the grace period covers the preStop pause;
 * a PodDisruptionBudget leaves room for a voluntary disruption; multi-GPU pods have `/dev/shm`.
 */
export function checkManifests(manifests: Manifest[]): InvariantFinding[] {
  const findings: InvariantFinding[] = [];
  const pods = podTemplates(manifests);
  const add = (rule: string, m: Manifest, message: string, fix: string) => findings.push({ rule, object: ref(m), message, fix });
  // Indexes keep the checks linear in the number of objects: candidates are looked up by
  // namespace and the selector's rarest label, then matched in full.
  const podIndex = labelIndex(pods, (p) => p.namespace, (p) => p.labels);
  const services = manifests.filter((o) => o.kind === 'Service');
  const serviceIndex = labelIndex(services, (o) => o.metadata?.namespace ?? '', (o) => (o.metadata as any)?.labels ?? {});
  const byRef = new Set(manifests.map((o) => ref(o)));
  const servicesByName = new Map(services.map((o) => [`${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, o]));
  const scalerByTarget = new Map(manifests.filter((o) => isAutoscaler(o) && o.spec?.scaleTargetRef)
    .map((o) => [`${scaleTarget(o).kind}/${o.metadata?.namespace ?? ''}/${scaleTarget(o).name}`, o]));
  const podsSelectedBy = (m: Manifest, selector: LabelSelector) =>
    candidates(podIndex, m.metadata?.namespace ?? '', selector).filter((p) => selects(selector, p.labels));

  for (const m of manifests) {
    const namespace = m.metadata?.namespace ?? '';
    if (m.kind === 'Service' && m.spec?.selector && m.spec.type !== 'ExternalName') {
      const selected = podsSelectedBy(m, { matchLabels: m.spec.selector });
      if (selected.length === 0) {
        add('selector-matches-pods', m, `selector ${JSON.stringify(m.spec.selector)} selects no pod template in namespace '${namespace}'`,
          'make the selector equal to the labels of the pods it serves');
        continue;
      }
      for (const port of m.spec.ports ?? []) {
        const target = port.targetPort ?? port.port;
        const served = selected.some((p) => p.spec.containers?.some((c: any) => (c.ports ?? []).some((cp: any) =>
          (typeof target === 'number' ? cp.containerPort === target : cp.name === target))));
        if (!served) {
          add('service-port-exists', m, `port '${port.name ?? port.port}' targets ${target}, which no selected container declares`,
            'target a containerPort (number or name) of the selected pods');
        }
      }
    }
    if (m.kind === 'PodDisruptionBudget' && m.spec?.selector) {
      const selected = podsSelectedBy(m, m.spec.selector);
      if (selected.length === 0) {
        add('selector-matches-pods', m, `selector ${JSON.stringify(m.spec.selector)} selects no pod template in namespace '${namespace}'`,
          'make the selector match the pods it protects');
        continue;
      }
      const replicas = Math.min(...selected.map((p) => minReplicas(scalerByTarget, p.owner)));
      const { minAvailable, maxUnavailable } = m.spec;
      if (maxUnavailable === 0 || maxUnavailable === '0%' || (typeof minAvailable === 'number' && minAvailable >= replicas) || minAvailable === '100%') {
        add('pdb-allows-disruption', m, `with ${replicas} replica(s) it allows no voluntary disruption: node drains and upgrades block`,
          'set maxUnavailable to at least 1, or minAvailable below the replica count');
      }
    }
    if (m.kind === 'NetworkPolicy' && m.spec?.podSelector && Object.keys(m.spec.podSelector).length > 0
      && (Object.keys(m.spec.podSelector.matchLabels ?? {}).length > 0 || (m.spec.podSelector.matchExpressions ?? []).length > 0)) {
      if (podsSelectedBy(m, m.spec.podSelector).length === 0) {
        add('selector-matches-pods', m, `podSelector ${JSON.stringify(m.spec.podSelector)} selects no pod template in namespace '${namespace}'`,
          'make the podSelector match the pods it protects');
      }
    }
    if (m.kind === 'ServiceMonitor' && m.spec?.selector) {
      const namespaces: string[] = m.spec.namespaceSelector?.matchNames ?? [namespace];
      const selected = namespaces.flatMap((ns) => candidates(serviceIndex, ns, m.spec.selector))
        .filter((o) => selects(m.spec.selector, (o.metadata as any)?.labels ?? {}));
      if (selected.length === 0) {
        add('service-monitor-matches', m, `selector ${JSON.stringify(m.spec.selector)} selects no Service in ${namespaces.join(', ')}`,
          'select the labels of the Service whose pods expose the metrics');
      } else {
        for (const e of m.spec.endpoints ?? []) {
          if (e.port && !selected.some((svc) => (svc.spec?.ports ?? []).some((p: any) => p.name === e.port))) {
            add('service-monitor-matches', m, `endpoint port '${e.port}' is not a named port of the selected Service`, 'name the Service port it should scrape');
          }
        }
      }
    }
    if ((m.kind === 'HTTPRoute' || m.kind === 'GRPCRoute') && Array.isArray(m.spec?.rules)) {
      for (const rule of m.spec.rules) {
        for (const b of rule.backendRefs ?? []) {
          if ((b.kind ?? 'Service') !== 'Service' || (b.group ?? '') !== '') continue;
          const target = servicesByName.get(`${b.namespace ?? namespace}/${b.name}`);
          if (!target) {
            add('route-backend-exists', m, `backendRef ${b.name} is not a Service applied with it`, 'route to the Service of an InferenceService');
          } else if (b.port !== undefined && !(target.spec?.ports ?? []).some((p: any) => p.port === b.port)) {
            add('route-backend-exists', m, `backendRef ${b.name} has no port ${b.port}`, 'route to one of the Service\'s ports');
          }
        }
      }
    }
    if (isAutoscaler(m) && m.spec?.scaleTargetRef) {
      const t = scaleTarget(m);
      if (!byRef.has(`${t.kind}/${namespace || '(default)'}/${t.name}`)) {
        add('scale-target-exists', m, `scaleTargetRef ${t.kind}/${t.name} is not among the manifests in namespace '${namespace}'`,
          'point scaleTargetRef at the workload it scales');
      }
    }
  }

  for (const p of pods) {
    const grace = p.spec.terminationGracePeriodSeconds ?? 30;
    for (const c of containers(p.spec)) {
      const command: string[] | undefined = c.lifecycle?.preStop?.exec?.command;
      const pause = command && command[0]?.endsWith('sleep') ? Number(command[1]) : c.lifecycle?.preStop?.sleep?.seconds;
      if (typeof pause === 'number' && pause >= grace) {
        add('grace-covers-prestop', p.owner, `container '${c.name}' pauses ${pause} s in preStop but the grace period is ${grace} s, so SIGTERM never comes before SIGKILL`,
          'raise terminationGracePeriodSeconds above the preStop pause plus the drain time');
      }
      const gpus = Object.entries(c.resources?.limits ?? {}).filter(([k]) => k.endsWith('/gpu')).reduce((n, [, v]) => n + Number(v), 0);
      if (gpus > 1 && !(c.volumeMounts ?? []).some((vm: any) => vm.mountPath === '/dev/shm')) {
        add('multi-gpu-shared-memory', p.owner, `container '${c.name}' uses ${gpus} GPUs without a /dev/shm volume (the runtime default is 64Mi)`,
          'mount an emptyDir with medium Memory at /dev/shm');
      }
    }
  }
  return findings;
}

/** A HorizontalPodAutoscaler, or a KEDA ScaledObject (which makes one). */
function isAutoscaler(m: Manifest): boolean {
  return m.kind === 'HorizontalPodAutoscaler' || (m.kind === 'ScaledObject' && (m.apiVersion ?? '').startsWith('keda.sh/'));
}

/** An autoscaler's target; a ScaledObject's kind defaults to Deployment. */
function scaleTarget(m: Manifest): { kind: string; name: string } {
  return { kind: 'Deployment', ...m.spec.scaleTargetRef };
}

function minReplicas(scalerByTarget: Map<string, Manifest>, workload: Manifest): number {
  const scaler = scalerByTarget.get(`${workload.kind}/${workload.metadata?.namespace ?? ''}/${workload.metadata?.name}`);
  if (!scaler) return workload.spec?.replicas ?? 1;
  return scaler.kind === 'ScaledObject' ? (scaler.spec.minReplicaCount ?? 0) : (scaler.spec.minReplicas ?? 1);
}

interface LabelIndex<T> {
  readonly all: Map<string, T[]>;
  readonly byLabel: Map<string, T[]>;
}

/** Objects by namespace, and by namespace plus each `key=value` label. */
function labelIndex<T>(items: T[], namespaceOf: (t: T) => string, labelsOf: (t: T) => { [key: string]: string }): LabelIndex<T> {
  const all = new Map<string, T[]>();
  const byLabel = new Map<string, T[]>();
  const push = (map: Map<string, T[]>, key: string, item: T) => (map.get(key) ?? map.set(key, []).get(key)!).push(item);
  for (const item of items) {
    const ns = namespaceOf(item);
    push(all, ns, item);
    for (const [k, v] of Object.entries(labelsOf(item))) push(byLabel, `${ns}\0${k}=${v}`, item);
  }
  return { all, byLabel };
}

/** The objects that can match `selector`: those with its rarest matchLabels pair, else the namespace's. */
function candidates<T>(index: LabelIndex<T>, namespace: string, selector: LabelSelector): T[] {
  let best: T[] | undefined;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    const bucket = index.byLabel.get(`${namespace}\0${k}=${v}`) ?? [];
    if (!best || bucket.length < best.length) best = bucket;
  }
  return best ?? index.all.get(namespace) ?? [];
}

/** The kinds `checkManifests` reads. */
const RULE_KINDS = new Set(['Pod', 'Service', 'PodDisruptionBudget', 'NetworkPolicy', 'HorizontalPodAutoscaler', 'ServiceMonitor', 'HTTPRoute', 'GRPCRoute',
  ...Object.keys(TEMPLATE_PATHS)]);

const checkedCharts = new WeakSet<Chart>();

/** The objects of `chart` whose kinds the rules read. */
function ruleObjects(chart: Chart): ApiObject[] {
  return chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && RULE_KINDS.has(c.kind));
}

/** The findings in `manifests` of `chart`, each naming the construct path of the object. */
function chartFindings(chart: Chart, manifests: Manifest[]): string[] {
  const paths = new Map<string, string>();
  for (const o of ruleObjects(chart)) paths.set(`${o.kind}/${o.metadata.namespace ?? '(default)'}/${o.name}`, o.node.path);
  return checkManifests(manifests).map((f) => `${f.rule}: ${paths.get(f.object) ?? f.object} (${f.object}): ${f.message}. Fix: ${f.fix}`);
}

/**
 * Whether the chart's own render can carry the check: in an app with this one chart, written a
 * file per chart or per app, `chart.toJson()` renders every object once and nothing is written
 * before it returns. Otherwise (several charts, one file per resource, no App) the check runs as
 * a construct validation, before any chart is written.
 */
function checkAtRender(chart: Chart): boolean {
  const app = chart.node.root;
  if (!(app instanceof App) || app.yamlOutputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE) return false;
  return app.node.findAll().filter((c) => Chart.isChart(c)).length === 1;
}

/**
 * Registers the cross-object checks for `scope`'s chart (once per chart), so `app.synth()`,
 * `app.synthYaml()` and `Testing.synth()` fail with the construct path of each object that
 * breaks a rule, and nothing is written.
 *
 * cdk8s validates the whole app once more for each chart it renders; a check run there would
 * render the objects it reads each time. In an app of one chart the check therefore reads the
 * very manifests the chart renders for output (no object is rendered twice); in other apps it is
 * a construct validation.
 */
export function validateChartInvariants(scope: IConstruct): void {
  const chart = Chart.of(scope);
  if (checkedCharts.has(chart)) return;
  checkedCharts.add(chart);
  afterRender(chart, (manifests: any[]) => {
    if (checkAtRender(chart)) {
      const errors = chartFindings(chart, manifests);
      if (errors.length > 0) {
        // The same message cdk8s gives for a failed construct validation.
        throw new Error(`Validation failed with the following errors:\n  ${errors.map((e) => `[${chart.node.path}] ${e}`).join('\n  ')}`);
      }
    }
  });
  chart.node.addValidation({
    validate: () => checkAtRender(chart) ? [] : chartFindings(chart, ruleObjects(chart).map((o) => o.toJson())),
  });
}
