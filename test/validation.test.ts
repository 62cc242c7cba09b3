import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Yaml } from 'cdk8s';
import { parse } from 'yaml';
import { PROPERTY_E2E_APPS, PROPERTY_SEED, generatedApps } from './e2e/properties';

// Everything synthesized is judged by upstream tools (installed by scripts/install-tools.sh,
// which the test setup runs): kubectl-validate, kube-score, checkov, the Pod Security Admission
// library (psa-check) and the library's cross-object rules.
const root = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Finding { tool: string; check: string; object: string; message: string; exception?: string }
interface Report { files: number; objects: number; findings: Finding[] }

function validate(...args: string[]): { status: number | null; report?: Report; stderr: string } {
  const r = spawnSync(process.execPath, ['scripts/validate.js', '--json', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, report: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

function synth(app: string): string {
  const out = path.join(work, path.basename(app, '.ts'));
  execFileSync(process.execPath, ['scripts/synth.js', out, app], { cwd: root, stdio: 'pipe' });
  return out;
}

describe('npm run validate', () => {
  test('dist/ passes every validator and linter', () => {
    const { status, report } = validate('dist');
    expect(report!.findings.filter((f) => !f.exception)).toEqual([]);
    expect(report!.objects).toBeGreaterThanOrEqual(13);
    expect(status).toBe(0);
  });

  const apps = [
    ...fs.readdirSync(path.join(root, 'test', 'fixtures', 'apps')).filter((f) => f.endsWith('.ts')).map((f) => `test/fixtures/apps/${f}`),
    ...fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.ts')).map((f) => `examples/${f}`),
  ];
  test.each(apps)('app %s passes every validator and linter', (app) => {
    // An app named <name>-<major.minor>.ts targets that Kubernetes version or newer.
    const target = /-(\d+\.\d+)\.ts$/.exec(app)?.[1];
    const { status, report } = validate(synth(app), ...(target ? ['--min-version', target] : []));
    expect(report!.findings.filter((f) => !f.exception)).toEqual([]);
    expect(report!.objects).toBeGreaterThanOrEqual(15);
    expect(status).toBe(0);
  });

  test('custom resources validate against the CRDs generated from the upstream API packages', () => {
    const { report } = validate('test/fixtures/custom-resources');
    expect(report!.findings.filter((f) => f.tool === 'kubectl-validate')).toEqual([]);
    expect(report!.objects).toBe(2);
    // The fixture's ServiceMonitor has no Service to scrape: the cross-object rule says so.
    expect(report!.findings.map((f) => `${f.tool} ${f.check} ${f.object}`)).toEqual(['invariants service-monitor-matches ServiceMonitor/fixtures/web']);
  });

  test('a custom resource whose CRD is unknown fails instead of being skipped', () => {
    const { status, report } = validate('test/fixtures/custom-resources', '--crds', path.join(work, 'no-crds'));
    expect(status).toBe(1);
    expect(report!.findings).toContainEqual(expect.objectContaining({
      tool: 'kubectl-validate', object: 'ServiceMonitor/fixtures/web', message: expect.stringContaining('failed to locate OpenAPI spec for GV: monitoring.coreos.com/v1'),
    }));
  });

  test('each accepted finding carries its reason from validation/library-choices.yaml or validation-exceptions.yaml', () => {
    const { report } = validate('dist');
    const listed = ['validation/library-choices.yaml', 'validation-exceptions.yaml']
      .flatMap((f) => parse(fs.readFileSync(path.join(root, f), 'utf8')) as { tool: string; check: string; reason: string }[]);
    expect(report!.findings.length).toBeGreaterThan(0);
    for (const f of report!.findings) {
      expect(listed).toContainEqual(expect.objectContaining({ tool: f.tool, check: f.check, reason: f.exception }));
    }
  });
});

describe('generated apps (property-based, test/properties/arbitraries.ts) pass every validator', () => {
  // The apps the control-plane e2e dry-runs, judged here by the validators. Accepted: the library's
  // choices (validation/library-choices.yaml) and the generator's own (test/properties/validation-exceptions.yaml),
  // nothing else. One folder per Kubernetes target, as `--min-version` says.
  test('valid generated apps have no finding but the library\'s accepted choices', () => {
    const apps = generatedApps(PROPERTY_SEED, PROPERTY_E2E_APPS);
    expect(apps.length).toBe(PROPERTY_E2E_APPS);
    const generatorChoices = path.join(root, 'test', 'properties', 'validation-exceptions.yaml');
    const failing: Finding[] = [];
    // kubectl-validate ships schemas up to 1.30: apps that target 1.33 are judged by the 1.37 API server's dry run (e2e).
    for (const target of ['1.27', '1.30', '1.33']) {
      const ofTarget = apps.filter((a) => targetOf(a.spec) === target);
      if (ofTarget.length === 0) continue;
      const folder = path.join(work, `generated-${target}`);
      fs.mkdirSync(folder, { recursive: true });
      for (const app of ofTarget) fs.writeFileSync(path.join(folder, `${app.name}.yaml`), Yaml.stringify(...app.manifests));
      const { report, stderr } = validate(folder, '--exceptions', generatorChoices, '--min-version', target);
      if (!report) throw new Error(`validate gave no report: ${stderr}`);
      failing.push(...report.findings.filter((f) => !f.exception));
    }
    expect({ seed: PROPERTY_SEED, failing }).toEqual({ seed: PROPERTY_SEED, failing: [] });
  }, 120_000);
});

/** The newest Kubernetes version an app's volumes or baseline target (`1.27` when none says). */
function targetOf(spec: unknown): string {
  const versions = [...JSON.stringify(spec).matchAll(/"kubernetesVersion":"1\.(\d+)"/g)].map((m) => Number(m[1]));
  return `1.${Math.max(27, ...versions)}`;
}

describe('the library\'s own choices are accepted for every app, and only for its objects', () => {
  test('a single-replica service without a namespace validates; the same findings on the user\'s own Deployment fail', () => {
    const { status, report } = validate(synth('test/fixtures/single-replica-app.ts'));
    const failing = report!.findings.filter((f) => !f.exception);
    // The library's service: a deliberate single replica (kube-score deployment-replicas), no namespace
    // (checkov CKV_K8S_21) and tag-pinned images (CKV_K8S_43) are accepted with the reasons in validation/library-choices.yaml.
    expect(failing.filter((f) => /\/embed/.test(f.object))).toEqual([]);
    const accepted = report!.findings.filter((f) => f.exception && /\/embed$/.test(f.object)).map((f) => `${f.tool} ${f.check}`);
    expect(accepted).toEqual(expect.arrayContaining(['kube-score deployment-replicas', 'checkov CKV_K8S_21', 'checkov CKV_K8S_43']));
    // The user's own Deployment is not the library's: its image without a digest and its default namespace still fail.
    for (const check of ['CKV_K8S_43', 'CKV_K8S_21']) {
      expect(failing).toContainEqual(expect.objectContaining({ tool: 'checkov', check, object: expect.stringMatching(/^Deployment\/default\/single-mine/) }));
    }
    expect(status).toBe(1);
  });
});

describe('the checks bite: each broken fixture fails', () => {
  const cases: [string, Partial<Finding>[]][] = [
    ['misspelled-field', [
      { tool: 'kubectl-validate', check: 'kubernetes-1.27', message: expect.stringContaining('imagePullPolcy') },
      { tool: 'kubectl-validate', check: 'kubernetes-1.30', message: expect.stringContaining('unknown field') },
    ]],
    ['misspelled-custom-resource', [
      { tool: 'kubectl-validate', check: 'kubernetes-1.30', object: 'ServiceMonitor/fixtures/web', message: expect.stringContaining('spec.endpoints[0].intervall') },
    ]],
    ['privileged-container', [
      { tool: 'psa-check', check: 'restricted-latest', message: expect.stringContaining('privileged') },
      { tool: 'psa-check', check: 'restricted-v1.27' },
      { tool: 'kube-score', check: 'container-security-context-privileged' },
      { tool: 'checkov', check: 'CKV_K8S_16' },
    ]],
    ['latest-image', [{ tool: 'kube-score', check: 'container-image-tag' }, { tool: 'checkov', check: 'CKV_K8S_14' }]],
    ['missing-probes', [{ tool: 'checkov', check: 'CKV_K8S_8' }, { tool: 'checkov', check: 'CKV_K8S_9' }]],
    ['invalid-name', [{ tool: 'kubectl-validate', check: 'kubernetes-1.27', object: 'Deployment/fixtures/Web_Server', message: expect.stringContaining('RFC 1123') }]],
    ['replicated-without-pdb', [
      { tool: 'kube-score', check: 'deployment-has-poddisruptionbudget', object: 'Deployment/fixtures/replicated' },
      { tool: 'kube-score', check: 'deployment-has-poddisruptionbudget', object: 'Deployment/fixtures/scaled' },
    ]],
    // Linted in the StatefulSets its controller makes: the leader's missing probes fail (only a
    // worker's are a library choice), and the privileged worker fails under its own name.
    ['leader-worker-set', [
      { tool: 'kube-score', check: 'pod-probes', object: 'LeaderWorkerSet/fixtures/group' },
      { tool: 'checkov', check: 'CKV_K8S_9', object: 'LeaderWorkerSet/fixtures/group' },
      { tool: 'psa-check', check: 'restricted-latest', object: 'LeaderWorkerSet/fixtures/group/workers' },
      { tool: 'kube-score', check: 'container-security-context-privileged', object: 'LeaderWorkerSet/fixtures/group/workers' },
    ]],
    ['service-selects-no-pods', [
      { tool: 'kube-score', check: 'service-targets-pod', object: 'Service/fixtures/web' },
      { tool: 'invariants', check: 'selector-matches-pods', object: 'Service/fixtures/web' },
    ]],
  ];

  test.each(cases)('%s', (name, expected) => {
    const { status, report } = validate(`test/fixtures/broken/${name}`);
    expect(status).toBe(1);
    const failing = report!.findings.filter((f) => !f.exception);
    for (const e of expected) expect(failing).toContainEqual(expect.objectContaining(e));
  });

  test('a library Deployment without a PodDisruptionBudget is accepted only when it runs one replica at the fewest', () => {
    const { report } = validate('test/fixtures/broken/replicated-without-pdb');
    const pdb = report!.findings.filter((f) => f.check === 'deployment-has-poddisruptionbudget');
    expect(pdb.map((f) => [f.object, f.exception === undefined ? 'fails' : 'accepted']).sort()).toEqual([
      ['Deployment/fixtures/replicated', 'fails'], ['Deployment/fixtures/scaled', 'fails'], ['Deployment/fixtures/single', 'accepted'],
    ]);
  });

  test('an exception without a reason is refused', () => {
    const file = path.join(work, 'no-reason.yaml');
    fs.writeFileSync(file, '- tool: checkov\n  check: CKV_K8S_43\n');
    const { status, stderr } = validate('dist', '--exceptions', file);
    expect(status).toBe(2);
    expect(stderr).toMatch(/every exception needs tool, check and reason/);
  });
});

// The plugin is not in the repository's cdk8s.yaml (it would make the CLI write construct-metadata.json into dist/,
// which kubectl cannot apply); users who want it add it to theirs, as these tests do.
describe('the cdk8s validation plugin (a cdk8s.yaml with validations)', () => {
  const cdk8s = path.join(root, 'node_modules', '.bin', 'cdk8s');
  const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
  /** A folder with a cdk8s.yaml that runs `entry` (a path in the repository) with the validation plugin. */
  const projectWithPlugin = (name: string, entry: string): string => {
    const dir = path.join(work, `${name}-project`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
      `app: node -r ${path.join(root, 'scripts', 'register.js')} ${path.join(root, entry)}`,
      'output: out',
      'validations:',
      `  - package: ${path.join(root, 'validation', 'plugin.js')}`,
      '    version: 0.1.0',
      '    class: InferenceValidation',
      '',
    ].join('\n'));
    return dir;
  };

  test('reports schema errors and broken selectors of a plain app with construct paths', () => {
    const r = spawnSync(cdk8s, ['synth'], { cwd: projectWithPlugin('plain', 'test/fixtures/plain-app.ts'), encoding: 'utf8', env });
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(out).toMatch(/kubernetes-schema \(1 occurrences\)[\s\S]*Construct Path: plain\/web\/Resource[\s\S]*data\/spec\/replicas must be integer/);
    expect(out).toMatch(/selector-matches-pods \(1 occurrences\)[\s\S]*Construct Path: plain\/frontend\/Resource[\s\S]*selects no pod template/);
  });

  test('passes on the reference app', () => {
    const r = spawnSync(cdk8s, ['synth'], { cwd: projectWithPlugin('reference', 'main.ts'), encoding: 'utf8', env });
    expect(r.stdout).toMatch(/Validations ended succesfully/);
    expect(r.status).toBe(0);
  });
});
