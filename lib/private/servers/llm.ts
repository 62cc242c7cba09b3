import { Duration } from 'cdk8s';
import { CACHE_PATH } from '../../model-server-options';

/**
 * What the LLM presets share: a long load budget, three-minute requests, no config files, and a
 * ModelVolume when the preset was given no model. A fresh object each call.
 */
export function llmDefaults(model: string | undefined) {
  return {
    llm: true,
    defaultStartupTimeout: Duration.minutes(15),
    defaultMaxRequestDuration: Duration.minutes(3),
    configFiles: [],
    needsModel: model === undefined,
  };
}

/**
 * Caches of the LLM presets that download from Hugging Face, kept in one writable emptyDir.
 * USER spares Python's getpass (used by torch's compile caches) a passwd lookup of the non-root UID.
 */
export function llmCache() {
  return {
    writablePaths: [CACHE_PATH, '/tmp'],
    env: { HOME: CACHE_PATH, HF_HOME: `${CACHE_PATH}/huggingface`, XDG_CACHE_HOME: CACHE_PATH, USER: 'inference' },
  };
}
