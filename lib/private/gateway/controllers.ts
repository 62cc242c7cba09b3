import { GatewayContext, GatewayController } from './controller';
import { EnvoyGateway } from './envoy-gateway';
import { IngressNginx } from './ingress-nginx';
import { Traefik } from './traefik';

/**
 * The controller of each `GatewayImplementation` value. Adding an implementation is a value in
 * the public enum, a `GatewayController` subclass in its own module, and its line here.
 */
const CONTROLLERS = new Map<string, new (gateway: GatewayContext) => GatewayController>([
  ['ingress-nginx', IngressNginx],
  ['envoy-gateway', EnvoyGateway],
  ['traefik', Traefik],
]);

/** The implementations there are controllers for. */
export const IMPLEMENTATIONS = [...CONTROLLERS.keys()];

/**
 * The controller of a `GatewayImplementation` value, or nothing when there is none. This table is
 * the one bridge from the public enum to its controller; nothing else looks at the value.
 */
export function controllerFor(value: string, gateway: GatewayContext): GatewayController | undefined {
  const Controller = CONTROLLERS.get(value);
  return Controller ? new Controller(gateway) : undefined;
}
