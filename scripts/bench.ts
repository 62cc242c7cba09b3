// Synthesis benchmark: prints figures, asserts nothing.
//
//   npm run bench                 N = 1, 10, 100, 1000, three runs each, median reported
//   npm run bench -- 1 10 100     other sizes
//   npm run bench -- --process-only [--no-consumer]   only the whole-process tables
//
// For each N it synthesizes, each in a fresh process:
//   ours   N InferenceServices, each with its ModelVolume (S3 with a shared cache),
//          ObservabilityBundle, HPA and PDB;
//   plain  the same objects written by hand with cdk8s-plus-27 (bench-plain.ts), checked equal to
//          ours after the timed section: the per-object baseline;
//   thin   a thinner hand-written cdk8s-plus-27 chart of the same kinds (fewer probes, labels,
//          rules and panels; objects about 8x smaller), for scale;
//   same   the objects of ours written out as cdk8s ApiObject literals: cdk8s alone, no cdk8s-plus;
//   floor  the rendered objects of ours serialized by cdk8s's Yaml.stringify alone.
// Times are in-process: building the construct tree and rendering YAML (app.synthYaml(),
// validations included), without disk I/O, each after a full garbage collection. While the library
// is loaded, cdk8s' Yaml.stringify is the library's writer (the same bytes; lib/private/yaml.ts).
//
// Then what a user waits for, whole processes, median of 7 (npm run build first, so build/lib is
// the package as installed):
//   load     `node -e 1`, require('cdk8s'), require('cdk8s-plus-27'), require(the package);
//   synth    the package's synth command (bin/synth.js, as `npx cdk8s-inference-synth` runs it) on
//            N vLLM services with one replica and one GPU each (scripts/bench-app.js): wall time,
//            per object and per KiB, the marginal cost per object over N = 1, the app's peak RSS;
//            and the same app on the sources (lib/ through scripts/register.js), the project's path;
//   consumer the README's quick start from a packed tarball in a fresh folder
//            (scripts/bench-quickstart.sh; skip with --no-consumer).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { App, Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { literalsFrom, ours, plainSame, plainThin, sameContent } from './bench-charts';

type Case = 'ours' | 'plain' | 'thin' | 'same' | 'floor';
interface Sample { objects: number; kib: number; ms: number; rssMiB: number }

/** Starts each timed section after a full collection, so no case pays for garbage made before it. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const parseYaml = (text: string) => parseAllDocuments(text).map((d) => d.toJS());

/** Times `work` from a full collection; peak RSS is read right after, before any checking. */
function timed(work: () => string): { text: string; ms: number; rssMiB: number } {
  collectGarbage();
  const start = process.hrtime.bigint();
  const text = work();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { text, ms, rssMiB: process.resourceUsage().maxRSS / 1024 };
}

/**
 * One case in this process. The baselines read our rendered objects from `reference`, a file
 * written by another process, so no code they share with ours has run (and warmed up) before the
 * timed section.
 */
function measure(kind: Case, n: number, reference?: string): Sample {
  let run: { text: string; ms: number; rssMiB: number };
  if (kind === 'ours' || kind === 'thin') {
    run = timed(() => (kind === 'ours' ? ours(n) : plainThin(n)).synthYaml());
  } else {
    if (reference === undefined) throw new Error(`${kind} ${n}: the baselines read our objects from a file`);
    const objects: any[] = JSON.parse(fs.readFileSync(reference, 'utf8'));
    if (kind === 'floor') {
      // Only serialization, by cdk8s's own Yaml.stringify (the yaml library cdk8s bundles, with its options).
      run = timed(() => Yaml.stringify(...objects));
    } else {
      let build: () => App;
      if (kind === 'plain') {
        // Rules and dashboard JSON are literals in a hand-written chart: made before timing.
        const literals = literalsFrom(objects, n);
        build = () => plainSame(n, literals);
      } else {
        build = () => sameContent(objects);
      }
      run = timed(() => build().synthYaml());
      // Equal objects; only the order of some keys differs (cdk8s sorts keys before our patches run).
      if (!isDeepStrictEqual(parseYaml(run.text), parseYaml(Yaml.stringify(...objects)))) {
        throw new Error(`the ${kind} chart does not emit the same objects as ours`);
      }
    }
  }
  return { objects: (run.text.match(/^kind: /gm) ?? []).length, kib: run.text.length / 1024, ms: run.ms, rssMiB: run.rssMiB };
}

function child(kind: Case | 'reference', n: number, reference?: string): Sample {
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', './scripts/register.js', __filename, '--child', kind, String(n), ...(reference ? [reference] : [])], {
    cwd: path.resolve(__dirname, '..'), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${kind} ${n}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
}

function median<T>(xs: T[], key: (x: T) => number): T {
  return [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)];
}

function synthWallTime(runs: number): number[] {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['scripts/synth.js', path.join(out, 'dist')], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  fs.rmSync(out, { recursive: true, force: true });
  return times.sort((a, b) => a - b);
}

const root = path.resolve(__dirname, '..');

/** Median and spread of `runs` fresh runs of `command` (after one warm-up run), in ms; stderr of the median run. */
function wall(command: string[], env: NodeJS.ProcessEnv = {}, runs = 7): { ms: number; min: number; max: number; stderr: string } {
  const once = () => {
    const start = process.hrtime.bigint();
    const r = spawnSync(command[0], command.slice(1), { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${command.join(' ')}: ${r.stderr}`);
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, stderr: r.stderr };
  };
  once();
  const samples = Array.from({ length: runs }, once).sort((a, b) => a.ms - b.ms);
  return { ...samples[Math.floor(runs / 2)], min: samples[0].ms, max: samples[runs - 1].ms };
}

interface ProcessRow { n: number; objects: number; kib: number; ms: number; rssMiB: number; sourcesMs: number; sourcesRssMiB: number }

/** The synth command on N services: the package, then the sources. */
function wholeProcess(n: number): ProcessRow {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-process-'));
  const synth = (library: string) => {
    const w = wall([process.execPath, 'bin/synth.js', 'scripts/bench-app.js', '--output', path.join(out, 'dist')],
      { BENCH_SERVICES: String(n), BENCH_LIBRARY: library, BENCH_REPORT_RSS: '1' });
    return { ms: w.ms, rssMiB: Number(/peak-rss-mib (\S+)/.exec(w.stderr)?.[1] ?? NaN) };
  };
  const sources = synth('lib');
  const pkg = synth('build/lib');
  const text = fs.readdirSync(path.join(out, 'dist')).map((f) => fs.readFileSync(path.join(out, 'dist', f), 'utf8')).join('');
  fs.rmSync(out, { recursive: true, force: true });
  return { n, objects: (text.match(/^kind: /gm) ?? []).length, kib: text.length / 1024, ms: pkg.ms, rssMiB: pkg.rssMiB, sourcesMs: sources.ms, sourcesRssMiB: sources.rssMiB };
}

function processTables(consumer: boolean): void {
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build: ${build.stdout}${build.stderr}`);
  console.log('\nWhole processes, median of 7 fresh runs after one warm-up (what a user waits for):\n');
  const node = process.execPath;
  const load = (code: string) => wall([node, '-e', code]).ms.toFixed(0);
  console.log(`load alone: node -e 1 ${load('1')} ms; require('cdk8s') ${load("require('cdk8s')")} ms; require('cdk8s-plus-27') ${load("require('cdk8s-plus-27')")} ms; `
    + `require(the package) ${load("require('./build/lib')")} ms\n`);
  const rows = [1, 100, 1000].map(wholeProcess);
  const one = rows[0];
  console.log('| N services | objects | YAML KiB | synth wall ms | ms per object | ms per KiB | marginal ms per object (over N = 1) | peak RSS MiB | from sources: wall ms, peak RSS MiB |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const marginal = r.n === 1 ? '–' : ((r.ms - one.ms) / (r.objects - one.objects)).toFixed(2);
    console.log(`| ${r.n} | ${r.objects} | ${r.kib.toFixed(0)} | ${r.ms.toFixed(0)} | ${(r.ms / r.objects).toFixed(2)} | ${(r.ms / r.kib).toFixed(2)} | ${marginal} | ${r.rssMiB.toFixed(0)} | ${r.sourcesMs.toFixed(0)}, ${r.sourcesRssMiB.toFixed(0)} |`);
  }
  console.log(`\ntime(1000) / time(100) = ${(rows[2].ms / rows[1].ms).toFixed(2)}`);
  if (!consumer) return;
  console.log('\nThe quick start as a user meets it (scripts/bench-quickstart.sh, RUNS=7):\n');
  const quick = spawnSync('bash', ['scripts/bench-quickstart.sh'], { cwd: root, encoding: 'utf8', env: { ...process.env, RUNS: '7' } });
  if (quick.status !== 0) throw new Error(`bench-quickstart.sh: ${quick.stderr}`);
  console.log(quick.stdout.trim());
}

function main(): void {
  if (process.argv[2] === '--child') {
    const [kind, n, reference] = process.argv.slice(3);
    if (kind === 'reference') {
      fs.writeFileSync(reference, JSON.stringify(ours(Number(n)).charts[0].toJson()));
      process.stdout.write('{}\n');
    } else {
      process.stdout.write(JSON.stringify(measure(kind as Case, Number(n), reference)) + '\n');
    }
    return;
  }
  if (process.argv.includes('--process-only')) {
    processTables(!process.argv.includes('--no-consumer'));
    return;
  }
  const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
  const ns = sizes.length ? sizes : [1, 10, 100, 1000];
  const runs = 3;
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${runs} runs per cell, median shown\n`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const rows = ns.map((n) => {
    const reference = path.join(scratch, `ours-${n}.json`);
    child('reference', n, reference);
    const cell = (kind: Case) => median(Array.from({ length: runs }, () => child(kind, n, reference)), (s) => s.ms);
    return { n, o: cell('ours'), p: cell('plain'), t: cell('thin'), c: cell('same'), f: cell('floor') };
  });
  fs.rmSync(scratch, { recursive: true, force: true });
  const perObject = (a: Sample, b: Sample) => (a.ms / a.objects) / (b.ms / b.objects);
  console.log('Against the same objects written by hand with cdk8s-plus-27 (the target: per object within 1.5x):\n');
  console.log('| N | objects | YAML KiB | ours ms | ours peak RSS MiB | plain cdk8s-plus ms | plain peak RSS MiB | ours/plain per object | yaml floor ms | ours/floor |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { n, o, p, f } of rows) {
    console.log(`| ${n} | ${o.objects} | ${o.kib.toFixed(0)} | ${o.ms.toFixed(0)} | ${o.rssMiB.toFixed(0)} | ${p.ms.toFixed(0)} | ${p.rssMiB.toFixed(0)} | ${perObject(o, p).toFixed(2)} | ${f.ms.toFixed(0)} | ${(o.ms / f.ms).toFixed(2)} |`);
  }
  console.log('\nFor scale: a thinner hand-written chart of the same kinds, and the same objects as cdk8s ApiObject literals (no cdk8s-plus):\n');
  console.log('| N | thin: objects, KiB | thin ms | ours/thin per object | ours/thin per KiB | literals ms | ours/literals |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const { n, o, t, c } of rows) {
    console.log(`| ${n} | ${t.objects}, ${t.kib.toFixed(0)} | ${t.ms.toFixed(0)} | ${perObject(o, t).toFixed(2)} | ${((o.ms / o.kib) / (t.ms / t.kib)).toFixed(2)} | ${c.ms.toFixed(0)} | ${(o.ms / c.ms).toFixed(2)} |`);
  }
  const oursMs = new Map(rows.map(({ n, o }) => [n, o.ms]));
  if (oursMs.has(100) && oursMs.has(1000)) console.log(`\ntime(1000) / time(100) = ${((oursMs.get(1000) ?? 0) / (oursMs.get(100) ?? 1)).toFixed(2)}`);
  const synthTimes = synthWallTime(5);
  console.log(`npm run synth of main.ts, fresh process, 5 runs: median ${synthTimes[2].toFixed(0)} ms (min ${synthTimes[0].toFixed(0)}, max ${synthTimes[4].toFixed(0)})`);
  processTables(!process.argv.includes('--no-consumer'));
}

main();
