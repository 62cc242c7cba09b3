// A Kubernetes control plane on loopback for the end-to-end test: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok (simulated nodes and pod lifecycles), all
// built from pinned upstream versions by scripts/install-tools.sh into .tools/bin.
//
// Every process listens on 127.0.0.1 only, on ports picked free at start. The cluster stops
// exactly the processes it started, by pid, in the order that lets each shut down cleanly; a
// process 'exit' hook kills whatever is still running if the test runner goes away first, and the
// pid file lets the next run stop leftovers of a run that was killed outright.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const root = path.resolve(__dirname, '..', '..');
export const bin = path.join(root, '.tools', 'bin');
const pidFile = path.join(root, '.tools', 'e2e.pids');

/** Where the simulator's Stage definitions come from (copied from the pinned kwok module by install-tools.sh). */
export const kwokStages = path.join(root, '.tools', 'kwok-stages');

export interface ClusterOptions {
  /** Directory of the Kubernetes binaries (kube-apiserver and, unless apiServerOnly, the rest). */
  readonly binDir?: string;
  /** Only etcd and kube-apiserver: an acceptance-only control plane. */
  readonly apiServerOnly?: boolean;
  /** kwok configuration documents (KwokConfiguration and Stage objects), as YAML. */
  readonly kwokConfig?: string;
  /** Annotation that marks the nodes kwok simulates, as key=value. */
  readonly nodeAnnotation?: string;
  /** Extra kube-controller-manager flags. */
  readonly controllerManagerFlags?: string[];
}

interface Started { name: string; child: ChildProcess; binary: string; exited: Promise<void>; done: boolean }

/** An API response: status code and parsed body. */
export interface Response { status: number; body: any }

export class LocalCluster {
  public readonly dir: string;
  public readonly kubeconfig: string;
  public port = 0;
  private readonly token = crypto.randomBytes(24).toString('hex');
  private ca = '';
  private readonly processes: Started[] = [];
  private readonly agent: https.Agent;
  constructor(private readonly options: ClusterOptions = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-inference-e2e-'));
    this.kubeconfig = path.join(this.dir, 'kubeconfig');
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
  }

  private readonly onExit = () => this.killAll();

  /** Starts the control plane and returns once the API server is ready and the controllers run. */
  public async start(): Promise<void> {
    stopLeftovers();
    process.on('exit', this.onExit);
    const k8sBin = this.options.binDir ?? bin;
    const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
    this.port = apiPort;

    const pki = path.join(this.dir, 'pki');
    fs.mkdirSync(pki);
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(path.join(pki, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    fs.writeFileSync(path.join(pki, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    fs.writeFileSync(path.join(this.dir, 'tokens.csv'), `${this.token},e2e-admin,e2e-admin,"system:masters"\n`);

    this.spawn('etcd', path.join(bin, 'etcd'), [
      '--name', 'e2e', '--data-dir', path.join(this.dir, 'etcd'),
      '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster', `e2e=http://127.0.0.1:${etcdPeer}`, '--log-level', 'warn', '--unsafe-no-fsync',
    ]);
    await waitFor('etcd to answer /health', 30_000, async () => (await plainGet(`http://127.0.0.1:${etcdClient}/health`)).includes('"health":"true"'));

    this.spawn('kube-apiserver', path.join(k8sBin, 'kube-apiserver'), [
      '--etcd-servers', `http://127.0.0.1:${etcdClient}`,
      '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1', '--secure-port', String(apiPort),
      '--cert-dir', pki, '--token-auth-file', path.join(this.dir, 'tokens.csv'),
      '--authorization-mode', 'RBAC',
      '--service-account-issuer', 'https://kubernetes.default.svc.cluster.local',
      '--service-account-key-file', path.join(pki, 'sa.pub'), '--service-account-signing-key-file', path.join(pki, 'sa.key'),
      '--service-cluster-ip-range', '10.96.0.0/16', '--endpoint-reconciler-type', 'none',
      // Privileged pods reach admission, so that Pod Security (not this flag) is what refuses them.
      '--allow-privileged=true', '--profiling=false',
    ]);
    const certFile = path.join(pki, 'apiserver.crt');
    await waitFor('kube-apiserver to write its serving certificate', 60_000, async () => fs.existsSync(certFile) && fs.statSync(certFile).size > 0);
    this.ca = fs.readFileSync(certFile, 'utf8');
    fs.writeFileSync(this.kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: e2e',
      'clusters:', `- name: e2e`, `  cluster: {server: "https://127.0.0.1:${apiPort}", certificate-authority: "${certFile}"}`,
      'users:', `- name: e2e`, `  user: {token: "${this.token}"}`,
      'contexts:', `- name: e2e`, `  context: {cluster: e2e, user: e2e}`, '',
    ].join('\n'));
    await waitFor('kube-apiserver to be ready (/readyz)', 90_000, async () => (await this.request('GET', '/readyz').catch(() => ({ status: 0 }))).status === 200);
    if (this.options.apiServerOnly) return;

    this.spawn('kube-controller-manager', path.join(k8sBin, 'kube-controller-manager'), [
      '--kubeconfig', this.kubeconfig, '--secure-port', '0', '--leader-elect=false',
      '--service-account-private-key-file', path.join(pki, 'sa.key'), '--root-ca-file', certFile,
      '--use-service-account-credentials=false', '--controllers', '*',
      '--horizontal-pod-autoscaler-sync-period', '5s',
      ...(this.options.controllerManagerFlags ?? []),
    ]);
    this.spawn('kube-scheduler', path.join(k8sBin, 'kube-scheduler'), [
      '--kubeconfig', this.kubeconfig, '--secure-port', '0', '--leader-elect=false',
    ]);
    if (this.options.kwokConfig) {
      const config = path.join(this.dir, 'kwok.yaml');
      fs.writeFileSync(config, this.options.kwokConfig);
      this.spawn('kwok', path.join(bin, 'kwok'), [
        '--kubeconfig', this.kubeconfig, '--config', config,
        '--manage-nodes-with-annotation-selector', this.options.nodeAnnotation ?? 'kwok.x-k8s.io/node=fake',
        // Pod and node IPs are only written into status objects; nothing connects to them.
        '--cidr', '10.0.0.0/16', '--node-ip', '10.1.0.1',
        // Leases renewed every 10 s, as a kubelet does.
        '--node-lease-duration-seconds', '40',
      ]);
    }
    // The controllers are up once the service-account controller has made the default account.
    await waitFor('kube-controller-manager to create the default ServiceAccount', 60_000,
      async () => (await this.request('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200);
  }

  /** Stops every process this cluster started, last started first, and waits for each to exit. */
  public async stop(): Promise<void> {
    for (const p of [...this.processes].reverse()) {
      if (p.done) continue;
      p.child.kill('SIGTERM');
      const kill = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
      await p.exited;
      clearTimeout(kill);
    }
    this.agent.destroy();
    process.removeListener('exit', this.onExit);
    writePids([]);
  }

  /** Removes the cluster's files (logs, etcd data, keys). */
  public cleanUp(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The last lines of each component's log, for a failure report. */
  public logTails(lines = 15): string {
    return this.processes.map((p) => {
      const file = path.join(this.dir, `${p.name}.log`);
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
      return `--- ${p.name}${p.done ? ' (exited)' : ''}\n${text}`;
    }).join('\n');
  }

  /** Whether the named component is still running. */
  public running(name: string): boolean {
    return this.processes.some((p) => p.name === name && !p.done);
  }

  /** A call to the API server as cluster admin. */
  public request(method: string, apiPath: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1', port: this.port, path: apiPath, method, ca: this.ca, agent: this.agent, timeout: 30_000,
        headers: { 'Authorization': `Bearer ${this.token}`, 'Accept': 'application/json', ...(payload ? { 'Content-Type': contentType } : {}) },
      }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c) => { data += c; });
        res.on('end', () => {
          let parsed: any = data;
          try { parsed = JSON.parse(data); } catch { /* plain text (e.g. /readyz) */ }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${apiPath} timed out`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** GET that must succeed. */
  public async get(apiPath: string): Promise<any> {
    const r = await this.request('GET', apiPath);
    if (r.status !== 200) throw new Error(`GET ${apiPath}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  }

  /** The items of a list call. */
  public async list(apiPath: string, labelSelector?: string): Promise<any[]> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    return (await this.get(`${apiPath}${query}`)).items;
  }

  /** Runs kubectl (the one built with the control plane) against this cluster. */
  public kubectl(args: string[], input?: string): { status: number; stdout: string; stderr: string } {
    try {
      const stdout = execFileSync(path.join(bin, 'kubectl'), ['--kubeconfig', this.kubeconfig, ...args], {
        input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, timeout: 300_000,
      });
      return { status: 0, stdout, stderr: '' };
    } catch (e: any) {
      return { status: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(e) };
    }
  }

  /** Runs kubectl in the background (for a drain that waits on disruption budgets). */
  public kubectlAsync(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(path.join(bin, 'kubectl'), ['--kubeconfig', this.kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => { stdout += c; });
      child.stderr.on('data', (c) => { stderr += c; });
      child.on('close', (code) => resolve({ status: code ?? 1, stdout, stderr }));
    });
  }

  private spawn(name: string, binary: string, args: string[]): void {
    if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run scripts/install-tools.sh`);
    const log = fs.openSync(path.join(this.dir, `${name}.log`), 'a');
    const child = spawn(binary, args, { cwd: this.dir, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const started: Started = { name, child, binary, done: false, exited: Promise.resolve() };
    started.exited = new Promise((resolve) => child.on('exit', () => { started.done = true; resolve(); }));
    this.processes.push(started);
    writePids(this.processes.filter((p) => !p.done).map((p) => ({ pid: p.child.pid!, binary: p.binary })));
  }

  private killAll(): void {
    for (const p of [...this.processes].reverse()) {
      if (!p.done && p.child.pid) {
        try { process.kill(p.child.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
  }
}

function writePids(entries: { pid: number; binary: string }[]): void {
  fs.mkdirSync(path.dirname(pidFile), { recursive: true });
  fs.writeFileSync(pidFile, entries.map((e) => `${e.pid} ${e.binary}`).join('\n'));
}

/** Kills processes a previous run recorded and left behind, if they are still the same programs. */
function stopLeftovers(): void {
  if (!fs.existsSync(pidFile)) return;
  for (const line of fs.readFileSync(pidFile, 'utf8').split('\n').filter(Boolean)) {
    const [pid, binary] = line.split(' ');
    try {
      const exe = fs.readlinkSync(`/proc/${pid}/exe`);
      if (exe === binary) process.kill(Number(pid), 'SIGKILL');
    } catch { /* not running any more */ }
  }
  fs.rmSync(pidFile, { force: true });
}

/** Ports free on 127.0.0.1 right now. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function plainGet(url: string): Promise<string> {
  return new Promise((resolve) => {
    http.get(url, { agent: false }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve(data));
    }).on('error', () => resolve(''));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>, intervalMs = 250): Promise<number> {
  const start = Date.now();
  let last: unknown;
  while (Date.now() - start < timeoutMs) {
    try {
      if (await check()) return Date.now() - start;
    } catch (e) { last = e; }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
}
