import type { PrometheusRuleDefinition, PrometheusRuleGroup } from '../../prometheus-rules';
import { listLabelContains } from '../servers/spec';
import { RuleContext } from './rule-context';

/** The `<service>.server` group: queue, KV-cache and GPU alerts; none when nothing applies. */
export function serverGroup(ctx: RuleContext): PrometheusRuleGroup | undefined {
  const rules = [...queueAlerts(ctx), ...kvCacheAlerts(ctx), ...loraAlerts(ctx), ...gpuAlerts(ctx)];
  return rules.length ? { name: `${ctx.name}.server`, rules } : undefined;
}

/** A sustained backlog: twice the autoscaler's per-replica target (the normal load), or 10. */
function queueAlerts(ctx: RuleContext): PrometheusRuleDefinition[] {
  const queue = ctx.service.server.queueDepthMetric;
  if (!queue) return [];
  const target = ctx.service.scaling.queueTargetPerReplica;
  const threshold = target !== undefined ? 2 * target : 10;
  return [ctx.alert({
    alert: 'InferenceQueueBacklog',
    expr: `avg by (namespace, service) (${queue}{${ctx.selector}}) > ${threshold}`,
    for: '10m', severity: 'warning',
    summary: `Requests are queueing in ${ctx.name}`,
    description: `On average {{ $value }} requests wait in each ${ctx.name} replica's queue (threshold ${threshold}).`,
  })];
}

/** A full KV cache, which preempts requests (vLLM's gauge, the one whose saturation means that). */
function kvCacheAlerts(ctx: RuleContext): PrometheusRuleDefinition[] {
  if (ctx.metrics.kvCacheUsage !== 'vllm:kv_cache_usage_perc') return [];
  return [ctx.alert({
    alert: 'InferenceKvCacheSaturated',
    expr: `max by (namespace, service, pod) (vllm:kv_cache_usage_perc{${ctx.selector}}) > 0.95`,
    for: '10m', severity: 'warning',
    summary: `The KV cache of a ${ctx.name} replica is full`,
    description: 'Pod {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its KV cache: requests are preempted.',
  })];
}

/**
 * Requests for a LoRA adapter that wait for 10 minutes: every adapter slot of the batch
 * (`maxLoras`) is taken by others, so this adapter's requests are not scheduled.
 */
function loraAlerts(ctx: RuleContext): PrometheusRuleDefinition[] {
  const info = ctx.metrics.loraInfo;
  if (!info) return [];
  return ctx.service.server.adapters.map((adapter) => ctx.alert({
    alert: 'InferenceLoraAdapterStarved',
    expr: `count by (namespace, service) (${info}{${ctx.selector},${listLabelContains('waiting_lora_adapters', adapter.name)}}) > 0`,
    for: '10m', severity: 'warning',
    summary: `Requests for the LoRA adapter ${adapter.name} of ${ctx.name} keep waiting`,
    description: `Requests for ${adapter.name} have waited for an adapter slot in ${ctx.name} for 10 minutes: raise maxLoras, or serve fewer adapters per replica.`,
  }));
}

/** XID errors on any GPU service; full GPU memory on non-LLM ones (LLM servers pre-allocate it). */
function gpuAlerts(ctx: RuleContext): PrometheusRuleDefinition[] {
  if (!ctx.service.gpu) return [];
  const { name, pods } = ctx;
  const xid = ctx.alert({
    alert: 'InferenceGpuXidErrors',
    expr: `max by (namespace, pod, gpu) (DCGM_FI_DEV_XID_ERRORS{${pods}}) > 0`,
    severity: 'critical',
    summary: `A GPU of ${name} reports XID errors`,
    description: 'GPU {{ $labels.gpu }} of pod {{ $labels.pod }} reported XID error {{ $value }}: check the node and drain it if the error repeats.',
  });
  if (ctx.service.server.isLlm) return [xid];
  return [xid, ctx.alert({
    alert: 'InferenceGpuMemoryFull',
    expr: `max by (namespace, pod, gpu) (DCGM_FI_DEV_FB_USED{${pods}} / (DCGM_FI_DEV_FB_USED{${pods}} + DCGM_FI_DEV_FB_FREE{${pods}})) > 0.95`,
    for: '15m', severity: 'warning',
    summary: `A GPU of ${name} is out of memory`,
    description: 'GPU {{ $labels.gpu }} of pod {{ $labels.pod }} has used {{ $value | humanizePercentage }} of its memory for 15 minutes.',
  })];
}
