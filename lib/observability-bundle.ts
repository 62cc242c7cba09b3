import { ApiObject, Chart, Duration, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { PrometheusRuleSpec } from '../imports/monitoring.coreos.com';
import { ErrorCode } from './error-codes';
import { InferenceConfigError } from './errors';
import type { IInferencePool } from './inference-pool';
import { IInferenceService, LABEL_MODEL, LABEL_MODEL_VERSION, LABEL_SERVER } from './inference-service-ref';
import { LogShipper, LogShipping } from './log-shipping';
import { checkName, claimName } from './names';
import { prometheusOperator } from './private/crds';
import { MANAGED_BY_LABELS } from './private/labels';
import { dashboardJson } from './private/observability/dashboard';
import { resolvedObjectives, serviceObjectives } from './private/observability/objectives';
import { poolRuleGroup } from './private/observability/pool-rules';
import { serviceRuleGroups } from './private/observability/rule-groups';
import { markScraped } from './private/observability/scrape-registry';
import { requireList } from './private/values';
import { PrometheusRuleGroup, ServiceObjectives } from './prometheus-rules';

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
   * InferencePools to watch: their endpoint pickers' metrics and alerts (see `addPool`).
   * @default - none
   */
  readonly pools?: IInferencePool[];

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
   * DaemonSet (in its own namespace, see `logNamespace`, where Elasticsearch credentials must be).
   * @see https://docs.fluentbit.io/manual/pipeline/outputs
   * @default - no log shipping
   */
  readonly logs?: LogShipping;

  /**
   * Namespace of the log shipper. A Secret it reads (Elasticsearch credentials) must be in this
   * namespace, not the bundle's.
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
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
  private readonly pools: IInferencePool[] = [];
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
    this.rule = new (prometheusOperator().PrometheusRule)(this, 'Rules', {
      metadata: { name: this.name, labels: { ...this.prometheusLabels, ...MANAGED_BY_LABELS } },
      // Rendered at synth, so services added later are included.
      spec: Lazy.any({ produce: () => this.ruleSpec() }) as PrometheusRuleSpec,
    });
    for (const service of props.services ?? []) this.addService(service);
    requireList({ scope: this, kind: KIND, prop: 'pools' }, props.pools, '[pool]');
    for (const pool of props.pools ?? []) this.addPool(pool);
    if (props.logs) {
      this.logShipper = new LogShipper(this, 'Logs', { shipping: props.logs, sourceNamespaces: [this.namespace], namespace: props.logNamespace });
    }
  }

  /**
   * Monitors one more service: a ServiceMonitor, its rules and its dashboard. The ServiceMonitor's
   * series carry the `namespace` and `service` labels that queue-depth autoscaling reads, so a
   * service scaling on queue depth must be watched by a bundle (or scraped by your own Prometheus
   * and marked `scrapedExternally`).
   * @param objectives overrides of the bundle's objectives for this service
   */
  public addService(service: IInferenceService, objectives: ServiceObjectives = {}): void {
    this.checkService(service);
    const merged = serviceObjectives(this, service, { ...this.props.objectives, ...objectives });
    this.monitored.push({ service, objectives: merged });
    this.addMonitor(service);
    markScraped(service);
    this.addDashboard(service, merged);
  }

  /**
   * Watches an InferencePool's endpoint picker: a ServiceMonitor on its metrics port and the
   * `<pool>.endpoint-picker` alerts (no ready picker: the pool's traffic stops; a missing standby;
   * no ready model server behind the pool). Watch the pool's services with `addService` too.
   */
  public addPool(pool: IInferencePool): void {
    if (!Construct.isConstruct(pool) || typeof (pool as IInferencePool).pickerName !== 'string') {
      throw new InferenceConfigError(this, KIND, { code: ErrorCode.WRONG_TYPE, prop: 'pools', received: pool, allowed: 'an InferencePool', fix: 'pass the InferencePool construct itself' });
    }
    if (this.pools.includes(pool)) {
      throw new InferenceConfigError(this, KIND, {
        code: ErrorCode.DUPLICATE_WATCHED_SERVICE, prop: 'pools', received: pool.node.path, allowed: 'each pool once', fix: 'remove the duplicate',
      });
    }
    this.pools.push(pool);
    const namespace = Chart.of(pool).namespace;
    new (prometheusOperator().ServiceMonitor)(this, `${pool.node.id}PickerMonitor`, {
      metadata: { name: pool.pickerName, labels: { ...this.prometheusLabels, ...MANAGED_BY_LABELS } },
      spec: {
        selector: { matchLabels: pool.pickerLabels },
        namespaceSelector: namespace ? { matchNames: [namespace] } : undefined,
        endpoints: [{ port: 'http-metrics', path: '/metrics', interval: `${(this.props.scrapeInterval ?? Duration.seconds(15)).toSeconds()}s`, scrapeTimeout: '10s' }],
      },
    });
  }

  /** The rule groups of every monitored service and pool. */
  public groups(): PrometheusRuleGroup[] {
    return [
      ...this.monitored.flatMap(({ service, objectives }) => serviceRuleGroups({
        service,
        namespace: Chart.of(service).namespace ?? 'default',
        objectives: resolvedObjectives(objectives),
        runbookUrl: this.props.runbookUrl,
      })),
      ...this.pools.map((pool) => poolRuleGroup({
        pool, namespace: Chart.of(pool).namespace ?? 'default', replicas: pool.pickerReplicas, runbookUrl: this.props.runbookUrl,
      })),
    ];
  }

  /** The PrometheusRule's spec: every group, with each expression typed as the CRD wants it. */
  private ruleSpec(): PrometheusRuleSpec {
    return {
      groups: this.groups().map((g) => ({
        name: g.name,
        rules: g.rules.map((r) => ({ ...r, expr: prometheusOperator().PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })),
      })),
    };
  }

  /** Throws when the service is watched already or exposes no metrics. */
  private checkService(service: IInferenceService): void {
    if (this.monitored.some((m) => m.service === service)) {
      throw new InferenceConfigError(this, KIND, {
        code: ErrorCode.DUPLICATE_WATCHED_SERVICE, prop: 'services', received: service.node.path, allowed: 'each service once', fix: 'remove the duplicate',
      });
    }
    if (service.server.metricsPort === undefined) {
      throw new InferenceConfigError(this, KIND, {
        code: ErrorCode.SERVICE_WITHOUT_METRICS,
        prop: 'services',
        received: service.node.path,
        allowed: 'services whose server exposes Prometheus metrics',
        fix: 'give ModelServer.custom a metricsPort, or leave this service out of the bundle',
      });
    }
  }

  /** The ServiceMonitor that scrapes the service's metrics port. */
  private addMonitor(service: IInferenceService): void {
    const namespace = Chart.of(service).namespace;
    new (prometheusOperator().ServiceMonitor)(this, `${service.node.id}Monitor`, {
      metadata: { name: service.name, labels: { ...this.prometheusLabels, ...MANAGED_BY_LABELS } },
      spec: {
        selector: { matchLabels: service.selectorLabels },
        // Without a chart namespace both objects land in the namespace they are applied to.
        namespaceSelector: namespace ? { matchNames: [namespace] } : undefined,
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
  }

  /** The ConfigMap holding the service's Grafana dashboard, for the Grafana sidecar. */
  private addDashboard(service: IInferenceService, objectives: ServiceObjectives): void {
    new kplus.ConfigMap(this, `${service.node.id}Dashboard`, {
      metadata: {
        name: `${service.name}-dashboard`,
        labels: { ...(this.props.dashboardLabels ?? { grafana_dashboard: '1' }), ...MANAGED_BY_LABELS },
      },
      data: { [`${service.name}.json`]: JSON.stringify(dashboardJson(service, this.namespace, objectives.availability), null, 2) },
    });
  }
}
