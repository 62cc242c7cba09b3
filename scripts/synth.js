#!/usr/bin/env node
// `npm run synth`: the package's bin (bin/synth.js, `npx cdk8s-inference-synth`) run from the
// repository root, so there is one implementation of the safe synth: the app writes into a fresh
// folder beside dist/, and dist/ is replaced only when the app succeeded.
// Usage: node scripts/synth.js [output folder, default dist] [app entry, default main.ts]
'use strict';
const path = require('node:path');
const { main } = require('../bin/synth.js');

const root = path.resolve(__dirname, '..');
process.exitCode = main([process.argv[3] ?? 'main.ts', '--output', path.resolve(root, process.argv[2] ?? 'dist')], root);
