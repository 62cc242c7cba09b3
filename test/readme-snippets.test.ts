import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lib from '../lib';

// Every TypeScript snippet of the README after the first (which the package test runs as a whole
// app) is type-checked against the library and run: each in a function of its own, given a fresh
// chart and, for the names it uses without declaring, the objects the README builds earlier
// (a vLLM chat service, a TF Serving classifier, two model versions, a gateway). A renamed prop or
// a default that starts refusing the example fails here.
const root = path.resolve(__dirname, '..');
// Inside the project, so the program resolves cdk8s and the library the way an app does.
fs.mkdirSync(path.join(root, 'node_modules', '.cache'), { recursive: true });
const work = fs.mkdtempSync(path.join(root, 'node_modules', '.cache', 'readme-snippets-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const CONTEXT = ['chart', 'server', 'weightsV1', 'weightsV2', 'chat', 'classifier', 'gateway'];

const snippets = [...fs.readFileSync(path.join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).slice(1);

function program(): string {
  const libPath = path.join(root, 'lib');
  const names = Object.keys(lib).filter((n) => /^[A-Z]/.test(n));
  const functions = snippets.map((code, i) => {
    const declared = new Set([...code.matchAll(/\b(?:const|let)\s+(\w+)/g)].map((m) => m[1]));
    // Names used as values: not in strings or comments, not a property key.
    const bare = code.replace(/\/\/.*$/gm, '').replace(/'[^'\n]*'|"[^"\n]*"|`[^`]*`/g, "''");
    const free = CONTEXT.filter((n) => !declared.has(n) && new RegExp(`\\b${n}\\b(?!\\s*:)`).test(bare));
    return `export function snippet${i}(ctx: Context): void {\n  const { ${free.join(', ')} } = ctx;\n${code}}\n`;
  });
  return `import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ${names.join(', ')} } from ${JSON.stringify(libPath)};
void [kplus, Duration, Size, ${names.join(', ')}];

/** A fresh chart, and the objects the README builds before a snippet, made when it asks for them. */
export function context() {
  const chart = new Chart(Testing.app(), 'readme', { namespace: 'inference' });
  const made = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => { if (!made.has(key)) made.set(key, make()); return made.get(key) as T; };
  const volume = (version: string) => new ModelVolume(chart, \`weights-\${version}\`, {
    source: ModelSource.s3(\`s3://models/llama/\${version}/\`, { version }), size: Size.gibibytes(16), cacheSize: Size.gibibytes(64),
  });
  return {
    chart,
    get server() { return once('server', () => ModelServer.vllm({})); },
    get weightsV1() { return once('weightsV1', () => volume('v1')); },
    get weightsV2() { return once('weightsV2', () => volume('v2')); },
    get chat() { return once('chat', () => new InferenceService(chart, 'chat', { server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct' }), gpu: Gpu.nvidia(1) })); },
    get classifier() { return once('classifier', () => new InferenceService(chart, 'classifier', { server: ModelServer.tfServing({ modelName: 'resnet' }) })); },
    get gateway() { return once('gateway', () => new InferenceGateway(chart, 'gateway', { host: 'inference.example.com', implementation: GatewayImplementation.ENVOY_GATEWAY })); },
  };
}
export type Context = ReturnType<typeof context>;

${functions.join('\n')}
if (require.main === module) {
  const all: ((ctx: Context) => void)[] = [${snippets.map((_, i) => `snippet${i}`).join(', ')}];
  all.forEach((run, i) => {
    const ctx = context();
    run(ctx);
    const kinds = Testing.synth(ctx.chart).map((o: any) => o.kind);
    process.stdout.write(\`snippet \${i}: \${kinds.length} objects\\n\`);
  });
}
`;
}

describe('the README snippets', () => {
  const file = path.join(work, 'snippets.ts');
  fs.writeFileSync(file, program());

  test('there are snippets to check', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(7);
  });

  test('type-check against the library', () => {
    const tsconfig = path.join(work, 'tsconfig.json');
    const base = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
    fs.writeFileSync(tsconfig, JSON.stringify({
      compilerOptions: { ...base.compilerOptions, noEmit: true, declaration: false, types: ['node'] },
      files: [file],
    }));
    const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('run and synthesize', () => {
    const out = execFileSync(process.execPath, ['-r', path.join(root, 'scripts', 'register.js'), file], { cwd: root, encoding: 'utf8' });
    expect(out.trim().split('\n')).toHaveLength(snippets.length);
  });
});
