import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import '../lib';
import { cdk8sYaml, installYamlWriter, stringify, stringifyObject } from '../lib/private/yaml';

// The library's YAML writer (lib/private/yaml.ts) must print what cdk8s' own writer prints, byte for
// byte: on every app of the repository, and on generated objects with the scalars YAML treats
// specially.
const root = path.resolve(__dirname, '..');
const apps = ['main.ts', ...['examples', 'test/fixtures/apps'].flatMap((d) => fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.ts')).map((f) => `${d}/${f}`))];

describe('the YAML writer', () => {
  test('is installed in cdk8s when the library loads', () => {
    expect(Yaml.stringify).toBe(stringify);
  });

  // Each app runs in a process of its own whose cdk8s writes with both writers and fails on the
  // first object they print differently (test/yaml-check.js).
  test.each(apps)('%s: every object printed as cdk8s prints it', (app) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-check-'));
    try {
      const report = execFileSync(process.execPath, ['-r', './scripts/register.js', '-r', './test/yaml-check.js', app], {
        cwd: root, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: out },
      });
      const { objects, fast } = JSON.parse(report.trim().split('\n').pop()!);
      expect(objects).toBeGreaterThan(0);
      // Most objects take the fast path; the rest (multi-line strings: dashboards, scripts) are cdk8s' own.
      expect(fast / objects).toBeGreaterThan(0.5);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  const scalar = fc.oneof(
    fc.string(), fc.constantFrom('yes', 'No', 'on', 'OFF', 'y', '~', 'null', '', '0755', '0x1F', '1e3', '.inf', '-.Inf', '.NaN', '190:20:30', '2001-12-14',
      '- a', '-a', 'a: b', 'a #b', 'a#b', '#x', '@x', '`x', '!x', '&x', '*x', '%x', '|', '>', '? x', '---', '...x', 'a\nb', ' a', 'a ', 'true', '8000', '"q"', "'q'"),
    fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  );
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('value'), { maxLength: 4 }),
    map: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('yes', 'on', '8000', 'a: b', '')), tie('value'), { maxKeys: 4 }),
  }));

  test('prints generated objects as cdk8s does (property)', () => {
    fc.assert(fc.property(json.map, (doc) => stringifyObject(doc) === cdk8sYaml(doc)), { numRuns: 3000, seed: 20261207 });
  });

  test.each([
    ['a key whose escaped form is over 1024 characters', () => ({ ['\x01'.repeat(300)]: 1, ['"\''.repeat(400)]: 2 })],
    ['-0 after 0, and 0 after -0', () => [{ a: 0, b: -0 }, { c: -0, d: 0 }]],
    ['one object met twice (YAML writes an anchor and an alias)', () => {
      const labels = { app: 'x' };
      return { metadata: { labels }, spec: { selector: { matchLabels: labels } } };
    }],
    ['a circular object', () => {
      const doc: any = { a: { b: 1 } };
      doc.a.self = doc;
      return doc;
    }],
    ['values that are no JSON (a Date, a Map, a function, a symbol, a bigint, a hole)', () => ({ d: new Date(0), m: new Map(), f: () => 1, s: Symbol('s'), n: 1n, h: [1, , 3] })],
  ])('prints %s as cdk8s does (or fails as it does)', (_, make) => {
    const outcome = (write: () => string) => {
      try {
        return write();
      } catch (e) {
        return `throws ${(e as Error).message}`;
      }
    };
    const doc = make();
    for (const d of Array.isArray(doc) ? doc : [doc]) expect(outcome(() => stringifyObject(d))).toBe(outcome(() => cdk8sYaml(d)));
  });

  test('is not installed when it would print cdk8s\' sample otherwise (another cdk8s, another YAML library)', () => {
    const mine = Yaml.stringify;
    expect(installYamlWriter((...docs: any[]) => stringify(...docs).replace(/: /g, ':  '))).toBe(false);
    expect(Yaml.stringify).toBe(mine);
  });

  test('prints a multi-document stream as cdk8s does, undefined documents included', () => {
    const docs = [{ a: 1 }, undefined, { b: ['x', { c: [] }] }];
    expect(stringify(...docs)).toBe(cdk8sYaml(...docs));
  });
});
