// A faster writer for cdk8s' `Yaml.stringify`, the serializer `App.synth()` writes every manifest
// with; byte for byte the same output. cdk8s builds a full YAML document model (nodes, pairs,
// comments, anchors) for each object and prints it, which is most of a synth's time. Kubernetes
// objects are plain maps, lists and scalars: this writer prints them directly, in the layout of
// cdk8s' YAML library (2-space indent, lists indented under their key, empty collections as `{}` and
// `[]`). Every scalar is printed the way that library prints it on its own, asked once per distinct
// value (so quoting and the YAML 1.1 types, `yes`, `on`, `0755`, are its decisions, not ours); an
// object holding anything else (a multi-line string, a list in a list) is handed to cdk8s' own
// writer whole. test/yaml.test.ts compares both on every app and on
// generated objects.
import { Yaml } from 'cdk8s';

type Stringify = (...docs: any[]) => string;

/** cdk8s' own writer: for the objects the fast path leaves alone, and for the scalars' forms. */
const cdk8sStringify: Stringify = Yaml.stringify.bind(Yaml);

/** A value's own line as cdk8s prints it, or undefined when it is not a one-line plain scalar. */
const scalars = new Map<unknown, string | undefined>();

/** Thrown inside the fast path when an object needs cdk8s' writer. */
const FALLBACK = Symbol('fallback');

function scalar(value: string | number | boolean | null): string {
  let text = scalars.get(value);
  if (text === undefined && !scalars.has(value)) {
    // Strings that span lines or could start a document marker depend on their indentation; YAML
    // writes keys over 1024 characters in another form.
    const simple = typeof value !== 'string' || (!value.includes('\n') && !value.startsWith('---') && !value.startsWith('...') && value.length <= 1000);
    const printed = simple ? cdk8sStringify(value) : '';
    text = printed.endsWith('\n') && printed.indexOf('\n') === printed.length - 1 ? printed.slice(0, -1) : undefined;
    scalars.set(value, text);
  }
  if (text === undefined) throw FALLBACK;
  return text;
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** An empty list or map in flow form, or undefined. */
function emptyCollection(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  if (value !== null && typeof value === 'object' && Object.keys(value).length === 0 && Object.getPrototypeOf(value) === Object.prototype) return '{}';
  return undefined;
}

/** The lines of map `map` at `indent`; `first` replaces the indent of its first line (a list item's `- `). */
function writeMap(map: { [key: string]: unknown }, indent: string, out: string[], first = indent): void {
  if (Object.getPrototypeOf(map) !== Object.prototype) throw FALLBACK;
  let lead = first;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) throw FALLBACK;
    const name = scalar(key);
    const inline = isScalar(value) ? scalar(value) : emptyCollection(value);
    if (inline !== undefined) {
      out.push(`${lead}${name}: ${inline}\n`);
    } else {
      out.push(`${lead}${name}:\n`);
      writeCollection(value, `${indent}  `, out);
    }
    lead = indent;
  }
}

/** The lines of a non-empty list or map at `indent`. */
function writeCollection(value: unknown, indent: string, out: string[]): void {
  if (!Array.isArray(value)) {
    if (value === null || typeof value !== 'object') throw FALLBACK;
    writeMap(value as { [key: string]: unknown }, indent, out);
    return;
  }
  for (const item of value) {
    if (item === undefined) throw FALLBACK;
    const inline = isScalar(item) ? scalar(item) : emptyCollection(item);
    if (inline !== undefined) {
      out.push(`${indent}- ${inline}\n`);
    } else if (Array.isArray(item)) {
      throw FALLBACK;
    } else {
      writeMap(item as { [key: string]: unknown }, `${indent}  `, out, `${indent}- `);
    }
  }
}

/** One object (a map or a non-empty list) printed by the fast path, or undefined when it holds something it leaves to cdk8s. */
export function fastObject(doc: unknown): string | undefined {
  if (isScalar(doc) || emptyCollection(doc) !== undefined) return undefined;
  const out: string[] = [];
  try {
    writeCollection(doc, '', out);
  } catch (e) {
    if (e === FALLBACK) return undefined;
    throw e;
  }
  return out.join('');
}

/** One object as cdk8s prints it. */
export function stringifyObject(doc: unknown): string {
  return fastObject(doc) ?? cdk8sStringify(doc);
}

/** `Yaml.stringify`, with the fast path for each document. */
export function stringify(...docs: any[]): string {
  return docs.map((d) => (d === undefined ? '\n' : stringifyObject(d))).join('---\n');
}

/** Makes cdk8s write manifests with `stringify` (once per process; the output does not change). */
export function installYamlWriter(): void {
  if (Yaml.stringify !== stringify) Yaml.stringify = stringify;
}

/** cdk8s' own writer, for tests that compare. */
export const cdk8sYaml = cdk8sStringify;
