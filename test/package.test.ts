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
    const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    tarball = path.join(work, packed[0].filename);
    fs.writeFileSync(path.join(work, 'files.json'), JSON.stringify(packed[0].files.map((f: { path: string }) => f.path)));
  });

  test('ships compiled JavaScript and type declarations, not sources or tests', () => {
    const files: string[] = JSON.parse(fs.readFileSync(path.join(work, 'files.json'), 'utf8'));
    expect(files).toEqual(expect.arrayContaining(['build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/inference-service.js', 'package.json', 'README.md']));
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('lib/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(pkg.main).toBe('build/lib/index.js');
    expect(pkg.types).toBe('build/lib/index.d.ts');
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
        scaling: Scaling.onQueueDepth({ maxReplicas: 3 }),
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
    const plugin = execFileSync(process.execPath, ['-e', `
      const { InferenceValidation } = require('cdk8s-inference/validation/plugin.js');
      const lib = require('cdk8s-inference/validation/load-lib.js')();
      console.log(typeof new InferenceValidation().validate, typeof lib.checkManifests);
    `], { cwd: app, encoding: 'utf8' });
    expect(plugin.trim()).toBe('function function');
  });
});
