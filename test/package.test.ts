import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

// GIVEN the package as npm would publish it, installed into a fresh cdk8s app
// WHEN that app synthesizes with it
// THEN the constructs work from the tarball alone.
const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed package', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  let tarball: string;

  beforeAll(() => {
    const stdout = execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    // The prepack build may print before npm's JSON.
    const packed = JSON.parse(stdout.slice(stdout.search(/^\[/m)));
    tarball = path.join(work, packed[0].filename);
    fs.writeFileSync(path.join(work, 'files.json'), JSON.stringify(packed[0].files.map((f: { path: string }) => f.path)));
  });

  test('ships compiled JavaScript and type declarations, not sources or tests', () => {
    const files: string[] = JSON.parse(fs.readFileSync(path.join(work, 'files.json'), 'utf8'));
    expect(files).toEqual(expect.arrayContaining(['build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/inference-service.js', 'package.json', 'README.md', '.jsii']));
    // jsii packages carry their non-jsii dependencies inside.
    expect(files).toContain('node_modules/kubernetes-models/package.json');
    const own = files.filter((f) => !f.startsWith('node_modules/'));
    expect(own.filter((f) => f.startsWith('test/') || f.startsWith('lib/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(pkg.main).toBe('build/lib/index.js');
    expect(pkg.types).toBe('build/lib/index.d.ts');
  });

  // The pack above compiled the jsii assembly (.jsii) from the current sources.
  test('API.md is the reference jsii-docgen generates from the current code', () => {
    const fresh = path.join(work, 'API.md');
    execFileSync(process.execPath, [require.resolve('jsii-docgen/bin/jsii-docgen'), '--output', fresh], { cwd: root, stdio: 'pipe' });
    // Regenerate with `npm run build && npm run docgen` when this fails.
    expect(fs.readFileSync(path.join(root, 'API.md'), 'utf8')).toBe(fs.readFileSync(fresh, 'utf8'));
    const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
    expect(Object.keys(assembly.types)).toEqual(expect.arrayContaining(['cdk8s-inference.InferenceService', 'cdk8s-inference.ModelVolume',
      'cdk8s-inference.ObservabilityBundle', 'cdk8s-inference.CanaryRelease', 'cdk8s-inference.InferenceGateway']));
  });

  test('a fresh cdk8s app installs the tarball and synthesizes with it', () => {
    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, version: '0.0.0' }));
    const peers = ['cdk8s', 'cdk8s-plus-27', 'constructs'].map((p) => `${p}@${pkg.devDependencies[p]}`);
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, ...peers], { cwd: app, stdio: 'pipe' });
    fs.writeFileSync(path.join(app, 'main.js'), `
      const { App, Chart } = require('cdk8s');
      const { InferenceService, ModelServer, Gpu, Scaling } = require('cdk8s-inference');
      const app = new App({ outdir: 'dist' });
      const chart = new Chart(app, 'consumer', { namespace: 'apps' });
      new InferenceService(chart, 'llm', {
        server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-0.5B-Instruct' }),
        gpu: Gpu.nvidia(1),
        scaling: Scaling.onQueueDepth({ maxReplicas: 3, scrapedExternally: true }),
      });
      app.synth();
    `);
    execFileSync(process.execPath, ['main.js'], { cwd: app, stdio: 'pipe' });
    const docs = parseAllDocuments(fs.readFileSync(path.join(app, 'dist', 'consumer.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual([
      'Deployment/llm', 'HorizontalPodAutoscaler/llm', 'NetworkPolicy/llm', 'PodDisruptionBudget/llm', 'Service/llm', 'ServiceAccount/llm',
    ]);
    const deployment = docs.find((d) => d.kind === 'Deployment');
    expect(deployment.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    // The cdk8s validation plugin ships too, and loads the compiled checks.
    // The README's first example, type-checked, then run the way the quick start does: as main.mts, by the
    // package's cdk8s-inference-synth as a package.json script (Node >= 22.18 strips the types itself; older
    // Node runs it through ts-node).
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const example = readme.match(/```ts\n([\s\S]*?)```/)![1];
    fs.writeFileSync(path.join(app, 'main.mts'), example);
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2022',
      '--module', 'nodenext', '--moduleResolution', 'nodenext', 'main.mts'], { cwd: app, stdio: 'pipe' });
    fs.rmSync(path.join(app, 'dist'), { recursive: true, force: true });
    const [major, minor] = process.versions.node.split('.').map(Number);
    if (major > 22 || (major === 22 && minor >= 18)) {
      // The quick start's two commands: the script, then `node --run` (Node's runner puts node_modules/.bin on PATH).
      execFileSync('npm', ['pkg', 'set', 'scripts.synth=cdk8s-inference-synth'], { cwd: app, stdio: 'pipe' });
      execFileSync(process.execPath, ['--run', 'synth'], { cwd: app, stdio: 'pipe' });
    } else {
      fs.writeFileSync(path.join(app, 'readme.ts'), example);
      fs.writeFileSync(path.join(app, 'tsconfig.json'), '{ "compilerOptions": { "module": "commonjs", "target": "ES2022", "strict": true, "skipLibCheck": true } }');
      execFileSync(process.execPath, ['-r', require.resolve('ts-node/register'), 'readme.ts'], { cwd: app, stdio: 'pipe' });
    }
    expect(fs.readdirSync(path.join(app, 'dist'))).toEqual(['llm.k8s.yaml']);
    const readmeDocs = parseAllDocuments(fs.readFileSync(path.join(app, 'dist', 'llm.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(readmeDocs.map((d) => d.kind).sort()).toEqual([
      'ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'PrometheusRule', 'Service', 'ServiceAccount', 'ServiceMonitor',
    ]);
    const plugin = execFileSync(process.execPath, ['-e', `
      const { InferenceValidation } = require('cdk8s-inference/validation/plugin.js');
      const lib = require('cdk8s-inference/validation/load-lib.js')();
      console.log(typeof new InferenceValidation().validate, typeof lib.checkManifests);
    `], { cwd: app, encoding: 'utf8' });
    expect(plugin.trim()).toBe('function function');
  });

  // GIVEN the jsii assembly of the library, turned into a Python wheel by jsii-pacmak
  // WHEN the Python version of main.ts (examples/python/app.py) synthesizes with it
  // THEN it writes byte for byte the YAML of the TypeScript reference app in dist/.
  test('the Python package synthesizes the same YAML as the TypeScript reference app', () => {
    const python = path.join(root, '.tools', 'python', 'bin', 'python');
    const env = { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '1' };
    const packages = path.join(work, 'packages');
    execFileSync(process.execPath, [require.resolve('jsii-pacmak/bin/jsii-pacmak'), '--targets', 'python', '--no-npmignore', '--no-fingerprint', '--outdir', packages],
      { cwd: root, env, stdio: 'pipe' });
    const wheels = fs.readdirSync(path.join(packages, 'python')).filter((f) => f.endsWith('.whl'));
    expect(wheels).toEqual([`cdk8s_inference-${pkg.version}-py3-none-any.whl`]);
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--force-reinstall', path.join(packages, 'python', wheels[0])], { env, stdio: 'pipe' });
    const out = path.join(work, 'python-dist');
    execFileSync(python, ['app.py', out], { cwd: path.join(root, 'examples', 'python'), env, stdio: 'pipe' });
    expect(fs.readdirSync(out)).toEqual(['inference.k8s.yaml']);
    expect(fs.readFileSync(path.join(out, 'inference.k8s.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(root, 'dist', 'inference.k8s.yaml'), 'utf8'));
    // Bad input fails in Python too, with the construct path, prop, value and fix.
    const bad = execFileSync(python, ['-c', [
      'from cdk8s import App, Chart',
      'from cdk8s_inference import Gpu, InferenceService, ModelServer',
      'chart = Chart(App(), "c", namespace="ml")',
      'try:',
      '    InferenceService(chart, "chat", server=ModelServer.vllm(model="m", image="vllm/vllm-openai:latest"), gpu=Gpu.nvidia(1))',
      'except RuntimeError as e:',
      '    print("RuntimeError:", e)',
      // A cross-object rule broken by the app's own object fails app.synth(), and nothing is written.
      'import cdk8s_plus_27 as kplus',
      'from cdk8s import ApiObjectMetadata',
      `app = App(outdir="${path.join(work, 'python-bad')}")`,
      'chart = Chart(app, "c", namespace="ml")',
      'InferenceService(chart, "chat", server=ModelServer.vllm(model="m"), gpu=Gpu.nvidia(1))',
      'kplus.Service(chart, "stray", metadata=ApiObjectMetadata(name="stray"), ports=[kplus.ServicePort(port=80)]).select_label("app.kubernetes.io/name", "chta")',
      'try:',
      '    app.synth()',
      'except RuntimeError as e:',
      '    print("RuntimeError:", e)',
    ].join('\n')], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(bad).toMatch(/^RuntimeError: InferenceService 'c\/chat': invalid server image: received 'vllm\/vllm-openai:latest'; allowed: .* Fix: pin it/);
    expect(bad).toMatch(/RuntimeError: Error: Validation failed with the following errors:\n  \[c\] selector-matches-pods: c\/stray\/Resource \(Service\/ml\/stray\)/);
    expect(fs.readdirSync(path.join(work, 'python-bad'))).toEqual([]);
  });
});
