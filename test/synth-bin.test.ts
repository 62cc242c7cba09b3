import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The package's bin, `npx cdk8s-inference-synth [entry] [--output dist]` (bin/synth.js): the app
// writes into a staging folder, the output folder is replaced only when the app succeeded, and only
// manifests reach it. `npm run synth` (scripts/synth.js) is the same code run from the root.
const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'synth.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-bin-'));
// Apps written into the work folder resolve cdk8s from the repository's node_modules.
fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'), 'dir');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const stripsTypes = Boolean((process.features as { typescript?: string }).typescript);

function synth(args: string[], cwd = root, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
}

/** Every file under dir with its bytes, keyed by relative path. */
function snapshot(dir: string): Record<string, string> {
  const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return Object.fromEntries(files.map((e) => {
    const file = path.join(e.parentPath, e.name);
    return [path.relative(dir, file), fs.readFileSync(file).toString('base64')];
  }).sort());
}

/** An output folder holding a manifest from an earlier synth. */
function previousOutput(name: string): string {
  const out = path.join(work, name);
  fs.mkdirSync(path.join(out, 'nested'), { recursive: true });
  fs.writeFileSync(path.join(out, 'previous.k8s.yaml'), 'kept: true\n');
  fs.writeFileSync(path.join(out, 'nested', 'other.k8s.yaml'), 'kept: also\n');
  return out;
}

const stagingLeft = () => fs.readdirSync(work).filter((f) => f.startsWith('.dist-staging-') || f.endsWith('.previous'));

function writeApp(name: string, body: string): string {
  fs.writeFileSync(path.join(work, name), body);
  return name;
}

const CONFIG_MAP_APP = `
const { App, Chart, ApiObject } = require('cdk8s');
const app = new App(APP_PROPS);
const chart = new Chart(app, 'js');
new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' } });
app.synth();
`;

describe('cdk8s-inference-synth (bin/synth.js)', () => {
  test('a good app replaces the output folder with its manifests', () => {
    const out = previousOutput('good');
    const r = synth(['main.ts', '--output', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/synthesized inference\.k8s\.yaml into .*good\/ in \d+ ms/);
    expect(snapshot(out)).toEqual(snapshot(path.join(root, 'dist')));
    expect(stagingLeft()).toEqual([]);
  });

  test('throws when the app fails: exits non-zero with its error and leaves the output folder byte-for-byte as it was', () => {
    const out = previousOutput('failing');
    const before = snapshot(out);
    const r = synth(['test/fixtures/failing-app.ts', '--output', out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("InferenceService 'broken/chat': invalid scaling.minReplicas: received 4; allowed: at most maxReplicas (2)");
    expect(r.stderr).toContain('[code: MinReplicasAboveMax]');
    expect(r.stderr).toMatch(/synth failed \(exit 1\); .*failing\/ was left as it was/);
    expect(snapshot(out)).toEqual(before);
    expect(stagingLeft()).toEqual([]);
  });

  test('throws when the app writes no manifest (it never calls app.synth()), leaving the output folder as it was', () => {
    const out = previousOutput('empty');
    const before = snapshot(out);
    const r = synth([writeApp('no-synth.js', "require('cdk8s');\n"), '--output', out], work);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/synth failed \(the app wrote no manifests: does it call app\.synth\(\)\?\); .*empty\/ was left as it was/);
    expect(snapshot(out)).toEqual(before);
  });

  test('only manifests reach the output folder: construct metadata and other files are not written', () => {
    const app = writeApp('extra-files.js', `${CONFIG_MAP_APP.replace('APP_PROPS', '{ recordConstructMetadata: true }')}
require('fs').writeFileSync(require('path').join(process.env.CDK8S_OUTDIR, 'notes.txt'), 'not a manifest');
`);
    const r = synth([app, '--output', 'extra'], work, { CDK8S_RECORD_CONSTRUCT_METADATA: 'true' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('left out of extra/ (not manifests, not written): construct-metadata.json, notes.txt');
    expect(Object.keys(snapshot(path.join(work, 'extra')))).toEqual(['js.k8s.yaml']);
    expect(stagingLeft()).toEqual([]);
  });

  test('the metadata cdk8s-cli asks for with CDK8S_RECORD_CONSTRUCT_METADATA is not recorded at all', () => {
    const app = writeApp('plain.js', `${CONFIG_MAP_APP.replace('APP_PROPS', '')}
if (require('fs').existsSync(require('path').join(process.env.CDK8S_OUTDIR, 'construct-metadata.json'))) process.exit(3);
`);
    const r = synth([app, '-o', 'plain'], work, { CDK8S_RECORD_CONSTRUCT_METADATA: 'true' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(Object.keys(snapshot(path.join(work, 'plain')))).toEqual(['js.k8s.yaml']);
  });

  const MTS_APP = `import { App, Chart, ApiObject } from 'cdk8s';
interface Settings { readonly name: string; readonly replicas: number }
const settings: Settings = { name: 'web', replicas: 2 };
const app: App = new App();
const chart = new Chart(app, 'mts');
new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: settings.name }, data: { replicas: \`\${settings.replicas}\` } });
app.synth();
`;

  if (stripsTypes) {
    test('runs main.mts with plain node (this Node strips TypeScript types), the default entry when there is no main.ts', () => {
      const dir = fs.mkdtempSync(path.join(work, 'mts-'));
      fs.writeFileSync(path.join(dir, 'main.mts'), MTS_APP);
      const r = synth([], dir);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'dist', 'mts.k8s.yaml'), 'utf8')).toMatch(/^kind: ConfigMap$[\s\S]*^ {2}name: web$/m);
    });
  } else {
    test('throws when main.mts runs on a Node that does not strip types, naming the Node to use', () => {
      console.log(`skipped running main.mts: Node.js ${process.version} does not strip TypeScript types (Node >= 22.18 or 24 does)`);
      const r = synth([writeApp('old-node.mts', MTS_APP), '--output', 'old-node'], work);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`cannot run old-node.mts: Node.js ${process.version} does not strip TypeScript types; use Node.js 24 LTS (or >= 22.18)`);
      expect(fs.existsSync(path.join(work, 'old-node'))).toBe(false);
    });
  }

  test('throws when a .ts app runs from an installed package (no SWC loader beside the bin), telling the user to rename it to .mts', () => {
    const installed = path.join(work, 'installed', 'bin');
    fs.mkdirSync(installed, { recursive: true });
    fs.copyFileSync(bin, path.join(installed, 'synth.js'));
    const r = spawnSync(process.execPath, [path.join(installed, 'synth.js'), 'main.ts'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot run main.ts: a .ts app needs a TypeScript loader, and this package ships none; '
      + 'rename it to main.mts and run it on Node.js 24 LTS (or >= 22.18), which strips TypeScript types itself; dist/ was left as it was');
  });

  test.each([
    [['--outptu', 'x'], "unexpected argument '--outptu'"],
    [['a.ts', 'b.ts'], "unexpected argument 'b.ts'"],
    [['--output'], '--output needs a folder'],
    [['app.py'], 'cannot run app.py: the app entry must be a .mts, .ts, .mjs or .js file'],
  ])('throws on bad arguments %j', (args, message) => {
    const r = synth(args, work);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  test('throws instead of replacing a folder that is not a folder of manifests (the project, its parent, the entry\'s, one with other files)', () => {
    const project = fs.mkdtempSync(path.join(work, 'project-'));
    fs.writeFileSync(path.join(project, 'main.js'), CONFIG_MAP_APP.replace('APP_PROPS', ''));
    fs.writeFileSync(path.join(project, 'notes.md'), 'mine\n');
    fs.mkdirSync(path.join(project, 'manifests'));
    fs.writeFileSync(path.join(project, 'manifests', 'kustomization.yaml'), 'resources: []\n');
    fs.writeFileSync(path.join(project, 'manifests', 'README.md'), 'mine too\n');
    const before = snapshot(project);
    for (const [output, why] of [['.', 'the project folder or a folder above it'], ['..', 'the project folder or a folder above it'],
      ['manifests', 'holds files that are not manifests (README.md)']]) {
      const r = synth(['main.js', '--output', output], project);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(why);
    }
    expect(snapshot(project)).toEqual(before);
    // A folder of manifests only is replaced, and gets ordinary permissions.
    expect(synth(['main.js', '--output', 'out'], project).status).toBe(0);
    expect(fs.statSync(path.join(project, 'out')).mode & 0o777).toBe(0o755);
  });

  test('throws when there is no entry and no main.ts or main.mts', () => {
    const r = synth([], fs.mkdtempSync(path.join(work, 'none-')));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no app entry given and none of main\.ts, main\.mts, main\.js, main\.mjs in /);
  });
});
