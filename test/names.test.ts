import { checkImage, parseImage, suggestName, toLabelValue } from '../lib';
import { chart } from './util';

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
    ['team/server', /pinned by a version tag/],
    ['team/server:latest', /pinned by a version tag/],
    ['Team/Server:1.0', /an image reference such as/],
    ['team/server:-bad', /a tag of letters/],
  ])('rejects %s', (image, message) => {
    expect(() => checkImage(scope, 'Test', 'image', image)).toThrow(message);
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
