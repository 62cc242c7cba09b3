#!/usr/bin/env node
// cdk8s-inference-synth: synthesizes a cdk8s app without ever losing the output folder.
//
//   npx cdk8s-inference-synth [app entry, default main.ts or main.mts] [--output dist]
//
// The app writes into a fresh folder beside the output folder (CDK8S_OUTDIR), and the output
// folder is replaced only when the app succeeded and wrote at least one manifest; a failing app
// leaves it byte-for-byte as it was and this command exits with the app's status. (`cdk8s synth`
// empties the output folder before it runs the app, so a failing app leaves nothing behind.)
//
// Only manifests (.yaml, .yml) reach the output folder, so `kubectl apply -f dist/` always works:
// construct metadata is not recorded (CDK8S_RECORD_CONSTRUCT_METADATA=false) and any other file
// the app writes is left out, deleted with the staging folder, and named on stderr.
//
// How the app runs: .mts, .mjs, .js and .cjs with plain `node` (Node >= 22.18, e.g. Node 24 LTS,
// strips the types of .mts itself); .ts and .cts with the SWC loader of a source checkout of
// this library (scripts/register.js), else the command fails and says to rename the entry. The
// app's process keeps V8's young generation small and Node's compile cache on (see runApp).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const USAGE = 'usage: cdk8s-inference-synth [app entry, default main.ts or main.mts] [--output <folder>, default dist]';
const DEFAULT_ENTRIES = ['main.ts', 'main.mts', 'main.js', 'main.mjs'];
const PLAIN_NODE = ['.mjs', '.js', '.cjs'];
const TYPESCRIPT_MODULE = ['.mts'];
const TYPESCRIPT_LOADER = ['.ts', '.cts'];
const MANIFEST = /\.ya?ml$/;

class UsageError extends Error {}

/** Reads `[entry] [--output dir]` (also `-o dir`, `--output=dir`). */
function parseArgs(argv) {
  const options = { entry: undefined, output: 'dist', help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      options.help = true;
    } else if (arg === '--output' || arg === '-o') {
      if (argv[i + 1] === undefined) throw new UsageError(`${arg} needs a folder`);
      options.output = argv[++i];
    } else if (arg.startsWith('--output=')) {
      options.output = arg.slice('--output='.length);
    } else if (arg.startsWith('-') || options.entry !== undefined) {
      throw new UsageError(`unexpected argument '${arg}'`);
    } else {
      options.entry = arg;
    }
  }
  return options;
}

function defaultEntry(cwd) {
  const found = DEFAULT_ENTRIES.find((f) => fs.existsSync(path.join(cwd, f)));
  if (!found) throw new UsageError(`no app entry given and none of ${DEFAULT_ENTRIES.join(', ')} in ${cwd}`);
  return found;
}

/** The SWC loader of a source checkout, when it and @swc/core resolve; undefined in an installed package. */
function sourceLoader() {
  const loader = path.join(__dirname, '..', 'scripts', 'register.js');
  try {
    require.resolve('@swc/core', { paths: [path.dirname(loader)] });
    return fs.existsSync(loader) ? loader : undefined;
  } catch {
    return undefined;
  }
}

const stripsTypes = () => Boolean(process.features && process.features.typescript);
const renameHint = (entry) => `rename it to ${entry.replace(/\.c?ts$/, '.mts')} and run it on Node.js 24 LTS (or >= 22.18), which strips TypeScript types itself`;

/** The node arguments that run the entry, or an error message saying why it cannot run here. */
function nodeArgs(entry) {
  const ext = path.extname(entry);
  if (PLAIN_NODE.includes(ext)) return { args: [entry] };
  if (TYPESCRIPT_MODULE.includes(ext)) {
    if (stripsTypes()) return { args: [entry] };
    return { error: `cannot run ${entry}: Node.js ${process.version} does not strip TypeScript types; use Node.js 24 LTS (or >= 22.18)` };
  }
  if (TYPESCRIPT_LOADER.includes(ext)) {
    const loader = sourceLoader();
    if (loader) return { args: ['-r', loader, entry] };
    return { error: `cannot run ${entry}: a ${ext} app needs a TypeScript loader, and this package ships none; ${renameHint(entry)}` };
  }
  return { error: `cannot run ${entry}: the app entry must be a .mts, .ts, .mjs or .js file` };
}

/** Every file under dir, as paths relative to it. */
function filesUnder(dir, prefix = '') {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(prefix, e.name);
    return e.isDirectory() ? filesUnder(dir, rel) : [rel];
  });
}

/** Deletes every file in the staging folder that is not a manifest; returns the manifests and what was left out. */
function keepManifests(staging) {
  const files = filesUnder(staging);
  const leftOut = files.filter((f) => !MANIFEST.test(f));
  for (const f of leftOut) fs.rmSync(path.join(staging, f), { force: true });
  return { manifests: files.filter((f) => MANIFEST.test(f)), leftOut };
}

/** Puts staging where output is; the previous output is restored when the second rename fails. */
function swap(staging, output) {
  const previous = `${output}.previous`;
  fs.rmSync(previous, { recursive: true, force: true });
  const hadOutput = fs.existsSync(output);
  if (hadOutput) fs.renameSync(output, previous);
  try {
    fs.renameSync(staging, output);
  } catch (e) {
    if (hadOutput) fs.renameSync(previous, output);
    throw e;
  }
  fs.rmSync(previous, { recursive: true, force: true });
}

/**
 * V8's young generation capped at 8 MiB per semi-space: a synth makes short-lived objects, and the
 * default (16 MiB) let the heap grow to about 15 MiB more for 100 services, in no less time. A
 * size set in NODE_OPTIONS wins.
 */
function runtimeFlags() {
  return /--max-semi-space-size/.test(process.env.NODE_OPTIONS ?? '') ? [] : ['--max-semi-space-size=8'];
}

/**
 * Where Node keeps the compiled code of the app's modules between runs (NODE_COMPILE_CACHE, Node
 * >= 22.1; older versions ignore it), so a synth after the first compiles neither cdk8s, cdk8s-plus
 * nor this library again: the project's node_modules/.cache, else a folder of the user's in the
 * temporary folder. Node checks each file's hash, so an edited file is compiled again. A
 * NODE_COMPILE_CACHE of your own wins; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
function compileCache(cwd) {
  if (process.env.NODE_COMPILE_CACHE !== undefined) return process.env.NODE_COMPILE_CACHE;
  const modules = path.join(cwd, 'node_modules');
  if (fs.existsSync(modules)) return path.join(modules, '.cache', 'cdk8s-inference', 'compile-cache');
  return path.join(os.tmpdir(), `cdk8s-inference-compile-cache-${process.getuid?.() ?? os.userInfo().username}`);
}

function runApp(args, cwd, staging) {
  return spawnSync(process.execPath, [...runtimeFlags(), ...args], {
    cwd,
    stdio: 'inherit',
    env: {
      ...process.env, CDK8S_OUTDIR: staging, CDK8S_CHECK_UPGRADE: 'false', CDK8S_RECORD_CONSTRUCT_METADATA: 'false', NODE_COMPILE_CACHE: compileCache(cwd),
    },
  });
}

/**
 * Why `output` must not be replaced, or nothing. The output folder is deleted and recreated, so it
 * must be a folder of manifests only: never the project folder or one above it, never the folder of
 * the app's entry, never a folder that holds anything but manifests.
 */
function unsafeOutput(output, cwd, entry) {
  const inside = (child, parent) => { const r = path.relative(parent, child); return r === '' || (!r.startsWith('..') && !path.isAbsolute(r)); };
  if (inside(cwd, output)) return 'it is the project folder or a folder above it';
  if (inside(path.resolve(cwd, entry), output)) return 'it holds the app\'s entry';
  if (fs.existsSync(output)) {
    if (!fs.statSync(output).isDirectory()) return 'it is a file';
    const others = filesUnder(output).filter((f) => !MANIFEST.test(f));
    if (others.length > 0) return `it holds files that are not manifests (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''})`;
  }
  return undefined;
}

/** Synthesizes the app; returns the exit status (0 when the output folder was replaced). */
function synth(options, cwd) {
  const entry = options.entry ?? defaultEntry(cwd);
  const output = path.resolve(cwd, options.output);
  const relative = path.relative(cwd, output);
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? output : relative || '.';
  const unsafe = unsafeOutput(output, cwd, entry);
  if (unsafe) throw new UsageError(`refusing to replace ${shown}/: ${unsafe}; name a folder of manifests only, e.g. --output dist`);
  const how = nodeArgs(entry);
  if (how.error) {
    console.error(`cdk8s-inference-synth: ${how.error}; ${shown}/ was left as it was`);
    return 1;
  }
  const started = process.hrtime.bigint();
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(output), '.dist-staging-'));
  // mkdtemp makes the folder 0700; the output is a folder like any other.
  fs.chmodSync(staging, fs.existsSync(output) ? fs.statSync(output).mode & 0o777 : 0o755);
  try {
    const run = runApp(how.args, cwd, staging);
    const { manifests, leftOut } = run.status === 0 ? keepManifests(staging) : { manifests: [], leftOut: [] };
    if (run.status !== 0 || manifests.length === 0) {
      const why = run.status !== 0 ? `exit ${run.status ?? run.signal}` : 'the app wrote no manifests: does it call app.synth()?';
      console.error(`synth failed (${why}); ${shown}/ was left as it was`);
      return run.status || 1;
    }
    if (leftOut.length > 0) console.error(`left out of ${shown}/ (not manifests, not written): ${leftOut.join(', ')}`);
    swap(staging, output);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`synthesized ${manifests.join(', ')} into ${shown}/ in ${ms.toFixed(0)} ms`);
    return 0;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The command: parses argv, synthesizes, returns the exit status. */
function main(argv, cwd = process.cwd()) {
  try {
    const options = parseArgs(argv);
    if (options.help) {
      console.log(USAGE);
      return 0;
    }
    return synth(options, cwd);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`cdk8s-inference-synth: ${e.message}\n${USAGE}`);
    return 2;
  }
}

module.exports = { main, parseArgs, nodeArgs };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
