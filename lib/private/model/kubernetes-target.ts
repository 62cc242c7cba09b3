import { ErrorCode } from '../../error-codes';
import { InferenceConfigError } from '../../errors';
import { ValueSite } from '../values';

/**
 * A `kubernetesVersion` prop: `<major>.<minor>` (e.g. '1.30'), the form the library compares
 * against the versions a feature needs. Anything else ('1.x', 'v1.30', 1.3) would compare as
 * an older or a newer cluster than meant, and silently turn features on or off.
 */
export function requireKubernetesVersion<V extends string | undefined>(site: ValueSite, value: V): V {
  if (value === undefined || (typeof value === 'string' && /^[1-9]\d*\.(0|[1-9]\d*)$/.test(value))) return value;
  throw new InferenceConfigError(site.scope, site.kind, {
    code: ErrorCode.INVALID_KUBERNETES_VERSION, prop: site.prop, received: value,
    allowed: "a Kubernetes version as '<major>.<minor>', e.g. '1.30'", fix: "give the cluster's minor version as a string, e.g. kubernetesVersion: '1.30'",
  });
}
