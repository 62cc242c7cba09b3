import { ApiObject, Chart } from 'cdk8s';

const renderHooks = new WeakMap<ApiObject | Chart, ((json: any) => any)[]>();

/**
 * Runs `hook` on the rendered JSON of an object (or a chart's list of objects), after cdk8s has
 * converted it with its (Kubernetes 1.27) types: the one way to emit a field those types do not
 * know. A hook may return a replacement; hooks run in the order they were added.
 */
export function afterRender<T extends ApiObject | Chart>(target: T, hook: (json: any) => any): void {
  let hooks = renderHooks.get(target);
  if (!hooks) {
    const all: ((json: any) => any)[] = hooks = [];
    renderHooks.set(target, all);
    const render = target.toJson.bind(target) as () => any;
    (target as { toJson: () => any }).toJson = () => {
      let json = render();
      for (const h of all) json = h(json) ?? json;
      return json;
    };
  }
  hooks.push(hook);
}
