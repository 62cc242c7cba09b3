// Preloaded (node -r) into an app by test/yaml.test.ts: when the library installs its YAML writer
// into cdk8s, every object is printed with it and with cdk8s' own writer, and the process fails on
// the first object they print differently. At exit it reports how many objects took the fast path.
'use strict';
const { Yaml } = require('cdk8s');

const cdk8s = Yaml.stringify.bind(Yaml);
let objects = 0;
let fast = 0;
let installed;
Object.defineProperty(Yaml, 'stringify', {
  configurable: true,
  get() {
    if (!installed) return cdk8s;
    return (...docs) => docs.map((d) => {
      if (d === undefined) return '\n';
      const ours = installed(d);
      const theirs = cdk8s(d);
      if (ours !== theirs) throw new Error(`YAML writers differ on ${d.kind}/${d.metadata?.name}:\n--- cdk8s\n${theirs}\n--- library\n${ours}`);
      objects++;
      if (require('../lib/private/yaml').fastObject(d) !== undefined) fast++;
      return ours;
    }).join('---\n');
  },
  set(writer) { installed = writer; },
});
process.on('exit', (code) => { if (code === 0) process.stdout.write(`\n${JSON.stringify({ objects, fast })}\n`); });
