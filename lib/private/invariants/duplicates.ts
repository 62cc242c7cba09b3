// The app-wide rule that no two objects share API group, kind, namespace and name: applied
// together, the second would silently replace the first.
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Kinds without a namespace: their names are unique in the whole cluster.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#not-all-objects-are-in-a-namespace
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'StorageClass', 'IngressClass',
  'RuntimeClass', 'CustomResourceDefinition', 'APIService', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'CSIDriver', 'CSINode', 'VolumeAttachment', 'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration',
  'VolumeSnapshotClass', 'VolumeSnapshotContent', 'GatewayClass', 'ClusterIssuer', 'ClusterSecretStore', 'ClusterExternalSecret',
  'ClusterTriggerAuthentication', 'DeviceClass', 'ResourceSlice',
]);

/** Objects the library marked cluster-scoped (`clusterScoped` in names.ts), whatever their kind. */
const markedClusterScoped = new WeakSet<ApiObject>();

/** Records that `object` has no namespace (its chart's namespace is removed from it). */
export function markClusterScoped(object: ApiObject): void {
  markedClusterScoped.add(object);
}

/** Where an object lands in a cluster: what makes it the one object of its kind there. */
export interface ObjectIdentity {
  /** The API group, `''` for the core group (`v1`). */
  readonly group: string;
  readonly kind: string;
  /** The namespace, `''` for a cluster-scoped object. */
  readonly namespace: string;
  readonly name: string;
}

/** Two objects of one app with one identity. */
export interface Duplicate {
  readonly identity: ObjectIdentity;
  /** The object defined first. */
  readonly first: ApiObject;
  /** The object defined after it, which would replace it when applied. */
  readonly second: ApiObject;
}

/** `group/kind namespace/name`, as a clash message names an object. */
export function describeIdentity(id: ObjectIdentity): string {
  return `${id.group ? `${id.group}/` : ''}${id.kind} ${id.namespace ? `${id.namespace}/` : '(cluster-scoped) '}${id.name}`;
}

/**
 * The identity of `obj`: its metadata as defined, rendered only when the name or namespace is
 * not a plain string (a `Lazy`). A namespaced object without a namespace lands in `default`.
 */
export function identityOf(obj: ApiObject): ObjectIdentity {
  const slash = obj.apiVersion.lastIndexOf('/');
  const group = slash >= 0 ? obj.apiVersion.slice(0, slash) : '';
  let name: unknown = obj.metadata.name;
  let namespace: unknown = obj.metadata.namespace;
  if (typeof name !== 'string' || (namespace !== undefined && typeof namespace !== 'string')) {
    const rendered = obj.toJson().metadata ?? {};
    name = rendered.name;
    namespace = rendered.namespace;
  }
  const clusterScoped = markedClusterScoped.has(obj) || CLUSTER_SCOPED_KINDS.has(obj.kind);
  return { group, kind: obj.kind, namespace: clusterScoped ? '' : String(namespace ?? 'default'), name: String(name) };
}

/**
 * Every pair of ApiObjects under `root` (all charts of an app, the user's own objects too) with
 * one group, kind, namespace and name, in definition order. Linear: one map keyed by identity.
 */
export function findDuplicates(root: IConstruct): Duplicate[] {
  const seen = new Map<string, ApiObject>();
  const duplicates: Duplicate[] = [];
  for (const c of root.node.findAll()) {
    if (!ApiObject.isApiObject(c)) continue;
    const identity = identityOf(c);
    const key = `${identity.group}\0${identity.kind}\0${identity.namespace}\0${identity.name}`;
    const first = seen.get(key);
    if (first) duplicates.push({ identity, first, second: c });
    else seen.set(key, c);
  }
  return duplicates;
}
