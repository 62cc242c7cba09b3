import { IConstruct } from 'constructs';
import { InferenceConfigError, InvalidPropOptions } from '../../errors';

/** The kind every error of an InferenceService names. */
export const KIND = 'InferenceService';

/** Throws the error of an InferenceService at `scope` (its path starts the message). */
export function fail(scope: IConstruct, options: InvalidPropOptions): never {
  throw new InferenceConfigError(scope, KIND, options);
}
