// The app the whole-process benchmark runs (scripts/bench.ts): BENCH_SERVICES vLLM services with
// one replica and one GPU each, as a platform team would list its models, synthesized to
// CDK8S_OUTDIR. BENCH_LIBRARY is the library to load: the package (build/lib, what `npm install`
// gives a user) or the sources (lib, through scripts/register.js).
'use strict';
const path = require('node:path');
const { App, Chart } = require('cdk8s');

const library = process.env.BENCH_LIBRARY ?? 'build/lib';
// The sources are TypeScript: the repository's loader transpiles them (cached), as `npm run synth` does.
if (library === 'lib') require('./register.js');
const { Gpu, InferenceService, ModelServer, Scaling } = require(path.resolve(__dirname, '..', library));
const app = new App();
const chart = new Chart(app, 'models', { namespace: 'models' });
for (let i = 0; i < Number(process.env.BENCH_SERVICES ?? 1); i++) {
  new InferenceService(chart, `model-${i}`, {
    server: ModelServer.vllm({ model: `acme/model-${i}` }),
    gpu: Gpu.nvidia(1),
    scaling: Scaling.fixed(1),
  });
}
app.synth();
// Peak memory of this process, for the benchmark (on stderr: the synth command passes it through).
if (process.env.BENCH_REPORT_RSS) process.stderr.write(`peak-rss-mib ${process.resourceUsage().maxRSS / 1024}\n`);
