import { IConstruct } from 'constructs';
import { InferenceConfigError, InvalidPropOptions } from '../../errors';
import type { ValueSite } from '../values';

/** The kind every error of an InferenceService names. */
export const KIND = 'InferenceService';

/** Throws the error of an InferenceService at `scope` (its path starts the message). */
export function fail(scope: IConstruct, options: InvalidPropOptions): never {
  throw new InferenceConfigError(scope, KIND, options);
}

/** Where the prop `prop` of the InferenceService at `scope` enters, for the value guards of `lib/private/values.ts`. */
export function site(scope: IConstruct, prop: string): ValueSite {
  return { scope, kind: KIND, prop };
}
