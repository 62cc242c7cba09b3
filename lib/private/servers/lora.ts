import { ErrorCode } from '../../error-codes';
import type { LoraAdapter, LoraServingOptions } from '../../model-server-options';
import { isDnsSubdomain } from '../../names';
import { refuse, requireList, requireString, requireWholeNumber, ValueSite } from '../values';
import type { OptionCheck } from './spec';

/** The LoRA ranks vLLM accepts for `--max-lora-rank`. */
export const VLLM_LORA_RANKS = [1, 8, 16, 32, 64, 128, 256, 320, 512];

/** The adapters of `options` when they are a list (checked later), else none. */
export function adaptersOf(options: LoraServingOptions): LoraAdapter[] {
  return Array.isArray(options.adapters) ? options.adapters : [];
}

/**
 * The preset's model when it is a Hub id the adapters can name as their base; nothing for a local
 * path, or a value of the wrong type (checked later, with the construct path).
 */
export function hubModel(model: unknown): string | undefined {
  return typeof model === 'string' && !model.startsWith('/') ? model : undefined;
}

/** The smallest rank vLLM accepts that fits every adapter. */
export function maxLoraRank(adapters: LoraAdapter[]): number {
  const rank = Math.max(...adapters.map((a) => a.rank));
  return VLLM_LORA_RANKS.find((r) => r >= rank) ?? rank;
}

/** vLLM's LoRA flags: each adapter as JSON with its base model, batch and CPU cache sizes, the rank. */
export function vllmLoraArgs(options: LoraServingOptions): string[] {
  const adapters = adaptersOf(options);
  if (adapters.length === 0) return [];
  const batch = options.maxLoras ?? adapters.length;
  return [
    '--enable-lora',
    '--lora-modules',
    ...adapters.map((a) => JSON.stringify({ name: a.name, path: a.volume.mountPath, base_model_name: a.baseModel })),
    `--max-loras=${batch}`,
    `--max-cpu-loras=${adapters.length}`,
    `--max-lora-rank=${maxLoraRank(adapters)}`,
  ];
}

/** SGLang's LoRA flags: each adapter as `name=path`, batch size, the rank. */
export function sglangLoraArgs(options: LoraServingOptions): string[] {
  const adapters = adaptersOf(options);
  if (adapters.length === 0) return [];
  return [
    '--enable-lora',
    '--lora-paths', ...adapters.map((a) => `${a.name}=${a.volume.mountPath}`),
    `--max-loras-per-batch=${options.maxLoras ?? adapters.length}`,
    `--max-lora-rank=${Math.max(...adapters.map((a) => a.rank))}`,
  ];
}

/**
 * The checks of the adapters where a service binds the server: a list of adapters with a name
 * clients can send, a volume, a base model that is the server's own, a rank from 1 to 512, no name
 * twice or equal to the base model's served name, and `maxLoras` from 1 to the adapter count.
 */
export function loraChecks(options: LoraServingOptions, baseModel: string | undefined, servedModel: string | undefined): OptionCheck[] {
  return [{
    prop: 'adapters',
    check: (site) => {
      requireList(site, options.adapters, "[{ name: 'chat-sql', volume, baseModel: 'Qwen/Qwen2.5-7B-Instruct', rank: 16 }]");
      const adapters = adaptersOf(options);
      adapters.forEach((a, i) => checkAdapter({ ...site, prop: `${site.prop}[${i}]` }, a, baseModel));
      const names = adapters.map((a) => a.name);
      const twice = names.find((n, i) => names.indexOf(n) !== i || n === servedModel);
      if (twice !== undefined) {
        refuse(site, ErrorCode.INVALID_LORA_ADAPTER, twice, 'adapter names that are distinct and not the base model\'s served name', 'give each adapter its own name');
      }
      const max = Math.max(1, adapters.length);
      if (options.maxLoras !== undefined && adapters.length === 0) {
        refuse({ ...site, prop: site.prop.replace(/adapters$/, 'maxLoras') }, ErrorCode.INVALID_LORA_ADAPTER, options.maxLoras, 'maxLoras only with adapters', 'remove maxLoras or add adapters');
      }
      requireWholeNumber({ ...site, prop: site.prop.replace(/adapters$/, 'maxLoras') }, options.maxLoras, { min: 1, max });
    },
  }];
}

function checkAdapter(site: ValueSite, adapter: LoraAdapter, baseModel: string | undefined): void {
  if (typeof adapter !== 'object' || adapter === null) {
    refuse(site, ErrorCode.WRONG_TYPE, adapter, 'an adapter: { name, volume, baseModel, rank }', 'pass an object per adapter');
  }
  requireString({ ...site, prop: `${site.prop}.name` }, adapter.name, 'chat-sql', true);
  if (!isDnsSubdomain(adapter.name) || adapter.name.length > 63) {
    refuse({ ...site, prop: `${site.prop}.name` }, ErrorCode.INVALID_LORA_ADAPTER, adapter.name, 'a lower-case name of letters, digits, "-" and "." (at most 63)', "e.g. 'chat-sql'");
  }
  const volume = adapter.volume as unknown as { mountPath?: unknown; _mountFor?: unknown } | undefined;
  if (typeof volume?.mountPath !== 'string' || typeof volume._mountFor !== 'function') {
    refuse({ ...site, prop: `${site.prop}.volume` }, ErrorCode.WRONG_TYPE, adapter.volume, 'a ModelVolume holding the adapter', "new ModelVolume(chart, 'sql-adapter', { source })");
  }
  requireString({ ...site, prop: `${site.prop}.baseModel` }, adapter.baseModel, 'Qwen/Qwen2.5-7B-Instruct', true);
  if (baseModel !== undefined) checkAdapterBase(site, adapter, baseModel);
  requireWholeNumber({ ...site, prop: `${site.prop}.rank` }, adapter.rank, { min: 1, max: 512 });
}

/** Refuses an adapter trained on another base model than `baseModel`, the server's. */
export function checkAdapterBase(site: ValueSite, adapter: LoraAdapter, baseModel: string): void {
  if (adapter.baseModel === baseModel) return;
  refuse({ ...site, prop: `${site.prop}.baseModel` }, ErrorCode.LORA_BASE_MISMATCH, adapter.baseModel,
    `the server's base model, ${baseModel}: an adapter only works on the model it was trained on`, 'serve the adapter on a service of its base model');
}
