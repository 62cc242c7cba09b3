import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measure, Shape } from '../scripts/code-shape';

/** The largest a class may grow: it should read in a few screens. */
const MAX_CLASS_LINES = 300;
/** The longest a function (constructor, method, arrow function) may grow: it should read in one screen. */
const MAX_FUNCTION_LINES = 60;

/** What breaks each limit of the code's shape, one line per offender (empty when the shape is right). */
function offenders(shape: Shape) {
  return {
    classes: shape.classes.filter((c) => c.lines > MAX_CLASS_LINES).map((c) => `${c.file}: class ${c.name} has ${c.lines} lines`),
    functions: shape.functions.filter((f) => f.lines > MAX_FUNCTION_LINES).map((f) => `${f.file}: ${f.name} has ${f.lines} lines`),
    cycles: shape.cycles.map((c) => c.join(' <-> ')),
    discriminators: shape.discriminatorUses.map((d) => `${d.file}:${d.line} ${d.text}`),
    uncodedErrors: shape.uncodedErrors.map((d) => `${d.file}:${d.line} ${d.text}`),
  };
}

describe('the shape of lib/', () => {
  const found = offenders(measure(path.join(__dirname, '..', 'lib')));

  test(`no class over ${MAX_CLASS_LINES} lines`, () => {
    expect(found.classes).toEqual([]);
  });

  test(`no function over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(found.functions).toEqual([]);
  });

  test('no import cycle among lib/ modules (type-only imports count)', () => {
    expect(found.cycles).toEqual([]);
  });

  test('no branch on a discriminator string: strategies render themselves', () => {
    expect(found.discriminators).toEqual([]);
  });

  test('every InferenceConfigError names its ErrorCode', () => {
    expect(found.uncodedErrors).toEqual([]);
  });
});

describe('each check catches a planted defect', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'code-shape-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes `files` (relative path to source) below the temporary folder and measures it. */
  function plant(files: { [file: string]: string }) {
    for (const [file, source] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), source);
    }
    return offenders(measure(dir));
  }

  /** The body of a function of exactly `lines` lines (signature and closing brace included). */
  const body = (lines: number) => Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`).join('\n');

  test('a 61-line function, but not a 60-line one', () => {
    const found = plant({
      'long.ts': `export function long(): void {\n${body(61)}\n}\n`,
      'fits.ts': `export function fits(): void {\n${body(60)}\n}\n`,
      'arrow.ts': `export const arrow = () => {\n${body(61)}\n};\n`,
    });
    expect(found.functions).toEqual(['arrow.ts: arrow has 61 lines', 'long.ts: long has 61 lines']);
  });

  test('a 61-line constructor or method counts as a function', () => {
    const found = plant({ 'c.ts': `export class C {\n  constructor() {\n${body(61)}\n  }\n  m(): void {\n${body(61)}\n  }\n}\n` });
    expect(found.functions).toEqual(['c.ts: C.constructor has 61 lines', 'c.ts: C.m has 61 lines']);
  });

  test('a 301-line class, but not a 300-line one', () => {
    const members = (lines: number) => Array.from({ length: lines - 2 }, (_, i) => `  public p${i} = ${i};`).join('\n');
    const found = plant({
      'big.ts': `export class Big {\n${members(301)}\n}\n`,
      'fits.ts': `export class Fits {\n${members(300)}\n}\n`,
    });
    expect(found.classes).toEqual(['big.ts: class Big has 301 lines']);
  });

  test('a two-file import cycle, through a type-only import too', () => {
    const found = plant({
      'a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
      'b.ts': "import { A } from './a';\nexport interface B { a?: A }\n",
      'c.ts': "import { A } from './a';\nexport const c: A = {};\n",
    });
    expect(found.cycles).toEqual(['a.ts <-> b.ts']);
  });

  test('a cycle through a folder index and a re-export', () => {
    const found = plant({
      'a.ts': "export { x } from './private';\nexport const a = 1;\n",
      'private/index.ts': "import { a } from '../a';\nexport const x = a;\n",
    });
    expect(found.cycles).toEqual([`a.ts <-> ${path.join('private', 'index.ts')}`]);
  });

  test('a switch on x.mode, and the comparisons, membership tests and hidden tags that stand in for one', () => {
    const found = plant({
      'switch.ts': [
        'export function f(x: { mode: string }): number {',
        '  switch (x.mode) { case \'fixed\': return 1; default: return 0; }',
        '}',
        'export const g = (x: { kind: string }) => x.kind === \'blue-green\';',
        'export const h = (store: string) => store === \'loki\';',
        'export const i = (x: { mode: string }) => [\'a\', \'b\'].includes(x.mode);',
        'export const j = (x: { _kind: number }) => x._kind;',
        'export const k = (x: { implementation: string }) => new Set([\'traefik\']).has(x.implementation);',
        'export const l = ({ mode }: { mode: string }) => (mode as string) !== \'fixed\';',
      ].join('\n'),
    });
    expect(found.discriminators).toEqual([
      "switch.ts:2 switch (x.mode)",
      "switch.ts:4 x.kind === 'blue-green'",
      "switch.ts:5 store === 'loki'",
      "switch.ts:6 ['a', 'b'].includes(x.mode)",
      'switch.ts:7 x._kind',
      "switch.ts:8 new Set(['traefik']).has(x.implementation)",
      "switch.ts:9 (mode as string) !== 'fixed'",
    ]);
  });

  test("a Kubernetes manifest's own kind is data, not a discriminator", () => {
    const found = plant({
      'manifest.ts': [
        'export const isService = (m: { kind: string }) => m.kind === \'Service\';',
        'export const isDeployment = (x: { kind: string }) => x.kind === \'Deployment\';',
        'export const message = (kind: string) => kind === \'InferenceService\' ? 1 : 0;',
      ].join('\n'),
    });
    expect(found.discriminators).toEqual([]);
  });

  test('an InferenceConfigError or fail({...}) without a code', () => {
    const found = plant({
      'errors.ts': [
        "export function f(scope: any, InferenceConfigError: any, fail: any, ErrorCode: any): void {",
        "  if (scope) throw new InferenceConfigError(scope, 'Kind', { prop: 'a', received: 1, allowed: 'b', fix: 'c' });",
        "  if (scope) throw new InferenceConfigError(scope, 'Kind', { code: ErrorCode.X, prop: 'a', received: 1, allowed: 'b', fix: 'c' });",
        "  fail({ prop: 'a', received: 1, allowed: 'b', fix: 'c' });",
        "  fail({ code: ErrorCode.X, prop: 'a', received: 1, allowed: 'b', fix: 'c' });",
        '}',
      ].join('\n'),
    });
    expect(found.uncodedErrors).toEqual([
      "errors.ts:2 new InferenceConfigError(scope, 'Kind', { prop: 'a', received: 1, allowed: 'b', fix: 'c' })",
      "errors.ts:4 fail({ prop: 'a', received: 1, allowed: 'b', fix: 'c' })",
    ]);
  });
});
