import { ApiObject, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ErrorCode, InferenceConfigError } from '../lib';
import { checkImage, parseImage } from '../lib/image';
import { checkLabels, checkName, claimName, clusterScoped, suggestName, toLabelValue } from '../lib/names';
import { chart } from './util';

/** The code of the error `fn` throws. */
function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InferenceConfigError);
    return (e as InferenceConfigError).code;
  }
  throw new Error('no error thrown');
}

describe('parseImage', () => {
  test.each([
    ['vllm/vllm-openai:v0.18.0', { repository: 'vllm/vllm-openai', tag: 'v0.18.0', digest: undefined }],
    ['registry.example.com:5000/team/server', { repository: 'registry.example.com:5000/team/server', digest: undefined }],
    ['registry.example.com:5000/team/server:1.2', { repository: 'registry.example.com:5000/team/server', tag: '1.2', digest: undefined }],
    [`nvcr.io/nvidia/tritonserver@sha256:${'a'.repeat(64)}`, { repository: 'nvcr.io/nvidia/tritonserver', digest: `sha256:${'a'.repeat(64)}` }],
    [`team/server:1.0@sha256:${'b'.repeat(64)}`, { repository: 'team/server', tag: '1.0', digest: `sha256:${'b'.repeat(64)}` }],
  ])('%s', (image, expected) => {
    expect(parseImage(image)).toEqual(expected);
  });
});

describe('checkImage', () => {
  const scope = chart();
  test.each([
    'vllm/vllm-openai:v0.18.0',
    'ghcr.io/huggingface/text-generation-inference:3.3.5',
    `team/server@sha256:${'c'.repeat(64)}`,
    'localhost:5000/server:dev-1',
  ])('accepts %s', (image) => {
    expect(() => checkImage(scope, 'Test', 'image', image)).not.toThrow();
  });

  test.each([
    ['team/server', /pinned by a version tag/, ErrorCode.UNPINNED_IMAGE],
    ['team/server:latest', /pinned by a version tag/, ErrorCode.UNPINNED_IMAGE],
    ['Team/Server:1.0', /an image reference such as/, ErrorCode.INVALID_IMAGE_REFERENCE],
    ['team/server:-bad', /a tag of letters/, ErrorCode.INVALID_IMAGE_TAG],
    ['team/server@sha256:abc', /a digest of the form sha256:/, ErrorCode.INVALID_DIGEST],
  ])('rejects %s', (image, message, code) => {
    expect(() => checkImage(scope, 'Test', 'image', image)).toThrow(message);
    expect(() => checkImage(scope, 'Test', 'image', image)).toThrow(expect.objectContaining({ code }));
    expect(() => checkImage(scope, 'Test', 'image', image)).toThrow(new RegExp(`\\[code: ${code}\\]$`));
  });
});

describe('names', () => {
  test('suggestName turns text into a DNS-1035 label', () => {
    expect(suggestName('Chat_Service')).toBe('chat-service');
    expect(suggestName('7b-Model--x-')).toBe('b-model-x');
    expect(suggestName('___')).toBe('model');
  });

  test('toLabelValue keeps label values valid', () => {
    expect(toLabelValue('meta-llama/Llama-3.1-8B-Instruct')).toBe('meta-llama-Llama-3.1-8B-Instruct');
    expect(toLabelValue(`sha256:${'a'.repeat(64)}`)).toHaveLength(63);
    expect(toLabelValue('-x-')).toBe('x');
  });
});

describe('checkName registers the app-wide duplicate rule; clusterScoped takes the object out of every namespace', () => {
  /** An app of two charts in namespaces a and b, each with an object of a kind the rule does not know, `clusterScoped` or not. */
  function app(cluster: boolean): Chart {
    const root = Testing.app();
    const charts = ['a', 'b'].map((ns) => new Chart(root, ns, { namespace: ns }));
    for (const c of charts) {
      const o = new ApiObject(c, 'policy', { apiVersion: 'example.com/v1', kind: 'GlobalPolicy', metadata: { name: 'p' } });
      if (cluster) clusterScoped(o);
    }
    checkName(new Construct(charts[0], 'named'), 'Thing', 'name', 'thing');
    return charts[1];
  }

  test('objects of one name in two namespaces pass', () => {
    expect(() => Testing.synth(app(false))).not.toThrow();
  });

  test('throws when two objects marked cluster-scoped share a name, whatever their charts\' namespaces', () => {
    expect(() => Testing.synth(app(true))).toThrow(
      "GlobalPolicy 'b/policy': invalid metadata.name: received 'example.com/GlobalPolicy (cluster-scoped) p'; allowed: one object per API group, kind, "
      + "namespace and name in an app; 'a/policy' is already example.com/GlobalPolicy (cluster-scoped) p, and applied, this one would silently replace it. "
      + 'Fix: give the construct that makes one of the two another name (its name prop or construct id), or put it in another namespace [code: DuplicateObject]');
    expect(codeOf(() => Testing.synth(app(true)))).toBe(ErrorCode.DUPLICATE_OBJECT);
  });
});

describe('the shared checks name their mistake with a code', () => {
  test('a name that is not a DNS-1035 label, or too long', () => {
    expect(codeOf(() => checkName(chart(), 'Test', 'name', 'Chat_Service'))).toBe(ErrorCode.INVALID_NAME);
    expect(codeOf(() => checkName(chart(), 'Test', 'name', 'a'.repeat(49)))).toBe(ErrorCode.INVALID_NAME);
    expect(() => checkName(chart(), 'Test', 'name', 'a'.repeat(49))).toThrow(
      /invalid name: received 'a{49}'; allowed: a DNS-1035 label of at most 48 characters \(this one has 49\). Fix: choose a shorter name \[code: InvalidName\]$/);
  });

  test('a name another construct of the app holds in the namespace', () => {
    const c = chart();
    claimName(c, 'Test', 'name', 'chat');
    const other = new Construct(c, 'other');
    expect(codeOf(() => claimName(other, 'Test', 'name', 'chat'))).toBe(ErrorCode.NAME_TAKEN);
    // another kind of object may share it
    expect(() => claimName(other, 'Test', 'secretName', 'chat', 'Secret')).not.toThrow();
  });

  test('a label key or value Kubernetes refuses', () => {
    expect(codeOf(() => checkLabels(chart(), 'Test', 'labels', { 'team name': 'a' }))).toBe(ErrorCode.INVALID_LABEL);
    expect(codeOf(() => checkLabels(chart(), 'Test', 'labels', { team: 'a b' }))).toBe(ErrorCode.INVALID_LABEL);
  });
});
