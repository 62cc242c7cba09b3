import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ErrorCode } from './error-codes';
import { InferenceConfigError } from './errors';
import { describeIdentity, Duplicate, findDuplicates } from './private/invariants/duplicates';
import { Manifest, TEMPLATE_PATHS } from './private/invariants/manifests';
import { findViolations, RULE_DESCRIPTIONS } from './private/invariants/rules';
import { afterRender } from './private/render';

/**
 * One broken cross-object rule, found in a set of manifests.
 */
export interface InvariantFinding {
  /** Short rule id, e.g. `selector-matches-pods`. */
  readonly rule: string;
  /** `Kind/namespace/name` of the object that breaks the rule. */
  readonly object: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** The cross-object rules and what each asks for, by rule id. */
export const INVARIANT_RULES: { [rule: string]: string } = { ...RULE_DESCRIPTIONS };

/**
 * Checks the rules no single-object schema can see, over everything that will be applied
 * together: selectors of Services, PodDisruptionBudgets, NetworkPolicies and autoscalers
 * match pods; Service target ports exist; the grace period covers the preStop pause;
 * a PodDisruptionBudget leaves room for a voluntary disruption; multi-GPU pods have `/dev/shm`.
 * Each finding names its rule (a key of `INVARIANT_RULES`).
 */
export function checkManifests(manifests: Manifest[]): InvariantFinding[] {
  return findViolations(manifests);
}

/** The kinds `checkManifests` reads. */
const RULE_KINDS = new Set(['Pod', 'Service', 'PodDisruptionBudget', 'NetworkPolicy', 'HorizontalPodAutoscaler', 'ServiceMonitor', 'HTTPRoute', 'GRPCRoute',
  ...Object.keys(TEMPLATE_PATHS)]);

const checkedCharts = new WeakSet<Chart>();
const checkedApps = new WeakSet<IConstruct>();

/** The objects of `chart` whose kinds the rules read. */
function ruleObjects(chart: Chart): ApiObject[] {
  return chart.node.findAll().filter((o): o is ApiObject => ApiObject.isApiObject(o) && RULE_KINDS.has(o.kind));
}

/** The findings in `manifests` of `chart`, each naming the construct path of the object. */
function chartFindings(chart: Chart, manifests: Manifest[]): string[] {
  const paths = new Map<string, string>();
  for (const o of ruleObjects(chart)) paths.set(`${o.kind}/${o.metadata.namespace ?? '(default)'}/${o.name}`, o.node.path);
  return checkManifests(manifests).map((f) => `${f.rule}: ${paths.get(f.object) ?? f.object} (${f.object}): ${f.message}. Fix: ${f.fix}`);
}

/**
 * Whether the chart's own render can carry the check: in an app with this one chart, written a
 * file per chart or per app, `chart.toJson()` renders every object once and nothing is written
 * before it returns. Otherwise (several charts, one file per resource, no App) the check runs as
 * a construct validation, before any chart is written.
 */
function checkAtRender(chart: Chart): boolean {
  const app = chart.node.root;
  if (!(app instanceof App) || app.yamlOutputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE) return false;
  return app.node.findAll().filter((c) => Chart.isChart(c)).length === 1;
}

/**
 * Registers the cross-object checks for `scope`'s chart (once per chart), so `app.synth()`,
 * `app.synthYaml()` and `Testing.synth()` fail with the construct path of each object that
 * breaks a rule, and nothing is written.
 *
 * cdk8s validates the whole app once more for each chart it renders; a check run there would
 * render the objects it reads each time. In an app of one chart the check therefore reads the
 * very manifests the chart renders for output (no object is rendered twice); in other apps it is
 * a construct validation.
 */
export function validateChartInvariants(scope: IConstruct): void {
  validateAppObjects(scope);
  const chart = Chart.of(scope);
  if (checkedCharts.has(chart)) return;
  checkedCharts.add(chart);
  afterRender(chart, (manifests: any[]) => {
    if (checkAtRender(chart)) {
      const errors = chartFindings(chart, manifests);
      if (errors.length > 0) {
        // The same message cdk8s gives for a failed construct validation.
        throw new Error(`Validation failed with the following errors:\n  ${errors.map((e) => `[${chart.node.path}] ${e}`).join('\n  ')}`);
      }
    }
  });
  chart.node.addValidation({
    validate: () => checkAtRender(chart) ? [] : chartFindings(chart, ruleObjects(chart).map((o) => o.toJson())),
  });
}

/** The error for the first of `duplicates`, naming both construct paths and the object. */
function duplicateError(duplicates: Duplicate[]): InferenceConfigError {
  const [{ identity, first, second }] = duplicates;
  const more = duplicates.length > 1 ? ` (and ${duplicates.length - 1} more duplicate(s))` : '';
  return new InferenceConfigError(second, identity.kind, {
    code: ErrorCode.DUPLICATE_OBJECT,
    prop: 'metadata.name',
    received: describeIdentity(identity),
    allowed: `one object per API group, kind, namespace and name in an app; '${first.node.path}' is already ${describeIdentity(identity)}, `
      + `and applied, this one would silently replace it${more}`,
    fix: 'give the construct that makes one of the two another name (its name prop or construct id), or put it in another namespace',
  });
}

/**
 * Registers, once per app (its root construct), the app-wide rule that no two ApiObjects of any
 * of its charts, the user's own objects included, share API group, kind, namespace (a namespaced
 * object without one lands in `default`; cluster-scoped kinds have none) and name: applied, the
 * second would silently replace the first. `app.synth()`, `app.synthYaml()` and `Testing.synth()`
 * then throw an `InferenceConfigError` (code `DuplicateObject`) naming both construct paths, and
 * nothing is written. Every library construct calls it (through `checkName`).
 */
export function validateAppObjects(scope: IConstruct): void {
  const root = scope.node.root;
  if (checkedApps.has(root)) return;
  checkedApps.add(root);
  root.node.addValidation({
    validate: () => {
      const duplicates = findDuplicates(root);
      if (duplicates.length > 0) throw duplicateError(duplicates);
      return [];
    },
  });
}
