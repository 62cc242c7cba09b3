import type { IInferenceService } from '../../inference-service-ref';
import type { PrometheusRuleDefinition, ResolvedObjectives, ServiceRuleSettings } from '../../prometheus-rules';
import { podSelector, serviceSelector } from './promql';

/** The series a service's model server exposes (see `ModelServer`). */
export type ServerMetrics = IInferenceService['server']['_metrics'];

/** What an alert says, before the service label and the annotations are added. */
export interface AlertSpec {
  /** Name of the alert. */
  readonly alert: string;
  /** The PromQL condition. */
  readonly expr: string;
  /** How long the condition must hold; absent: fires at the first matching evaluation. */
  readonly for?: string;
  /** `critical` pages, `warning` opens a ticket. */
  readonly severity: 'critical' | 'warning';
  /** One-line summary annotation. */
  readonly summary: string;
  /** Description annotation. */
  readonly description: string;
}

/**
 * Everything a rule group of one service is built from: its name, namespace, selectors, metrics
 * and objectives, and the two ways to make a rule (an alert, a recorded series). Every rule carries
 * the service's name as a label: alerts route by it, and the rules of two services never
 * duplicate each other.
 */
export class RuleContext {
  /** The service the rules watch. */
  public readonly service: IInferenceService;
  /** Its name. */
  public readonly name: string;
  /** Its namespace. */
  public readonly namespace: string;
  /** Matchers for the series scraped from its servers. */
  public readonly selector: string;
  /** Matchers for series about its pods. */
  public readonly pods: string;
  /** The series its model server exposes. */
  public readonly metrics: ServerMetrics;
  /** Its objectives, resolved. */
  public readonly objectives: ResolvedObjectives;
  private readonly runbookUrl?: string;

  constructor(settings: ServiceRuleSettings) {
    this.service = settings.service;
    this.name = settings.service.name;
    this.namespace = settings.namespace;
    this.selector = serviceSelector(this.namespace, this.name);
    this.pods = podSelector(this.namespace, settings.service.workload.name, settings.service.workload.kind);
    this.metrics = settings.service.server._metrics;
    this.objectives = settings.objectives;
    this.runbookUrl = settings.runbookUrl;
  }

  /** Matchers for the kube-state-metrics series of one of the service's objects, e.g. `deployment`. */
  public object(label: string): string {
    return `namespace="${this.namespace}",${label}="${this.name}"`;
  }

  /** An alerting rule labelled with its severity and the service, annotated (with its runbook, if any). */
  public alert(spec: AlertSpec): PrometheusRuleDefinition {
    return {
      alert: spec.alert,
      expr: spec.expr,
      for: spec.for,
      labels: { severity: spec.severity, service: this.name },
      annotations: {
        summary: spec.summary,
        description: spec.description,
        ...(this.runbookUrl ? { runbook_url: `${this.runbookUrl}#${spec.alert.toLowerCase()}` } : {}),
      },
    };
  }

  /** A recording rule labelled with the service. */
  public record(record: string, expr: string): PrometheusRuleDefinition {
    return { record, expr, labels: { service: this.name } };
  }
}
