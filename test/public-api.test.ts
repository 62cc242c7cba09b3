import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

// TypeScript users import what lib/index.ts exports; Python users get what the jsii assembly
// holds. The two lists must be the same API: a name exported to TypeScript that jsii drops (a
// helper function, a constant) is an API Python never sees, and a type in the assembly that the
// index does not name is an API TypeScript users cannot import. The assembly is built from a copy
// of the sources (the package test builds the one at the root at the same time), or the root's
// `.jsii` is read when it is newer than every source.
const root = path.resolve(__dirname, '..');
const PACKAGE = 'cdk8s-inference';

/**
 * The names the index exports that jsii cannot carry, each with the reason. Keep it short: a new
 * entry needs as good a reason as these.
 */
const TYPESCRIPT_ONLY: { [name: string]: string } = {
  InferenceConfigError: 'extends Error (`@jsii ignore`): other languages get the runtime error, whose message ends with the ErrorCode',
  LABEL_NAME: 'a module constant (jsii has none): the label keys are documented, and the strings are the API',
  LABEL_COMPONENT: 'a module constant (jsii has none)',
  LABEL_SERVER: 'a module constant (jsii has none)',
  LABEL_MODEL: 'a module constant (jsii has none)',
  LABEL_MODEL_VERSION: 'a module constant (jsii has none)',
  LABEL_TRACK: 'a module constant (jsii has none)',
  LABEL_POOL: 'a module constant (jsii has none)',
  checkManifests: 'the cross-object check that the cdk8s validation plugin (validation/plugin.js) and `npm run validate` load: JavaScript only',
  INVARIANT_RULES: 'the rule descriptions the validation plugin reports beside checkManifests: JavaScript only',
};

/** Every name `indexFile` exports (through `export *` too), as the TypeScript compiler sees it. */
function exportedNames(indexFile: string): string[] {
  const program = ts.createProgram([indexFile], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(indexFile);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${indexFile} is not a module`);
  return checker.getExportsOfModule(module).map((s) => s.getName()).sort();
}

/** The names of the types in a jsii assembly (`cdk8s-inference.<Name>`), nested types as `Outer.Inner`. */
function assemblyNames(assembly: { types?: { [fqn: string]: unknown } }): string[] {
  return Object.keys(assembly.types ?? {}).map((fqn) => fqn.slice(PACKAGE.length + 1)).sort();
}

/** What TypeScript exports that jsii does not hold (beyond TYPESCRIPT_ONLY), and the reverse. */
function difference(typescript: string[], jsii: string[]) {
  return {
    onlyInTypeScript: typescript.filter((n) => !jsii.includes(n) && !(n in TYPESCRIPT_ONLY)),
    onlyInJsii: jsii.filter((n) => !typescript.includes(n)),
  };
}

/** Newest modification time of the files jsii compiles. */
function newestSource(): number {
  const times = (dir: string): number[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? times(full) : [fs.statSync(full).mtimeMs];
  });
  return Math.max(...times(path.join(root, 'lib')), ...times(path.join(root, 'imports')),
    ...['package.json', 'tsconfig.jsii.json'].map((f) => fs.statSync(path.join(root, f)).mtimeMs));
}

/** A copy of what jsii compiles, inside the project so that its dependencies resolve. */
function copySources(): string {
  fs.mkdirSync(path.join(root, 'node_modules', '.cache'), { recursive: true });
  const work = fs.mkdtempSync(path.join(root, 'node_modules', '.cache', 'public-api-'));
  for (const entry of ['lib', 'imports', 'package.json', 'tsconfig.jsii.json', 'README.md']) {
    fs.cpSync(path.join(root, entry), path.join(work, entry), { recursive: true });
  }
  return work;
}

/** The jsii assembly of the current sources: the root's when it is fresh, else one compiled from a copy. */
function freshAssembly(): any {
  const existing = path.join(root, '.jsii');
  if (fs.existsSync(existing) && fs.statSync(existing).mtimeMs > newestSource()) {
    try {
      return JSON.parse(fs.readFileSync(existing, 'utf8'));
    } catch {
      // being rewritten by a build right now: compile a copy instead
    }
  }
  const work = copySources();
  try {
    try {
      execFileSync(process.execPath, [require.resolve('jsii/bin/jsii'), '--silence-warnings=reserved-word'], { cwd: work, stdio: 'pipe' });
    } catch (e) {
      const out = e as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`jsii failed:\n${out.stdout?.toString() ?? ''}${out.stderr?.toString() ?? ''}`);
    }
    return JSON.parse(fs.readFileSync(path.join(work, '.jsii'), 'utf8'));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

describe('the public API', () => {
  const typescript = exportedNames(path.join(root, 'lib', 'index.ts'));
  let jsii: string[];
  beforeAll(() => {
    jsii = assemblyNames(freshAssembly());
  }, 300_000);

  test('TypeScript and the jsii assembly (Python) see the same names, both ways', () => {
    expect(difference(typescript, jsii)).toEqual({ onlyInTypeScript: [], onlyInJsii: [] });
  });

  test('every TypeScript-only name is still exported, and really absent from the assembly', () => {
    for (const name of Object.keys(TYPESCRIPT_ONLY)) {
      expect([name, typescript.includes(name)]).toEqual([name, true]);
      expect([name, jsii.includes(name)]).toEqual([name, false]);
    }
  });

  test('the constructs, their props and the enum-like classes are there', () => {
    expect(typescript).toEqual(expect.arrayContaining([
      'InferenceService', 'InferenceServiceProps', 'ModelServer', 'ModelVolume', 'ModelVolumeProps', 'ModelSource', 'InferenceGateway',
      'CanaryRelease', 'ProgressiveRelease', 'ObservabilityBundle', 'NamespaceBaseline', 'ExternalSecret', 'SecretStore', 'LogShipper',
      'Gpu', 'Scaling', 'IInferenceService', 'ErrorCode', 'InferenceConfigError', 'InvalidPropOptions',
    ]));
  });

  test('catches a helper exported by mistake, which jsii would drop', () => {
    // GIVEN a copy of the sources whose index also exports a helper function
    const work = copySources();
    try {
      fs.appendFileSync(path.join(work, 'lib', 'index.ts'), "\nexport { checkName } from './names';\n");
      // WHEN its exports are compared with the assembly (jsii ignores free functions, so it is unchanged)
      const planted = difference(exportedNames(path.join(work, 'lib', 'index.ts')), jsii);
      // THEN the helper is named as visible to TypeScript only
      expect(planted).toEqual({ onlyInTypeScript: ['checkName'], onlyInJsii: [] });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
