import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

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
  const podsSelectedBy = (m: Manifest, selector: LabelSelector) =>
    pods.filter((p) => p.namespace === (m.metadata?.namespace ?? '') && selects(selector, p.labels));

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
      const replicas = Math.min(...selected.map((p) => minReplicas(manifests, p.owner)));
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
      const services = manifests.filter((o) => o.kind === 'Service' && namespaces.includes(o.metadata?.namespace ?? '')
        && selects(m.spec.selector, (o.metadata as any)?.labels ?? {}));
      if (services.length === 0) {
        add('service-monitor-matches', m, `selector ${JSON.stringify(m.spec.selector)} selects no Service in ${namespaces.join(', ')}`,
          'select the labels of the Service whose pods expose the metrics');
      } else {
        for (const e of m.spec.endpoints ?? []) {
          if (e.port && !services.some((svc) => (svc.spec?.ports ?? []).some((p: any) => p.name === e.port))) {
            add('service-monitor-matches', m, `endpoint port '${e.port}' is not a named port of the selected Service`, 'name the Service port it should scrape');
          }
        }
      }
    }
    if (m.kind === 'HorizontalPodAutoscaler' && m.spec?.scaleTargetRef) {
      const t = m.spec.scaleTargetRef;
      if (!manifests.some((o) => o.kind === t.kind && o.metadata?.name === t.name && (o.metadata?.namespace ?? '') === namespace)) {
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

function minReplicas(manifests: Manifest[], workload: Manifest): number {
  const hpa = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler' && m.spec?.scaleTargetRef?.name === workload.metadata?.name
    && m.spec?.scaleTargetRef?.kind === workload.kind && m.metadata?.namespace === workload.metadata?.namespace);
  return hpa ? (hpa.spec.minReplicas ?? 1) : (workload.spec?.replicas ?? 1);
}

const checkedCharts = new WeakSet<Chart>();

/**
 * Registers the cross-object checks as a validation of `scope`'s chart (once per chart), so
 * `app.synth()` fails with the construct path of each object that breaks a rule.
 */
export function validateChartInvariants(scope: IConstruct): void {
  const chart = Chart.of(scope);
  if (checkedCharts.has(chart)) return;
  checkedCharts.add(chart);
  chart.node.addValidation({
    validate: () => {
      const objects = chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
      const paths = new Map<string, string>();
      const manifests = objects.map((o) => {
        const json = o.toJson();
        paths.set(ref(json), o.node.path);
        return json;
      });
      return checkManifests(manifests).map((f) => `${f.rule}: ${paths.get(f.object) ?? f.object} (${f.object}): ${f.message}. Fix: ${f.fix}`);
    },
  });
}
