import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ErrorCode } from './error-codes';
import { InferenceConfigError } from './errors';
import { validateAppObjects } from './invariants';
import { claim } from './private/claims';
import { markClusterScoped } from './private/invariants/duplicates';

/**
 * Longest name an InferenceService may have.
 *
 * Service names are DNS-1035 labels (at most 63 characters). 48 leaves room for the suffixes
 * the library appends to derived objects (for example `-canary` or `-model-cache`), so every
 * derived name is valid too.
 */
export const MAX_NAME_LENGTH = 48;

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks that `value` is a DNS-1035 label (lower-case letters, digits and `-`, starting with a
 * letter, ending with a letter or digit) no longer than `maxLength`, and returns it.
 *
 * Every library construct names itself through this check, so it also registers the app-wide
 * rule that no two objects of the app share group, kind, namespace and name (`validateAppObjects`).
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#rfc-1035-label-names
 */
export function checkName(scope: IConstruct, kind: string, prop: string, value: string, maxLength = MAX_NAME_LENGTH): string {
  validateAppObjects(scope);
  if (value.length > maxLength) {
    throw new InferenceConfigError(scope, kind, {
      code: ErrorCode.INVALID_NAME,
      prop,
      received: value,
      allowed: `a DNS-1035 label of at most ${maxLength} characters (this one has ${value.length})`,
      fix: `choose a shorter ${prop}`,
    });
  }
  if (!DNS_1035_LABEL.test(value)) {
    throw new InferenceConfigError(scope, kind, {
      code: ErrorCode.INVALID_NAME,
      prop,
      received: value,
      allowed: 'a DNS-1035 label: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit',
      fix: `set ${prop} to something like '${suggestName(value)}'`,
    });
  }
  return value;
}

/** A readable DNS-1035 label derived from arbitrary text, for suggestions in error messages. */
export function suggestName(value: string): string {
  const cleaned = value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').replace(/--+/g, '-');
  return (cleaned || 'model').slice(0, MAX_NAME_LENGTH).replace(/-+$/, '');
}

/**
 * Turns arbitrary text (an image tag, a model id) into a valid label value (at most 63
 * characters of `[A-Za-z0-9._-]`, starting and ending alphanumeric).
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
export function toLabelValue(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

/**
 * Marks an object as cluster-scoped (Namespace, PersistentVolume, ClusterRole, admission
 * policies): cdk8s gives every object its chart's namespace, which such objects must not carry.
 */
export function clusterScoped(object: ApiObject): void {
  markClusterScoped(object);
  if (Chart.of(object).namespace) object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}

/**
 * Whether an environment variable's name says it holds a secret (a token, key, password or
 * credential), so a literal value under it must be refused.
 */
export function isSecretName(name: string): boolean {
  return /TOKEN|SECRET|PASSWORD|KEY|CREDENTIAL/i.test(name);
}

/**
 * Reserves `name` in the namespace of `scope`'s chart for one construct of the app, and throws
 * when another construct of the same app already holds it: two services with one name would
 * overwrite each other's objects when applied. Names of one `kind` of object only (e.g.
 * 'Secret') are reserved apart from the names of services.
 */
export function claimName(scope: IConstruct, kind: string, prop: string, name: string, objectKind?: string): void {
  const namespace = Chart.of(scope).namespace ?? '(default)';
  const holder = claim(scope, `name/${objectKind ?? ''}`, name, scope.node.path);
  if (holder !== undefined) {
    throw new InferenceConfigError(scope, kind, {
      code: ErrorCode.NAME_TAKEN,
      prop,
      received: name,
      allowed: `a ${objectKind ? `${objectKind} ` : ''}name not already used in namespace ${namespace} (held by '${holder}')`,
      fix: `give one of the two a distinct ${prop}, or put them in different namespaces`,
    });
  }
}

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Whether `value` is a DNS-1123 subdomain: the names of Secrets, PriorityClasses, stores. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS_1123_SUBDOMAIN.test(value);
}

/** Whether `key` is a label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = key.slice(slash + 1);
  return (prefix === undefined || isDnsSubdomain(prefix)) && name.length <= 63 && LABEL_NAME.test(name);
}

/** Whether `value` is a label value: at most 63 characters of `[A-Za-z0-9._-]`, alphanumeric at both ends, or empty. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/**
 * Checks that every key and value of `labels` (labels, a node selector) is valid, and throws
 * naming the first that is not.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
export function checkLabels(scope: IConstruct, kind: string, prop: string, labels: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!isLabelKey(key)) {
      throw new InferenceConfigError(scope, kind, {
        code: ErrorCode.INVALID_LABEL, prop, received: key,
        allowed: 'a label key: an optional DNS subdomain and "/", then at most 63 letters, digits, "-", "_" or ".", alphanumeric at both ends',
        fix: `use e.g. '${toLabelValue(key) || 'example.com/role'}'`,
      });
    }
    if (typeof value !== 'string' || !isLabelValue(value)) {
      throw new InferenceConfigError(scope, kind, {
        code: ErrorCode.INVALID_LABEL, prop: `${prop}['${key}']`, received: value,
        allowed: 'a label value: at most 63 letters, digits, "-", "_" or ".", alphanumeric at both ends (or empty)',
        fix: `use e.g. '${toLabelValue(String(value))}'`,
      });
    }
  }
}
