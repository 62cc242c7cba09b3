import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lib from '../lib';

// Every TypeScript snippet of the README after the first (which the package test runs as a whole
// app) is type-checked against the library and run: each is a module of its own holding only the
// snippet's imports (so a snippet that uses a name it does not import fails, as it would for a
// reader who copies it), with its code in a function given a fresh chart and, for the names it
// uses without declaring, the objects the README builds earlier (a vLLM chat service, a TF Serving
// classifier, two model versions, a gateway). A renamed prop or a default that starts refusing
// the example fails here.
const root = path.resolve(__dirname, '..');
// Inside the project, so the program resolves cdk8s and the library the way an app does.
fs.mkdirSync(path.join(root, 'node_modules', '.cache'), { recursive: true });
const work = fs.mkdtempSync(path.join(root, 'node_modules', '.cache', 'readme-snippets-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const CONTEXT = ['chart', 'server', 'weightsV1', 'weightsV2', 'chat', 'classifier', 'gateway'];
/** The packages a snippet may import from: the library by its published name, and its peers. */
const PACKAGES = ['cdk8s-inference', 'cdk8s', 'cdk8s-plus-27'];
const IMPORT = /^import\s+(?:\{([^}]*)\}|\*\s+as\s+(\w+))\s+from\s+'([^']+)';\n/gm;

const snippets = [...fs.readFileSync(path.join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).slice(1);

/** A snippet's imports (the names bound, by package) and its code after them. */
function parse(snippet: string): { imports: { [pkg: string]: string[] }; body: string } {
  const imports: { [pkg: string]: string[] } = {};
  for (const [, names, namespace, pkg] of snippet.matchAll(IMPORT)) {
    imports[pkg] = [...(imports[pkg] ?? []), ...(namespace ? [namespace] : names.split(',').map((n) => n.trim()).filter(Boolean))];
  }
  return { imports, body: snippet.replace(IMPORT, '') };
}

/** The code without comments and string contents, where a bare name is a use. */
const bare = (code: string) => code.replace(/\/\/.*$/gm, '').replace(/'[^'\n]*'|"[^"\n]*"|`[^`]*`/g, "''");

/** The library's exports and cdk8s' quantity types that `snippet` uses but does not import. */
function missingImports(snippet: string): string[] {
  const { imports, body } = parse(snippet);
  const imported = new Set(Object.values(imports).flat());
  const known = [...Object.keys(lib).filter((n) => /^[A-Z]/.test(n)), 'Duration', 'Size', 'Chart', 'App', 'Testing', 'kplus'];
  return known.filter((n) => !imported.has(n) && new RegExp(`(?<![.\\w])${n}\\b(?!\\s*:)`).test(bare(body)));
}

/** Snippet `i` as a module: its own imports (the library's name resolved to lib/), its code in `run`. */
function module(snippet: string): string {
  const { body } = parse(snippet);
  const libPath = JSON.stringify(path.join(root, 'lib'));
  const imports = [...snippet.matchAll(IMPORT)].map((m) => m[0].replace("'cdk8s-inference'", libPath)).join('');
  const declared = new Set([...body.matchAll(/\b(?:const|let)\s+(\w+)/g)].map((m) => m[1]));
  const free = CONTEXT.filter((n) => !declared.has(n) && new RegExp(`\\b${n}\\b(?!\\s*:)`).test(bare(body)));
  return `${imports}import type { Context } from './context';\n\nexport function run(ctx: Context): void {\n  const { ${free.join(', ')} } = ctx;\n${body}}\n`;
}

const CONTEXT_MODULE = `import { Chart, Size, Testing } from 'cdk8s';
import { GatewayImplementation, Gpu, InferenceGateway, InferenceService, ModelServer, ModelSource, ModelVolume } from ${JSON.stringify(path.join(root, 'lib'))};

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
`;

const MAIN_MODULE = `import { Testing } from 'cdk8s';
import { context, Context } from './context';
${snippets.map((_, i) => `import { run as snippet${i} } from './snippet${i}';`).join('\n')}

const all: ((ctx: Context) => void)[] = [${snippets.map((_, i) => `snippet${i}`).join(', ')}];
all.forEach((run, i) => {
  const ctx = context();
  run(ctx);
  const kinds = Testing.synth(ctx.chart).map((o: any) => o.kind);
  process.stdout.write(\`snippet \${i}: \${kinds.length} objects\\n\`);
});
`;

describe('the README snippets', () => {
  const files = [path.join(work, 'context.ts'), path.join(work, 'main.ts'), ...snippets.map((_, i) => path.join(work, `snippet${i}.ts`))];
  fs.writeFileSync(files[0], CONTEXT_MODULE);
  fs.writeFileSync(files[1], MAIN_MODULE);
  snippets.forEach((code, i) => fs.writeFileSync(files[i + 2], module(code)));

  test('there are snippets to check', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(7);
  });

  test('each snippet imports what it uses, from the library and its peers only', () => {
    const problems = snippets.flatMap((code, i) => {
      const missing = missingImports(code);
      const foreign = Object.keys(parse(code).imports).filter((p) => !PACKAGES.includes(p));
      return [
        ...(missing.length ? [`snippet ${i} (${code.split('\n').find((l) => l && !l.startsWith('import'))}) uses ${missing.join(', ')} without importing them`] : []),
        ...(foreign.length ? [`snippet ${i} imports from ${foreign.join(', ')}`] : []),
      ];
    });
    expect(problems).toEqual([]);
  });

  test('the import check bites: a snippet using Size without importing it is caught', () => {
    expect(missingImports("import { ModelVolume } from 'cdk8s-inference';\nnew ModelVolume(chart, 'v', { size: Size.gibibytes(1) });\n")).toEqual(['Size']);
    expect(missingImports("import { Size } from 'cdk8s';\nimport { ModelVolume } from 'cdk8s-inference';\nnew ModelVolume(chart, 'v', { size: Size.gibibytes(1) });\n")).toEqual([]);
  });

  test('type-check against the library', () => {
    const tsconfig = path.join(work, 'tsconfig.json');
    const base = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
    fs.writeFileSync(tsconfig, JSON.stringify({
      compilerOptions: { ...base.compilerOptions, noEmit: true, declaration: false, types: ['node'] },
      files,
    }));
    const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('run and synthesize', () => {
    const out = execFileSync(process.execPath, ['-r', path.join(root, 'scripts', 'register.js'), files[1]], { cwd: root, encoding: 'utf8' });
    expect(out.trim().split('\n')).toHaveLength(snippets.length);
  });
});
