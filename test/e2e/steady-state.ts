// Steady state, object by object: what the live cluster says about each object an app applied.
// Each check reads the API server (status written by the real controllers, EndpointSlices,
// label queries on live pods); none reads the synthesized YAML for its verdict.
import { LocalCluster } from './cluster';
import { Manifest, label, live } from './manifests';

/** The verdict on one app: objects checked, what is wrong, and what no controller here reconciles. */
export interface SteadyState { checked: number; failures: string[]; unreconciled: string[] }

/** Kinds accepted by the API server whose controllers (operators) this cluster does not run. */
export const NO_CONTROLLER_HERE: Record<string, string> = {
  Rollout: 'Argo Rollouts', AnalysisTemplate: 'Argo Rollouts', ScaledObject: 'KEDA', ExternalSecret: 'External Secrets Operator',
  Gateway: 'a Gateway API implementation', SecurityPolicy: 'Envoy Gateway', BackendTrafficPolicy: 'Envoy Gateway', Middleware: 'Traefik',
  ServiceMonitor: 'Prometheus Operator', PodMonitor: 'Prometheus Operator', PrometheusRule: 'Prometheus Operator', ClientTrafficPolicy: 'Envoy Gateway',
  InferencePool: 'a gateway with the Inference Extension (the endpoint picker itself runs here)',
  AIGatewayRoute: 'Envoy AI Gateway', InferenceObjective: 'the endpoint picker', InferenceModelRewrite: 'the endpoint picker',
  LeaderWorkerSet: 'the LeaderWorkerSet controller, which creates the groups\' pods',
};

/** The pod templates of the LeaderWorkerSets among `manifests`: pods no controller here creates. */
function groupTemplates(manifests: Manifest[]): { namespace: string; owner: string; labels: Record<string, string> }[] {
  return manifests.filter((m) => m.kind === 'LeaderWorkerSet').flatMap((m) => {
    const t = m.spec.leaderWorkerTemplate;
    return [t.leaderTemplate, t.workerTemplate].filter(Boolean).map((p: any) => ({ namespace: m.metadata.namespace ?? 'default', owner: label(m), labels: p.metadata?.labels ?? {} }));
  });
}

/** A label selector as the API's query parameter. */
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
export function selectorQuery(sel: Selector | Record<string, string>): string {
  const s: any = sel;
  const isLabelSelector = s.matchLabels !== undefined || s.matchExpressions !== undefined;
  const labels: Record<string, string> = isLabelSelector ? (s.matchLabels ?? {}) : s;
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  for (const e of (isLabelSelector ? s.matchExpressions ?? [] : [])) {
    if (e.operator === 'In') parts.push(`${e.key} in (${e.values.join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${e.values.join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** A pod that serves: Running, Ready and not being deleted. */
export const isReady = (pod: any): boolean => !pod.metadata.deletionTimestamp && pod.status?.phase === 'Running'
  && (pod.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const condition = (obj: any, type: string) => (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
/** Whether an object's status condition `type` has `status` (True by default). */
export const conditionIs = (obj: any, type: string, status = 'True'): boolean => condition(obj, type)?.status === status;

/** Ready, not terminating pods in `namespace` that `selector` matches. */
export async function readyPods(cluster: LocalCluster, namespace: string, selector: any): Promise<any[]> {
  return (await cluster.list(`/api/v1/namespaces/${namespace}/pods`, selectorQuery(selector))).filter(isReady);
}

/** Pods in `namespace` that `selector` matches and that are not being deleted, in any phase (a Job's pods end Succeeded). */
export async function livePods(cluster: LocalCluster, namespace: string, selector: any): Promise<any[]> {
  return (await cluster.list(`/api/v1/namespaces/${namespace}/pods`, selectorQuery(selector))).filter((p) => !p.metadata.deletionTimestamp);
}

/** For each port name of a Service, how many ready endpoints its EndpointSlices list. */
export async function readyEndpoints(cluster: LocalCluster, namespace: string, service: string): Promise<Map<string, number>> {
  const slices = await cluster.list(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, `kubernetes.io/service-name=${service}`);
  const byPort = new Map<string, number>();
  for (const slice of slices) {
    const ready = (slice.endpoints ?? []).filter((e: any) => e.conditions?.ready === true).length;
    for (const p of slice.ports ?? []) byPort.set(p.name ?? '', (byPort.get(p.name ?? '') ?? 0) + ready);
  }
  return byPort;
}

/** Pods a PDB designs to allow evicting when every expected pod is healthy. */
export function designedDisruptions(spec: any, expectedPods: number): number {
  const scaled = (v: number | string, roundUp: boolean) => typeof v === 'number' ? v
    : (roundUp ? Math.ceil : Math.floor)((parseInt(v, 10) / 100) * expectedPods);
  if (spec.maxUnavailable !== undefined) return scaled(spec.maxUnavailable, true);
  if (spec.minAvailable !== undefined) return Math.max(0, expectedPods - scaled(spec.minAvailable, true));
  return 0;
}

/** Checks every object of `manifests` in the live cluster. */
export async function checkSteadyState(cluster: LocalCluster, manifests: Manifest[]): Promise<SteadyState> {
  const failures: string[] = [];
  const unreconciled: string[] = [];
  let checked = 0;
  const fail = (m: Manifest, why: string) => failures.push(`${label(m)}: ${why}`);
  // Services that Argo Rollouts re-points (stable and canary) are judged by what the Deployment behind them serves.
  const serviceEndpoints = async (ns: string, name: string, portName?: string): Promise<string | undefined> => {
    const svc = (await cluster.request('GET', `/api/v1/namespaces/${ns}/services/${name}`));
    if (svc.status !== 200) return `Service ${ns}/${name} does not exist`;
    const byPort = await readyEndpoints(cluster, ns, name);
    const ports: string[] = portName !== undefined ? [portName] : (svc.body.spec.ports ?? []).map((p: any) => p.name ?? '');
    const empty = ports.filter((p) => !(byPort.get(p)! > 0));
    return empty.length ? `Service ${ns}/${name} has no ready endpoint on port${empty.length > 1 ? 's' : ''} ${empty.map((p) => p || '(unnamed)').join(', ')}` : undefined;
  };
  const portNameOf = async (ns: string, service: string, port?: number | string): Promise<string | undefined> => {
    if (port === undefined || typeof port === 'string') return port;
    const svc = await cluster.request('GET', `/api/v1/namespaces/${ns}/services/${service}`);
    return (svc.body?.spec?.ports ?? []).find((p: any) => p.port === port)?.name ?? '';
  };

  // Objects that select only the pods of a LeaderWorkerSet (and the routes and monitors of its
  // Service) are accepted here but cannot settle: no pods exist without the LWS controller.
  const groups = groupTemplates(manifests);
  const groupOwner = (ns: string, matchLabels: Record<string, string> | undefined) => (matchLabels && Object.keys(matchLabels).length
    ? groups.find((g) => g.namespace === ns && Object.entries(matchLabels).every(([k, v]) => g.labels[k] === v))?.owner : undefined);
  const groupServices = new Map<string, string | undefined>(manifests.filter((m) => m.kind === 'Service')
    .map((m) => [`${m.metadata.namespace ?? 'default'}/${m.metadata.name}`, groupOwner(m.metadata.namespace ?? 'default', m.spec?.selector)]));
  const selectorOf = (m: Manifest): Record<string, string> | undefined => (
    m.kind === 'Service' ? m.spec?.selector : m.kind === 'PodDisruptionBudget' || m.kind === 'InferencePool' ? m.spec?.selector?.matchLabels ?? m.spec?.selector
      : m.kind === 'NetworkPolicy' ? m.spec?.podSelector?.matchLabels : undefined);
  const monitoredServices = (m: Manifest): string[] => (m.kind !== 'ServiceMonitor' ? [] : manifests
    .filter((s) => s.kind === 'Service' && Object.entries(m.spec.selector?.matchLabels ?? {}).every(([k, v]) => s.metadata.labels?.[k] === v))
    .map((s) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`));

  for (const m of manifests) {
    const ns = m.metadata.namespace ?? 'default';
    const obj = await live(cluster, m);
    checked++;
    if (!obj) { fail(m, 'not found in the cluster'); continue; }
    if (NO_CONTROLLER_HERE[m.kind]) unreconciled.push(`${label(m)} (${NO_CONTROLLER_HERE[m.kind]})`);
    const podsOf = groupOwner(ns, selectorOf(m)) ?? monitoredServices(m).map((s) => groupServices.get(s)).find(Boolean);
    if (podsOf) { unreconciled.push(`${label(m)} (selects or reaches the pods of ${podsOf}: ${NO_CONTROLLER_HERE.LeaderWorkerSet})`); continue; }
    switch (m.kind) {
      case 'Deployment': {
        const s = obj.status ?? {};
        const want = obj.spec.replicas ?? 1;
        if ((s.observedGeneration ?? 0) < obj.metadata.generation) fail(m, `controller has not observed generation ${obj.metadata.generation}`);
        else if (condition(obj, 'Available')?.status !== 'True') fail(m, `not Available (${condition(obj, 'Available')?.message ?? 'no condition'})`);
        else if ((s.readyReplicas ?? 0) !== want || (s.updatedReplicas ?? 0) !== want || (s.replicas ?? 0) !== want) {
          fail(m, `replicas ${s.replicas ?? 0}, updated ${s.updatedReplicas ?? 0}, ready ${s.readyReplicas ?? 0}; want ${want}`);
        }
        break;
      }
      case 'DaemonSet': {
        const s = obj.status ?? {};
        if (!(s.desiredNumberScheduled > 0) || s.numberReady !== s.desiredNumberScheduled) fail(m, `ready ${s.numberReady ?? 0} of ${s.desiredNumberScheduled ?? 0} scheduled`);
        break;
      }
      case 'Job':
        if (condition(obj, 'Complete')?.status !== 'True') fail(m, `not Complete (${JSON.stringify(obj.status ?? {})})`);
        break;
      case 'PersistentVolumeClaim':
        if (obj.status?.phase !== 'Bound') fail(m, `phase ${obj.status?.phase}`);
        break;
      case 'HorizontalPodAutoscaler': {
        const target = obj.spec.scaleTargetRef.kind;
        if (NO_CONTROLLER_HERE[target]) { unreconciled.push(`${label(m)} (scales a ${target}: ${NO_CONTROLLER_HERE[target]})`); break; }
        const c = condition(obj, 'AbleToScale');
        if (c?.status !== 'True' || c.reason !== 'SucceededGetScale') fail(m, `AbleToScale ${c?.status ?? 'missing'} (${c?.reason ?? ''}: ${c?.message ?? ''})`);
        break;
      }
      case 'PodDisruptionBudget': {
        const s = obj.status ?? {};
        const designed = designedDisruptions(obj.spec, s.expectedPods ?? 0);
        if (!(s.expectedPods > 0)) fail(m, 'selects no pods of a workload');
        else if (s.currentHealthy !== s.expectedPods) fail(m, `healthy ${s.currentHealthy} of ${s.expectedPods}`);
        else if (s.disruptionsAllowed !== designed) fail(m, `allows ${s.disruptionsAllowed} disruptions, designed ${designed}`);
        else if (designed < 1) fail(m, 'allows no disruption: a node drain could never finish');
        break;
      }
      case 'Service': {
        if (!obj.spec.selector) break;
        const why = await serviceEndpoints(ns, m.metadata.name);
        if (why) fail(m, why.replace(/^Service \S+ /, ''));
        break;
      }
      case 'NetworkPolicy': {
        const sel = obj.spec.podSelector ?? {};
        if (!selectorQuery(sel)) break; // {} is every pod of the namespace (default deny, DNS)
        if ((await livePods(cluster, ns, sel)).length === 0) fail(m, `podSelector ${selectorQuery(sel)} matches no live pod`);
        break;
      }
      case 'ServiceMonitor': {
        const namespaces: string[] = obj.spec.namespaceSelector?.matchNames ?? [ns];
        let services: any[] = [];
        for (const n of namespaces) services = services.concat(await cluster.list(`/api/v1/namespaces/${n}/services`, selectorQuery(obj.spec.selector)));
        if (services.length === 0) { fail(m, `selector ${selectorQuery(obj.spec.selector)} matches no Service`); break; }
        for (const svc of services) {
          for (const ep of obj.spec.endpoints ?? []) {
            const why = await serviceEndpoints(svc.metadata.namespace, svc.metadata.name, ep.port);
            if (why) fail(m, `scrapes nothing: ${why}`);
          }
        }
        break;
      }
      case 'PodMonitor': {
        const pods = await readyPods(cluster, ns, obj.spec.selector);
        if (pods.length === 0) { fail(m, `selector ${selectorQuery(obj.spec.selector)} matches no live pod`); break; }
        for (const ep of obj.spec.podMetricsEndpoints ?? []) {
          if (!pods.some((p) => p.spec.containers.some((c: any) => (c.ports ?? []).some((cp: any) => cp.name === ep.port)))) fail(m, `no live pod has a port named ${ep.port}`);
        }
        break;
      }
      case 'HTTPRoute':
      case 'GRPCRoute':
      case 'AIGatewayRoute': {
        for (const rule of obj.spec.rules ?? []) {
          const refs = [...(rule.backendRefs ?? []).filter((b: any) => b.weight !== 0),
            ...(rule.filters ?? []).filter((f: any) => f.type === 'RequestMirror').map((f: any) => f.requestMirror.backendRef)];
          for (const b of refs) {
            if (b.kind === 'InferencePool' && b.group === 'inference.networking.k8s.io') {
              const pool = await cluster.request('GET', `/apis/inference.networking.k8s.io/v1/namespaces/${b.namespace ?? ns}/inferencepools/${b.name}`);
              if (pool.status !== 200) fail(m, `routes to InferencePool ${b.name}, which does not exist`);
              continue;
            }
            if ((b.group ?? '') !== '' || (b.kind ?? 'Service') !== 'Service') continue;
            const group = groupServices.get(`${b.namespace ?? ns}/${b.name}`);
            if (group) { unreconciled.push(`${label(m)} (routes to the pods of ${group}: ${NO_CONTROLLER_HERE.LeaderWorkerSet})`); continue; }
            const why = await serviceEndpoints(b.namespace ?? ns, b.name, await portNameOf(b.namespace ?? ns, b.name, b.port));
            if (why) fail(m, `routes to ${why}`);
          }
        }
        break;
      }
      case 'InferencePool': {
        // The pool's selector matches live, ready pods that declare its target ports, and its picker's Service has a ready endpoint.
        const pods = await readyPods(cluster, ns, obj.spec.selector);
        if (pods.length === 0) { fail(m, `selector ${selectorQuery(obj.spec.selector)} matches no ready pod`); break; }
        for (const { number } of obj.spec.targetPorts ?? []) {
          if (!pods.every((p) => p.spec.containers.some((c: any) => (c.ports ?? []).some((cp: any) => cp.containerPort === number)))) fail(m, `a selected pod declares no port ${number}`);
        }
        const picker = obj.spec.endpointPickerRef;
        const why = picker && await serviceEndpoints(ns, picker.name, await portNameOf(ns, picker.name, picker.port?.number));
        if (why) fail(m, `endpoint picker: ${why}`);
        break;
      }
      case 'Ingress': {
        for (const rule of obj.spec.rules ?? []) {
          for (const p of rule.http?.paths ?? []) {
            const svc = p.backend.service;
            const why = await serviceEndpoints(ns, svc.name, await portNameOf(ns, svc.name, svc.port.number ?? svc.port.name));
            if (why) fail(m, `routes to ${why}`);
          }
        }
        break;
      }
    }
  }
  return { checked, failures, unreconciled };
}
