// Synthesis benchmark: prints figures, asserts nothing.
//
//   npm run bench                 N = 1, 10, 100, 1000, three runs each, median reported
//   npm run bench -- 1 10 100     other sizes
//
// For each N it synthesizes, each in a fresh process, (a) N InferenceServices, each with its
// ModelVolume (S3 with a shared cache), ObservabilityBundle, HPA and PDB; (b) a hand-written
// cdk8s-plus-27 chart emitting the same kinds of objects for N services (smaller objects: fewer
// probes, rules and panels); (c) the very objects of (a) written out as cdk8s ApiObject literals,
// what cdk8s itself costs for the same YAML; and (d) serializes the rendered objects of (a) with
// cdk8s's Yaml.stringify alone, the floor. Times are in-process: building the construct tree and
// rendering YAML (app.synthYaml(), validations included), without disk I/O, each after a full
// garbage collection.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ApiObject, App, Chart, Size, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { parseAllDocuments } from 'yaml';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr, ServiceMonitor } from '../imports/monitoring.coreos.com';
import { Gpu, InferenceService, ModelServer, ModelSource, ModelVolume, ObservabilityBundle, Scaling } from '../lib';

type Case = 'ours' | 'plain' | 'same' | 'floor';
interface Sample { objects: number; kib: number; ms: number; rssMiB: number }

function ours(n: number): App {
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  for (let i = 0; i < n; i++) {
    const weights = new ModelVolume(chart, `weights-${i}`, {
      source: ModelSource.s3(`s3://models/m${i}/v1/`, { version: 'v1' }),
      size: Size.gibibytes(16),
      cacheSize: Size.gibibytes(40),
    });
    const svc = new InferenceService(chart, `svc-${i}`, {
      server: ModelServer.vllm({}),
      modelVolume: weights,
      gpu: Gpu.nvidia(1),
      scaling: Scaling.onQueueDepth({ minReplicas: 2, maxReplicas: 4 }),
    });
    new ObservabilityBundle(chart, `obs-${i}`, { services: [svc] });
  }
  return app;
}

/** The same kinds of objects, written by hand with cdk8s-plus-27 and the imported CRD classes. */
function plain(n: number): App {
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'bench', { namespace: 'bench', disableResourceNameHashes: true });
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    const labels = { 'app.kubernetes.io/name': name };
    const claim = new k8s.KubePersistentVolumeClaim(chart, `${name}-cache`, {
      metadata: { name: `${name}-cache` },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: k8s.Quantity.fromString('40Gi') } } },
    });
    new k8s.KubeJob(chart, `${name}-fill`, {
      metadata: { name: `${name}-fill` },
      spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'fill', image: 'kserve/storage-initializer:v0.17.0', args: [`s3://models/m${i}/v1/`, '/mnt/models'] }],
        volumes: [{ name: 'cache', persistentVolumeClaim: { claimName: claim.name } }] } } },
    });
    const sa = new kplus.ServiceAccount(chart, `${name}-sa`, { metadata: { name }, automountToken: false });
    const deployment = new kplus.Deployment(chart, name, {
      metadata: { name },
      serviceAccount: sa,
      containers: [{
        name: 'server', image: 'vllm/vllm-openai:v0.18.0', args: ['/models/m/v1', '--port=8000'], portNumber: 8000,
        resources: { cpu: { request: kplus.Cpu.units(4) }, memory: { request: Size.gibibytes(32), limit: Size.gibibytes(32) } },
        startup: kplus.Probe.fromHttpGet('/health', { port: 8000, failureThreshold: 90 }),
        readiness: kplus.Probe.fromHttpGet('/health', { port: 8000 }),
        liveness: kplus.Probe.fromHttpGet('/version', { port: 8000 }),
        securityContext: { readOnlyRootFilesystem: true, user: 10001 },
      }],
    });
    const service = deployment.exposeViaService({ name, ports: [{ port: 8000 }] });
    new kplus.HorizontalPodAutoscaler(chart, `${name}-hpa`, {
      target: deployment, minReplicas: 2, maxReplicas: 4,
      metrics: [kplus.Metric.pods({ name: 'vllm_num_requests_waiting', target: kplus.MetricTarget.averageValue(5) })],
    });
    new k8s.KubePodDisruptionBudget(chart, `${name}-pdb`, {
      metadata: { name }, spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } },
    });
    new kplus.NetworkPolicy(chart, `${name}-np`, { metadata: { name }, selector: deployment, ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY } });
    new ServiceMonitor(chart, `${name}-sm`, { metadata: { name }, spec: { selector: { matchLabels: labels }, endpoints: [{ port: 'http' }] } });
    new PrometheusRule(chart, `${name}-rules`, {
      metadata: { name },
      spec: { groups: [{ name, rules: [{ alert: 'Down', expr: PrometheusRuleSpecGroupsRulesExpr.fromString(`up{service="${service.name}"} == 0`), for: '5m' }] }] },
    });
    new kplus.ConfigMap(chart, `${name}-dashboard`, { metadata: { name: `${name}-dashboard` }, data: { 'dashboard.json': '{}' } });
  }
  return app;
}

/**
 * The very objects `ours(n)` emits, written out by hand as cdk8s `ApiObject` literals: what cdk8s
 * itself costs to emit the same YAML, with no construct logic.
 */
function sameContent(objects: any[]): App {
  const app = new App({ outdir: os.tmpdir() });
  const chart = new Chart(app, 'bench', { disableResourceNameHashes: true });
  objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
  return app;
}

/** Starts each timed section after a full collection, so no case pays for garbage made before it. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function measure(kind: Case, n: number): Sample {
  if (kind === 'same') {
    const reference = ours(n);
    const objects = reference.charts[0].toJson();
    collectGarbage();
    const start = process.hrtime.bigint();
    const yaml = sameContent(objects).synthYaml();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const parse = (text: string) => parseAllDocuments(text).map((d) => d.toJS());
    // Equal objects; only the order of some keys differs (cdk8s sorts keys before our patches run).
    if (!isDeepStrictEqual(parse(yaml), parse(reference.synthYaml()))) throw new Error('the same-content chart does not emit the same objects');
    return { objects: objects.length, kib: yaml.length / 1024, ms, rssMiB: process.resourceUsage().maxRSS / 1024 };
  }
  if (kind === 'floor') {
    // The objects of our chart, rendered beforehand; only serialization is timed, by cdk8s's own
    // Yaml.stringify (the yaml library cdk8s bundles, with its options).
    const objects = ours(n).charts[0].toJson();
    collectGarbage();
    const start = process.hrtime.bigint();
    const text = Yaml.stringify(...objects);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    return { objects: objects.length, kib: text.length / 1024, ms, rssMiB: process.resourceUsage().maxRSS / 1024 };
  }
  collectGarbage();
  const start = process.hrtime.bigint();
  const yaml = (kind === 'ours' ? ours(n) : plain(n)).synthYaml();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { objects: (yaml.match(/^kind: /gm) ?? []).length, kib: yaml.length / 1024, ms, rssMiB: process.resourceUsage().maxRSS / 1024 };
}

function child(kind: Case, n: number): Sample {
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', './scripts/register.js', __filename, '--child', kind, String(n)], {
    cwd: path.resolve(__dirname, '..'), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${kind} ${n}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function median<T>(xs: T[], key: (x: T) => number): T {
  return [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)];
}

function synthWallTime(runs: number): number[] {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['scripts/synth.js', path.join(out, 'dist')], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  fs.rmSync(out, { recursive: true, force: true });
  return times.sort((a, b) => a - b);
}

function main(): void {
  if (process.argv[2] === '--child') {
    process.stdout.write(JSON.stringify(measure(process.argv[3] as Case, Number(process.argv[4]))) + '\n');
    return;
  }
  const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
  const ns = sizes.length ? sizes : [1, 10, 100, 1000];
  const runs = 3;
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${runs} runs per cell, median shown\n`);
  console.log('| N | ours: objects, KiB | ours ms | ours peak RSS MiB | plain: objects, KiB | plain cdk8s-plus ms | plain peak RSS MiB | same content ms | yaml floor ms | ours/plain per object | ours/plain per KiB | ours/same content | ours/floor |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const oursMs = new Map<number, number>();
  for (const n of ns) {
    const o = median(Array.from({ length: runs }, () => child('ours', n)), (s) => s.ms);
    const p = median(Array.from({ length: runs }, () => child('plain', n)), (s) => s.ms);
    const c = median(Array.from({ length: runs }, () => child('same', n)), (s) => s.ms);
    const f = median(Array.from({ length: runs }, () => child('floor', n)), (s) => s.ms);
    oursMs.set(n, o.ms);
    const perObject = (o.ms / o.objects) / (p.ms / p.objects);
    const perKib = (o.ms / o.kib) / (p.ms / p.kib);
    console.log(`| ${n} | ${o.objects}, ${o.kib.toFixed(0)} | ${o.ms.toFixed(0)} | ${o.rssMiB.toFixed(0)} | ${p.objects}, ${p.kib.toFixed(0)} | ${p.ms.toFixed(0)} | ${p.rssMiB.toFixed(0)} | ${c.ms.toFixed(0)} | ${f.ms.toFixed(0)} | ${perObject.toFixed(2)} | ${perKib.toFixed(2)} | ${(o.ms / c.ms).toFixed(2)} | ${(o.ms / f.ms).toFixed(1)} |`);
  }
  if (oursMs.has(100) && oursMs.has(1000)) console.log(`\ntime(1000) / time(100) = ${(oursMs.get(1000)! / oursMs.get(100)!).toFixed(2)}`);
  const wall = synthWallTime(5);
  console.log(`npm run synth of main.ts, fresh process, 5 runs: median ${wall[2].toFixed(0)} ms (min ${wall[0].toFixed(0)}, max ${wall[4].toFixed(0)})`);
}

main();
