import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ErrorCode } from '../error-codes';
import { InferenceConfigError } from '../errors';

// Guards for the values a construct receives. TypeScript callers are held to the types by the compiler;
// JavaScript and Python callers are not, so each guard checks the type first (a string where a Size is
// expected would otherwise end in `size.toMebibytes is not a function`), then what Kubernetes accepts.
// Each returns the value, typed, or throws an InferenceConfigError naming the construct, the prop, the
// value, what is allowed and the fix. `undefined` passes through: a prop left out gets its default.

/** The largest int32, the bound of most integer fields of Kubernetes (replicas, probe thresholds, seconds). */
export const INT32_MAX = 2147483647;

/** Where a value enters: the construct that checks it, its kind as users know it, and the prop. */
export interface ValueSite {
  readonly scope: IConstruct;
  /** The construct's kind, e.g. `InferenceService`. */
  readonly kind: string;
  /** The prop as the user wrote it, e.g. `startupTimeout` or `server.httpPort`. */
  readonly prop: string;
}

/** Bounds of a whole number, both included. */
export interface WholeNumberBounds {
  readonly min: number;
  /** @default INT32_MAX */
  readonly max?: number;
}

/** Throws the error of `site`. */
export function refuse(site: ValueSite, code: ErrorCode, received: unknown, allowed: string, fix: string): never {
  throw new InferenceConfigError(site.scope, site.kind, { code, prop: site.prop, received, allowed, fix });
}

/** Refuses a value of the wrong type (`what`: e.g. 'a Size (cdk8s)', `example`: a call that makes one). */
function refuseType(site: ValueSite, value: unknown, what: string, example: string): never {
  return refuse(site, ErrorCode.WRONG_TYPE, value, `${what}, e.g. ${example}`, `pass ${example}, not ${typeName(value)}`);
}

/** `a string`, `a number`, `an object`… for error messages. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Whether `value` has a method `name` (cdk8s values are recognised by their methods, not their class). */
function hasMethod(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { [k: string]: unknown })[name] === 'function';
}

/**
 * A number (not a string, not NaN or infinite). Range checks stay with the caller, which knows
 * what the number means.
 */
export function requireNumber<V extends number | undefined>(site: ValueSite, value: V): V {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    refuseType(site, value, 'a number', '2');
  }
  return value;
}

/** A whole number from `bounds.min` to `bounds.max` (int32 by default). */
export function requireWholeNumber<V extends number | undefined>(site: ValueSite, value: V, bounds: WholeNumberBounds): V {
  if (value === undefined) return value;
  requireNumber(site, value);
  const max = bounds.max ?? INT32_MAX;
  if (!Number.isInteger(value)) {
    refuse(site, ErrorCode.NOT_A_WHOLE_NUMBER, value, `a whole number from ${bounds.min} to ${max}`, `round ${site.prop} to a whole number`);
  }
  if (value < bounds.min || value > max) {
    refuse(site, ErrorCode.OUT_OF_RANGE, value, `a whole number from ${bounds.min} to ${max}`, `set ${site.prop} within that range`);
  }
  return value;
}

/** A cdk8s Size in whole mebibytes (how Kubernetes quantities are written from it). */
export function requireSize<V extends Size | undefined>(site: ValueSite, value: V): V {
  if (value === undefined) return value;
  if (!hasMethod(value, 'toMebibytes')) refuseType(site, value, 'a Size (cdk8s)', 'Size.gibibytes(16)');
  const mebibytes = value.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(mebibytes)) {
    refuse(site, ErrorCode.NOT_A_WHOLE_NUMBER, `${mebibytes}Mi`, 'a size in whole mebibytes', `use e.g. Size.mebibytes(${Number.isFinite(mebibytes) ? Math.ceil(mebibytes) : 1024})`);
  }
  return value;
}

/** A cdk8s Duration, of any length (see `requireSeconds` for one Kubernetes counts in seconds). */
export function requireDuration<V extends Duration | undefined>(site: ValueSite, value: V): V {
  if (value !== undefined && !hasMethod(value, 'toMilliseconds')) refuseType(site, value, 'a Duration (cdk8s)', 'Duration.seconds(30)');
  return value;
}

/** A list (JavaScript and Python callers may pass one string where a list of strings is expected). */
export function requireList<V extends unknown[] | undefined>(site: ValueSite, value: V, example: string): V {
  if (value !== undefined && !Array.isArray(value)) refuseType(site, value, 'a list', example);
  return value;
}

/** A string (`example`: one that would do); when `required`, a non-empty one. */
export function requireString<V extends string | undefined>(site: ValueSite, value: V, example: string, required = false): V {
  if ((value !== undefined || required) && (typeof value !== 'string' || (required && value === ''))) {
    refuseType(site, value, required ? 'a non-empty string' : 'a string', `'${example}'`);
  }
  return value;
}

/** `true` or `false` (not the string `'false'`, which JavaScript would take for true). */
export function requireBoolean<V extends boolean | undefined>(site: ValueSite, value: V): V {
  if (value !== undefined && typeof value !== 'boolean') refuseType(site, value, 'true or false', 'false');
  return value;
}

/**
 * A list of strings: a string where the list is expected would be spread character by character,
 * and a number in a container's args is refused by the API server.
 */
export function requireStrings<V extends string[] | undefined>(site: ValueSite, value: V, example: string): V {
  requireList(site, value, example);
  const bad = value?.find((item) => typeof item !== 'string');
  if (value !== undefined && bad !== undefined) refuseType({ ...site, prop: `${site.prop}[${value.indexOf(bad)}]` }, bad, 'a string', `'${String(bad)}'`);
  return value;
}

/** A map of strings to strings, such as environment variables. */
export function requireStringMap<V extends { [key: string]: string } | undefined>(site: ValueSite, value: V, example: string): V {
  if (value === undefined) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuseType(site, value, 'a map of strings', example);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') refuseType({ ...site, prop: `${site.prop}.${key}` }, item, 'a string', `'${String(item)}'`);
  }
  return value;
}

/**
 * An absolute path inside the container or an HTTP path: a string starting with `/`, without
 * whitespace (a probe path `healthz` or a folder `tmp` is refused by Kubernetes or never matches).
 */
export function requireAbsolutePath<V extends string | undefined>(site: ValueSite, value: V, example: string): V {
  requireString(site, value, example);
  if (value !== undefined && !/^\/\S*$/.test(value)) {
    refuse(site, ErrorCode.INVALID_PATH, value, `an absolute path without spaces, e.g. ${example}`, `start ${site.prop} with /`);
  }
  return value;
}

/**
 * A cdk8s Duration in whole seconds (Kubernetes counts these in seconds; `Duration.millis(2500)`
 * cannot be written), at most `maxSeconds` (int32 by default).
 */
export function requireSeconds<V extends Duration | undefined>(site: ValueSite, value: V, maxSeconds = INT32_MAX): V {
  if (value === undefined) return value;
  requireDuration(site, value);
  const seconds = value.toMilliseconds({ integral: false }) / 1000;
  if (!Number.isInteger(seconds)) {
    refuse(site, ErrorCode.NOT_A_WHOLE_NUMBER, Number.isFinite(seconds) ? value.toHumanString() : `${seconds} seconds`, 'whole seconds: Kubernetes and the server flags count in seconds',
      `use e.g. Duration.seconds(${Number.isFinite(seconds) ? Math.ceil(seconds) : 30})`);
  }
  if (seconds > maxSeconds) {
    refuse(site, ErrorCode.OUT_OF_RANGE, value.toHumanString(), `at most ${maxSeconds} seconds`, `shorten ${site.prop}`);
  }
  return value;
}

/**
 * A cdk8s-plus Cpu of at least 1m and in whole millicores: Kubernetes has no finer CPU
 * resolution, and `Cpu.units(0.0004)` would become a limit of `0m`.
 */
export function requireCpu<V extends kplus.Cpu | undefined>(site: ValueSite, value: V): V {
  if (value === undefined) return value;
  const amount = (value as { amount?: unknown }).amount;
  if (typeof value !== 'object' || typeof amount !== 'string') refuseType(site, value, 'a Cpu (cdk8s-plus)', 'Cpu.units(2)');
  const m = millicores(value);
  if (!(m !== undefined && Number.isInteger(m) && m >= 1)) {
    refuse(site, ErrorCode.INVALID_CPU, value.amount, 'a positive CPU amount, e.g. Cpu.units(2) or Cpu.millis(500)',
      `set ${site.prop} to a positive amount in whole millicores (Cpu.millis(1) at least: Kubernetes has no finer CPU)`);
  }
  return value;
}

/** CPU amount in millicores ('2' → 2000, '500m' → 500), or undefined when it is no CPU quantity. */
export function millicores(cpu: kplus.Cpu): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(cpu.amount);
  if (!m) return undefined;
  return m[2] === 'm' ? Number(m[1]) : Math.round(Number(m[1]) * 1e6) / 1000;
}

/**
 * An instance of `type` (a library class with static factories, such as `ModelServer` or
 * `Scaling`); `example` is a call that makes one. Undefined passes unless `required`.
 */
export function requireInstance<T, V extends T | undefined>(
  site: ValueSite, value: V, type: { prototype: T; name: string }, example: string, required = false,
): V {
  if ((value !== undefined || required) && !Object.prototype.isPrototypeOf.call(type.prototype, value as unknown as object)) {
    refuseType(site, value, `a ${type.name}`, example);
  }
  return value;
}

/**
 * Whether `value` is an http:// or https:// URL without credentials (`user:password@` would put a
 * secret in the YAML) and, unless `query` allows them, without query or fragment. Every URL the
 * library takes (Prometheus, S3 endpoints, log stores) is checked by it.
 */
export function isPlainHttpUrl(value: unknown, options: { readonly query?: boolean } = {}): boolean {
  if (typeof value !== 'string' || /\s/.test(value) || !URL.canParse(value)) return false;
  const url = new URL(value);
  return /^https?:$/.test(url.protocol) && url.hostname !== '' && !url.username && !url.password
    && (options.query === true || (!url.search && !url.hash && !/[?#]/.test(value)));
}
