import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** Every registry of the app (names, routes, …), by the app's root construct. */
const registries = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Claims `key` in the app-wide registry `registry`, in the namespace of `scope`'s chart, for
 * `owner`. Returns who else already holds it (nothing when the key was free or `owner` holds it).
 * One mechanism for every "two constructs of one app must not both …" rule.
 */
export function claim(scope: IConstruct, registry: string, key: string, owner: string): string | undefined {
  const root = scope.node.root;
  const map = registries.get(root) ?? new Map<string, string>();
  registries.set(root, map);
  const scoped = `${registry}\0${Chart.of(scope).namespace ?? ''}\0${key}`;
  const holder = map.get(scoped);
  if (holder !== undefined && holder !== owner) return holder;
  map.set(scoped, owner);
  return undefined;
}
