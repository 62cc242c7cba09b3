import { ApiObject, Chart, Duration, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpec, PrometheusRuleSpecGroupsRulesExpr, ServiceMonitor } from '../imports/monitoring.coreos.com';
import { dashboardJson } from './dashboard';
import { InferenceConfigError } from './errors';
import { IInferenceService, LABEL_MODEL, LABEL_MODEL_VERSION, LABEL_SERVER } from './inference-service-ref';
import { LogShipper, LogShipping } from './log-shipping';
import { checkName, claimName } from './names';
import { PrometheusRuleGroup, ServiceObjectives, serviceRuleGroups } from './prometheus-rules';

const KIND = 'ObservabilityBundle';

/**
 * Props of an {@link ObservabilityBundle}.
 */
export interface ObservabilityBundleProps {
  /**
   * The services to monitor; more can be added with `addService`.
   * @default - none until `addService` is called
   */
  readonly services?: IInferenceService[];

  /**
   * Name of the bundle's objects (DNS-1035 label).
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Default objectives of every service (overridable per service in `addService`).
   * @see https://sre.google/workbook/alerting-on-slos/
   * @default - 99.5% availability; 95% of requests under 30 s for servers with a latency histogram
   */
  readonly objectives?: ServiceObjectives;

  /**
   * Labels the Prometheus instance selects ServiceMonitors and PrometheusRules by
   * (kube-prometheus-stack selects `release: <helm release>`).
   * @see https://prometheus-operator.dev/docs/developer/getting-started/
   * @default { release: 'kube-prometheus-stack' }
   */
  readonly prometheusLabels?: { [key: string]: string };

  /**
   * How often Prometheus scrapes the servers.
   * @default Duration.seconds(15)
   */
  readonly scrapeInterval?: Duration;

  /**
   * Base URL of the runbooks; each alert links to `<url>#<alertname in lower case>`.
   * @default - alerts carry no runbook_url
   */
  readonly runbookUrl?: string;

  /**
   * Label the Grafana dashboard sidecar discovers dashboard ConfigMaps by.
   * @see https://github.com/grafana/helm-charts/tree/main/charts/grafana#sidecar-for-dashboards
   * @default { grafana_dashboard: '1' }
   */
  readonly dashboardLabels?: { [key: string]: string };

  /**
   * Ship the container logs of the bundle's namespace to Loki or Elasticsearch with a Fluent Bit
   * DaemonSet (in its own namespace, see `logNamespace`).
   * @default - no log shipping
   */
  readonly logs?: LogShipping;

  /**
   * Namespace of the log shipper.
   * @default 'logging'
   */
  readonly logNamespace?: string;
}

interface MonitoredService {
  readonly service: IInferenceService;
  readonly objectives: ServiceObjectives;
}

/**
 * Metrics, alerts and dashboards for InferenceServices: a ServiceMonitor per service, one
 * PrometheusRule with SLI recording rules, multi-window multi-burn-rate SLO alerts, workload
 * alerts and model-server alerts, and a Grafana dashboard ConfigMap per service. The numbers
 * that drive the services (autoscaler targets, start-up budgets) also set the alert thresholds.
 *
 * @example
 * new ObservabilityBundle(chart, 'observability', { services: [chat, classifier] });
 * @see https://sre.google/workbook/alerting-on-slos/
 */
export class ObservabilityBundle extends Construct {
  /** Name of the bundle's objects. */
  public readonly name: string;
  /** The PrometheusRule (monitoring.coreos.com/v1) holding every rule group. */
  public readonly rule: ApiObject;
  /** The log shipper, when logs are shipped. */
  public readonly logShipper?: LogShipper;
  /** Labels the Prometheus instance selects on. */
  public readonly prometheusLabels: { [key: string]: string };

  private readonly props: ObservabilityBundleProps;
  private readonly monitored: MonitoredService[] = [];
  private readonly namespace: string;

  /**
   * Defines an ObservabilityBundle.
   * @param scope the construct (usually a Chart) the objects are created in
   * @param id the construct id, unique within `scope`
   * @param props the settings, see `ObservabilityBundleProps`
   */
  constructor(scope: Construct, id: string, props: ObservabilityBundleProps = {}) {
    super(scope, id);
    this.props = props;
    this.name = checkName(this, KIND, 'name', props.name ?? id);
    claimName(this, KIND, 'name', `observability/${this.name}`);
    this.namespace = Chart.of(this).namespace ?? 'default';
    this.prometheusLabels = props.prometheusLabels ?? { release: 'kube-prometheus-stack' };
    this.rule = new PrometheusRule(this, 'Rules', {
      metadata: { name: this.name, labels: { ...this.prometheusLabels, 'app.kubernetes.io/managed-by': 'cdk8s-inference' } },
      // Rendered at synth, so services added later are included.
      spec: Lazy.any({
        produce: () => ({
          groups: this.groups().map((g) => ({
            name: g.name,
            rules: g.rules.map((r) => ({ ...r, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })),
          })),
        }),
      }) as PrometheusRuleSpec,
    });
    for (const service of props.services ?? []) this.addService(service);
    if (props.logs) {
      this.logShipper = new LogShipper(this, 'Logs', { shipping: props.logs, sourceNamespaces: [this.namespace], namespace: props.logNamespace });
    }
  }

  /**
   * Monitors one more service: a ServiceMonitor, its rules and its dashboard.
   * @param objectives overrides of the bundle's objectives for this service
   */
  public addService(service: IInferenceService, objectives: ServiceObjectives = {}): void {
    if (this.monitored.some((m) => m.service === service)) {
      throw new InferenceConfigError(this, KIND, {
        prop: 'services', received: service.node.path, allowed: 'each service once', fix: 'remove the duplicate',
      });
    }
    if (service.server.metricsPort === undefined) {
      throw new InferenceConfigError(this, KIND, {
        prop: 'services',
        received: service.node.path,
        allowed: 'services whose server exposes Prometheus metrics',
        fix: 'give ModelServer.custom a metricsPort, or leave this service out of the bundle',
      });
    }
    const merged = this.resolve(service, this.checkObjectives(service, { ...this.props.objectives, ...objectives }));
    this.monitored.push({ service, objectives: merged });
    const labels = { ...this.prometheusLabels, 'app.kubernetes.io/managed-by': 'cdk8s-inference' };
    new ServiceMonitor(this, `${service.node.id}Monitor`, {
      metadata: { name: service.name, labels },
      spec: {
        selector: { matchLabels: service.selectorLabels },
        // Without a chart namespace both objects land in the namespace they are applied to.
        namespaceSelector: Chart.of(service).namespace ? { matchNames: [Chart.of(service).namespace!] } : undefined,
        // Series carry the model server and image version, so versions can be compared.
        podTargetLabels: ['app.kubernetes.io/version', LABEL_SERVER, LABEL_MODEL, LABEL_MODEL_VERSION],
        endpoints: [{
          port: service.server.metricsPort === service.server.httpPort ? 'http' : 'metrics',
          path: service.server.metricsPath,
          interval: `${(this.props.scrapeInterval ?? Duration.seconds(15)).toSeconds()}s`,
          scrapeTimeout: '10s',
        }],
      },
    });
    new kplus.ConfigMap(this, `${service.node.id}Dashboard`, {
      metadata: {
        name: `${service.name}-dashboard`,
        labels: { ...(this.props.dashboardLabels ?? { grafana_dashboard: '1' }), 'app.kubernetes.io/managed-by': 'cdk8s-inference' },
      },
      data: { [`${service.name}.json`]: JSON.stringify(dashboardJson(service, this.namespace, merged.availability), null, 2) },
    });
  }

  /** The rule groups of every monitored service. */
  public groups(): PrometheusRuleGroup[] {
    return this.monitored.flatMap(({ service, objectives }) => serviceRuleGroups({
      service,
      namespace: Chart.of(service).namespace ?? 'default',
      objectives: {
        availability: objectives.availability,
        latency: objectives.latency,
        latencyThreshold: objectives.latencyThreshold?.toMilliseconds() !== undefined ? objectives.latencyThreshold.toMilliseconds() / 1000 : undefined,
      },
      runbookUrl: this.props.runbookUrl,
    }));
  }

  private checkObjectives(service: IInferenceService, objectives: ServiceObjectives): ServiceObjectives {
    const fail = (prop: string, received: unknown, allowed: string, fix: string): never => {
      throw new InferenceConfigError(this, KIND, { prop: `objectives.${prop} (${service.name})`, received, allowed, fix });
    };
    for (const prop of ['availability', 'latency'] as const) {
      const v = objectives[prop];
      if (v !== undefined && !(v > 0 && v < 1)) fail(prop, v, 'a share between 0 and 1, e.g. 0.995', 'give the objective as a fraction');
    }
    const m = service.server._metrics;
    if (objectives.availability !== undefined && !(m.requestRate && m.errorRate)) {
      fail('availability', objectives.availability, `a server with request and error counters (vllm, tgi, triton); ${service.server.kind} has none`,
        'remove the availability objective for this service, or measure it at the gateway');
    }
    if (objectives.latency !== undefined && !m.latencyHistogram) {
      fail('latency', objectives.latency, `a server with a known latency histogram (vllm); ${service.server.kind} has none`,
        'remove the latency objective for this service');
    }
    if (objectives.latencyThreshold !== undefined) {
      if (!m.latencyHistogram || !m.latencyBuckets) {
        fail('latencyThreshold', objectives.latencyThreshold.toHumanString(), `a server with a known latency histogram; ${service.server.kind} has none`,
          'remove latencyThreshold for this service');
      }
      const seconds = objectives.latencyThreshold.toMilliseconds() / 1000;
      if (!m.latencyBuckets!.includes(seconds)) {
        fail('latencyThreshold', `${seconds} s`, `a bucket bound of ${m.latencyHistogram}: ${m.latencyBuckets!.join(', ')} s`,
          'pick one of those bounds, so the SLI counts requests exactly');
      }
      return objectives;
    }
    // Defaults: 30 s when the server's histogram has that bound.
    return m.latencyBuckets?.includes(30) ? { ...objectives, latencyThreshold: Duration.seconds(30) } : objectives;
  }

  /** The objectives with the defaults filled in where the server can measure them. */
  private resolve(service: IInferenceService, objectives: ServiceObjectives): ServiceObjectives {
    const m = service.server._metrics;
    return {
      availability: m.requestRate && m.errorRate ? objectives.availability ?? 0.995 : undefined,
      latency: m.latencyHistogram ? objectives.latency ?? 0.95 : undefined,
      latencyThreshold: objectives.latencyThreshold,
    };
  }
}
