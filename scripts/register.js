// Loads TypeScript on the synth path without type-checking: ts-node in transpile-only mode with
// SWC as the transpiler (the generated CRD classes in imports/ are over a megabyte of source).
// `npm test` type-checks everything.
require('ts-node').register({
  transpileOnly: true,
  swc: true,
  project: require('node:path').join(__dirname, '..', 'tsconfig.json'),
});
