// Measures the shape of lib/ with the TypeScript compiler's AST: the lines of every class and
// function, the import graph between lib/ modules (and its cycles), and the `switch`/comparisons
// on discriminator strings, and the errors thrown without a stable code. `npm run shape` prints
// the figures; test/code-shape.test.ts holds the limits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** One class or function and its size in lines (first to last line, inclusive). */
export interface Sized {
  readonly file: string;
  readonly name: string;
  readonly lines: number;
}

/** A place where code branches on a discriminator string of a library type. */
export interface DiscriminatorUse {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** An `InferenceConfigError` (or a `fail({...})` helper call) whose options name no `code`. */
export interface UncodedError {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** What `measure` finds in a folder of TypeScript sources. */
export interface Shape {
  readonly files: number;
  readonly codeLines: number;
  readonly classes: Sized[];
  readonly functions: Sized[];
  readonly imports: Map<string, string[]>;
  readonly cycles: string[][];
  readonly discriminatorUses: DiscriminatorUse[];
  readonly uncodedErrors: UncodedError[];
}

/**
 * Members whose string value names a variant of a library type: branching on one of them is a
 * strategy that does not render itself.
 */
export const DISCRIMINATORS = ['mode', 'kind', '_kind', 'store', 'implementation'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

function lineOf(sf: ts.SourceFile, pos: number): number {
  return sf.getLineAndCharacterOfPosition(pos).line + 1;
}

/** Lines from the node's first token to its last, inclusive (leading comments not counted). */
function span(sf: ts.SourceFile, node: ts.Node): number {
  return lineOf(sf, node.getEnd()) - lineOf(sf, node.getStart(sf)) + 1;
}

function functionName(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as ts.FunctionLikeDeclaration;
  if (ts.isConstructorDeclaration(node)) return `${(node.parent as ts.ClassDeclaration).name?.text ?? '?'}.constructor`;
  const own = named.name ? named.name.getText(sf) : undefined;
  const cls = ts.isClassLike(node.parent) ? `${node.parent.name?.text ?? '?'}.` : '';
  if (own) return `${cls}${own}`;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(sf);
  if (ts.isPropertyDeclaration(parent)) return `${ts.isClassLike(parent.parent) ? `${parent.parent.name?.text ?? '?'}.` : ''}${parent.name.getText(sf)}`;
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(sf).slice(0, 40)} at line ${lineOf(sf, node.getStart(sf))})`;
  return `(anonymous at line ${lineOf(sf, node.getStart(sf))})`;
}

/** The expression inside parentheses, `as` casts and non-null assertions. */
function unwrap(node: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) {
    node = node.expression;
  }
  return node;
}

/** Receivers whose `kind` is a Kubernetes object's kind (data), not a variant of a library type. */
const MANIFEST_RECEIVER = /^(m|o|manifest|obj|object|scaler|doc|json|workload)$/;

/** The discriminator an expression reads: `x.mode`, `x['mode']`, or a variable named `mode`. */
function discriminatorRead(expression: ts.Expression): { name: string; receiver?: string } | undefined {
  const node = unwrap(expression);
  if (ts.isPropertyAccessExpression(node)) return { name: node.name.text, receiver: node.expression.getText() };
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
    return { name: node.argumentExpression.text, receiver: node.expression.getText() };
  }
  if (ts.isIdentifier(node)) return { name: node.text };
  return undefined;
}

/** `x.<discriminator>` (or a variable of that name), unless it is a Kubernetes manifest's own `kind`. */
function isDiscriminatorAccess(node: ts.Expression): boolean {
  const read = discriminatorRead(node);
  if (!read || !DISCRIMINATORS.includes(read.name)) return false;
  // A bare `kind` variable is the construct kind of an error message; `m.kind === 'Service'` is data.
  if (read.name === 'kind') return read.receiver !== undefined && !MANIFEST_RECEIVER.test(read.receiver);
  return true;
}

/** A variant a discriminator is compared with: a string literal (not a PascalCase Kubernetes kind) or `Enum.MEMBER`. */
function isVariant(node: ts.Expression, discriminator: ts.Expression, sf: ts.SourceFile): boolean {
  const x = unwrap(node);
  if (ts.isStringLiteralLike(x)) return !(discriminatorRead(discriminator)?.name === 'kind' && /^[A-Z][A-Za-z]+$/.test(x.text));
  return ts.isPropertyAccessExpression(x) && /^[A-Z]/.test(x.expression.getText(sf));
}

const EQUALITY = [
  ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken,
];

/** Why `node` branches on a discriminator string (the text to report), or nothing. */
function discriminatorBranch(node: ts.Node, sf: ts.SourceFile): string | undefined {
  if (ts.isSwitchStatement(node) && isDiscriminatorAccess(node.expression)) return `switch (${node.expression.getText(sf)})`;
  if (ts.isBinaryExpression(node) && EQUALITY.includes(node.operatorToken.kind)) {
    const [a, b] = [node.left, node.right];
    if ((isDiscriminatorAccess(a) && isVariant(b, a, sf)) || (isDiscriminatorAccess(b) && isVariant(a, b, sf))) return node.getText(sf);
  }
  // A hidden kind tag read anywhere is a switch in disguise.
  if (ts.isPropertyAccessExpression(node) && node.name.text === '_kind') return node.getText(sf);
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const method = node.expression.name.text;
    // `x.mode.startsWith('…')`, or a membership test `[A, B].includes(x.mode)` / `SET.has(x.mode)`. (One factory's
    // lookup of the strategy for an enum value, `CONTROLLERS.get(implementation)`, is how a variant is chosen, not a branch.)
    if (['startsWith', 'endsWith', 'includes'].includes(method) && isDiscriminatorAccess(node.expression.expression)) return node.getText(sf);
    if (['includes', 'has', 'indexOf'].includes(method) && node.arguments.some((arg) => isDiscriminatorAccess(arg))) return node.getText(sf);
  }
  return undefined;
}

/** Whether an options object literal names a code (or spreads options that may). */
function namesCode(options: ts.ObjectLiteralExpression): boolean {
  return options.properties.some((p) => ts.isSpreadAssignment(p) || (p.name !== undefined && p.name.getText() === 'code'));
}

/** The text of an error thrown with options that name no code, or nothing. */
function uncodedError(node: ts.Node, sf: ts.SourceFile): string | undefined {
  const literals = (args: readonly ts.Expression[] | undefined) => (args ?? []).map(unwrap).filter(ts.isObjectLiteralExpression);
  if (ts.isNewExpression(node) && node.expression.getText(sf) === 'InferenceConfigError') {
    return literals(node.arguments).some((o) => !namesCode(o)) ? node.getText(sf).split('\n')[0] : undefined;
  }
  if (ts.isCallExpression(node)) {
    const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : node.expression.getText(sf);
    if (callee === 'fail' && literals(node.arguments).some((o) => !namesCode(o))) return node.getText(sf).split('\n')[0];
  }
  return undefined;
}

/** The lib/-relative file a relative import or re-export names, if it is inside `dir`. */
function importTarget(node: ts.Node, dir: string, file: string): string | undefined {
  const declaration = ts.isImportDeclaration(node) || ts.isExportDeclaration(node);
  if (!declaration || !node.moduleSpecifier || !ts.isStringLiteral(node.moduleSpecifier)) return undefined;
  const spec = node.moduleSpecifier.text;
  // Type-only imports count: a cycle of types is still two modules that must change together.
  if (!spec.startsWith('.')) return undefined;
  const target = path.relative(dir, path.resolve(path.dirname(file), spec));
  if (target.startsWith('..')) return undefined;
  return fs.existsSync(path.join(dir, `${target}.ts`)) ? `${target}.ts` : path.join(target, 'index.ts');
}

function isFunctionWithBody(node: ts.Node): boolean {
  return (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isArrowFunction(node)
    || ts.isFunctionExpression(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) && (node as ts.FunctionLikeDeclaration).body !== undefined;
}

/** Adds what one file holds to `shape`. */
function measureFile(dir: string, file: string, shape: Shape): void {
  const rel = path.relative(dir, file);
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const deps: string[] = [];
  const at = (node: ts.Node) => ({ file: rel, line: lineOf(sf, node.getStart(sf)) });
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) shape.classes.push({ file: rel, name: node.name?.text ?? '(anonymous)', lines: span(sf, node) });
    if (isFunctionWithBody(node)) shape.functions.push({ file: rel, name: functionName(node, sf), lines: span(sf, node) });
    const target = importTarget(node, dir, file);
    if (target) deps.push(target);
    const branch = discriminatorBranch(node, sf);
    if (branch) shape.discriminatorUses.push({ ...at(node), text: branch });
    const uncoded = uncodedError(node, sf);
    if (uncoded) shape.uncodedErrors.push({ ...at(node), text: uncoded });
    ts.forEachChild(node, visit);
  };
  visit(sf);
  shape.imports.set(rel, deps);
}

/** Lines that hold code: not blank, not only a comment. */
function codeLinesOf(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '' && !/^\s*(\/\/|\/\*|\*)/.test(l)).length;
}

/** Measures every .ts file below `dir`. */
export function measure(dir: string): Shape {
  const files = sourceFiles(dir);
  const imports = new Map<string, string[]>();
  const shape = { files: files.length, codeLines: 0, classes: [], functions: [], imports, cycles: [], discriminatorUses: [], uncodedErrors: [] };
  for (const file of files) {
    shape.codeLines += codeLinesOf(fs.readFileSync(file, 'utf8'));
    measureFile(dir, file, shape);
  }
  return { ...shape, cycles: findCycles(imports) };
}

/** The modules of each import cycle: every strongly connected part of the graph with more than one module, or a self-import (Tarjan). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const indices = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): number => {
    const index = indices.size;
    let lowest = index;
    indices.set(v, index);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      const seen = indices.get(w);
      if (seen === undefined) lowest = Math.min(lowest, connect(w));
      else if (onStack.has(w)) lowest = Math.min(lowest, seen);
    }
    if (lowest === index) {
      const component = stack.splice(stack.indexOf(v));
      component.forEach((w) => onStack.delete(w));
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component.sort());
    }
    return lowest;
  };
  for (const v of graph.keys()) if (!indices.has(v)) connect(v);
  return components;
}

function main(): void {
  const dir = path.resolve(__dirname, '..', process.argv[2] ?? 'lib');
  const shape = measure(dir);
  const top = (xs: Sized[], n: number) => [...xs].sort((a, b) => b.lines - a.lines).slice(0, n);
  console.log(`${path.relative(process.cwd(), dir) || '.'}: ${shape.files} files, ${shape.codeLines} lines of code, ${shape.classes.length} classes, ${shape.functions.length} functions`);
  console.log('largest classes:');
  for (const c of top(shape.classes, 6)) console.log(`  ${String(c.lines).padStart(5)}  ${c.name} (${c.file})`);
  console.log('longest functions:');
  for (const f of top(shape.functions, 8)) console.log(`  ${String(f.lines).padStart(5)}  ${f.name} (${f.file})`);
  for (const limit of [50, 60, 100]) console.log(`functions over ${limit} lines: ${shape.functions.filter((f) => f.lines > limit).length}`);
  console.log(`classes over 300 lines: ${shape.classes.filter((c) => c.lines > 300).length}`);
  console.log(`import cycles: ${shape.cycles.length}${shape.cycles.map((c) => `\n  ${c.join(' <-> ')}`).join('')}`);
  console.log(`branches on discriminator strings: ${shape.discriminatorUses.length}${shape.discriminatorUses.map((d) => `\n  ${d.file}:${d.line}  ${d.text}`).join('')}`);
  console.log(`errors without a code: ${shape.uncodedErrors.length}${shape.uncodedErrors.map((d) => `\n  ${d.file}:${d.line}  ${d.text}`).join('')}`);
}

if (require.main === module) main();
