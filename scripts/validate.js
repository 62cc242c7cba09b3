#!/usr/bin/env node
// Validates every YAML file in the given folders with upstream tools and exits non-zero on any
// finding that is not an accepted exception.
//
//   npm run validate -- <folder> [<folder> ...] [--exceptions FILE] [--crds DIR] [--json] [--min-version 1.30]
//   (--min-version: the manifests target that Kubernetes version or newer; older schemas are skipped)
//
//   kubectl-validate  strict schema validation (unknown fields, names, types) against Kubernetes
//                     1.27 (the cdk8s-plus-27 floor) and 1.30 (the newest schemas it ships);
//                     custom resources against the CRDs in --crds (default .tools/crds)
//   kube-score        workload linting (CRITICAL and WARNING grades)
//   checkov           Kubernetes security checks (CKV_K8S_*)
//   psa-check         Pod Security Standards, evaluated by the Pod Security Admission library of
//                     Kubernetes itself: the level a Namespace in the folder enforces, "restricted"
//                     elsewhere, at policy versions latest and v1.27
//   invariants        the library's cross-object rules (selectors match pods, ports exist, …)
//
// kube-score, checkov and psa-check know no LeaderWorkerSet. They judge its pods in the objects
// the LWS controller makes of it (a leader StatefulSet, a worker StatefulSet for group 0 and the
// headless Service named after it); their findings are reported on the LeaderWorkerSet.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseAllDocuments, parse, stringify } = require('yaml');

const root = path.resolve(__dirname, '..');
const bin = path.join(root, '.tools', 'bin');
const KUBERNETES_VERSIONS = ['1.27', '1.30'];
const PSA_VERSIONS = ['latest', 'v1.27'];

function parseArgs(argv) {
  const args = { folders: [], exceptions: path.join(root, 'validation-exceptions.yaml'), crds: path.join(root, '.tools', 'crds'), json: false, minVersion: '1.0' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--exceptions') args.exceptions = path.resolve(argv[++i]);
    else if (argv[i] === '--crds') args.crds = path.resolve(argv[++i]);
    else if (argv[i] === '--json') args.json = true;
    else if (argv[i] === '--min-version') args.minVersion = argv[++i];
    else args.folders.push(path.resolve(argv[i]));
  }
  if (args.folders.length === 0) {
    console.error('usage: npm run validate -- <folder> [<folder> ...] [--exceptions FILE] [--crds DIR] [--json]');
    process.exit(2);
  }
  return args;
}

function yamlFiles(dir) {
  if (!fs.existsSync(dir)) throw new Error(`no such folder: ${dir}`);
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  }).sort();
}

const LWS_NAME = 'leaderworkerset.sigs.k8s.io/name';

/** The objects the LWS controller (sigs.k8s.io/lws v0.9) creates for a LeaderWorkerSet's first group. */
function lwsObjects(lws) {
  const { name, namespace } = lws.metadata;
  const { size, leaderTemplate, workerTemplate } = lws.spec.leaderWorkerTemplate;
  const member = (template, index) => ({
    ...template,
    metadata: { ...template.metadata, labels: { ...template.metadata?.labels, [LWS_NAME]: name, 'leaderworkerset.sigs.k8s.io/worker-index': index } },
  });
  const statefulSet = (stsName, replicas, template, index) => ({
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: stsName, namespace, labels: lws.metadata.labels },
    spec: { replicas, serviceName: name, podManagementPolicy: 'Parallel', selector: { matchLabels: { [LWS_NAME]: name, 'leaderworkerset.sigs.k8s.io/worker-index': index } }, template: member(template, index) },
  });
  return [
    statefulSet(name, lws.spec.replicas ?? 1, leaderTemplate ?? workerTemplate, '0'),
    ...(size > 1 ? [statefulSet(`${name}-0`, size - 1, workerTemplate, '1')] : []),
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP: 'None', selector: { [LWS_NAME]: name } } },
  ];
}

/**
 * The files as the workload linters read them: a LeaderWorkerSet replaced by what its controller
 * creates (written to a folder of their own), and how to name their findings' objects back.
 */
function workloadView(folder, files, docs) {
  const owners = new Map();
  if (![...docs.values()].flat().some((o) => o.kind === 'LeaderWorkerSet')) return { folder, files, owner: (object) => object };
  const view = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'validate-lws-'));
  const viewFiles = files.map((file, i) => {
    const objects = docs.get(file).flatMap((o) => {
      if (o.kind !== 'LeaderWorkerSet') return [o];
      const made = lwsObjects(o);
      // Workers are named apart: what a worker may lack (probes: it serves no port) a leader may not.
      made.forEach((m, j) => owners.set(ref(m), j === 1 && m.kind === 'StatefulSet' ? `${ref(o)}/workers` : ref(o)));
      return made;
    });
    const out = path.join(view, `${i}-${path.basename(file)}`);
    fs.writeFileSync(out, objects.map((o) => stringify(o)).join('---\n'));
    return out;
  });
  return { folder: view, files: viewFiles, owner: (object) => owners.get(object) ?? object, dispose: () => fs.rmSync(view, { recursive: true, force: true }) };
}

function run(tool, args) {
  const started = Date.now();
  const result = spawnSync(path.join(bin, tool), args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { ...result, ms: Date.now() - started };
}

function ensureTools() {
  const needed = ['kubectl-validate', 'kube-score', 'psa-check', 'checkov'];
  if (needed.every((t) => fs.existsSync(path.join(bin, t)))) return;
  const install = spawnSync('bash', [path.join(root, 'scripts', 'install-tools.sh')], { stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

const ref = (o) => `${o.kind}/${o.metadata?.namespace ?? '(default)'}/${o.metadata?.name}`;

const minor = (v) => Number(v.split('.')[1] ?? 0) + 1000 * Number(v.split('.')[0]);

function kubectlValidate(files, docs, crds, minVersion) {
  const findings = [];
  for (const version of KUBERNETES_VERSIONS.filter((v) => minor(v) >= minor(minVersion))) {
    const args = [...files, '--version', version, '-o', 'json'];
    if (fs.existsSync(crds)) args.push('--local-crds', crds);
    const r = run('kubectl-validate', args);
    let report;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      throw new Error(`kubectl-validate gave no report: ${r.stderr || r.stdout}`);
    }
    for (const [file, results] of Object.entries(report)) {
      const objects = docs.get(path.resolve(file)) ?? [];
      (Array.isArray(results) ? results : [results]).forEach((res, i) => {
        if (res.status === 'Success') return;
        const causes = res.details?.causes?.map((c) => `${c.field ?? ''}: ${c.message}`) ?? [res.message];
        for (const cause of causes) {
          findings.push({ tool: 'kubectl-validate', check: `kubernetes-${version}`, object: objects[i] ? ref(objects[i]) : `${path.basename(file)}#${i}`, message: cause });
        }
      });
    }
  }
  return findings;
}

function kubeScore(files) {
  const r = run('kube-score', ['score', '-o', 'json', ...files]);
  const report = JSON.parse(r.stdout || 'null') ?? [];
  const findings = [];
  for (const o of report) {
    for (const c of o.checks ?? []) {
      if (c.skipped || c.grade >= 10) continue;
      const level = c.grade <= 1 ? 'CRITICAL' : 'WARNING';
      const object = `${o.type_meta.kind}/${o.object_meta.namespace ?? '(default)'}/${o.object_meta.name}`;
      const comments = c.comments?.length ? c.comments : [{ summary: c.check.comment }];
      for (const comment of comments) {
        findings.push({ tool: 'kube-score', check: c.check.id, object, message: `${level}: ${comment.path ? `(${comment.path}) ` : ''}${comment.summary}` });
      }
    }
  }
  return findings;
}

function checkov(folder) {
  const r = run('checkov', ['-d', folder, '--framework', 'kubernetes', '-o', 'json', '--quiet', '--compact', '--skip-download']);
  if (!r.stdout.trim()) return [];
  let report = JSON.parse(r.stdout);
  report = Array.isArray(report) ? report : [report];
  const findings = [];
  for (const section of report) {
    for (const c of section.results?.failed_checks ?? []) {
      // checkov names resources Kind.namespace.name
      const [kind, namespace, ...name] = c.resource.split('.');
      findings.push({ tool: 'checkov', check: c.check_id, object: `${kind}/${namespace}/${name.join('.')}`, message: c.check_name });
    }
  }
  return findings;
}

function psaCheck(files) {
  const findings = [];
  for (const version of PSA_VERSIONS) {
    const r = run('psa-check', ['--level', 'restricted', '--version', version, ...files]);
    if (r.status === 2) throw new Error(`psa-check: ${r.stderr}`);
    for (const line of r.stdout.split('\n').filter(Boolean)) {
      // file: Kind/namespace/name: level: reason (detail)
      const m = /^(.*?): ([^:]+): (?:privileged|baseline|restricted): (.*)$/.exec(line);
      const object = m ? m[2].replace(/\/<nil>\//, '/(default)/') : line;
      findings.push({ tool: 'psa-check', check: `restricted-${version}`, object, message: m ? m[3] : line });
    }
  }
  return findings;
}

function invariants(objects) {
  const { checkManifests } = require('../validation/load-lib')();
  return checkManifests(objects).map((f) => ({ tool: 'invariants', check: f.rule, object: f.object, message: `${f.message}. Fix: ${f.fix}` }));
}

function loadExceptions(file) {
  if (!fs.existsSync(file)) return [];
  const list = parse(fs.readFileSync(file, 'utf8')) ?? [];
  for (const e of list) {
    if (!e.tool || !e.check || !e.reason) throw new Error(`${file}: every exception needs tool, check and reason: ${JSON.stringify(e)}`);
  }
  return list;
}

const glob = (pattern) => new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

/** The choices the library makes for every app (validation/library-choices.yaml), accepted for every app. */
const LIBRARY_CHOICES = path.join(root, 'validation', 'library-choices.yaml');

/**
 * `Kind/namespace/name` of every object the library emitted (label managed-by=cdk8s-inference), with
 * both spellings the tools use for an object without a namespace.
 */
function libraryObjectIds(objects) {
  const ids = new Set();
  for (const o of objects) {
    if (o.metadata?.labels?.['app.kubernetes.io/managed-by'] !== 'cdk8s-inference') continue;
    for (const ns of o.metadata.namespace ? [o.metadata.namespace] : ['default', '(default)']) {
      ids.add(`${o.kind}/${ns}/${o.metadata.name}`);
      if (o.kind === 'LeaderWorkerSet') ids.add(`${o.kind}/${ns}/${o.metadata.name}/workers`);
    }
  }
  return ids;
}

/**
 * `Kind/namespace/name` of every Deployment that runs one replica at the fewest: its own `replicas`,
 * else the minimum of the autoscaler (HPA, KEDA ScaledObject) that scales it or the Argo Rollout
 * that takes it over, else Kubernetes' default of 1.
 */
function singleReplicaIds(objects) {
  const key = (kind, ns, name) => `${kind}/${ns ?? '(default)'}/${name}`;
  const scalerMin = new Map();
  for (const o of objects) {
    const target = o.spec?.scaleTargetRef;
    if (o.kind === 'HorizontalPodAutoscaler' && target) scalerMin.set(key(target.kind, o.metadata.namespace, target.name), o.spec.minReplicas ?? 1);
    if (o.kind === 'ScaledObject' && target) scalerMin.set(key(target.kind ?? 'Deployment', o.metadata.namespace, target.name), o.spec.minReplicaCount ?? 0);
  }
  const rolloutMin = new Map();
  for (const o of objects.filter((r) => r.kind === 'Rollout' && r.spec?.workloadRef)) {
    const min = o.spec.replicas ?? scalerMin.get(key('Rollout', o.metadata.namespace, o.metadata.name)) ?? 1;
    rolloutMin.set(key(o.spec.workloadRef.kind, o.metadata.namespace, o.spec.workloadRef.name), min);
  }
  const ids = new Set();
  for (const d of objects.filter((o) => o.kind === 'Deployment')) {
    const id = key('Deployment', d.metadata.namespace, d.metadata.name);
    const min = d.spec?.replicas ?? rolloutMin.get(id) ?? scalerMin.get(id) ?? 1;
    if (min < 2) ids.add(id).add(key('Deployment', d.metadata.namespace ?? 'default', d.metadata.name));
  }
  return ids;
}

function excepted(finding, exceptions, libraryIds, singleReplicas) {
  return exceptions.find((e) => e.tool === finding.tool && e.check === finding.check
    && (e.objects ?? ['*']).some((o) => glob(o).test(finding.object))
    && (!e.libraryObjects || libraryIds.has(finding.object))
    && (!e.singleReplica || singleReplicas.has(finding.object)));
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  ensureTools();
  const exceptions = [...loadExceptions(LIBRARY_CHOICES), ...loadExceptions(args.exceptions)];
  const libraryIds = new Set();
  const singleReplicas = new Set();
  const timings = {};
  const all = [];
  let fileCount = 0;
  let objectCount = 0;
  for (const folder of args.folders) {
    const files = yamlFiles(folder);
    if (files.length === 0) throw new Error(`no YAML files in ${folder}`);
    fileCount += files.length;
    const docs = new Map(files.map((f) => [f, parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS()).filter(Boolean)]));
    const objects = [...docs.values()].flat();
    objectCount += objects.length;
    for (const id of libraryObjectIds(objects)) libraryIds.add(id);
    for (const id of singleReplicaIds(objects)) singleReplicas.add(id);
    const timed = (name, fn) => {
      const t = Date.now();
      const out = fn();
      timings[name] = (timings[name] ?? 0) + Date.now() - t;
      return out;
    };
    const view = workloadView(folder, files, docs);
    const linted = (findings) => findings.map((f) => ({ ...f, object: view.owner(f.object) }));
    try {
      all.push(
        ...timed('kubectl-validate', () => kubectlValidate(files, docs, args.crds, args.minVersion)),
        ...linted(timed('kube-score', () => kubeScore(view.files))),
        ...linted(timed('checkov', () => checkov(view.folder))),
        ...linted(timed('psa-check', () => psaCheck(view.files))),
        ...timed('invariants', () => invariants(objects)),
      );
    } finally {
      view.dispose?.();
    }
  }
  const results = all.map((f) => ({ ...f, exception: excepted(f, exceptions, libraryIds, singleReplicas)?.reason }));
  const failures = results.filter((f) => !f.exception);
  if (args.json) {
    process.stdout.write(JSON.stringify({ files: fileCount, objects: objectCount, findings: results, timings }, null, 2) + '\n');
  } else {
    for (const f of results) {
      console.log(`${f.exception ? 'accepted' : 'FAIL    '} ${f.tool} ${f.check} ${f.object}: ${f.message}${f.exception ? `  [${f.exception}]` : ''}`);
    }
    const ms = Object.entries(timings).map(([k, v]) => `${k} ${v} ms`).join(', ');
    console.log(`validate: ${fileCount} files, ${objectCount} objects; ${failures.length} findings, ${results.length - failures.length} accepted (${ms})`);
  }
  process.exit(failures.length > 0 ? 1 : 0);
}

try {
  main();
} catch (e) {
  console.error(`validate: ${e.message}`);
  process.exit(2);
}
