import { ApiObject, Chart } from 'cdk8s';

type RenderHook = (json: any) => void;

const renderHooks = new WeakMap<ApiObject | Chart, RenderHook[]>();

/**
 * Runs `hook` on the rendered JSON of an object (or a chart's list of objects), after cdk8s has
 * converted it with its (Kubernetes 1.27) types: the one way to emit a field those types do not
 * know. Hooks change the JSON in place (whatever they return is ignored) and run in the order they
 * were added.
 */
export function afterRender<T extends ApiObject | Chart>(target: T, hook: RenderHook): void {
  let hooks = renderHooks.get(target);
  if (!hooks) {
    const all: RenderHook[] = hooks = [];
    renderHooks.set(target, all);
    const render = target.toJson.bind(target) as () => any;
    (target as { toJson: () => any }).toJson = () => {
      const json = render();
      for (const h of all) h(json);
      return json;
    };
  }
  hooks.push(hook);
}
