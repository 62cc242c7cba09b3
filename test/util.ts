import { Chart, Testing } from 'cdk8s';
import { ErrorCode, InferenceService, InferenceServiceProps } from '../lib';

/** A synthesized Kubernetes object, loosely typed for assertions. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: any;
  [k: string]: any
};

/** A chart in namespace `ml` of a fresh app. */
export function chart(namespace = 'ml'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/** Synthesizes one InferenceService named `svc` and returns its manifests. */
export function synthService(props: InferenceServiceProps, namespace = 'ml'): Manifest[] {
  const c = chart(namespace);
  new InferenceService(c, 'svc', props);
  return Testing.synth(c) as Manifest[];
}

/** The one object of `kind` (and `name`, if given); fails the test when there is not exactly one. */
export function only(manifests: Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** The server container of the Deployment among `manifests`. */
export function serverContainer(manifests: Manifest[]): any {
  return only(manifests, 'Deployment').spec.template.spec.containers[0];
}

/** The pod spec of the Deployment among `manifests`. */
export function podSpec(manifests: Manifest[]): any {
  return only(manifests, 'Deployment').spec.template.spec;
}


/** Expects `build` to throw an InferenceConfigError with `code` whose message matches `message`. */
export function expectRefused(build: () => unknown, message: RegExp, code: ErrorCode): void {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toEqual(expect.objectContaining({ name: 'InferenceConfigError', code }));
  expect((error as Error).message).toMatch(message);
}
