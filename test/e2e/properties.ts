// The property-based apps (test/properties/arbitraries.ts) on a real API server: valid generated apps
// that synthesize, each in its own namespace, applied server-side as a dry run, so admission and the
// schemas (CRDs included) judge every object without controllers acting on them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { AppSpec, buildApp, validApp } from '../properties/arbitraries';
import { LocalCluster } from './cluster';
import { Manifest, label } from './manifests';

/** The seed of the apps (PROPERTY_SEED, as in the unit property test). */
export const PROPERTY_SEED = Number(process.env.PROPERTY_SEED ?? 20261216);
/** How many synthesizing apps are applied (PROPERTY_E2E_APPS). */
export const PROPERTY_E2E_APPS = Number(process.env.PROPERTY_E2E_APPS ?? 40);

/** One generated app: its spec (the counterexample to print) and its objects. */
export interface GeneratedApp { name: string; spec: AppSpec; manifests: Manifest[] }

/** The first `count` valid apps of `seed` that synthesize, app i in namespace `prop-<i>`. */
export function generatedApps(seed: number, count: number): GeneratedApp[] {
  const apps: GeneratedApp[] = [];
  for (const [i, sample] of fc.sample(validApp, { seed, numRuns: count * 3 }).entries()) {
    if (apps.length === count) break;
    const spec = { ...sample, namespace: `prop-${i}` };
    const outcome = buildApp(spec);
    if (outcome.manifests) apps.push({ name: `prop-${i}`, spec, manifests: outcome.manifests });
  }
  return apps;
}

/** What the API server said to a dry run: objects it would apply, refusals and warnings. */
export interface DryRun { applied: number; rejections: string[]; warnings: string[] }

/** `kubectl apply --server-side --dry-run=server` of `manifests` (Namespaces first); nothing is stored. */
export function dryRunApply(cluster: LocalCluster, manifests: Manifest[], workDir: string, name: string): DryRun {
  const ordered = [...manifests.filter((m) => m.kind === 'Namespace'), ...manifests.filter((m) => m.kind !== 'Namespace')];
  const file = path.join(workDir, `${name}.dry-run.yaml`);
  fs.writeFileSync(file, ordered.map((m) => JSON.stringify(m)).join('\n---\n'));
  const r = cluster.kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager', 'cdk8s-inference', '--force-conflicts', '-f', file]);
  const stderr = r.stderr.split('\n').filter(Boolean);
  return {
    applied: (r.stdout.match(/serverside-applied \(server dry run\)/g) ?? []).length,
    rejections: stderr.filter((l) => !/^Warning:/.test(l)),
    warnings: stderr.filter((l) => /^Warning:/.test(l)),
  };
}

/**
 * Creates the namespaces the objects of `manifests` live in that do not exist yet (a dry run
 * creates nothing, so its namespaced objects need them), and returns those it created.
 */
export async function createMissingNamespaces(cluster: LocalCluster, manifests: Manifest[]): Promise<string[]> {
  const created: string[] = [];
  const namespaces = new Set(manifests.flatMap((m) => [m.metadata.namespace, m.kind === 'Namespace' ? m.metadata.name : undefined]));
  for (const ns of [...namespaces].filter((n): n is string => !!n)) {
    if ((await cluster.request('GET', `/api/v1/namespaces/${ns}`)).status !== 404) continue;
    const r = await cluster.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    if (r.status !== 201) throw new Error(`could not create namespace ${ns}: ${r.status} ${JSON.stringify(r.body)}`);
    created.push(ns);
  }
  return created;
}

/** The verdict on one app, with what reproduces it when it is not clean. */
export interface AppVerdict { app: string; objects: number; applied: number; rejections: string[]; warnings: string[]; reproduce?: string }

/**
 * Dry-runs every app on `cluster`, each after its namespaces exist, and deletes the namespaces it
 * created. A verdict with rejections carries the seed, the app's spec and its objects' names.
 */
export async function dryRunAll(cluster: LocalCluster, apps: GeneratedApp[], workDir: string, seed: number): Promise<AppVerdict[]> {
  const verdicts: AppVerdict[] = [];
  const created: string[] = [];
  try {
    for (const app of apps) {
      created.push(...await createMissingNamespaces(cluster, app.manifests));
      const r = dryRunApply(cluster, app.manifests, workDir, app.name);
      const clean = r.rejections.length === 0 && r.applied === app.manifests.length;
      verdicts.push({
        app: app.name, objects: app.manifests.length, ...r,
        reproduce: clean ? undefined : `PROPERTY_SEED=${seed}; app: ${JSON.stringify(app.spec)}; objects: ${app.manifests.map(label).join(', ')}`,
      });
    }
  } finally {
    for (const ns of created) await cluster.request('DELETE', `/api/v1/namespaces/${ns}`);
  }
  return verdicts;
}
