import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

// The generated CRD classes (imports/, over 3 MB) load when a construct renders one of their
// objects, not with the library (see lib/private/crds.ts and `npm run bench` for the effect).
const root = path.resolve(__dirname, '..');

/** The files under imports/ that a fresh process has loaded after running `code`. */
function loadedCrdModules(code: string): string[] {
  const probe = `${code}; process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => f.startsWith(process.cwd() + '/imports/')).map((f) => require('path').basename(f)).sort()))`;
  return JSON.parse(execFileSync(process.execPath, ['-r', './scripts/register.js', '-e', probe], { cwd: root, encoding: 'utf8' }));
}

describe('CRD classes load on first use', () => {
  test('loading the library loads none', () => {
    expect(loadedCrdModules("require('./lib')")).toEqual([]);
  });

  test('a service with its observability loads the Prometheus Operator\'s only; a gateway adds Gateway API and Envoy Gateway', () => {
    const app = `const { App, Chart } = require('cdk8s'); const l = require('./lib'); const c = new Chart(new App(), 'c', { namespace: 'ml' });
      const s = new l.InferenceService(c, 's', { server: l.ModelServer.vllm({ model: 'a/b' }), gpu: l.Gpu.nvidia(1) });
      new l.ObservabilityBundle(c, 'o', { services: [s] })`;
    expect(loadedCrdModules(app)).toEqual(['monitoring.coreos.com.ts']);
    expect(loadedCrdModules(`${app}; new l.InferenceGateway(c, 'g', { host: 'x.example.com' }).addRoute(s, { pathPrefix: '/v1' })`))
      .toEqual(['gateway.envoyproxy.io.ts', 'gateway.networking.k8s.io.ts', 'monitoring.coreos.com.ts']);
  });
});
