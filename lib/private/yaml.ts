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

/** A value's own line as cdk8s prints it, or undefined when it is not a one-line scalar. */
const scalars = new Map<unknown, string | undefined>();
/** Distinct scalars kept at most: a long-lived process that writes many apps does not grow without bound. */
const MAX_SCALARS = 50_000;
/** YAML writes a key whose printed form is longer in another form (`? key`). */
const MAX_KEY_LENGTH = 1024;

/** Thrown inside the fast path when an object needs cdk8s' writer. */
const FALLBACK = Symbol('fallback');

function scalar(value: string | number | boolean | null): string {
  // A Map holds 0 and -0 as one key; YAML prints them apart.
  if (Object.is(value, -0)) throw FALLBACK;
  let text = scalars.get(value);
  if (text === undefined && !scalars.has(value)) {
    // Strings that span lines or could start a document marker depend on their indentation.
    const simple = typeof value !== 'string' || (!value.includes('\n') && !value.startsWith('---') && !value.startsWith('...') && value.length <= 1000);
    const printed = simple ? cdk8sStringify(value) : '';
    text = printed.endsWith('\n') && printed.indexOf('\n') === printed.length - 1 ? printed.slice(0, -1) : undefined;
    if (scalars.size >= MAX_SCALARS) scalars.clear();
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

/** The lines of one document. */
class DocumentWriter {
  public readonly out: string[] = [];
  /** Collections written so far: YAML writes one met twice as an anchor and an alias. */
  private readonly seen = new Set<object>();

  /** The lines of a non-empty list or map at `indent`. */
  public collection(value: unknown, indent: string): void {
    if (!Array.isArray(value)) {
      if (value === null || typeof value !== 'object') throw FALLBACK;
      this.map(value as { [key: string]: unknown }, indent);
      return;
    }
    this.visit(value);
    for (const item of value) {
      if (item === undefined) throw FALLBACK;
      const inline = isScalar(item) ? scalar(item) : emptyCollection(item);
      if (inline !== undefined) {
        this.out.push(`${indent}- ${inline}\n`);
      } else if (Array.isArray(item)) {
        throw FALLBACK;
      } else {
        this.map(item as { [key: string]: unknown }, `${indent}  `, `${indent}- `);
      }
    }
  }

  /** The lines of map `map` at `indent`; `first` replaces the indent of its first line (a list item's `- `). */
  private map(map: { [key: string]: unknown }, indent: string, first = indent): void {
    if (map === null || typeof map !== 'object' || Object.getPrototypeOf(map) !== Object.prototype) throw FALLBACK;
    this.visit(map);
    let lead = first;
    for (const key of Object.keys(map)) {
      const value = map[key];
      if (value === undefined) throw FALLBACK;
      const name = scalar(key);
      if (name.length > MAX_KEY_LENGTH) throw FALLBACK;
      const inline = isScalar(value) ? scalar(value) : emptyCollection(value);
      if (inline !== undefined) {
        this.out.push(`${lead}${name}: ${inline}\n`);
      } else {
        this.out.push(`${lead}${name}:\n`);
        this.collection(value, `${indent}  `);
      }
      lead = indent;
    }
  }

  private visit(collection: object): void {
    if (this.seen.has(collection)) throw FALLBACK;
    this.seen.add(collection);
  }
}

/** One object (a map or a non-empty list) printed by the fast path, or undefined when it holds something it leaves to cdk8s. */
export function fastObject(doc: unknown): string | undefined {
  if (isScalar(doc) || emptyCollection(doc) !== undefined) return undefined;
  const writer = new DocumentWriter();
  try {
    writer.collection(doc, '');
  } catch (e) {
    if (e === FALLBACK) return undefined;
    throw e;
  }
  return writer.out.join('');
}

/** One object as cdk8s prints it. */
export function stringifyObject(doc: unknown): string {
  return fastObject(doc) ?? cdk8sStringify(doc);
}

/** `Yaml.stringify`, with the fast path for each document. */
export function stringify(...docs: any[]): string {
  return docs.map((d) => (d === undefined ? '\n' : stringifyObject(d))).join('---\n');
}

/**
 * An object with every form the fast path writes (nested maps, lists of scalars and of maps, empty
 * collections, quoted, numeric and YAML 1.1 special strings, numbers, booleans, null): a writer
 * that prints it otherwise than cdk8s' is not installed, so a later cdk8s (another YAML library,
 * other options) gets its own writer back instead of different manifests.
 */
const SAMPLE = {
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sample', labels: { 'app.kubernetes.io/name': 'sample', 'yes': 'on' }, annotations: {} },
  spec: {
    replicas: 2, ratio: 0.25, enabled: true, none: null, empty: [], args: ['--port=8000', '8000', 'a: b', "it's", '"q"', '#x', '0755', ''],
    containers: [{ name: 'server', ports: [{ containerPort: 8000 }], env: [] }, {}], nested: { deeper: { list: [1, 'two'] } },
  },
};

/**
 * Makes cdk8s write manifests with `writer` (this module's by default), if it prints the sample as
 * cdk8s' own writer does; returns whether it is installed.
 */
export function installYamlWriter(writer: Stringify = stringify): boolean {
  if (Yaml.stringify === writer) return true;
  if (writer(SAMPLE, undefined, SAMPLE) !== cdk8sStringify(SAMPLE, undefined, SAMPLE)) return false;
  Yaml.stringify = writer;
  return true;
}

/** cdk8s' own writer, for tests that compare. */
export const cdk8sYaml = cdk8sStringify;
