// Runs the end-to-end test (test/e2e) after every other test file: it needs the whole machine for
// its control plane, and it applies the Python twin's output with the wheel the package test installs.
const Sequencer = require('@jest/test-sequencer').default;

class E2eLast extends Sequencer {
  sort(tests) {
    const e2e = (t) => t.path.includes(`${require('node:path').sep}e2e${require('node:path').sep}`);
    return [...super.sort(tests.filter((t) => !e2e(t))), ...tests.filter(e2e)];
  }
}
module.exports = E2eLast;
