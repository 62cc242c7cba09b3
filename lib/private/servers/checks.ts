import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import { InferenceConfigError } from '../../errors';
import {
  INT32_MAX, requireAbsolutePath, requireBoolean, requireDuration, requireNumber, requireString, requireStringMap, requireStrings,
  requireWholeNumber, ValueSite,
} from '../values';
import type { OptionCheck, ServerSpec } from './spec';

// A preset gets its options before it knows which construct it will serve, so it cannot fail with a
// construct path. It records what each option must be instead, and the service that binds the server
// checks them (through `ModelServer._check`). Until then a preset never calls a method on an option
// it has not checked.

/** The checks of one kind of option, by what the option must be. */
export const option = {
  string: (prop: string, value: string | undefined, example: string): OptionCheck => ({ prop, check: (s) => requireString(s, value, example) }),
  /** A string the preset cannot do without. */
  required: (prop: string, value: string | undefined, example: string): OptionCheck => ({
    prop, check: (s) => requireString(s, value, example, true),
  }),
  strings: (prop: string, value: string[] | undefined, example: string): OptionCheck => ({ prop, check: (s) => requireStrings(s, value, example) }),
  path: (prop: string, value: string | undefined, example: string): OptionCheck => ({ prop, check: (s) => requireAbsolutePath(s, value, example) }),
  boolean: (prop: string, value: boolean | undefined): OptionCheck => ({ prop, check: (s) => requireBoolean(s, value) }),
  duration: (prop: string, value: unknown): OptionCheck => ({ prop, check: (s) => requireDuration(s, value as never) }),
  env: (prop: string, value: { [name: string]: string } | undefined): OptionCheck => ({
    prop, check: (s) => requireStringMap(s, value, "{ LOG_LEVEL: 'info' }"),
  }),
  /** Absolute folders, each checked. */
  paths: (prop: string, value: string[] | undefined, example: string): OptionCheck => ({
    prop,
    check: (s) => {
      requireStrings(s, value, `['${example}']`);
      value?.forEach((p, i) => requireAbsolutePath({ ...s, prop: `${s.prop}[${i}]` }, p, example));
    },
  }),
};

/** The checks every preset has: `image` and `extraArgs`. */
export function baseChecks(options: { readonly image?: string; readonly extraArgs?: string[] }): OptionCheck[] {
  return [
    option.string('image', options.image, 'vllm/vllm-openai:v0.18.0'),
    option.strings('extraArgs', options.extraArgs, "['--max-model-len=8192']"),
  ];
}

/**
 * Checks a server's options where a construct binds it: each option's type, the ports (1–65535, the
 * gRPC port distinct from the HTTP and metrics ports) and the parallelism (whole GPUs, 1 or more).
 * Errors name `scope`, `kind` and the prop as `server.<option>`.
 */
export function checkServer(scope: IConstruct, kind: string, spec: ServerSpec): void {
  const site = (prop: string): ValueSite => ({ scope, kind, prop: `server.${prop}` });
  for (const { prop, check } of spec.checks ?? []) check(site(prop));
  checkPorts(scope, kind, spec);
  for (const [prop, value] of Object.entries(spec.parallelismOptions ?? {})) {
    requireNumber(site(prop), value);
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > INT32_MAX)) {
      throw new InferenceConfigError(scope, kind, {
        code: ErrorCode.INVALID_PARALLELISM,
        prop: `server.${prop}`, received: value, allowed: 'a whole number of GPUs, 1 or more',
        fix: `set ${prop} to the number of GPUs the model is split across, e.g. 2, or leave it out for 1`,
      });
    }
  }
}

/** Refuses ports outside 1–65535, and a gRPC port that is the HTTP or metrics port: a container cannot declare one port twice. */
function checkPorts(scope: IConstruct, kind: string, spec: ServerSpec): void {
  const ports = { httpPort: spec.httpPort, grpcPort: spec.grpcPort, metricsPort: spec.metricsPort };
  for (const [prop, port] of Object.entries(ports)) requireWholeNumber({ scope, kind, prop: `server.${prop}` }, port, { min: 1, max: 65535 });
  const conflict = spec.grpcPort === undefined ? undefined
    : spec.grpcPort === spec.httpPort ? 'httpPort' : spec.grpcPort === spec.metricsPort ? 'metricsPort' : undefined;
  if (conflict !== undefined) {
    throw new InferenceConfigError(scope, kind, {
      code: ErrorCode.PORT_CONFLICT,
      prop: 'server.grpcPort', received: spec.grpcPort,
      allowed: `a port other than ${conflict} (${spec.grpcPort}): HTTP and gRPC are served on separate ports (metrics may share the HTTP port)`,
      fix: 'give the gRPC port its own number, e.g. httpPort 8080 and grpcPort 8081, or leave grpcPort out',
    });
  }
}
