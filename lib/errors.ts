import { Construct, IConstruct } from 'constructs';
import { ErrorCode } from './error-codes';

/**
 * Describes one rejected input: which prop, what was received, what is allowed and how to fix it.
 */
export interface InvalidPropOptions {
  /**
   * The stable code of this kind of mistake, appended to the message as `[code: <Code>]`. Every
   * error the library raises has one.
   */
  readonly code: ErrorCode;
  /** Name of the prop (or derived setting) that is wrong, e.g. `maxReplicas`. */
  readonly prop: string;
  /** The value that was received. */
  readonly received: unknown;
  /** What would have been accepted. */
  readonly allowed: string;
  /** What the user should change. */
  readonly fix: string;
}

/**
 * Error thrown for input that must not reach a cluster.
 *
 * The message always names the construct (kind and path), the prop, the value received,
 * what is allowed and how to fix it, so a failed `cdk8s synth` points straight at the mistake.
 * Other languages see it as the runtime's error with the same message.
 * @jsii ignore
 */
export class InferenceConfigError extends Error {
  /** Construct path of the construct that rejected the input. */
  public readonly constructPath: string;
  /** The prop that was rejected. */
  public readonly prop: string;
  /** The stable code of this kind of mistake (also at the end of the message). */
  public readonly code: ErrorCode;

  /**
   * Describes a rejected input.
   * @param scope the construct that rejects it (its path is named in the message)
   * @param kind the construct's kind as users know it, e.g. `InferenceService`
   * @param options what was rejected, what is allowed, how to fix it, and the code
   */
  constructor(scope: IConstruct, kind: string, options: InvalidPropOptions) {
    super(
      `${kind} '${scope.node.path}': invalid ${options.prop}: received ${describe(options.received)}; ` +
      `allowed: ${options.allowed}. Fix: ${options.fix} [code: ${options.code}]`,
    );
    this.code = options.code;
    this.name = 'InferenceConfigError';
    this.constructPath = scope.node.path;
    this.prop = options.prop;
  }
}

/**
 * Renders a received value for an error message (strings quoted, objects as JSON). A construct
 * inside the value (a ModelVolume in a list of adapters) is written as its path: constructs refer
 * to their tree, which JSON cannot write.
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return toJson(value);
  if (typeof (value as { toString?: unknown }).toString === 'function' && (value as object).toString !== Object.prototype.toString) {
    return String(value);
  }
  return toJson(value);
}

/** JSON of `value`, each construct in it replaced by `<path>`. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (Construct.isConstruct(v) ? `<${v.node.path}>` : v));
}
