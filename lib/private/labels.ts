/** The name label of every object of a service (re-exported as `LABEL_NAME` by the public API). */
export const LABEL_NAME = 'app.kubernetes.io/name';

/** The label every object the library emits carries. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** Its value. */
export const MANAGED_BY = 'cdk8s-inference';
/** `{ 'app.kubernetes.io/managed-by': 'cdk8s-inference' }`, to spread into an object's labels. */
export const MANAGED_BY_LABELS: { readonly [key: string]: string } = Object.freeze({ [LABEL_MANAGED_BY]: MANAGED_BY });

/** The pod label telling the leader of a multi-node group (`leader`, which serves) from its workers (`worker`). */
export const LABEL_ROLE = 'inference.cdk8s.io/role';

/** The label joining a service's serving pods to an InferencePool (re-exported as `LABEL_POOL`). */
export const LABEL_POOL = 'inference.cdk8s.io/pool';
