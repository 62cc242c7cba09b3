import { Duration, Testing } from 'cdk8s';
import { ApiAuth, ErrorCode, ExternalSecret, ExternalSecretProps, Gpu, InferenceGateway, InferenceService, ModelServer, SecretStore } from '../lib';
import { chart, Manifest, only } from './util';

const store = SecretStore.cluster('aws-secrets-manager');

function synth(props: Partial<ExternalSecretProps> = {}, id = 'api-keys'): Manifest[] {
  const c = chart();
  new ExternalSecret(c, id, { store, keys: [{ secretKey: 'client-a', remoteKey: 'prod/llm/api-keys', property: 'client-a' }], ...props });
  return Testing.synth(c) as Manifest[];
}

describe('ExternalSecret', () => {
  test('an external-secrets.io/v1 ExternalSecret owning a Secret of the same name, kept if the provider loses it', () => {
    const es = only(synth(), 'ExternalSecret');
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(es.metadata).toMatchObject({ name: 'api-keys', namespace: 'ml' });
    expect(es.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
      target: { name: 'api-keys', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [{ secretKey: 'client-a', remoteRef: { key: 'prod/llm/api-keys', property: 'client-a' } }],
    });
  });

  test('a namespaced store, a pinned version, a chosen name and refresh interval', () => {
    const es = only(synth({
      store: SecretStore.namespaced('vault'),
      secretName: 'hf-token',
      keys: [{ secretKey: 'HF_TOKEN', remoteKey: 'llm/hf', version: '3' }],
      refreshInterval: Duration.minutes(15),
    }), 'ExternalSecret');
    expect(es.metadata.name).toBe('hf-token');
    expect(es.spec).toMatchObject({
      refreshInterval: '15m',
      secretStoreRef: { kind: 'SecretStore', name: 'vault' },
      target: { name: 'hf-token' },
      data: [{ secretKey: 'HF_TOKEN', remoteRef: { key: 'llm/hf', version: '3' } }],
    });
    expect(only(synth({ refreshInterval: Duration.seconds(0) }), 'ExternalSecret').spec.refreshInterval).toBe('0s');
    expect(only(synth({ refreshInterval: Duration.seconds(90) }), 'ExternalSecret').spec.refreshInterval).toBe('90s');
  });

  test('a JSON secret extracted whole: every property a key, alone or beside listed keys', () => {
    const whole = only(synth({ keys: undefined, extract: ['prod/llm/api-keys'] }), 'ExternalSecret');
    expect(whole.spec.dataFrom).toEqual([{ extract: { key: 'prod/llm/api-keys' } }]);
    expect(whole.spec.data).toBeUndefined();
    const both = only(synth({ extract: ['prod/llm/more-keys'] }), 'ExternalSecret');
    expect(both.spec.data).toHaveLength(1);
    expect(both.spec.dataFrom).toEqual([{ extract: { key: 'prod/llm/more-keys' } }]);
  });

  test('its Secret name is what the gateway references for API keys', () => {
    const c = chart();
    const keys = new ExternalSecret(c, 'gateway-keys', { store, keys: [{ secretKey: 'team-a', remoteKey: 'prod/llm/keys', property: 'team-a' }] });
    const svc = new InferenceService(c, 'chat', { server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct' }), gpu: Gpu.nvidia(1) });
    const gateway = new InferenceGateway(c, 'gateway', { host: 'models.example.com', auth: ApiAuth.apiKeys(keys.secretName) });
    gateway.addRoute(svc);
    const policy = only(Testing.synth(c) as Manifest[], 'SecurityPolicy');
    expect(policy.spec.apiKeyAuth.credentialRefs).toEqual([{ kind: 'Secret', name: 'gateway-keys' }]);
  });

  test('a Secret may share its name with a service (other kinds), not with another Secret', () => {
    const c = chart();
    new InferenceService(c, 'chat', { server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct' }), gpu: Gpu.nvidia(1) });
    new ExternalSecret(c, 'chat-secret', { store, secretName: 'chat', keys: [{ secretKey: 'k', remoteKey: 'r' }] });
    expect(() => new ExternalSecret(c, 'other', { store, secretName: 'chat', keys: [{ secretKey: 'k', remoteKey: 'r' }] })).toThrow(
      "ExternalSecret 'test/other': invalid secretName: received 'chat'; allowed: a Secret name not already used in namespace ml (held by 'test/chat-secret')");
    expect(() => new ExternalSecret(c, 'third', { store, secretName: 'chat', keys: [{ secretKey: 'k', remoteKey: 'r' }] }))
      .toThrow(expect.objectContaining({ code: ErrorCode.NAME_TAKEN }));
  });
});

describe('ExternalSecret refuses bad input with path, prop, value, allowed and fix', () => {
  const build = (props: Partial<ExternalSecretProps>) => () => synth(props);

  test('no keys and nothing to extract', () => {
    expect(build({ keys: [] })).toThrow(
      "ExternalSecret 'test/api-keys': invalid keys: received []; allowed: at least one key, or a secret to extract. " +
      'Fix: list the keys the Secret must hold, or name a JSON secret in extract [code: SecretKeysRequired]');
    expect(build({ keys: [] })).toThrow(expect.objectContaining({ code: ErrorCode.SECRET_KEYS_REQUIRED }));
  });

  test('a secret to extract twice, or empty', () => {
    expect(build({ extract: ['prod/a', 'prod/a'] })).toThrow(/invalid extract: received 'prod\/a'; allowed: names or paths of secrets in the provider, each once/);
    expect(build({ extract: [''] })).toThrow(/invalid extract: received ''/);
    expect(build({ extract: ['prod/a', 'prod/a'] })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_SECRET_EXTRACT }));
    expect(build({ extract: [''] })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_SECRET_EXTRACT }));
  });

  test('a key twice', () => {
    expect(build({ keys: [{ secretKey: 'a', remoteKey: 'x' }, { secretKey: 'a', remoteKey: 'y' }] })).toThrow(
      /invalid keys.secretKey: received 'a'; allowed: each key once: a second value would overwrite the first/);
    expect(build({ keys: [{ secretKey: 'a', remoteKey: 'x' }, { secretKey: 'a', remoteKey: 'y' }] }))
      .toThrow(expect.objectContaining({ code: ErrorCode.DUPLICATE_SECRET_KEY }));
  });

  test('a key that is not a Secret data key', () => {
    expect(build({ keys: [{ secretKey: 'api key', remoteKey: 'x' }] })).toThrow(
      /invalid keys.secretKey: received 'api key'; allowed: a Secret data key: letters, digits, "-", "_" and ".". Fix: use e.g. 'api_key'/);
    expect(build({ keys: [{ secretKey: 'api key', remoteKey: 'x' }] })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_SECRET_KEY }));
  });

  test('an empty remote key', () => {
    expect(build({ keys: [{ secretKey: 'TOKEN', remoteKey: ' ' }] })).toThrow(/invalid keys.remoteKey: received ' '; .*Fix: set remoteKey for 'TOKEN', e.g. 'prod\/llm\/token'/);
    expect(build({ keys: [{ secretKey: 'TOKEN', remoteKey: ' ' }] })).toThrow(expect.objectContaining({ code: ErrorCode.REMOTE_KEY_REQUIRED }));
  });

  test('a store name that cannot exist', () => {
    expect(build({ store: SecretStore.cluster('AWS_Secrets') })).toThrow(/invalid store: received 'AWS_Secrets'; allowed: the name of a ClusterSecretStore: a DNS-1123 subdomain/);
    expect(build({ store: SecretStore.namespaced('AWS_Secrets') })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_SECRET_STORE }));
  });

  test('a refresh faster than a minute', () => {
    expect(build({ refreshInterval: Duration.seconds(30) })).toThrow(
      /invalid refreshInterval: received '30 s'; allowed: zero \(read once\) or whole seconds of at least 1 minute.*Fix: use e.g. Duration.hours\(1\)/);
    expect(build({ refreshInterval: Duration.seconds(59) })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_REFRESH_INTERVAL }));
  });

  test('a refresh in milliseconds', () => {
    expect(build({ refreshInterval: Duration.millis(90_500) })).toThrow(
      /ExternalSecret 'test\/api-keys': invalid refreshInterval: received '[^']*'; allowed: whole seconds.*Duration.seconds\(91\)/);
    expect(build({ refreshInterval: Duration.millis(90_500) })).toThrow(expect.objectContaining({ code: ErrorCode.NOT_A_WHOLE_NUMBER }));
  });

  test('the wrong type from JavaScript or Python: an InferenceConfigError, not a TypeError', () => {
    const untyped = (value: unknown) => value as any;
    expect(build({ store: untyped('aws-secrets') })).toThrow(/ExternalSecret 'test\/api-keys': invalid store: received 'aws-secrets'; allowed: a SecretStore/);
    expect(build({ store: untyped('aws-secrets') })).toThrow(expect.objectContaining({ code: ErrorCode.WRONG_TYPE }));
    expect(build({ keys: [untyped({ secretKey: 'TOKEN' })] })).toThrow(
      "ExternalSecret 'test/api-keys': invalid keys.remoteKey: received nothing; allowed: the secret's name or path in the provider. " +
      "Fix: set remoteKey for 'TOKEN', e.g. 'prod/llm/token' [code: RemoteKeyRequired]");
    expect(build({ keys: [untyped({ secretKey: 7, remoteKey: 'x' })] })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_SECRET_KEY }));
    expect(build({ keys: [untyped('TOKEN')] })).toThrow(/invalid keys: received 'TOKEN'; allowed: a list of \{ secretKey, remoteKey \}/);
    expect(build({ keys: untyped({ secretKey: 'TOKEN', remoteKey: 'x' }) })).toThrow(/invalid keys: received \{"secretKey":"TOKEN","remoteKey":"x"\}; allowed: a list/);
    expect(build({ keys: [untyped({ secretKey: 'TOKEN', remoteKey: 'x', version: 3 })] })).toThrow(/invalid keys.version: received 3; allowed: a string/);
    expect(build({ keys: [], extract: untyped('prod/llm/api-keys') })).toThrow(expect.objectContaining({ code: ErrorCode.WRONG_TYPE }));
    expect(build({ keys: [], extract: [untyped(42)] })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_SECRET_EXTRACT }));
    expect(build({ refreshInterval: untyped(3600) })).toThrow(/invalid refreshInterval: received 3600; allowed: a Duration \(cdk8s\)/);
  });

  test('a Secret name that is not a DNS label', () => {
    expect(build({ secretName: 'API_Keys' })).toThrow(/ExternalSecret 'test\/api-keys': invalid secretName: received 'API_Keys'; allowed: a DNS-1035 label/);
    expect(build({ secretName: 'API_Keys' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_NAME }));
  });
});
