// A small custom metrics API (custom.metrics.k8s.io/v1beta2) on loopback, registered with the API
// server's aggregation layer, so the real HPA controller can scale on a queue depth the test sets.
// It answers the calls the HPA controller makes for a Pods metric: discovery, and the metric's value
// for each pod a label selector matches (read from the API server).
//
// The aggregator proxies to a Service: this one is of type ExternalName with the name 127.0.0.1, so
// the API server calls the adapter on loopback (a ClusterIP or endpoint address could not be).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { LocalCluster, freePorts, waitFor } from './cluster';
import { conditionIs } from './steady-state';

const GROUP = 'custom.metrics.k8s.io';
const VERSION = 'v1beta2';

export class MetricsAdapter {
  private server?: https.Server;
  private readonly values = new Map<string, number>();
  /** Requests for metric values the adapter answered (the HPA controller's reads). */
  public reads = 0;

  constructor(private readonly cluster: LocalCluster) {}

  /** Sets the value of `metric` for every pod of `service` (label app.kubernetes.io/name) in `namespace`. */
  public set(namespace: string, service: string, metric: string, value: number): void {
    this.values.set(`${namespace}/${metric}/${service}`, value);
  }

  /** Starts serving on 127.0.0.1 and registers the APIService; resolves when the aggregator reports it Available. */
  public async start(): Promise<void> {
    const key = path.join(this.cluster.dir, 'adapter.key');
    const cert = path.join(this.cluster.dir, 'adapter.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', key, '-out', cert, '-days', '1'], { stdio: 'pipe' });
    const [port] = await freePorts(1);
    this.server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
      this.answer(req.url ?? '/').then(([status, body]) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      }, (e) => {
        res.writeHead(500);
        res.end(String(e));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));

    const must = async (method: string, p: string, body: unknown) => {
      const r = await this.cluster.request(method, p, body);
      if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    };
    await must('POST', '/api/v1/namespaces/kube-system/services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'e2e-custom-metrics', namespace: 'kube-system' },
      spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port }] },
    });
    await must('POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `${VERSION}.${GROUP}` },
      spec: {
        group: GROUP, version: VERSION, service: { namespace: 'kube-system', name: 'e2e-custom-metrics', port },
        insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 200,
      },
    });
    await waitFor('the custom metrics APIService to be Available', 60_000,
      async () => conditionIs(await this.cluster.get(`/apis/apiregistration.k8s.io/v1/apiservices/${VERSION}.${GROUP}`), 'Available'));
  }

  /** Unregisters the APIService and stops serving. */
  public async stop(): Promise<void> {
    await this.cluster.request('DELETE', `/apis/apiregistration.k8s.io/v1/apiservices/${VERSION}.${GROUP}`).catch(() => undefined);
    await this.cluster.request('DELETE', '/api/v1/namespaces/kube-system/services/e2e-custom-metrics').catch(() => undefined);
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise((r) => this.server!.close(r));
    }
  }

  private async answer(url: string): Promise<[number, unknown]> {
    const u = new URL(url, 'https://127.0.0.1');
    const base = `/apis/${GROUP}/${VERSION}`;
    if (u.pathname === base || u.pathname === `${base}/`) {
      return [200, {
        kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${GROUP}/${VERSION}`,
        resources: [...new Set([...this.values.keys()].map((k) => k.split('/')[1]))].map((metric) => ({
          name: `pods/${metric}`, singularName: '', namespaced: true, kind: 'MetricValueList', verbs: ['get'],
        })),
      }];
    }
    // /namespaces/{ns}/pods/{name|*}/{metric}
    const m = new RegExp(`^${base}/namespaces/([^/]+)/pods/([^/]+)/([^/]+)$`).exec(u.pathname);
    if (!m) return [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: `${u.pathname} not found` }];
    const [ns, name, metric] = m.slice(1).map(decodeURIComponent);
    const selector = u.searchParams.get('labelSelector') ?? '';
    const service = /(?:^|,)app\.kubernetes\.io\/name=([^,]+)/.exec(selector)?.[1];
    const value = this.values.get(`${ns}/${metric}/${service}`);
    if (value === undefined) return [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: `no metric ${metric} for ${service} in ${ns}` }];
    const pods = name === '*'
      ? await this.cluster.list(`/api/v1/namespaces/${ns}/pods`, selector || undefined)
      : [await this.cluster.get(`/api/v1/namespaces/${ns}/pods/${name}`)];
    this.reads++;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return [200, {
      kind: 'MetricValueList', apiVersion: `${GROUP}/${VERSION}`, metadata: {},
      items: pods.filter((p) => p.status?.phase === 'Running').map((p) => ({
        describedObject: { kind: 'Pod', namespace: ns, name: p.metadata.name, apiVersion: '/v1' },
        metric: { name: metric }, timestamp: now, windowSeconds: 60, value: String(value),
      })),
    }];
  }
}
