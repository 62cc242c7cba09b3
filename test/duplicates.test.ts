import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CanaryRelease, ErrorCode, Gpu, InferenceConfigError, InferenceGateway, InferenceService, LogShipper, LogShipping, ModelServer, ModelSource,
  ModelVolume, NamespaceBaseline, ObservabilityBundle, ReleaseStrategy,
} from '../lib';
import { findDuplicates } from '../lib/private/invariants/duplicates';
import { Manifest } from './util';

const vllm = () => ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct' });
const loki = () => LogShipping.loki({ url: 'http://loki-gateway.monitoring.svc:80' });

/** A chart in namespace `ml` of a fresh app. */
function chart(app = Testing.app(), id = 'app', namespace = 'ml'): Chart {
  return new Chart(app, id, { namespace });
}

/** The error `synth` throws; fails the test when it throws none. */
function synthError(synth: () => unknown): InferenceConfigError {
  try {
    synth();
  } catch (e) {
    return e as InferenceConfigError;
  }
  throw new Error('expected the synth to fail');
}

/** Asserts the synth of `c` fails with DuplicateObject, naming `object` and both construct paths. */
function expectDuplicate(c: Chart, object: string, first: string, second: string): void {
  const error = synthError(() => Testing.synth(c));
  expect(error.code).toBe(ErrorCode.DUPLICATE_OBJECT);
  expect(error.message).toContain(`'${second}': invalid metadata.name: received '${object}'`);
  expect(error.message).toContain(`'${first}' is already ${object}, and applied, this one would silently replace it`);
  expect(error.message).toContain('Fix: give the construct that makes one of the two another name (its name prop or construct id), '
    + 'or put it in another namespace [code: DuplicateObject]');
}

describe('no two objects of an app share group, kind, namespace and name', () => {
  test('throws when an InferenceService is named like the NamespaceBaseline\'s default-deny NetworkPolicy', () => {
    const c = chart();
    new NamespaceBaseline(c, 'baseline');
    new InferenceService(c, 'default-deny', { server: vllm(), gpu: Gpu.nvidia(1) });
    expectDuplicate(c, 'networking.k8s.io/NetworkPolicy ml/default-deny', 'app/baseline/DefaultDeny', 'app/default-deny/NetworkPolicy/Resource');
  });

  test('throws when an InferenceService is named like the NamespaceBaseline\'s allow-dns NetworkPolicy', () => {
    const c = chart();
    new NamespaceBaseline(c, 'baseline');
    new InferenceService(c, 'allow-dns', { server: vllm(), gpu: Gpu.nvidia(1) });
    expect(synthError(() => Testing.synth(c)).message).toContain("received 'networking.k8s.io/NetworkPolicy ml/allow-dns'");
  });

  test('throws when an InferenceService is named like a ModelVolume\'s fill Job objects (<volume>-fill)', () => {
    const c = chart();
    const weights = new ModelVolume(c, 'weights', {
      source: ModelSource.s3('s3://models/llama/2024-07-23/', { version: '2024-07-23' }), cacheSize: Size.gibibytes(64),
    });
    new InferenceService(c, 'chat', { server: vllm(), gpu: Gpu.nvidia(1), modelVolume: weights });
    new InferenceService(c, 'weights-fill', { server: vllm(), gpu: Gpu.nvidia(1) });
    const error = synthError(() => Testing.synth(c));
    expect(error.code).toBe(ErrorCode.DUPLICATE_OBJECT);
    expect(error.message).toMatch(/received '(ServiceAccount|networking.k8s.io\/NetworkPolicy) ml\/weights-fill'/);
    expect(error.message).toContain("'app/weights/");
  });

  test('throws when a CanaryRelease is named like a routed service (one HTTPRoute name)', () => {
    const c = chart();
    const chat = new InferenceService(c, 'chat', { server: vllm(), gpu: Gpu.nvidia(1) });
    const canary = new InferenceService(c, 'chat-next', { server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-14B-Instruct' }), gpu: Gpu.nvidia(1) });
    const vision = new InferenceService(c, 'vision', { server: ModelServer.triton(), gpu: Gpu.nvidia(1) });
    const gateway = new InferenceGateway(c, 'gateway');
    gateway.addRoute(vision);
    new CanaryRelease(c, 'release', { name: 'vision', gateway, stable: chat, canary, strategy: ReleaseStrategy.weighted(90, 10), pathPrefix: '/v1' });
    expect(synthError(() => Testing.synth(c)).message).toMatch(/'app\/gateway\/.*' is already gateway.networking.k8s.io\/HTTPRoute ml\/gateway-vision/);
  });

  test('throws when two ObservabilityBundles watch one service (one ServiceMonitor name)', () => {
    const c = chart();
    const chat = new InferenceService(c, 'chat', { server: vllm(), gpu: Gpu.nvidia(1) });
    new ObservabilityBundle(c, 'observability', { services: [chat] });
    new ObservabilityBundle(c, 'observability-again', { services: [chat] });
    const error = synthError(() => Testing.synth(c));
    expect(error.code).toBe(ErrorCode.DUPLICATE_OBJECT);
    expect(error.message).toMatch(/^\S+ 'app\/observability-again\/[^']+': invalid metadata.name: received '[^']+ ml\/chat[^']*'/);
    expect(error.message).toMatch(/'app\/observability\/[^']+' is already/);
  });

  test('throws when a LogShipper\'s namespace is a NamespaceBaseline\'s (two Namespace objects)', () => {
    const c = chart();
    new NamespaceBaseline(c, 'baseline', { name: 'logging' });
    new LogShipper(c, 'logs', { shipping: loki(), sourceNamespaces: ['ml'] });
    expectDuplicate(c, 'Namespace (cluster-scoped) logging', 'app/baseline/Namespace', 'app/logs/Namespace');
  });

  test('throws when a plain cdk8s-plus object duplicates a library object', () => {
    const c = chart();
    new InferenceService(c, 'chat', { server: vllm(), gpu: Gpu.nvidia(1) });
    new kplus.ServiceAccount(c, 'mine', { metadata: { name: 'chat' } });
    expectDuplicate(c, 'ServiceAccount ml/chat', 'app/chat/ServiceAccount/Resource', 'app/mine/Resource');
  });

  test('throws across charts: an object without a namespace in a chart without one lands in default', () => {
    const app = Testing.app();
    const a = chart(app, 'a', 'default');
    new InferenceService(a, 'chat', { server: vllm(), gpu: Gpu.nvidia(1) });
    const b = new Chart(app, 'b');
    new ApiObject(b, 'account', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'chat' } });
    const error = synthError(() => Testing.synth(b));
    expect(error.code).toBe(ErrorCode.DUPLICATE_OBJECT);
    expect(error.message).toContain("'b/account': invalid metadata.name: received 'ServiceAccount default/chat'");
    expect(error.message).toContain("'a/chat/ServiceAccount/Resource' is already ServiceAccount default/chat");
  });

  test('throws at app.synth() of several charts, and writes nothing', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'duplicates-'));
    try {
      const app = new App({ outdir });
      new NamespaceBaseline(chart(app, 'one'), 'baseline');
      new NamespaceBaseline(chart(app, 'two'), 'baseline');
      const error = synthError(() => app.synth());
      expect(error.code).toBe(ErrorCode.DUPLICATE_OBJECT);
      expect(error.message).toMatch(/^Namespace 'two\/baseline\/Namespace': invalid metadata.name: received 'Namespace \(cluster-scoped\) ml'; allowed: .* 'one\/baseline\/Namespace' is already/);
      expect(error.message).toContain('more duplicate(s)');
      expect(fs.readdirSync(outdir)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('cluster-scoped objects clash whatever their chart\'s namespace', () => {
    const app = Testing.app();
    new LogShipper(chart(app, 'a', 'ml'), 'logs', { shipping: loki(), sourceNamespaces: ['ml'] });
    const b = chart(app, 'b', 'other');
    new kplus.Namespace(b, 'logging', { metadata: { name: 'logging' } });
    expect(synthError(() => Testing.synth(b)).message).toContain("received 'Namespace (cluster-scoped) logging'");
  });

  test('a valid app of many objects passes', () => {
    const c = chart();
    new NamespaceBaseline(c, 'baseline', { gpuQuota: { 'nvidia.com/gpu': 8 } });
    const services = ['chat', 'vision', 'embed'].map((name) => new InferenceService(c, name, { server: vllm(), gpu: Gpu.nvidia(1) }));
    const canary = new InferenceService(c, 'chat-next', { server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-14B-Instruct' }), gpu: Gpu.nvidia(1) });
    const gateway = new InferenceGateway(c, 'gateway');
    gateway.addRoute(services[1]);
    gateway.addRoute(services[2]);
    new CanaryRelease(c, 'chat-release', { gateway, stable: services[0], canary, strategy: ReleaseStrategy.weighted(90, 10) });
    new ObservabilityBundle(c, 'observability', { services: [...services, canary], logs: loki() });
    const manifests = Testing.synth(c) as Manifest[];
    expect(manifests.length).toBeGreaterThan(40);
    expect(findDuplicates(c.node.root)).toEqual([]);
  });

  test('one name passes in different namespaces and for different kinds or groups', () => {
    const app = Testing.app();
    const a = chart(app, 'a', 'ml');
    new InferenceService(a, 'chat', { server: vllm(), gpu: Gpu.nvidia(1) });
    const b = chart(app, 'b', 'staging');
    new InferenceService(b, 'chat', { server: vllm(), gpu: Gpu.nvidia(1) });
    new ApiObject(a, 'other-kind', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'chat' } });
    new ApiObject(a, 'other-group', { apiVersion: 'example.com/v1', kind: 'Service', metadata: { name: 'chat' } });
    expect(() => Testing.synth(a)).not.toThrow();
  });

  test('one group whatever the version: autoscaling/v1 and autoscaling/v2 clash', () => {
    const c = chart();
    new ApiObject(c, 'v1', { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' } });
    new ApiObject(c, 'v2', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' } });
    new NamespaceBaseline(c, 'baseline');
    expectDuplicate(c, 'autoscaling/HorizontalPodAutoscaler ml/x', 'app/v1', 'app/v2');
  });

  test('the check fires on a planted duplicate, and stays quiet once it is removed', () => {
    const c = chart();
    new NamespaceBaseline(c, 'baseline');
    const planted = new ApiObject(c, 'planted', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml' } });
    expectDuplicate(c, 'Namespace (cluster-scoped) ml', 'app/baseline/Namespace', 'app/planted');
    c.node.tryRemoveChild(planted.node.id);
    expect(() => Testing.synth(c)).not.toThrow();
  });
});
