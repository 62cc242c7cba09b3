// Plain Kubernetes objects as the cross-object rules read them: their pod templates, label
// selectors, and indexes that find the objects a selector can match without scanning them all.

/** A Kubernetes object as plain JSON. */
export type Manifest = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: any };

/** A Kubernetes label selector. */
export interface LabelSelector {
  matchLabels?: { [key: string]: string };
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A pod template and the object (Deployment, Job, Pod, …) that holds it. */
export interface PodTemplate {
  readonly owner: Manifest;
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  readonly spec: any;
}

/** Where each workload kind keeps its pod templates (a LeaderWorkerSet has a leader's and a worker's). */
export const TEMPLATE_PATHS: { [kind: string]: string[][] } = {
  Deployment: [['spec', 'template']],
  StatefulSet: [['spec', 'template']],
  DaemonSet: [['spec', 'template']],
  ReplicaSet: [['spec', 'template']],
  Job: [['spec', 'template']],
  CronJob: [['spec', 'jobTemplate', 'spec', 'template']],
  Rollout: [['spec', 'template']],
  LeaderWorkerSet: [['spec', 'leaderWorkerTemplate', 'leaderTemplate'], ['spec', 'leaderWorkerTemplate', 'workerTemplate']],
};

/** `Kind/namespace/name` of an object, `(default)` for no namespace. */
export function ref(m: Manifest): string {
  return `${m.kind}/${m.metadata?.namespace ?? '(default)'}/${m.metadata?.name}`;
}

/** An object's namespace, `''` for none. */
export function namespaceOf(m: Manifest): string {
  return m.metadata?.namespace ?? '';
}

/** An object's own labels. */
export function labelsOf(m: Manifest): { [key: string]: string } {
  return (m.metadata as any)?.labels ?? {};
}

/** The pod templates of `manifests`: Pods, and the templates of workloads. */
export function podTemplates(manifests: Manifest[]): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const m of manifests) {
    if (m.kind === 'Pod') {
      templates.push({ owner: m, namespace: namespaceOf(m), labels: labelsOf(m), spec: m.spec ?? {} });
      continue;
    }
    for (const path of (m.kind ? TEMPLATE_PATHS[m.kind] : undefined) ?? []) {
      const template = path.reduce((node: any, key) => node?.[key], m);
      if (template) templates.push({ owner: m, namespace: namespaceOf(m), labels: template.metadata?.labels ?? {}, spec: template.spec ?? {} });
    }
  }
  return templates;
}

/** The init containers and containers of a pod spec. */
export function containers(spec: any): any[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** A HorizontalPodAutoscaler, or a KEDA ScaledObject (which makes one). */
export function isAutoscaler(m: Manifest): boolean {
  return m.kind === 'HorizontalPodAutoscaler' || (m.kind === 'ScaledObject' && (m.apiVersion ?? '').startsWith('keda.sh/'));
}

/** An autoscaler's target; a ScaledObject's kind defaults to Deployment. */
export function scaleTarget(m: Manifest): { kind: string; name: string } {
  return { kind: 'Deployment', ...m.spec.scaleTargetRef };
}

/** Whether one label selector expression holds for `labels`. */
function expressionHolds(e: { key: string; operator: string; values?: string[] }, labels: { [key: string]: string }): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, e.key);
  const listed = (e.values ?? []).includes(labels[e.key]);
  switch (e.operator) {
    case 'In': return has && listed;
    case 'NotIn': return !has || !listed;
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    default: return false;
  }
}

/**
 * Whether a label selector selects a set of labels, with Kubernetes semantics
 * (`matchLabels` and `matchExpressions` ANDed; an empty selector selects everything).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
export function selects(selector: LabelSelector, labels: { [key: string]: string }): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (selector.matchExpressions ?? []).every((e) => expressionHolds(e, labels));
}

/** Objects by namespace, and by namespace plus each `key=value` label. */
export interface LabelIndex<T> {
  readonly all: Map<string, T[]>;
  readonly byLabel: Map<string, T[]>;
}

/** Indexes `items` by namespace and by each of their labels. */
export function labelIndex<T>(items: T[], namespace: (t: T) => string, labels: (t: T) => { [key: string]: string }): LabelIndex<T> {
  const all = new Map<string, T[]>();
  const byLabel = new Map<string, T[]>();
  const push = (map: Map<string, T[]>, key: string, item: T) => {
    const bucket = map.get(key);
    if (bucket) bucket.push(item); else map.set(key, [item]);
  };
  for (const item of items) {
    const ns = namespace(item);
    push(all, ns, item);
    for (const [k, v] of Object.entries(labels(item))) push(byLabel, `${ns}\0${k}=${v}`, item);
  }
  return { all, byLabel };
}

/** The objects that can match `selector`: those with its rarest matchLabels pair, else the namespace's. */
export function candidates<T>(index: LabelIndex<T>, namespace: string, selector: LabelSelector): T[] {
  let best: T[] | undefined;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    const bucket = index.byLabel.get(`${namespace}\0${k}=${v}`) ?? [];
    if (!best || bucket.length < best.length) best = bucket;
  }
  return best ?? index.all.get(namespace) ?? [];
}
