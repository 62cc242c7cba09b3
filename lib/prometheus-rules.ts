import { Duration } from 'cdk8s';
import { IInferenceService } from './inference-service-ref';

// The PromQL helpers live in lib/private/observability/; the service's own recording rules use this one.
export { serviceSelector } from './private/observability/promql';

/** One Prometheus rule, as in a rule file. */
export interface PrometheusRuleDefinition {
  /**
   * Name of the recorded series (recording rules).
   * @default - an alerting rule
   */
  readonly record?: string;
  /**
   * Name of the alert (alerting rules).
   * @default - a recording rule
   */
  readonly alert?: string;
  /** The PromQL expression. */
  readonly expr: string;
  /**
   * How long the condition must hold before the alert fires.
   * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
   * @default - fires at the first evaluation that matches
   */
  readonly for?: string;
  /**
   * Labels added to the alert or recorded series.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Alert annotations: summary, description, runbook_url.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/** A named group of rules, as in a rule file. */
export interface PrometheusRuleGroup {
  /** Group name, unique in the PrometheusRule. */
  readonly name: string;
  /** The rules. */
  readonly rules: PrometheusRuleDefinition[];
}

/** Service-level objectives of one service. */
export interface ServiceObjectives {
  /**
   * Share of requests that must succeed over 30 days (0–1).
   * @default 0.995
   */
  readonly availability?: number;

  /**
   * Share of requests that must finish within `latencyThreshold` over 30 days (0–1).
   *
   * vLLM only: it is the one preset with an end-to-end latency histogram
   * (`vllm:e2e_request_latency_seconds`). TGI, Triton, TF Serving, TorchServe, SGLang and custom
   * servers get no latency SLO, and asking one of them for `latency` fails the synth
   * (`UnmeasurableObjective`).
   * @see https://docs.vllm.ai/en/latest/design/metrics.html
   * @default 0.95 for vLLM; none for the other servers
   */
  readonly latency?: number;

  /**
   * End-to-end latency a request must stay under (vLLM only, like `latency`); must be a bucket
   * bound of vLLM's latency histogram (0.3 s … 7680 s, e.g. 1, 5, 10, 30, 60 s), so the SLI is exact.
   * @see https://docs.vllm.ai/en/latest/design/metrics.html
   * @default - 30 s for vLLM (none for servers without a latency histogram)
   */
  readonly latencyThreshold?: Duration;
}

/** Objectives resolved for one service: shares (0–1) and the latency threshold in seconds. */
export interface ResolvedObjectives {
  /**
   * Share of requests that must succeed.
   * @default - availability is not measured for this server
   */
  readonly availability?: number;
  /**
   * Share of requests that must finish within `latencyThreshold`.
   * @default - latency is not measured for this server
   */
  readonly latency?: number;
  /**
   * The latency threshold, in seconds.
   * @default - latency is not measured for this server
   */
  readonly latencyThreshold?: number;
}

/** Settings the rules of one service are built from. */
export interface ServiceRuleSettings {
  /** The service the rules watch. */
  readonly service: IInferenceService;
  /** Its namespace. */
  readonly namespace: string;
  /** Resolved objectives: shares (0–1) and the latency threshold in seconds; absent where not measured. */
  readonly objectives: ResolvedObjectives;
  /**
   * Base URL of the runbooks.
   * @default - alerts carry no runbook_url
   */
  readonly runbookUrl?: string;
}
