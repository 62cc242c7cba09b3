import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import { InferenceConfigError } from '../../errors';
import type { IInferenceService } from '../../inference-service-ref';
import type { ResolvedObjectives, ServiceObjectives } from '../../prometheus-rules';
import { requireDuration } from '../values';

/** The construct kind objective errors are reported under. */
const KIND = 'ObservabilityBundle';

/** The default objectives: 99.5% availability, 95% of requests under the latency threshold. */
const DEFAULT_AVAILABILITY = 0.995;
const DEFAULT_LATENCY = 0.95;
/** The default latency threshold (seconds), used where it is a bucket bound of the server's histogram. */
const DEFAULT_LATENCY_THRESHOLD = 30;

/**
 * The objectives of `service` checked against what its server can measure, with the defaults
 * filled in where it can. Throws at the first objective that is not a share or cannot be measured.
 */
export function serviceObjectives(scope: IConstruct, service: IInferenceService, objectives: ServiceObjectives): ServiceObjectives {
  return withDefaults(service, checkObjectives(scope, service, objectives));
}

/** The objectives as the rules read them: the latency threshold in seconds. */
export function resolvedObjectives(objectives: ServiceObjectives): ResolvedObjectives {
  return {
    availability: objectives.availability,
    latency: objectives.latency,
    latencyThreshold: objectives.latencyThreshold?.toMilliseconds() !== undefined ? objectives.latencyThreshold.toMilliseconds() / 1000 : undefined,
  };
}

/** Throws on an objective that is not a share, or that the server has no metric for. */
function checkObjectives(scope: IConstruct, service: IInferenceService, objectives: ServiceObjectives): ServiceObjectives {
  const fail = (code: ErrorCode, prop: string, received: unknown, allowed: string, fix: string): never => {
    throw new InferenceConfigError(scope, KIND, { code, prop: `objectives.${prop} (${service.name})`, received, allowed, fix });
  };
  for (const prop of ['availability', 'latency'] as const) {
    const v = objectives[prop];
    // typeof: a JavaScript or Python caller's '0.99' compares like a number but renders as a string.
    if (v !== undefined && !(typeof v === 'number' && v > 0 && v < 1)) fail(ErrorCode.INVALID_OBJECTIVE, prop, v, 'a share between 0 and 1, e.g. 0.995', 'give the objective as a fraction');
  }
  const m = service.server._metrics;
  const server = service.server.kind;
  if (objectives.availability !== undefined && !(m.requestRate && m.errorRate)) {
    fail(ErrorCode.UNMEASURABLE_OBJECTIVE, 'availability', objectives.availability, `a server with request and error counters (vllm, tgi, triton); ${server} has none`,
      'remove the availability objective for this service, or measure it at the gateway');
  }
  if (objectives.latency !== undefined && !m.latencyHistogram) {
    fail(ErrorCode.UNMEASURABLE_OBJECTIVE, 'latency', objectives.latency, `a server with a known latency histogram (vllm); ${server} has none`,
      'remove the latency objective for this service');
  }
  const threshold = requireDuration({ scope, kind: KIND, prop: `objectives.latencyThreshold (${service.name})` }, objectives.latencyThreshold);
  if (threshold === undefined) return objectives;
  const buckets = m.latencyBuckets;
  if (!m.latencyHistogram || !buckets) {
    return fail(ErrorCode.UNMEASURABLE_OBJECTIVE, 'latencyThreshold', threshold.toHumanString(), `a server with a known latency histogram; ${server} has none`,
      'remove latencyThreshold for this service');
  }
  const seconds = threshold.toMilliseconds() / 1000;
  if (!buckets.includes(seconds)) {
    fail(ErrorCode.LATENCY_THRESHOLD_NOT_A_BUCKET, 'latencyThreshold', `${seconds} s`, `a bucket bound of ${m.latencyHistogram}: ${buckets.join(', ')} s`,
      'pick one of those bounds, so the SLI counts requests exactly');
  }
  return objectives;
}

/** The defaults, where the server can measure them; nothing where it cannot. */
function withDefaults(service: IInferenceService, objectives: ServiceObjectives): ServiceObjectives {
  const m = service.server._metrics;
  // 30 s when the server's histogram has that bound.
  const latencyThreshold = objectives.latencyThreshold
    ?? (m.latencyBuckets?.includes(DEFAULT_LATENCY_THRESHOLD) ? Duration.seconds(DEFAULT_LATENCY_THRESHOLD) : undefined);
  return {
    availability: m.requestRate && m.errorRate ? objectives.availability ?? DEFAULT_AVAILABILITY : undefined,
    latency: m.latencyHistogram ? objectives.latency ?? DEFAULT_LATENCY : undefined,
    latencyThreshold,
  };
}
