// Measures the shape of lib/ with the TypeScript compiler's AST: the lines of every class and
// function, the import graph between lib/ modules (and its cycles), and the `switch`/comparisons
// on discriminator strings. `npm run shape` prints the figures; test/code-shape.test.ts holds the
// limits.
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

/** What `measure` finds in a folder of TypeScript sources. */
export interface Shape {
  readonly files: number;
  readonly codeLines: number;
  readonly classes: Sized[];
  readonly functions: Sized[];
  readonly imports: Map<string, string[]>;
  readonly cycles: string[][];
  readonly discriminatorUses: DiscriminatorUse[];
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

function span(sf: ts.SourceFile, node: ts.Node): number {
  return lineOf(sf, node.getEnd()) - lineOf(sf, node.getStart(sf)) + 1;
}

function functionName(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as ts.FunctionLikeDeclaration;
  if (ts.isConstructorDeclaration(node)) return `${(node.parent as ts.ClassDeclaration).name?.text ?? '?'}.constructor`;
  const own = named.name ? named.name.getText(sf) : undefined;
  const cls = ts.isClassLike(node.parent) ? `${node.parent.name?.text ?? '?'}.` : '';
  if (own) return `${cls}${own}`;
  if (ts.isVariableDeclaration(node.parent)) return node.parent.name.getText(sf);
  return `(anonymous at line ${lineOf(sf, node.getStart(sf))})`;
}

/** A property access `x.<discriminator>` compared with a string literal, or switched on. */
function isDiscriminatorAccess(node: ts.Node): boolean {
  return ts.isPropertyAccessExpression(node) && DISCRIMINATORS.includes(node.name.text)
    // Kubernetes manifests' own `kind` field (m.kind === 'Service') is data, not a strategy.
    && !(node.name.text === 'kind' && /^(m|o|manifest|obj|object|scaler|doc|json)$/.test(node.expression.getText()));
}

/** Measures every .ts file below `dir`. */
export function measure(dir: string): Shape {
  const files = sourceFiles(dir);
  const classes: Sized[] = [];
  const functions: Sized[] = [];
  const imports = new Map<string, string[]>();
  const discriminatorUses: DiscriminatorUse[] = [];
  let codeLines = 0;
  for (const file of files) {
    const rel = path.relative(dir, file);
    const text = fs.readFileSync(file, 'utf8');
    codeLines += text.split('\n').filter((l) => l.trim() !== '' && !/^\s*(\/\/|\/\*|\*)/.test(l)).length;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const deps: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
        classes.push({ file: rel, name: node.name?.text ?? '(anonymous)', lines: span(sf, node) });
      }
      if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)
        || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) {
        if ((node as ts.FunctionLikeDeclaration).body) functions.push({ file: rel, name: functionName(node, sf), lines: span(sf, node) });
      }
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        const spec = node.moduleSpecifier.text;
        // Type-only imports count: a cycle of types is still two modules that must change together.
        if (spec.startsWith('.')) {
          const target = path.relative(dir, path.resolve(path.dirname(file), spec));
          if (!target.startsWith('..')) deps.push(fs.existsSync(path.join(dir, `${target}.ts`)) ? `${target}.ts` : path.join(target, 'index.ts'));
        }
      }
      if (ts.isSwitchStatement(node) && isDiscriminatorAccess(node.expression)) {
        discriminatorUses.push({ file: rel, line: lineOf(sf, node.getStart(sf)), text: `switch (${node.expression.getText(sf)})` });
      }
      if (ts.isBinaryExpression(node) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken,
        ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(node.operatorToken.kind)) {
        const [a, b] = [node.left, node.right];
        const variant = (x: ts.Node) => ts.isStringLiteralLike(x) || (ts.isPropertyAccessExpression(x) && /^[A-Z]/.test(x.expression.getText(sf)));
        if ((isDiscriminatorAccess(a) && variant(b)) || (isDiscriminatorAccess(b) && variant(a))) {
          discriminatorUses.push({ file: rel, line: lineOf(sf, node.getStart(sf)), text: node.getText(sf) });
        }
      }
      if (ts.isPropertyAccessExpression(node) && node.name.text === '_kind') {
        // A hidden kind tag read anywhere is a switch in disguise.
        discriminatorUses.push({ file: rel, line: lineOf(sf, node.getStart(sf)), text: node.getText(sf) });
      } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ['startsWith', 'includes'].includes(node.expression.name.text)
        && isDiscriminatorAccess(node.expression.expression)) {
        discriminatorUses.push({ file: rel, line: lineOf(sf, node.getStart(sf)), text: node.getText(sf) });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    imports.set(rel, deps);
  }
  return { files: files.length, codeLines, classes, functions, imports, cycles: findCycles(imports), discriminatorUses };
}

/** Every elementary cycle's smallest representative among the strongly connected parts (Tarjan). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    indices.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) { connect(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component.sort());
    }
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
}

if (require.main === module) main();
