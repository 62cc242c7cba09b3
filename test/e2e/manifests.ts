// Synthesized apps as the end-to-end test reads and applies them.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { LocalCluster, root } from './cluster';

/** A Kubernetes object as synthesized. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  [k: string]: any
};

/** The objects of every YAML file in `dir`. */
export function readManifests(dir: string): Manifest[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()))
    .filter((m) => m && m.kind);
}

/** Synthesizes a cdk8s app (a .ts entry point) with the project's safe synth into `out`. */
export function synthApp(entry: string, out: string): Manifest[] {
  execFileSync(process.execPath, ['scripts/synth.js', out, entry], { cwd: root, stdio: 'pipe', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
  return readManifests(out);
}

/** group/kind/namespace/name: what the API server tells objects apart by. */
export function identity(m: Manifest): string {
  const group = m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
  return `${group}/${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

/** `Kind/namespace/name`, as reports name an object. */
export function label(m: Manifest): string {
  return `${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
}

/** What the API server said to an apply: objects it refused and warnings it returned. */
export interface ApplyResult { applied: number; rejections: string[]; warnings: string[] }

/**
 * Server-side apply, as a user would run it (`kubectl apply --server-side`), of `manifests` with
 * Namespaces first. Every object is sent; each refusal and each warning is collected.
 */
export function apply(cluster: LocalCluster, manifests: Manifest[], workDir: string, name: string): ApplyResult {
  const ordered = [...manifests.filter((m) => m.kind === 'Namespace'), ...manifests.filter((m) => m.kind !== 'Namespace')];
  // JSON documents: exactly the values parsed, with no YAML 1.1/1.2 re-quoting ("off" stays a string).
  const file = path.join(workDir, `${name}.apply.yaml`);
  fs.writeFileSync(file, ordered.map((m) => JSON.stringify(m)).join('\n---\n'));
  const r = cluster.kubectl(['apply', '--server-side', '--field-manager', 'cdk8s-inference', '--force-conflicts', '-f', file]);
  const stderr = r.stderr.split('\n').filter(Boolean);
  return {
    applied: (r.stdout.match(/serverside-applied/g) ?? []).length,
    rejections: stderr.filter((l) => !/^Warning:/.test(l)),
    warnings: stderr.filter((l) => /^Warning:/.test(l)),
  };
}

/** The live object for `m`, or undefined when the API server does not have it. */
export async function live(cluster: LocalCluster, m: Manifest): Promise<any | undefined> {
  const r = await cluster.request('GET', objectPath(m.apiVersion, m.kind, m.metadata.namespace, m.metadata.name));
  return r.status === 200 ? r.body : undefined;
}

/** The REST path of a kind, by the API's plural rule (every kind the library emits follows it). */
export function objectPath(apiVersion: string, kind: string, namespace?: string, name?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const lower = kind.toLowerCase();
  const resource = /[^aeiou]y$/.test(lower) ? `${lower.slice(0, -1)}ies` : lower.endsWith('s') ? `${lower}es` : `${lower}s`;
  return `${base}${namespace ? `/namespaces/${namespace}` : ''}/${resource}${name ? `/${name}` : ''}`;
}
