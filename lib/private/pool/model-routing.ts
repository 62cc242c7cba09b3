import { Construct } from 'constructs';
import type { InferenceObjective } from '../../../imports/inference.networking.x-k8s.io';
import { inferenceObjectives } from '../crds';
import { MANAGED_BY_LABELS } from '../labels';

/**
 * The headers a request names its InferenceObjective in: llm-d's router reads the first, and the
 * deprecated second when the first is missing.
 * @see https://github.com/llm-d/llm-d-router/blob/main/pkg/epp/metadata/consts.go
 */
export const OBJECTIVE_HEADERS = ['x-llm-d-inference-objective', 'x-gateway-inference-objective'];

/** The pool the objects refer to. */
const poolRef = (pool: string) => ({ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: pool });

/**
 * An InferenceObjective of the pool: requests that name it (`x-llm-d-inference-objective`) get its
 * priority; below 0 they are sheddable, refused first when the pool is saturated.
 * @see https://github.com/llm-d/llm-d-router/blob/main/apix/v1alpha2/inferenceobjective_types.go
 */
export function objective(scope: Construct, id: string, pool: string, name: string, priority: number): InferenceObjective {
  return new (inferenceObjectives().InferenceObjective)(scope, id, {
    metadata: { name, labels: { ...MANAGED_BY_LABELS } },
    spec: { poolRef: poolRef(pool), priority },
  });
}

/**
 * An InferenceModelRewrite of the pool: requests for `model` are sent to the target models (base
 * model or LoRA adapters the pool serves) by weight, e.g. a canary between two adapter versions.
 * @see https://github.com/llm-d/llm-d-router/blob/main/apix/v1alpha2/inferencemodelrewrite_types.go
 */
export function modelSplit(
  scope: Construct, id: string, name: string, pool: string, model: string, targets: { model: string; weight: number }[],
): void {
  new (inferenceObjectives().InferenceModelRewrite)(scope, id, {
    metadata: { name, labels: { ...MANAGED_BY_LABELS } },
    spec: {
      poolRef: poolRef(pool),
      rules: [{
        matches: [{ model: { value: model } }],
        targets: targets.map((t) => ({ modelRewrite: t.model, weight: t.weight })),
      }],
    },
  });
}
