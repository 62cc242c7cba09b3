// Self-healing scenarios against the reference architecture, each measured by sampling the live
// cluster: ready model-server pods per service, and what the routes point at.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalCluster, root, sleep, waitFor } from './cluster';
import { provisionVolumes } from './fleet';
import { Manifest, apply, synthApp } from './manifests';
import { isReady, readyEndpoints } from './steady-state';

/** One row of the scenario table. */
export interface ScenarioRow { scenario: string; figure: string; detail: string }

/** Ready, not terminating pods of each model-server Deployment, at one moment. */
export interface Sample { t: number; ready: Record<string, number>; desired: Record<string, number>; routes?: string[] }

const SERVICE = 'app.kubernetes.io/name';

/** Samples the namespace every `intervalMs` until stopped. */
export class Sampler {
  public readonly samples: Sample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly cluster: LocalCluster, private readonly ns: string, intervalMs = 200, private readonly withRoutes = false) {
    this.loop = (async () => {
      while (this.running) {
        this.samples.push(await this.sample());
        await sleep(intervalMs);
      }
    })();
  }

  /** Stops sampling and returns the samples. */
  public async stop(): Promise<Sample[]> {
    this.running = false;
    await this.loop;
    return this.samples;
  }

  /** The lowest ready count of a service over the samples. */
  public minReady(service: string): number {
    return Math.min(...this.samples.map((s) => s.ready[service] ?? 0));
  }

  private async sample(): Promise<Sample> {
    const t = Date.now();
    const [deployments, pods] = await Promise.all([
      this.cluster.list(`/apis/apps/v1/namespaces/${this.ns}/deployments`, 'app.kubernetes.io/component=model-server'),
      this.cluster.list(`/api/v1/namespaces/${this.ns}/pods`, 'app.kubernetes.io/component=model-server'),
    ]);
    const ready: Record<string, number> = {};
    const desired: Record<string, number> = {};
    for (const d of deployments) {
      desired[d.metadata.name] = d.spec.replicas ?? 1;
      ready[d.metadata.name] = pods.filter((p) => p.metadata.labels?.[SERVICE] === d.metadata.name && isReady(p)).length;
    }
    return { t, ready, desired, routes: this.withRoutes ? await routeViolations(this.cluster, this.ns) : undefined };
  }
}

/** Backends with weight that the namespace's routes send traffic to but that have no ready endpoint. */
export async function routeViolations(cluster: LocalCluster, ns: string): Promise<string[]> {
  const bad: string[] = [];
  for (const kind of ['httproutes', 'grpcroutes']) {
    for (const route of await cluster.list(`/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/${kind}`)) {
      for (const rule of route.spec.rules ?? []) {
        for (const b of (rule.backendRefs ?? []).filter((x: any) => x.weight !== 0 && (x.kind ?? 'Service') === 'Service')) {
          const ready = [...(await readyEndpoints(cluster, ns, b.name)).values()].reduce((a, c) => a + c, 0);
          if (ready === 0) bad.push(`${route.kind}/${route.metadata.name} -> ${b.name}`);
        }
      }
    }
  }
  return bad;
}

/** Ready pods of a service now. */
export async function podsOf(cluster: LocalCluster, ns: string, service: string): Promise<any[]> {
  return cluster.list(`/api/v1/namespaces/${ns}/pods`, `app.kubernetes.io/component=model-server,${SERVICE}=${service}`);
}

/** Waits until `service` has `count` ready pods, none of them in `gone` (uids). */
export async function waitRecovered(
  cluster: LocalCluster, ns: string, service: string, count: number, gone: string[], timeoutMs: number,
): Promise<number> {
  return waitFor(`${service} to have ${count} ready pods again`, timeoutMs, async () => {
    const ready = (await podsOf(cluster, ns, service)).filter(isReady);
    return ready.length >= count && ready.every((p) => !gone.includes(p.metadata.uid));
  }, 100);
}

/**
 * The reference architecture with a user's edit applied: main.ts copied beside itself with each
 * `[from, to]` replaced (every `from` must occur), synthesized the way the README says.
 */
export function editedReference(edits: [string, string][], name: string, out: string): Manifest[] {
  let source = fs.readFileSync(path.join(root, 'main.ts'), 'utf8');
  for (const [from, to] of edits) {
    if (!source.includes(from)) throw new Error(`main.ts no longer contains ${JSON.stringify(from)}: update the e2e edit '${name}'`);
    source = source.split(from).join(to);
  }
  const dir = path.join(root, '.e2e-edits');
  fs.mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, `${name}.ts`);
  fs.writeFileSync(entry, source.replace("from './lib'", "from '../lib'"));
  try {
    return synthApp(path.relative(root, entry), out);
  } finally {
    fs.rmSync(entry, { force: true });
  }
}

/** Applies an edited reference architecture and samples until `done` holds; returns the sampler. */
export async function rollOut(cluster: LocalCluster, ns: string, manifests: Manifest[], work: string, name: string,
  done: () => Promise<boolean>, timeoutMs: number, withRoutes = false,
): Promise<{ sampler: Sampler; ms: number; warnings: string[]; rejections: string[] }> {
  await provisionVolumes(cluster, manifests);
  const sampler = new Sampler(cluster, ns, 200, withRoutes);
  await sleep(300);
  const t0 = Date.now();
  const result = apply(cluster, manifests, work, name);
  let ms = 0;
  try {
    await waitFor(`${name} to complete`, timeoutMs, done, 200);
    ms = Date.now() - t0;
    await sleep(500);
  } finally {
    await sampler.stop();
  }
  return { sampler, ms, warnings: result.warnings, rejections: result.rejections };
}

/** Whether a Deployment's rollout is complete: all replicas updated, available and ready, old ones gone. */
export async function rolledOut(cluster: LocalCluster, ns: string, name: string): Promise<boolean> {
  const d = await cluster.get(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
  const s = d.status ?? {};
  const want = d.spec.replicas ?? 1;
  return s.observedGeneration >= d.metadata.generation && s.updatedReplicas === want && s.readyReplicas === want
    && s.replicas === want && (s.availableReplicas ?? 0) === want;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
