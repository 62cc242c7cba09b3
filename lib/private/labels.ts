/** The name label of every object of a service (re-exported as `LABEL_NAME` by the public API). */
export const LABEL_NAME = 'app.kubernetes.io/name';

/** The label every object the library emits carries. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** Its value. */
export const MANAGED_BY = 'cdk8s-inference';
/** `{ 'app.kubernetes.io/managed-by': 'cdk8s-inference' }`, to spread into an object's labels. */
export const MANAGED_BY_LABELS: { readonly [key: string]: string } = Object.freeze({ [LABEL_MANAGED_BY]: MANAGED_BY });
