// End to end on a real control plane: every synthesized app applied to kube-apiserver with its
// controllers and scheduler, steady state asserted object by object, admission exercised, and the
// reference architecture shown to heal itself, with figures. Processes run on loopback only.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalCluster, bin, root, sleep, waitFor } from './cluster';
import { createFleet, installCrds, kwokConfiguration, providePriorityClasses, provisionVolumes, NODE_ANNOTATION } from './fleet';
import { Manifest, apply, identity, label, objectPath, readManifests, synthApp } from './manifests';
import { MetricsAdapter } from './metrics-adapter';
import { PROPERTY_E2E_APPS, PROPERTY_SEED, dryRunAll, generatedApps } from './properties';
import { ScenarioRow, Sampler, editedReference, podsOf, rollOut, rolledOut, routeViolations, seconds, waitRecovered } from './scenarios';
import { NO_CONTROLLER_HERE, checkSteadyState, conditionIs, designedDisruptions, isReady } from './steady-state';

/** How long a model server takes to load its model here (kwok's stage delays its readiness by this). */
const MODEL_LOAD_MS = 5_000;
const CRDS = path.join(root, '.tools', 'crds');
const REFERENCE_NS = 'inference';
const started = Date.now();
const rows: ScenarioRow[] = [];

let cluster: LocalCluster;
let work: string;
let failed = false;

beforeAll(async () => {
  cluster = new LocalCluster({ kwokConfig: kwokConfiguration(MODEL_LOAD_MS), nodeAnnotation: `${NODE_ANNOTATION.key}=${NODE_ANNOTATION.value}` });
  work = path.join(cluster.dir, 'apps');
  fs.mkdirSync(work);
  try {
    await cluster.start();
    await installCrds(cluster, CRDS);
    const nodes = await createFleet(cluster);
    await waitFor('kwok to make every node Ready', 60_000, async () => {
      const live = await cluster.list('/api/v1/nodes');
      return live.filter((n) => conditionIs(n, 'Ready')).length === nodes.length;
    });
  } catch (e) {
    console.error(cluster.logTails());
    throw e;
  }
}, 180_000);

afterAll(async () => {
  if (cluster) {
    await cluster.stop();
    if (failed) process.stdout.write(`The control plane's logs are kept in ${cluster.dir}\n`);
    else cluster.cleanUp();
  }
  fs.rmSync(path.join(root, '.e2e-edits'), { recursive: true, force: true });
  const table = [
    '| scenario | figure | detail |', '|---|---|---|',
    ...rows.map((r) => `| ${r.scenario} | ${r.figure} | ${r.detail} |`),
  ].join('\n');
  process.stdout.write(`\nSelf-healing on the control plane (model load ${seconds(MODEL_LOAD_MS)}):\n${table}\n\ne2e total: ${seconds(Date.now() - started)}\n`);
}, 60_000);

/** Fails with the control plane's logs attached. */
function explain<T>(f: () => Promise<T>): () => Promise<T> {
  return async () => {
    try {
      return await f();
    } catch (e) {
      failed = true;
      console.error(cluster.logTails());
      throw e;
    }
  };
}

describe('the control plane', () => {
  test('every component runs and listens on loopback only', explain(async () => {
    for (const name of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']) expect(cluster.running(name)).toBe(true);
    const listening = listeningAddresses();
    expect(listening.length).toBeGreaterThan(0);
    expect(listening.filter((a) => !isLoopback(a))).toEqual([]);
  }));
});

/** Apps applied together: no object of one shares group, kind, namespace and name with another's. */
interface App { name: string; example: boolean; manifests: Manifest[] }
function waves(apps: App[]): App[][] {
  const result: { names: Set<string>; apps: App[] }[] = [];
  for (const app of apps) {
    const ids = app.manifests.map(identity);
    let wave = result.find((w) => ids.every((id) => !w.names.has(id)));
    if (!wave) result.push(wave = { names: new Set(), apps: [] });
    ids.forEach((id) => wave!.names.add(id));
    wave.apps.push(app);
  }
  return result.map((w) => w.apps);
}

describe('every synthesized app on the API server', () => {
  const entries = [
    ...fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.ts')).map((f) => `examples/${f}`),
    ...fs.readdirSync(path.join(root, 'test', 'fixtures', 'apps')).filter((f) => f.endsWith('.ts')).map((f) => `test/fixtures/apps/${f}`),
  ];
  const apps = () => entries.map((entry) => ({
    name: path.basename(entry, '.ts'), example: entry.startsWith('examples/'), manifests: synthApp(entry, path.join(work, path.basename(entry, '.ts'))),
  }));

  test('each app applies with 0 rejections and 0 warnings, reaches steady state object by object, and is deleted again', explain(async () => {
    const all = apps();
    // dist/ is applied last, on its own, and stays for the self-healing scenarios.
    const dist = readManifests(path.join(root, 'dist'));
    const distIds = new Set(dist.map(identity));
    const first = all.filter((a) => a.manifests.every((m) => !distIds.has(identity(m))));
    const later = all.filter((a) => !first.includes(a));
    for (const wave of [...waves(first), ...waves(later)]) {
      const manifests = wave.flatMap((a) => a.manifests);
      await providePriorityClasses(cluster, manifests);
      await noneTerminating(manifests);
      for (const app of wave) {
        // Examples are copied by users and must create their namespaces; fixture apps (test inputs)
        // get theirs the way the quick start makes one.
        if (app.example) {
          expect({ app: app.name, namespacesNotCreated: namespacesNotCreated(app.manifests) }).toEqual({ app: app.name, namespacesNotCreated: [] });
        }
        await createNamespaces(cluster, namespacesNotCreated(app.manifests));
        const r = apply(cluster, app.manifests, work, app.name);
        expect({ app: app.name, rejections: r.rejections, warnings: r.warnings }).toEqual({ app: app.name, rejections: [], warnings: [] });
        expect(r.applied).toBe(app.manifests.length);
      }
      await provisionVolumes(cluster, manifests);
      const state = await settle(manifests, 90_000);
      if (state.failures.length) console.error(await warningEvents(manifests));
      expect({ apps: wave.map((a) => a.name), failures: state.failures }).toEqual({ apps: wave.map((a) => a.name), failures: [] });
      expect(state.checked).toBe(manifests.length);
      // A LeaderWorkerSet is accepted with its scale subresource (what an autoscaler reads); its
      // groups' pods need the LWS controller, which this control plane does not run.
      for (const lws of manifests.filter((m) => m.kind === 'LeaderWorkerSet')) {
        const { namespace, name } = lws.metadata;
        const scale = await cluster.request('GET', `/apis/leaderworkerset.x-k8s.io/v1/namespaces/${namespace}/leaderworkersets/${name}/scale`);
        expect({ name, status: scale.status, replicas: scale.body?.spec?.replicas }).toEqual({ name, status: 200, replicas: lws.spec.replicas ?? 1 });
        expect(state.unreconciled).toContain(`${label(lws)} (${NO_CONTROLLER_HERE.LeaderWorkerSet})`);
      }
      if (wave.some((a) => a.name.startsWith('gateways-'))) await admissionIsReal();
      await deleteApps(manifests);
    }
  }), 600_000);

  test('the README quick start works on a fresh cluster: namespace, server-side dry run, apply, steady state', explain(async () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const example = /## The simplest complete example\n+```ts\n([\s\S]*?)```/.exec(readme)![1];
    const quickStart = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1];
    const dir = path.join(root, '.e2e-edits');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'quick-start.ts'), example.replace("from 'cdk8s-inference'", "from '../lib'"));
    const manifests = synthApp('.e2e-edits/quick-start.ts', path.join(work, 'quick-start'));
    const ns = manifests[0].metadata.namespace!;
    await noneTerminating(manifests);
    // Each kubectl line of the quick start, in its order, against this cluster.
    const commands = quickStart.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.startsWith('kubectl '));
    expect(commands.slice(0, 3)).toEqual([`kubectl create namespace ${ns}`, 'kubectl apply --server-side --dry-run=server -f dist/', 'kubectl apply --server-side -f dist/']);
    expect(commands[3]).toMatch(new RegExp(`^kubectl -n ${ns} rollout status deployment/chat`));
    for (const command of commands) {
      const r = cluster.kubectl(command.split(' ').slice(1).map((a) => (a === 'dist/' ? path.join(work, 'quick-start') : a)));
      expect({ command, status: r.status, stderr: r.stderr }).toEqual({ command, status: 0, stderr: '' });
    }
    const state = await settle(manifests, 60_000);
    expect(state.failures).toEqual([]);
    await deleteApps(manifests);
  }), 180_000);

  test('dist/ (and the Python twin\'s output, when its wheel is installed) applies and reaches steady state', explain(async () => {
    const dist = readManifests(path.join(root, 'dist'));
    await noneTerminating(dist);
    // Why the quick start creates the namespace first: nothing is created in a dry run.
    const dry = cluster.kubectl(['apply', '--server-side', '--dry-run=server', '-f', path.join(root, 'dist')]);
    expect(dry.stderr).toMatch(/namespaces "inference" not found/);
    const r = apply(cluster, dist, work, 'dist');
    expect(r).toEqual({ applied: dist.length, rejections: [], warnings: [] });
    await provisionVolumes(cluster, dist);
    const python = pythonTwin();
    if (python) {
      expect(python.map(identity).sort()).toEqual(dist.map(identity).sort());
      expect(apply(cluster, python, work, 'python')).toEqual({ applied: python.length, rejections: [], warnings: [] });
    }
    const state = await settle(dist, 90_000);
    expect(state.failures).toEqual([]);
    expect(state.checked).toBe(dist.length);
  }), 180_000);
});

/** Waits until the steady-state check passes (or the time is up) and returns its last verdict. */
async function settle(manifests: Manifest[], timeoutMs: number) {
  const start = Date.now();
  let state = await checkSteadyState(cluster, manifests);
  while (state.failures.length > 0 && Date.now() - start < timeoutMs) {
    await sleep(1_000);
    state = await checkSteadyState(cluster, manifests);
  }
  return state;
}

/** The Warning events of the namespaces of `manifests`, one line per reason and object: why something did not settle. */
async function warningEvents(manifests: Manifest[]): Promise<string> {
  const lines = new Set<string>();
  for (const ns of new Set(manifests.map((m) => m.metadata.namespace).filter((n): n is string => !!n))) {
    for (const e of await cluster.list(`/api/v1/namespaces/${ns}/events`)) {
      if (e.type === 'Warning') lines.add(`${e.involvedObject.kind}/${ns}/${e.involvedObject.name} ${e.reason}: ${e.message}`);
    }
  }
  return [...lines].slice(0, 60).join('\n');
}

const namespacesOf = (manifests: Manifest[]) => [...new Set(manifests.map((m) => m.metadata.namespace).filter((n): n is string => !!n))];

/** Namespaces the objects of `manifests` live in but that no Namespace object among them creates. */
const namespacesNotCreated = (manifests: Manifest[]) => namespacesOf(manifests)
  .filter((n) => !manifests.some((m) => m.kind === 'Namespace' && m.metadata.name === n));

/** Creates the namespaces that do not exist yet, the way the quick start does (`kubectl create namespace`). */
async function createNamespaces(c: LocalCluster, namespaces: string[]): Promise<void> {
  for (const n of namespaces) {
    if ((await c.request('GET', `/api/v1/namespaces/${n}`)).status === 404) expect(c.kubectl(['create', 'namespace', n])).toEqual(expect.objectContaining({ status: 0 }));
  }
}

/** Deletes an app's namespaces and cluster-scoped objects; the namespace controller finishes in the background. */
async function deleteApps(manifests: Manifest[]): Promise<void> {
  for (const m of manifests.filter((x) => !x.metadata.namespace && x.kind !== 'Namespace')) {
    await cluster.request('DELETE', objectPath(m.apiVersion, m.kind, undefined, m.metadata.name));
  }
  for (const ns of namespacesOf(manifests)) await cluster.request('DELETE', `/api/v1/namespaces/${ns}`);
}

/** Waits until none of the namespaces of `manifests` is still being deleted by an earlier app. */
async function noneTerminating(manifests: Manifest[]): Promise<void> {
  const namespaces = namespacesOf(manifests);
  await waitFor(`namespaces ${namespaces.join(', ')} to finish terminating`, 120_000, async () => {
    const statuses = await Promise.all(namespaces.map((ns) => cluster.request('GET', `/api/v1/namespaces/${ns}`)));
    return statuses.every((s) => s.status === 404 || s.body.status?.phase === 'Active');
  }, 250);
}

/** The Python reference app's YAML, when the library's wheel is installed in .tools/python (the package test installs it). */
function pythonTwin(): Manifest[] | undefined {
  const python = path.join(root, '.tools', 'python', 'bin', 'python');
  if (!fs.existsSync(python)) return undefined;
  try {
    execFileSync(python, ['-c', 'import cdk8s_inference'], { stdio: 'pipe' });
  } catch {
    process.stdout.write('The Python twin was not applied: the library\'s wheel is not installed (npm test installs it before the e2e runs).\n');
    return undefined;
  }
  const out = path.join(work, 'python');
  execFileSync(python, ['app.py', out], { cwd: path.join(root, 'examples', 'python'), stdio: 'pipe' });
  return readManifests(out);
}

/** Pod Security and the pinned-image policy, by real create calls in a namespace of the gateways fixture. */
async function admissionIsReal(): Promise<void> {
  const ns = 'gw-envoy-gateway';
  const nsObj = await cluster.get(`/api/v1/namespaces/${ns}`);
  expect(nsObj.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  const restricted = {
    runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
  };
  const pod = (name: string, image: string, securityContext: any) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'c', image, securityContext, resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } } }] },
  });
  const create = (p: any) => cluster.request('POST', `/api/v1/namespaces/${ns}/pods`, p);

  const privileged = await create(pod('privileged', 'busybox:1.37.0', { privileged: true }));
  expect(privileged.status).toBe(403);
  expect(privileged.body.message).toMatch(/violates PodSecurity "restricted:latest": privileged/);

  const latest = await create(pod('latest', 'busybox:latest', restricted));
  expect(latest.status).toBe(422);
  expect(latest.body.message).toMatch(/ValidatingAdmissionPolicy '[^']+' with binding '[^']+' denied request/);

  const pinned = await create(pod('pinned', 'busybox:1.37.0', restricted));
  expect({ status: pinned.status, message: pinned.body.message }).toEqual({ status: 201, message: undefined });
  await cluster.request('DELETE', `/api/v1/namespaces/${ns}/pods/pinned`);
}

/** The TCP sockets of the cluster's processes, from /proc: state (0A is LISTEN), local and remote address. */
function sockets(): { state: string; local: string; remote: string }[] {
  const inodes = new Set<string>();
  for (const pid of fs.readFileSync(path.join(root, '.tools', 'e2e.pids'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0])) {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      const target = (() => { try { return fs.readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ''; } })();
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m) inodes.add(m[1]);
    }
  }
  const found: { state: string; local: string; remote: string }[] = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean)) {
      const cols = line.trim().split(/\s+/);
      if (!inodes.has(cols[9])) continue;
      const address = (col: string) => { const [hex, port] = col.split(':'); return `${v6 ? ipv6(hex) : ipv4(hex)}:${parseInt(port, 16)}`; };
      found.push({ state: cols[3], local: address(cols[1]), remote: address(cols[2]) });
    }
  }
  return found;
}
const isLoopback = (address: string) => address.startsWith('127.') || address.startsWith('::1:');
/** Addresses the cluster's processes listen on. */
const listeningAddresses = () => sockets().filter((x) => x.state === '0A').map((x) => x.local);
const ipv4 = (hex: string) => hex.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join('.');
const ipv6 = (hex: string) => (hex === '00000000000000000000000001000000' ? '::1' : hex === '0000000000000000FFFF00000100007F' ? '127.0.0.1' : `[${hex}]`);

describe('the reference architecture heals itself', () => {
  const ns = REFERENCE_NS;
  const desired = async (service: string) => (await cluster.get(`/apis/apps/v1/namespaces/${ns}/deployments/${service}`)).spec.replicas as number;

  test('a killed model-server pod is replaced and ready again', explain(async () => {
    const want = await desired('chat');
    const [victim] = (await podsOf(cluster, ns, 'chat'));
    const sampler = new Sampler(cluster, ns);
    const t0 = Date.now();
    await cluster.request('DELETE', `/api/v1/namespaces/${ns}/pods/${victim.metadata.name}`);
    await waitRecovered(cluster, ns, 'chat', want, [victim.metadata.uid], 60_000);
    const ms = Date.now() - t0;
    await sampler.stop();
    rows.push({ scenario: 'kill a model-server pod (chat, vLLM)', figure: `ready again in ${seconds(ms)}`, detail: `ready replicas ${want} → ${sampler.minReady('chat')} → ${want}` });
    expect(ms).toBeGreaterThanOrEqual(MODEL_LOAD_MS);
  }), 90_000);

  test('a drain while replicas are loading never takes more pods of a service down than its PDB allows, and finishes', explain(async () => {
    const want = await desired('chat');
    const pdbs = new Map<string, number>();
    for (const p of await cluster.list(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`)) {
      pdbs.set(p.spec.selector.matchLabels['app.kubernetes.io/name'], designedDisruptions(p.spec, p.status.expectedPods));
    }
    const [loading, serving] = (await podsOf(cluster, ns, 'chat')).filter(isReady);
    const node = serving.spec.nodeName;
    const sampler = new Sampler(cluster, ns);
    await cluster.request('DELETE', `/api/v1/namespaces/${ns}/pods/${loading.metadata.name}`);
    // The replacement is loading: chat's PDB allows no eviction until it is Ready.
    await waitFor('chat\'s PDB to allow no disruption', 10_000, async () => (await cluster.get(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/chat`)).status.disruptionsAllowed === 0, 50);
    const t0 = Date.now();
    const drain = await cluster.kubectlAsync(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=150s']);
    const ms = Date.now() - t0;
    await waitRecovered(cluster, ns, 'chat', want, [loading.metadata.uid, serving.metadata.uid], 60_000);
    await sampler.stop();
    cluster.kubectl(['uncordon', node]);
    const refused = (drain.stderr.match(/would violate the pod's disruption budget/g) ?? []).length;
    rows.push({
      scenario: `drain ${node} while a chat replica loads`,
      figure: `drain finished in ${seconds(ms)}`,
      detail: `${refused} evictions refused by PDBs; lowest ready chat ${sampler.minReady('chat')}/${want}`,
    });
    expect(drain.status).toBe(0);
    expect(refused).toBeGreaterThan(0);
    const breaches = sampler.samples.flatMap((s) => Object.entries(s.ready)
      .filter(([service, ready]) => s.desired[service] - ready > (pdbs.get(service) ?? 0))
      .map(([service, ready]) => `${service}: ${ready}/${s.desired[service]} ready at +${s.t - t0} ms`));
    expect(breaches).toEqual([]);
  }), 240_000);

  test('a new model version and a new image roll out with ready replicas never below desired', explain(async () => {
    for (const [name, edits] of [
      ['model-version', [["llamaWeights('llama-3-1-8b', '2024-07-23')", "llamaWeights('llama-3-1-8b', '2024-10-01')"]]],
      ['image', [["llamaWeights('llama-3-1-8b', '2024-07-23')", "llamaWeights('llama-3-1-8b', '2024-10-01')"],
        ["ModelServer.vllm({ servedModelName", "ModelServer.vllm({ image: 'vllm/vllm-openai:v0.18.1', servedModelName"]]],
    ] as [string, [string, string][]][]) {
      const manifests = editedReference(edits, name, path.join(work, `edit-${name}`));
      const want = await desired('chat');
      const before = (await cluster.get(`/apis/apps/v1/namespaces/${ns}/deployments/chat`)).metadata.generation;
      const r = await rollOut(cluster, ns, manifests, work, `edit-${name}`, async () => {
        const d = await cluster.get(`/apis/apps/v1/namespaces/${ns}/deployments/chat`);
        return d.metadata.generation > before && await rolledOut(cluster, ns, 'chat') && await rolledOut(cluster, ns, 'chat-canary');
      }, 120_000);
      expect({ rejections: r.rejections, warnings: r.warnings }).toEqual({ rejections: [], warnings: [] });
      rows.push({ scenario: `roll out a new ${name === 'image' ? 'image (vLLM v0.18.1)' : 'model version (ModelVolume 2024-10-01)'}`, figure: `complete in ${seconds(r.ms)}`, detail: `lowest ready chat ${r.sampler.minReady('chat')}/${want} over ${r.sampler.samples.length} samples` });
      expect(r.sampler.minReady('chat')).toBeGreaterThanOrEqual(want);
      const live = await cluster.get(`/apis/apps/v1/namespaces/${ns}/deployments/chat`);
      expect(live.spec.template.metadata.labels['inference.cdk8s.io/model-version']).toBe('2024-10-01');
    }
  }), 300_000);

  test('a blue-green switch and a canary weight change never route to a Service without ready endpoints', explain(async () => {
    const edits: [string, string][] = [
      ["llamaWeights('llama-3-1-8b', '2024-07-23')", "llamaWeights('llama-3-1-8b', '2024-10-01')"],
      ["ModelServer.vllm({ servedModelName", "ModelServer.vllm({ image: 'vllm/vllm-openai:v0.18.1', servedModelName"],
      ['ReleaseStrategy.blueGreen(ReleaseColor.BLUE)', 'ReleaseStrategy.blueGreen(ReleaseColor.GREEN)'],
      ['ReleaseStrategy.weighted(95, 5)', 'ReleaseStrategy.weighted(50, 50)'],
    ];
    const manifests = editedReference(edits, 'switch', path.join(work, 'edit-switch'));
    const r = await rollOut(cluster, ns, manifests, work, 'edit-switch', async () => {
      const routes = [...await cluster.list(`/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes`),
        ...await cluster.list(`/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/grpcroutes`)];
      const backends = routes.flatMap((x) => (x.spec.rules ?? []).flatMap((rule: any) => (rule.backendRefs ?? []).map((b: any) => `${b.name}=${b.weight ?? 1}`)));
      return backends.includes('chat-canary=50') && backends.filter((b) => b.startsWith('classifier-green=')).length === 2
        && !backends.some((b) => b.startsWith('classifier='));
    }, 60_000, true);
    expect({ rejections: r.rejections, warnings: r.warnings }).toEqual({ rejections: [], warnings: [] });
    const violations = r.sampler.samples.flatMap((s) => s.routes ?? []);
    rows.push({ scenario: 'switch blue → green and canary 5% → 50%', figure: `routes updated in ${seconds(r.ms)}`, detail: `${violations.length} samples of ${r.sampler.samples.length} with a route to a Service without ready endpoints` });
    expect(violations).toEqual([]);
    expect(await routeViolations(cluster, ns)).toEqual([]);
  }), 120_000);

  test('the HPA scales a service up on its queue depth, read from a custom metrics API', explain(async () => {
    const hpa = await cluster.get(`/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/chat`);
    const metric = hpa.spec.metrics[0].pods.metric.name;
    const target = Number(hpa.spec.metrics[0].pods.target.averageValue);
    const before = await desired('chat');
    const adapter = new MetricsAdapter(cluster);
    // Every chat replica reports four times the queue it is sized for.
    adapter.set(ns, 'chat', metric, target * 4);
    try {
      await adapter.start();
      const t0 = Date.now();
      await waitFor('the HPA to scale chat up', 60_000, async () => (await desired('chat')) > before, 200).catch(async (e) => {
        const h = await cluster.get(`/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/chat`);
        throw new Error(`${e.message}: adapter reads ${adapter.reads}; HPA status ${JSON.stringify(h.status)}`);
      });
      const scaled = Date.now() - t0;
      const want = await desired('chat');
      await waitRecovered(cluster, ns, 'chat', want, [], 60_000);
      const ready = Date.now() - t0;
      const live = await cluster.get(`/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/chat`);
      const active = live.status.conditions.find((c: any) => c.type === 'ScalingActive');
      rows.push({
        scenario: `queue depth ${target * 4} per chat replica (target ${target})`,
        figure: `HPA scaled ${before} → ${want} in ${seconds(scaled)}, all Ready in ${seconds(ready)}`,
        detail: `${adapter.reads} metric reads by the HPA controller; ${Math.ceil(before * 4)} wanted, the scale-up policy allows 2 pods a minute`,
      });
      expect(active).toEqual(expect.objectContaining({ status: 'True', reason: 'ValidMetricFound' }));
      // The scale-up policy allows 2 pods a minute, counting the HPA's own scale-up to minReplicas.
      expect(want).toBeGreaterThan(before);
      expect(want).toBeLessThanOrEqual(Math.min(before + 2, hpa.spec.maxReplicas));
    } finally {
      await adapter.stop();
    }
  }), 150_000);

  test('a lost GPU node: its pods are replaced elsewhere within the documented toleration', explain(async () => {
    const want = await desired('chat');
    const [victim] = (await podsOf(cluster, ns, 'chat')).filter((p) => !p.metadata.deletionTimestamp);
    const node = victim.spec.nodeName;
    const tolerated = victim.spec.tolerations.find((t: any) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute');
    const sampler = new Sampler(cluster, ns, 500);
    // The node's kubelet stops: its Lease is taken from kwok, so nothing renews it any more.
    const lease = await cluster.get(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`);
    const t0 = Date.now();
    const taken = await cluster.request('PUT', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`, {
      ...lease, spec: { ...lease.spec, holderIdentity: 'e2e-node-lost', leaseDurationSeconds: 3600, renewTime: new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') },
    });
    expect(taken.status).toBe(200);
    const lost = await waitFor(`${node} to become NotReady`, 120_000, async () => {
      return conditionIs(await cluster.get(`/api/v1/nodes/${node}`), 'Ready', 'Unknown');
    }, 500);
    const evicted = await waitFor(`${victim.metadata.name} to be evicted`, 120_000, async () => {
      const p = await cluster.request('GET', `/api/v1/namespaces/${ns}/pods/${victim.metadata.name}`);
      return p.status === 404 || !!p.body.metadata.deletionTimestamp;
    }, 250);
    await waitRecovered(cluster, ns, 'chat', want, [victim.metadata.uid], 120_000);
    const replaced = Date.now() - t0;
    await sampler.stop();
    rows.push({
      scenario: `lose GPU node ${node} (heartbeats stop)`,
      figure: `replacement Ready ${seconds(replaced)} after the loss`,
      detail: `NotReady after ${seconds(lost)} (node-monitor-grace-period 50 s), evicted ${seconds(evicted)} later (tolerationSeconds ${tolerated?.tolerationSeconds}), model load ${seconds(MODEL_LOAD_MS)}`,
    });
    expect(tolerated?.tolerationSeconds).toBeLessThanOrEqual(60);
    const replacements = (await podsOf(cluster, ns, 'chat')).filter((p) => !p.metadata.deletionTimestamp);
    expect(replacements.every((p) => p.spec.nodeName !== node)).toBe(true);
  }), 300_000);

  test('after every scenario, no process of the control plane holds a connection outside loopback', () => {
    const connections = sockets().filter((x) => x.state !== '0A');
    expect(connections.length).toBeGreaterThan(0);
    expect(connections.filter((x) => !isLoopback(x.remote))).toEqual([]);
  });
});

describe('a planted defect fails the e2e', () => {
  // The broken fixtures are bare objects in namespace fixtures, as a user's hand-written YAML would be.
  beforeAll(() => cluster.kubectl(['create', 'namespace', 'fixtures']));

  test('an object the API server rejects is reported as a rejection', explain(async () => {
    const broken = readManifests(path.join(root, 'test', 'fixtures', 'broken', 'misspelled-field'));
    const r = apply(cluster, broken, work, 'broken-field');
    expect(r.rejections.join('\n')).toMatch(/Deployment\).*\.imagePullPolcy: field not declared in schema/);
  }), 120_000);

  test('a Service that selects no pods fails the steady-state check', explain(async () => {
    const broken = readManifests(path.join(root, 'test', 'fixtures', 'broken', 'service-selects-no-pods'));
    expect(apply(cluster, broken, work, 'broken-service').rejections).toEqual([]);
    const state = await settle(broken, 5_000);
    expect(state.failures).toContainEqual(expect.stringMatching(/^Service\/fixtures\/web: has no ready endpoint/));
  }), 120_000);

  test('a LeaderWorkerSet its CRD refuses is a rejection; a Service beside one that selects none of its pods still fails', explain(async () => {
    const ns = 'fixtures';
    const labels = { 'app.kubernetes.io/name': 'group' };
    const template = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox:1.37.0' }] } };
    const lws = (name: string, restartPolicy: string): Manifest => ({
      apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', metadata: { name, namespace: ns },
      spec: { replicas: 1, leaderWorkerTemplate: { size: 2, restartPolicy, workerTemplate: template } },
    });
    expect(apply(cluster, [lws('bad-restart', 'RestartEverything')], work, 'lws-refused').rejections.join('\n')).toMatch(/restartPolicy: Unsupported value: "RestartEverything"/);
    const beside: Manifest[] = [
      lws('group', 'RecreateGroupOnPodRestart'),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'group', namespace: ns }, spec: { selector: labels, ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'group-typo', namespace: ns }, spec: { selector: { 'app.kubernetes.io/name': 'gruop' }, ports: [{ port: 80 }] } },
      // A route to both: the group's backend is unreconciled, the other one still judged.
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'to-both', namespace: ns }, spec: { rules: [{ backendRefs: [{ name: 'group', port: 80 }, { name: 'group-typo', port: 80 }] }] } },
    ];
    expect(apply(cluster, beside, work, 'lws-beside').rejections).toEqual([]);
    const state = await settle(beside, 3_000);
    expect(state.failures).toEqual([
      expect.stringMatching(/^Service\/fixtures\/group-typo: has no ready endpoint/),
      expect.stringMatching(/^HTTPRoute\/fixtures\/to-both: routes to Service fixtures\/group-typo has no ready endpoint/),
    ]);
    expect(state.unreconciled).toEqual(expect.arrayContaining([expect.stringMatching(/^Service\/fixtures\/group \(selects or reaches the pods of LeaderWorkerSet\/fixtures\/group/)]));
  }), 120_000);

  test('each steady-state check fails on its planted defect', explain(async () => {
    const ns = 'fixtures';
    const meta = (name: string) => ({ name, namespace: ns });
    const web = { matchLabels: { 'app.kubernetes.io/name': 'planted' } };
    const planted: Manifest[] = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('planted'), spec: { replicas: 2, selector: web, template: { metadata: { labels: web.matchLabels }, spec: { containers: [{ name: 'c', image: 'busybox:1.37.0' }] } } } },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('blocks-drains'), spec: { maxUnavailable: 0, selector: web } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('for-nobody'), spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nobody' } }, policyTypes: ['Ingress'] } },
      { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta('scales-nothing'), spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'missing' }, minReplicas: 1, maxReplicas: 2, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] } },
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('never-bound'), spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'no-such-class', resources: { requests: { storage: '1Gi' } } } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta('to-nowhere'), spec: { rules: [{ backendRefs: [{ name: 'missing', port: 80 }] }] } },
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: meta('scrapes-nothing'), spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'nobody' } }, endpoints: [{ port: 'metrics' }] } },
      { apiVersion: 'inference.networking.k8s.io/v1', kind: 'InferencePool', metadata: meta('pools-nobody'), spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'nobody' } }, targetPorts: [{ number: 8000 }], endpointPickerRef: { name: 'missing-epp', port: { number: 9002 } } } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta('to-no-pool'), spec: { rules: [{ backendRefs: [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'missing' }] }] } },
    ];
    expect(apply(cluster, planted, work, 'planted').rejections).toEqual([]);
    const state = await settle(planted, 8_000);
    const expected = [
      /^HTTPRoute\/fixtures\/to-nowhere: routes to Service fixtures\/missing does not exist/,
      /^InferencePool\/fixtures\/pools-nobody: selector app.kubernetes.io\/name=nobody matches no ready pod/,
      /^HTTPRoute\/fixtures\/to-no-pool: routes to InferencePool missing, which does not exist/,
      /^HorizontalPodAutoscaler\/fixtures\/scales-nothing: AbleToScale False \(FailedGetScale/,
      /^NetworkPolicy\/fixtures\/for-nobody: podSelector app.kubernetes.io\/name=nobody matches no live pod/,
      /^PersistentVolumeClaim\/fixtures\/never-bound: phase Pending/,
      /^PodDisruptionBudget\/fixtures\/blocks-drains: allows no disruption: a node drain could never finish/,
      /^ServiceMonitor\/fixtures\/scrapes-nothing: selector app.kubernetes.io\/name=nobody matches no Service/,
    ];
    for (const e of expected) expect(state.failures).toContainEqual(expect.stringMatching(e));
    expect(state.failures).toHaveLength(expected.length);
  }), 60_000);
});

describe('generated apps (property-based, test/properties/arbitraries.ts) on the API server', () => {
  test('valid generated apps that synthesize are accepted by a server-side dry run with 0 rejections', explain(async () => {
    const apps = generatedApps(PROPERTY_SEED, PROPERTY_E2E_APPS);
    expect(apps.length).toBe(PROPERTY_E2E_APPS);
    await providePriorityClasses(cluster, apps.flatMap((a) => a.manifests));
    const verdicts = await dryRunAll(cluster, apps, work, PROPERTY_SEED);
    const warnings = verdicts.flatMap((v) => v.warnings.map((w) => `${v.app}: ${w}`));
    process.stdout.write(`generated apps (seed ${PROPERTY_SEED}): ${apps.length} apps, ${verdicts.reduce((n, v) => n + v.objects, 0)} objects, ` +
      `${warnings.length} warnings${warnings.length ? `:\n${[...new Set(warnings)].slice(0, 20).join('\n')}` : ''}\n`);
    const failing = verdicts.filter((v) => v.reproduce);
    expect({ seed: PROPERTY_SEED, failing }).toEqual({ seed: PROPERTY_SEED, failing: [] });
  }), 120_000);
});

test('the binaries the e2e runs are the pinned ones', () => {
  const version = execFileSync(path.join(bin, 'kube-apiserver'), ['--version'], { encoding: 'utf8' }).trim();
  expect(version).toBe('Kubernetes v1.37.2');
});

// Older API servers, acceptance only: controllers must not be newer than the API server, and only these
// API servers are built. 1.30 is the first minor with ValidatingAdmissionPolicy GA, 1.27 the library's
// default target. An app named <name>-<major.minor>.ts targets that minor or newer.
describe.each([['1.30', 'v1.30.14'], ['1.27', 'v1.27.16']])('kube-apiserver %s: acceptance', (minor, version) => {
  let old: LocalCluster;
  beforeAll(async () => {
    old = new LocalCluster({ binDir: path.join(root, '.tools', `k8s-${minor}`), apiServerOnly: true });
    await old.start();
    await installCrds(old, CRDS);
  }, 120_000);
  afterAll(async () => {
    if (old) {
      await old.stop();
      old.cleanUp();
    }
  }, 60_000);

  test(`kube-apiserver ${version} accepts every app that targets it with 0 rejections and 0 warnings`, async () => {
    expect((await old.get('/version')).gitVersion).toBe(version);
    const targets = (app: string) => { const t = /-(\d+)\.(\d+)$/.exec(app); return !t || Number(t[2]) <= Number(minor.split('.')[1]); };
    const folders = fs.readdirSync(work).filter((f) => fs.statSync(path.join(work, f)).isDirectory() && !f.startsWith('edit-') && targets(f));
    expect(folders.length).toBeGreaterThanOrEqual(minor === '1.30' ? 8 : 7);
    const verdicts = [];
    for (const app of [path.join(root, 'dist'), ...folders.map((f) => path.join(work, f))]) {
      const manifests = readManifests(app);
      await createNamespaces(old, namespacesNotCreated(manifests));
      const r = apply(old, manifests, work, `old-${minor}-${path.basename(app)}`);
      verdicts.push({ app: path.basename(app), objects: manifests.length, applied: r.applied, rejections: r.rejections, warnings: r.warnings });
    }
    expect(verdicts).toEqual(verdicts.map((v) => ({ ...v, applied: v.objects, rejections: [], warnings: [] })));
  }, 180_000);
});
