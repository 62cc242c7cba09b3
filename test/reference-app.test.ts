import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(__dirname, '..');

function readFolder(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

function manifestsIn(dir: string): any[] {
  return Object.values(readFolder(dir)).flatMap((text) => parseAllDocuments(text).map((d) => d.toJS()));
}

describe('reference app (main.ts)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'reference-'));
  const out = path.join(work, 'out');
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('dist/ is what main.ts synthesizes today (run `npm run synth` and commit dist/ when this fails)', () => {
    execFileSync(process.execPath, ['scripts/synth.js', out], { cwd: root, stdio: 'pipe' });
    expect(readFolder(out)).toEqual(readFolder(path.join(root, 'dist')));
  });

  test('`cdk8s synth` (the CLI, as cdk8s.yaml configures it) writes the same manifests', () => {
    const cliOut = path.join(work, 'cli');
    execFileSync(path.join(root, 'node_modules', '.bin', 'cdk8s'), ['synth', '--output', cliOut], {
      cwd: root, stdio: 'pipe', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
    // cdk8s.yaml configures no validation plugin, so the CLI writes manifests only (nothing kubectl cannot apply).
    expect(readFolder(cliOut)).toEqual(readFolder(path.join(root, 'dist')));
  });

  test('emits a GPU vLLM service on queue depth and a CPU TF Serving classifier', () => {
    const manifests = manifestsIn(path.join(root, 'dist'));
    const names = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    for (const svc of ['chat', 'classifier']) {
      for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy']) {
        expect(names).toContain(`${kind}/${svc}`);
      }
    }
    const chat = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'chat');
    expect(chat.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(2);
    const chatHpa = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler' && m.metadata.name === 'chat');
    expect(chatHpa.spec.metrics[0].pods.metric.name).toBe('vllm_num_requests_waiting');
    const classifier = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'classifier');
    expect(classifier.spec.template.spec.containers[0].image).toMatch(/^tensorflow\/serving:/);
    expect(classifier.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
  });

  test('the LLM reads S3 weights through a shared cache; the classifier downloads from GCS', () => {
    const manifests = manifestsIn(path.join(root, 'dist'));
    const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name.startsWith(name));
    expect(find('PersistentVolumeClaim', 'llama-3-1-8b-cache').spec.accessModes).toEqual(['ReadWriteMany']);
    expect(find('Job', 'llama-3-1-8b-fill-').spec.template.spec.containers[0].command[2]).toContain('s3://acme-models/meta-llama/Llama-3.1-8B-Instruct/2024-07-23/');
    const chat = find('Deployment', 'chat').spec.template.spec;
    expect(chat.initContainers.map((c: any) => c.name)).toEqual(['wait-llama-3-1-8b']);
    expect(chat.containers[0].args[0]).toBe('/models/llama-3-1-8b/2024-07-23');
    const classifier = find('Deployment', 'classifier').spec.template.spec;
    expect(classifier.initContainers[0].command[2]).toContain('gs://acme-vision-models/resnet50/1/');
    expect(classifier.containers[0].args).toContain('--model_base_path=/models/resnet50-v1');
  });

  test('a 95/5 weighted canary for the LLM and a blue-green release for the classifier', () => {
    const manifests = manifestsIn(path.join(root, 'dist'));
    const route = (name: string) => manifests.find((m) => m.kind === 'HTTPRoute' && m.metadata.name === name).spec.rules[0];
    expect(route('gateway-chat-release').backendRefs).toEqual([{ name: 'chat', port: 8000, weight: 95 }, { name: 'chat-canary', port: 8000, weight: 5 }]);
    expect(route('gateway-classifier-release').backendRefs).toEqual([{ name: 'classifier', port: 8501 }]);
    const track = (name: string) => manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === name).spec.template.metadata.labels['inference.cdk8s.io/track'];
    expect(['chat', 'chat-canary', 'classifier', 'classifier-green'].map(track)).toEqual(['stable', 'canary', 'blue', 'green']);
  });

  test('a failing app fails the synth with the construct path and leaves the output folder as it was', () => {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'previous.k8s.yaml'), 'kept: true\n');
    const before = readFolder(out);
    const run = spawnSync(process.execPath, ['scripts/synth.js', out, 'test/fixtures/failing-app.ts'], { cwd: root, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("InferenceService 'broken/chat': invalid scaling.minReplicas: received 4; allowed: at most maxReplicas (2)");
    expect(run.stderr).toMatch(/left as it was/);
    expect(readFolder(out)).toEqual(before);
    expect(fs.readdirSync(work).filter((f) => f.startsWith('.dist-staging-'))).toEqual([]);
  });
});
