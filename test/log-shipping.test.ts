import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ErrorCode, Gpu, InferenceService, LogShipping, ModelServer, ObservabilityBundle } from '../lib';
import { Manifest, only } from './util';

function synth(logs: LogShipping, logNamespace?: string): Manifest[] {
  const c = new Chart(Testing.app(), 'obs', { namespace: 'ml' });
  const chat = new InferenceService(c, 'chat', { server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct' }), gpu: Gpu.nvidia(1) });
  new ObservabilityBundle(c, 'observability', { services: [chat], logs, logNamespace });
  return Testing.synth(c) as Manifest[];
}

describe('log shipping to Loki', () => {
  const manifests = synth(LogShipping.loki({ url: 'http://loki-gateway.monitoring.svc:80', tenant: 'ml' }));
  const config = only(manifests, 'ConfigMap', 'inference-logs').data['fluent-bit.conf'];

  test('tails only the inference namespace and parses JSON lines', () => {
    expect(config).toContain('Path                   /var/log/containers/*_ml_*.log');
    expect(config).toContain('Merge_Log              On');
    expect(config).toContain('multiline.parser       cri, docker');
  });

  test('labels each line with service, model, version and server', () => {
    expect(config).toMatch(/Name\s+loki/);
    expect(config).toContain("service=$kubernetes['labels']['app.kubernetes.io/name']");
    expect(config).toContain("model=$kubernetes['labels']['inference.cdk8s.io/model']");
    expect(config).toContain("model_version=$kubernetes['labels']['inference.cdk8s.io/model-version']");
    expect(config).toContain("server=$kubernetes['labels']['inference.cdk8s.io/server']");
    expect(config).toMatch(/Host\s+loki-gateway.monitoring.svc\n\s+Port\s+80\n\s+Tls\s+Off\n\s+Tenant_ID\s+ml/);
  });

  test('the pods carry the labels the shipper reads', () => {
    const labels = only(manifests, 'Deployment', 'chat').spec.template.metadata.labels;
    expect(labels).toMatchObject({ 'inference.cdk8s.io/model': 'Qwen-Qwen2.5-7B-Instruct', 'inference.cdk8s.io/model-version': 'v0.18.0', 'inference.cdk8s.io/server': 'vllm' });
  });

  test('a Fluent Bit DaemonSet on every node, reading node logs read-only', () => {
    const ds = only(manifests, 'DaemonSet', 'inference-logs');
    expect(ds.metadata.namespace).toBe('logging');
    const pod = ds.spec.template.spec;
    expect(pod.containers[0].image).toBe('cr.fluentbit.io/fluent/fluent-bit:3.2.2');
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'varlog', mountPath: '/var/log', readOnly: true });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.tolerations).toEqual([{ operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('its own namespace at Pod Security "privileged", read-only RBAC, cluster-scoped objects without namespace', () => {
    const ns = only(manifests, 'Namespace', 'logging');
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged' });
    expect(ns.metadata.namespace).toBeUndefined();
    const role = only(manifests, 'ClusterRole');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] }]);
    expect(role.metadata.namespace).toBeUndefined();
    expect(only(manifests, 'ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'inference-logs', namespace: 'logging' }]);
  });

  test('a NetworkPolicy lets it reach DNS, the log store and the API server only', () => {
    const policy = only(manifests, 'NetworkPolicy', 'inference-logs');
    expect(policy.metadata.namespace).toBe('logging');
    expect(policy.spec.egress.map((r: any) => r.ports.map((p: any) => p.port))).toEqual([[53, 53], [80], [443, 6443]]);
  });
});

describe('cluster-scoped objects', () => {
  test('synthesize in a chart without a namespace too', () => {
    const c = new Chart(Testing.app(), 'plain');
    const chat = new InferenceService(c, 'chat', { server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1) });
    new ObservabilityBundle(c, 'observability', { services: [chat], logs: LogShipping.loki({ url: 'http://loki:3100' }) });
    const m = Testing.synth(c) as Manifest[];
    for (const kind of ['Namespace', 'ClusterRole', 'ClusterRoleBinding']) expect(only(m, kind).metadata.namespace).toBeUndefined();
  });
});

describe('log shipping to Elasticsearch', () => {
  const manifests = synth(LogShipping.elasticsearch({ url: 'https://elasticsearch.search.svc:9200', indexPrefix: 'llm', credentialsSecret: 'es-writer' }), 'observability');
  const config = only(manifests, 'ConfigMap', 'inference-logs').data['fluent-bit.conf'];

  test('daily indices, TLS, credentials by reference', () => {
    expect(config).toMatch(/Name\s+es\n\s+Match\s+kube\.\*\n\s+Host\s+elasticsearch.search.svc\n\s+Port\s+9200\n\s+Tls\s+On/);
    expect(config).toContain('HTTP_Passwd            ${ES_PASSWORD}');
    expect(config).toContain('Logstash_Prefix        llm');
    const env = only(manifests, 'DaemonSet').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: 'es-writer', key: 'password' } } });
    expect(only(manifests, 'DaemonSet').metadata.namespace).toBe('observability');
  });

  test('throws on a URL with credentials in it', () => {
    expect(() => synth(LogShipping.loki({ url: 'https://user:secret@logs.example.com' }))).toThrow(
      "LogShipper 'obs/observability/Logs': invalid shipping.url: received 'https://<credentials>@logs.example.com'; allowed: an http:// or https:// URL without credentials. " +
      'Fix: give the endpoint URL, and credentials through credentialsSecret [code: InvalidLogStoreUrl]');
    expect(() => synth(LogShipping.loki({ url: 'https://user:secret@logs.example.com' }))).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_LOG_STORE_URL }));
  });

  test('throws on a URL that is not http(s)', () => {
    expect(() => synth(LogShipping.elasticsearch({ url: 'ftp://elasticsearch:9200' }))).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_LOG_STORE_URL }));
    expect(() => synth(LogShipping.loki({ url: 'loki:3100' }))).toThrow(/invalid shipping.url: received 'loki:3100'/);
  });

  test('the credentials Secret as a cdk8s-plus Secret renders as its name does', () => {
    // GIVEN the same store, once with the Secret's name and once with the Secret
    const options = { url: 'https://elasticsearch.search.svc:9200', indexPrefix: 'llm' };
    const byName = synth(LogShipping.elasticsearch({ ...options, credentialsSecret: 'es-writer' }));
    const c = new Chart(Testing.app(), 'obs', { namespace: 'ml' });
    const chat = new InferenceService(c, 'chat', { server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct' }), gpu: Gpu.nvidia(1) });
    const secret = kplus.Secret.fromSecretName(c, 'EsWriter', 'es-writer');
    // WHEN
    new ObservabilityBundle(c, 'observability', { services: [chat], logs: LogShipping.elasticsearch({ ...options, credentials: secret }) });
    // THEN
    expect(Testing.synth(c)).toEqual(byName);
    expect(only(byName, 'DaemonSet').spec.template.spec.containers[0].env).toContainEqual({ name: 'ES_USER', valueFrom: { secretKeyRef: { name: 'es-writer', key: 'username' } } });
  });

  test('throws when the credentials are given both as a Secret and by name', () => {
    const c = new Chart(Testing.app(), 'obs', { namespace: 'ml' });
    const secret = kplus.Secret.fromSecretName(c, 'EsWriter', 'es-writer');
    const logs = LogShipping.elasticsearch({ url: 'https://elasticsearch.search.svc:9200', credentials: secret, credentialsSecret: 'es-reader' });
    expect(() => new ObservabilityBundle(c, 'observability', { logs })).toThrow(
      "LogShipper 'obs/observability/Logs': invalid shipping.credentials: received 'Secret name 'es-reader' and Secret 'es-writer''; " +
      'allowed: the Elasticsearch credentials Secret either by name or as a cdk8s-plus Secret, not both. Fix: pass only one of the two [code: ConflictingSecret]');
    expect(() => new ObservabilityBundle(new Chart(Testing.app(), 'obs'), 'observability', { logs })).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFLICTING_SECRET }));
  });
});

describe('LogShipping', () => {
  test('names its store and endpoint', () => {
    expect(LogShipping.loki({ url: 'http://loki:3100' })).toMatchObject({ store: 'loki', url: 'http://loki:3100' });
    expect(LogShipping.elasticsearch({ url: 'https://es:9200' })).toMatchObject({ store: 'elasticsearch', url: 'https://es:9200' });
  });
});
