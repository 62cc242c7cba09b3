// Loads TypeScript on the synth path without type-checking (`npm test` type-checks everything):
// each .ts file is transpiled by SWC once, and the JavaScript is kept in
// node_modules/.cache/cdk8s-inference/, keyed by a hash of the source, the SWC version and the
// options. The generated CRD classes in imports/ are over 3 MB of source; a fresh process reads
// them from the cache instead of transpiling them again.
//
// SWC_OPTIONS are what ts-node derives from tsconfig.json for SWC (test/register.test.ts compares
// them), so the code runs exactly as under ts-node.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const swc = require('@swc/core');

const SWC_OPTIONS = {
  module: { type: 'commonjs', noInterop: false, strictMode: true, ignoreDynamic: false },
  swcrc: false,
  jsc: {
    parser: { syntax: 'typescript', tsx: false, dynamicImport: true, importAssertions: true },
    target: 'es2022',
    transform: {
      legacyDecorator: true,
      react: { throwIfNamespace: false, useBuiltins: false },
      useDefineForClassFields: true,
    },
    keepClassNames: true,
    experimental: { keepImportAttributes: true, emitAssertForImportAttributes: true },
  },
};

const cacheDir = path.join(__dirname, '..', 'node_modules', '.cache', 'cdk8s-inference');
const salt = `${swc.version}\0${JSON.stringify(SWC_OPTIONS)}\0`;

function transpile(source, filename) {
  const key = crypto.createHash('sha256').update(salt).update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  const { code } = swc.transformSync(source, { ...SWC_OPTIONS, filename, sourceMaps: 'inline' });
  try {
    // Written aside and renamed, so a parallel process never reads half a file.
    fs.mkdirSync(cacheDir, { recursive: true });
    const partial = `${cached}.${process.pid}.partial`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  } catch {
    // a read-only tree: transpile every time
  }
  return code;
}

if (!Module._extensions['.ts']) {
  process.setSourceMapsEnabled(true);
  Module._extensions['.ts'] = (module, filename) => {
    module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
  };
}

module.exports = { SWC_OPTIONS, transpile, cacheDir };
