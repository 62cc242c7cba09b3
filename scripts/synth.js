#!/usr/bin/env node
// Synthesizes main.ts into dist/ without ever losing dist/: the app writes into a fresh folder
// beside it, and dist/ is replaced only when the app succeeded. (`cdk8s synth` empties the
// output folder before running the app, so a failing app leaves nothing behind.)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// Usage: node scripts/synth.js [output folder, default dist] [app entry, default main.ts]
const dist = path.resolve(root, process.argv[2] ?? 'dist');
const entry = process.argv[3] ?? 'main.ts';
const staging = fs.mkdtempSync(path.join(path.dirname(dist), '.dist-staging-'));
const started = process.hrtime.bigint();

const run = spawnSync(process.execPath, ['-r', './scripts/register.js', entry], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CDK8S_OUTDIR: staging, CDK8S_CHECK_UPGRADE: 'false' },
});

const produced = fs.existsSync(staging) ? fs.readdirSync(staging) : [];
if (run.status !== 0 || produced.length === 0) {
  fs.rmSync(staging, { recursive: true, force: true });
  console.error(`synth failed (exit ${run.status ?? run.signal}); ${path.relative(root, dist)}/ was left as it was`);
  process.exit(run.status || 1);
}

const previous = `${dist}.previous`;
fs.rmSync(previous, { recursive: true, force: true });
if (fs.existsSync(dist)) fs.renameSync(dist, previous);
fs.renameSync(staging, dist);
fs.rmSync(previous, { recursive: true, force: true });
const ms = Number(process.hrtime.bigint() - started) / 1e6;
console.log(`synthesized ${produced.join(', ')} into ${path.relative(root, dist)}/ in ${ms.toFixed(0)} ms`);
