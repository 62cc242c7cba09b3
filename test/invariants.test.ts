import * as fs from 'node:fs';
import { ApiObject, App, Chart, Testing, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { checkManifests, Gpu, InferenceService, INVARIANT_RULES, ModelServer } from '../lib';
import { selects } from '../lib/private/invariants/manifests';
import { synthService } from './util';

const deployment = (labels: Record<string, string>, extra: any = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ml' },
  spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8000 }], ...extra }] } } },
});

describe('selects', () => {
  test.each([
    [{ matchLabels: { a: '1' } }, { a: '1', b: '2' }, true],
    [{ matchLabels: { a: '2' } }, { a: '1' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '3'] }] }, { a: '1' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, { a: '1' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, { b: '1' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { b: '1' }, true],
    [{}, { any: 'thing' }, true],
  ])('%j selects %j: %s', (selector, labels, expected) => {
    expect(selects(selector, labels)).toBe(expected);
  });
});

describe('checkManifests', () => {
  test('everything an InferenceService emits satisfies every rule', () => {
    expect(checkManifests(synthService({ server: ModelServer.vllm({ model: 'm', tensorParallelSize: 2 }), gpu: Gpu.nvidia(2) }))).toEqual([]);
  });

  test('a Service selecting no pods', () => {
    const findings = checkManifests([deployment({ app: 'web' }), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ml' }, spec: { selector: { app: 'wbe' }, ports: [{ port: 80 }] } }]);
    expect(findings).toEqual([{
      rule: 'selector-matches-pods', object: 'Service/ml/web',
      message: 'selector {"app":"wbe"} selects no pod template in namespace \'ml\'', fix: 'make the selector equal to the labels of the pods it serves',
    }]);
  });

  test('a Service in another namespace than its pods', () => {
    const findings = checkManifests([deployment({ app: 'web' }), { kind: 'Service', metadata: { name: 'web', namespace: 'other' }, spec: { selector: { app: 'web' } } }]);
    expect(findings.map((f) => f.rule)).toEqual(['selector-matches-pods']);
  });

  test('a Service port targeting a port no container declares', () => {
    const findings = checkManifests([deployment({ app: 'web' }), { kind: 'Service', metadata: { name: 'web', namespace: 'ml' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { port: 81, targetPort: 'http' }] } }]);
    expect(findings).toEqual([expect.objectContaining({ rule: 'service-port-exists', message: "port 'http' targets 8080, which no selected container declares" })]);
  });

  test('a PDB that blocks every eviction, counting HPA minimum replicas', () => {
    const pdb = (spec: any) => ({ kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'ml' }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec } });
    const hpa = { kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'ml' }, spec: { minReplicas: 2, maxReplicas: 5, scaleTargetRef: { kind: 'Deployment', name: 'web' } } };
    expect(checkManifests([deployment({ app: 'web' }), pdb({ maxUnavailable: 0 })]).map((f) => f.rule)).toEqual(['pdb-allows-disruption']);
    expect(checkManifests([deployment({ app: 'web' }), pdb({ minAvailable: 3 })]).map((f) => f.message)).toEqual([
      'with 3 replica(s) it allows no voluntary disruption: node drains and upgrades block']);
    expect(checkManifests([deployment({ app: 'web' }), hpa, pdb({ minAvailable: 2 })]).map((f) => f.rule)).toEqual(['pdb-allows-disruption']);
    expect(checkManifests([deployment({ app: 'web' }), hpa, pdb({ minAvailable: 1 })])).toEqual([]);
  });

  test('a KEDA ScaledObject: its target (Deployment by default) must exist, and its minimum counts for the PDB', () => {
    const scaled = (spec: any) => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'web', namespace: 'ml' }, spec });
    const pdb = { kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'ml' }, spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: 1 } };
    expect(checkManifests([deployment({ app: 'web' }), scaled({ scaleTargetRef: { name: 'web' }, minReplicaCount: 2 })])).toEqual([]);
    expect(checkManifests([deployment({ app: 'web' }), scaled({ scaleTargetRef: { name: 'gone' } })]).map((f) => `${f.rule} ${f.object} ${f.message}`)).toEqual([
      "scale-target-exists ScaledObject/ml/web scaleTargetRef Deployment/gone is not among the manifests in namespace 'ml'"]);
    // KEDA's minimum replica count defaults to 0: then minAvailable 1 blocks every eviction.
    expect(checkManifests([deployment({ app: 'web' }), scaled({ scaleTargetRef: { name: 'web' }, minReplicaCount: 2 }), pdb])).toEqual([]);
    expect(checkManifests([deployment({ app: 'web' }), scaled({ scaleTargetRef: { name: 'web' } }), pdb]).map((f) => f.rule)).toEqual(['pdb-allows-disruption']);
  });

  test('a NetworkPolicy or HPA pointing at nothing', () => {
    const findings = checkManifests([
      deployment({ app: 'web' }),
      { kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'ml' }, spec: { podSelector: { matchLabels: { app: 'nothing' } } } },
      { kind: 'NetworkPolicy', metadata: { name: 'all', namespace: 'ml' }, spec: { podSelector: {} } },
      { kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'ml' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'gone' } } },
    ]);
    expect(findings.map((f) => `${f.rule} ${f.object}`)).toEqual([
      'selector-matches-pods NetworkPolicy/ml/np', 'scale-target-exists HorizontalPodAutoscaler/ml/h']);
  });

  test('a route to a missing Service or port', () => {
    const svc = { kind: 'Service', metadata: { name: 'web', namespace: 'ml' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8000, targetPort: 8000 }] } };
    const route = (backendRefs: any[]) => ({ kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'ml' }, spec: { rules: [{ backendRefs }] } });
    const d = deployment({ app: 'web' }, { ports: [{ name: 'http', containerPort: 8000 }] });
    expect(checkManifests([d, svc, route([{ name: 'web', port: 8000 }])])).toEqual([]);
    expect(checkManifests([d, svc, route([{ name: 'web', port: 9000 }, { name: 'gone', port: 80 }])]).map((f) => f.message)).toEqual([
      'backendRef web has no port 9000', 'backendRef gone is not a Service applied with it']);
  });

  test('a route to an InferencePool resolves it in the same namespace, also when neither names one', () => {
    const pool = (namespace?: string) => ({ kind: 'InferencePool', metadata: { name: 'p', namespace }, spec: {} });
    const route = (namespace?: string) => ({
      kind: 'HTTPRoute', metadata: { name: 'r', namespace }, spec: { rules: [{ backendRefs: [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'p' }] }] },
    });
    expect(checkManifests([pool(), route()])).toEqual([]);
    expect(checkManifests([pool('ml'), route('ml')])).toEqual([]);
    expect(checkManifests([pool('other'), route('ml')]).map((f) => f.message)).toEqual(['backendRef InferencePool p is not applied with it']);
  });

  test('every finding names a rule of INVARIANT_RULES, and each rule there can fire', () => {
    const d = deployment({ app: 'web' }, { lifecycle: { preStop: { exec: { command: ['sleep', '30'] } } }, resources: { limits: { 'nvidia.com/gpu': 2 } } });
    const meta = { name: 'x', namespace: 'ml' };
    const findings = checkManifests([
      d,
      { kind: 'Service', metadata: { name: 'none', namespace: 'ml' }, spec: { selector: { app: 'none' } } },
      { kind: 'Service', metadata: { name: 'web', namespace: 'ml' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
      { kind: 'PodDisruptionBudget', metadata: meta, spec: { selector: { matchLabels: { app: 'web' } }, maxUnavailable: 0 } },
      { kind: 'HorizontalPodAutoscaler', metadata: meta, spec: { scaleTargetRef: { kind: 'Deployment', name: 'gone' } } },
      { kind: 'ServiceMonitor', metadata: meta, spec: { selector: { matchLabels: { app: 'none' } } } },
      { kind: 'HTTPRoute', metadata: meta, spec: { rules: [{ backendRefs: [{ name: 'gone', port: 80 }] }] } },
      { kind: 'InferencePool', metadata: meta, spec: { selector: { matchLabels: { app: 'web' } }, targetPorts: [{ number: 8080 }], endpointPickerRef: { name: 'gone', port: { number: 9002 } } } },
      // A LeaderWorkerSet named like the Service 'web' (whose selector its leaders match).
      { kind: 'LeaderWorkerSet', metadata: { name: 'web', namespace: 'ml' }, spec: { leaderWorkerTemplate: { size: 2, workerTemplate: d.spec.template } } },
    ]);
    expect([...new Set(findings.map((f) => f.rule))].sort()).toEqual(Object.keys(INVARIANT_RULES).sort());
  });

  test('a preStop pause as long as the grace period, and many GPUs without /dev/shm', () => {
    const d = deployment({ app: 'web' }, { lifecycle: { preStop: { exec: { command: ['sleep', '30'] } } }, resources: { limits: { 'nvidia.com/gpu': 2 } } });
    expect(checkManifests([d]).map((f) => f.rule)).toEqual(['grace-covers-prestop', 'multi-gpu-shared-memory']);
  });
});

/** A Service `stray` whose selector has a typo (`chta`), so it selects no pods. */
function addServiceWithTypo(chart: Chart): void {
  new kplus.Service(chart, 'stray', { metadata: { name: 'stray' }, ports: [{ port: 80 }] }).selectLabel('app.kubernetes.io/name', 'chta');
}

describe('construct validation', () => {
  test('app.synth() fails with the construct path of an object that breaks a rule', () => {
    // GIVEN a chart with an InferenceService
    const app = new App({ outdir: Testing.app().outdir });
    const chart = new Chart(app, 'team', { namespace: 'ml' });
    new InferenceService(chart, 'chat', { server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1) });
    // WHEN the user adds a Service whose selector has a typo
    addServiceWithTypo(chart);
    // THEN the synth fails naming the construct
    expect(() => app.synth()).toThrow(/selector-matches-pods: team\/stray\/Resource \(Service\/ml\/stray\): selector \{"app.kubernetes.io\/name":"chta"\} selects no pod template/);
    // AND nothing is written
    expect(fs.readdirSync(app.outdir)).toEqual([]);
  });

  /** An app whose chart `broken` has a Service with a typo in its selector, beside healthy charts. */
  function appWithTypo(charts: string[], broken: string, props: { yamlOutputType?: YamlOutputType } = {}): App {
    const app = new App({ outdir: Testing.app().outdir, ...props });
    for (const id of charts) {
      const chart = new Chart(app, id, { namespace: id });
      new InferenceService(chart, 'chat', { server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1) });
      if (id === broken) addServiceWithTypo(chart);
    }
    return app;
  }

  test.each([
    ['one chart, synthYaml', () => appWithTypo(['a'], 'a'), (app: App) => app.synthYaml()],
    ['one chart, Testing.synth', () => appWithTypo(['a'], 'a'), (app: App) => Testing.synth(app.charts[0])],
    ['two charts, the second broken', () => appWithTypo(['a', 'b'], 'b'), (app: App) => app.synth()],
    ['two charts, the first broken', () => appWithTypo(['a', 'b'], 'a'), (app: App) => app.synth()],
    ['a file per resource', () => appWithTypo(['a'], 'a', { yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE }), (app: App) => app.synth()],
    ['one file for the app', () => appWithTypo(['a', 'b'], 'b', { yamlOutputType: YamlOutputType.FILE_PER_APP }), (app: App) => app.synth()],
  ])('%s: the synth fails naming the object and writes nothing', (_, build, synth) => {
    const app = build();
    expect(() => synth(app)).toThrow(/Validation failed with the following errors:\n  \[[ab]\] selector-matches-pods: [ab]\/stray\/Resource \(Service\/[ab]\/stray\)/);
    expect(fs.readdirSync(app.outdir)).toEqual([]);
  });

  test('in an app of one chart, the check reads the rendered output: each object is rendered once per synth', () => {
    // GIVEN a chart with an InferenceService, its Deployment's render counted
    const app = new App({ outdir: Testing.app().outdir });
    const chart = new Chart(app, 'team', { namespace: 'ml' });
    const svc = new InferenceService(chart, 'chat', { server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1) });
    const deployment = svc.node.findAll().find((c): c is ApiObject => ApiObject.isApiObject(c) && c.kind === 'Deployment');
    if (!deployment) throw new Error('the InferenceService has no Deployment');
    const render = deployment.toJson.bind(deployment);
    let renders = 0;
    deployment.toJson = () => { renders++; return render(); };
    // WHEN the app synthesizes
    app.synthYaml();
    // THEN the Deployment was rendered once, for the output the check read
    expect(renders).toBe(1);
    // AND a change made after a synth is checked at the next one
    addServiceWithTypo(chart);
    expect(() => app.synthYaml()).toThrow(/selector-matches-pods: team\/stray/);
  });
});
