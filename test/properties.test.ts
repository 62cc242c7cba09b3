// Property-based tests over the public API: random apps (test/properties/arbitraries.ts), about half
// of them with one wrong value, each either refused with an error that names the construct path, the
// prop, the value, what is allowed, the fix and a code, or synthesized into objects that are all
// distinct and pass the Kubernetes schemas. The e2e (test/e2e/properties.ts) applies valid ones to
// a real API server.
//
// Seeded: PROPERTY_SEED (default below) and PROPERTY_RUNS (default 150) choose the apps; a failure
// prints the seed and the path that replays it (PROPERTY_PATH), and the smallest failing app.
import fc from 'fast-check';
import { ErrorCode, INVARIANT_RULES, InferenceConfigError } from '../lib';
import { AppSpec, Manifest, Outcome, anyApp, buildApp, faultyApp } from './properties/arbitraries';

const { schemaErrors } = require('../validation/schema') as { schemaErrors: (o: unknown) => string[] | undefined };

const SEED = Number(process.env.PROPERTY_SEED ?? 20261216);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
const CODES = new Set<string>(Object.values(ErrorCode));

/** What is wrong with an InferenceConfigError's message (or a line of one), or nothing. */
function configErrorProblem(message: string, path?: string, prop?: string): string | undefined {
  const parts = ['received', 'allowed', 'Fix:', '[code: '];
  const missing = parts.filter((p) => !message.includes(p));
  if (path !== undefined && !message.includes(`'${path}'`)) missing.push(`the construct path '${path}'`);
  if (prop !== undefined && !message.includes(`invalid ${prop}`)) missing.push(`"invalid ${prop}"`);
  if (prop === undefined && !/ '[^']*': invalid /.test(message)) missing.push('"\'<path>\': invalid <prop>"');
  const code = /\[code: ([A-Za-z0-9]+)\]$/.exec(message)?.[1];
  if (!code || !CODES.has(code)) missing.push(`a known code at the end (got ${code ?? 'none'})`);
  return missing.length ? `the message lacks ${missing.join(', ')}` : undefined;
}

/** What is wrong with a construct validation's message (cdk8s: "Validation failed with the following errors"), or nothing. */
function validationProblem(message: string): string | undefined {
  const lines = message.split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) return 'a validation failure that lists no error';
  for (const line of lines) {
    const m = /^\[([^\]]+)\] (.*)$/.exec(line);
    if (!m) return `a validation error without a construct path: ${line}`;
    const rule = /^([a-z0-9-]+): /.exec(m[2])?.[1];
    if (rule && rule in INVARIANT_RULES) {
      if (!m[2].includes('Fix:')) return `rule ${rule} gives no fix: ${line}`;
      continue;
    }
    const problem = configErrorProblem(m[2]);
    if (problem) return `a validation error that is neither a library rule nor an InferenceConfigError (${problem}): ${line}`;
  }
  return undefined;
}

/** Why an error does not meet the contract (path, prop, value, allowed, fix, code), or nothing. */
function errorProblem(error: unknown): string | undefined {
  if (error instanceof InferenceConfigError) return configErrorProblem(error.message, error.constructPath, error.prop);
  if (error instanceof Error && error.message.startsWith('Validation failed with the following errors')) return validationProblem(error.message);
  const e = error as Error;
  return `${e?.name ?? typeof error} is not an InferenceConfigError: ${e?.message ?? String(error)}\n${(e?.stack ?? '').split('\n').slice(1, 4).join('\n')}`;
}

/** group/kind/namespace/name: what the API server tells objects apart by. */
const identity = (m: Manifest) => `${m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : ''}/${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;

/** Objects that share group, kind, namespace and name, and schema errors of native objects. */
function outputProblems(manifests: Manifest[]): string[] {
  const seen = new Map<string, number>();
  for (const m of manifests) seen.set(identity(m), (seen.get(identity(m)) ?? 0) + 1);
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([id, n]) => `duplicate object ${id} (${n} times)`);
  const schema = manifests.flatMap((m) => (schemaErrors(m) ?? []).map((e) => `schema: ${m.kind}/${m.metadata.name}: ${e}`));
  return [...duplicates, ...schema];
}

/** The app as JSON, NaN included. */
const render = (spec: AppSpec) => JSON.stringify(spec, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

/**
 * Why an app with valid values only may still be refused: names drawn from a small pool on purpose
 * clash (two services, a service and a release, two routes). Any other refusal of a valid app is a
 * check that refuses good input.
 */
const CLASHES = ['NameTaken', 'DuplicateObject', 'RouteConflict'];

function validAppRefusal(spec: AppSpec, outcome: Outcome): string | undefined {
  if (spec.fault || outcome.manifests) return undefined;
  const message = (outcome.error as Error | undefined)?.message ?? '';
  const codes = [...message.matchAll(/\[code: (\w+)\]/g)].map((m) => m[1]);
  return codes.length > 0 && codes.every((c) => CLASHES.includes(c)) ? undefined : `a valid app was refused (codes ${codes.join(', ') || 'none'})`;
}

/** Fails (with the reason) unless the app was refused properly or synthesized into valid, distinct objects. */
function judge(spec: AppSpec, outcome: Outcome): void {
  const problems = outcome.manifests ? outputProblems(outcome.manifests)
    : [errorProblem(outcome.error), validAppRefusal(spec, outcome)].filter((p): p is string => !!p);
  if (problems.length) {
    throw new Error(`${spec.fault ? `with fault ${spec.fault}: ` : 'valid values only: '}${problems.join('\n')}\napp: ${render(spec)}`);
  }
}

/** Runs `property`, naming the seed (and how to replay the failure) when it fails. */
function check(property: fc.IProperty<[AppSpec]>): void {
  try {
    fc.assert(property, { seed: SEED, numRuns: RUNS, path: process.env.PROPERTY_PATH, includeErrorInReport: true });
  } catch (e) {
    const path = /path: "([^"]*)"/.exec((e as Error).message)?.[1];
    throw new Error(`Property failed with PROPERTY_SEED=${SEED} (replay: PROPERTY_SEED=${SEED} PROPERTY_PATH=${path ?? '<see below>'} npx jest test/properties.test.ts)\n${(e as Error).message}`);
  }
}

describe('every generated app is refused with a complete error, or synthesizes distinct objects that pass the schemas', () => {
  const tally = { synthesized: 0, refused: 0, faultySynthesized: 0, faultyRefused: 0 };
  afterAll(() => process.stdout.write(`properties (seed ${SEED}, ${RUNS} runs): ${JSON.stringify(tally)}\n`));

  test('apps with valid values only, or with one wrong value', () => {
    check(fc.property(anyApp, (spec) => {
      const outcome = buildApp(spec);
      tally[spec.fault ? (outcome.manifests ? 'faultySynthesized' : 'faultyRefused') : (outcome.manifests ? 'synthesized' : 'refused')]++;
      judge(spec, outcome);
    }));
  });

  test('an app with one wrong value is refused, never synthesized', () => {
    check(fc.property(faultyApp, (spec) => {
      const outcome = buildApp(spec);
      if (outcome.manifests) {
        throw new Error(`the wrong value ${spec.fault} was not refused: the app synthesized ${outcome.manifests.length} objects\napp: ${render(spec)}`);
      }
      judge(spec, outcome);
    }));
  });

  test('a broken error fails the property, and its message names the seed', () => {
    // GIVEN an app whose build throws a TypeError, not an InferenceConfigError
    const property = fc.property(fc.constant({ namespace: 'ml', volumes: [], services: [] } as AppSpec), (spec) => {
      judge(spec, { error: new TypeError('size.toMebibytes is not a function') });
    });
    // THEN the property fails, naming the seed and the error
    expect(() => check(property)).toThrow(new RegExp(`PROPERTY_SEED=${SEED}[\\s\\S]*TypeError is not an InferenceConfigError: size.toMebibytes`));
    expect(outputProblems([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'chat', namespace: 'ml' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'chat', namespace: 'ml' } },
    ])).toEqual(['duplicate object /Service/ml/chat (2 times)']);
    // A valid app refused for anything but a deliberate name clash fails too: the check refused good input.
    const valid = { namespace: 'ml', volumes: [], services: [] } as AppSpec;
    const refusal = (code: string) => ({ error: Object.assign(new Error(`InferenceService 'x/y': invalid scaling: received 1; allowed: 2. Fix: z [code: ${code}]`)) });
    expect(validAppRefusal(valid, refusal('QueueMetricsNotScraped'))).toBe('a valid app was refused (codes QueueMetricsNotScraped)');
    expect(validAppRefusal(valid, refusal('NameTaken'))).toBeUndefined();
    expect(validAppRefusal({ ...valid, fault: 'a wrong value' }, refusal('QueueMetricsNotScraped'))).toBeUndefined();
  });
});
