import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import type { ModelServer } from '../../model-server';
import type { ModelMount, ModelVolume } from '../../model-volume';
import { isSecretName } from '../../names';
import { fail } from './fail';
import { ServiceLifecycle } from './lifecycle';
import { writableVolumeSizes } from './pod-volumes';
import { ServiceResources } from './resources';
import { ServiceSecurity } from './security';

/** The parts the server container is made of. */
export interface ServerContainerOptions {
  readonly server: ModelServer;
  readonly imagePullPolicy?: kplus.ImagePullPolicy;
  /** The main ModelVolume, which the server is pointed at. */
  readonly modelVolume?: ModelVolume;
  /** Its part of the pod. */
  readonly modelMount?: ModelMount;
  readonly env: { [name: string]: kplus.EnvValue };
  readonly lifecycle: ServiceLifecycle;
  readonly resources: ServiceResources;
  readonly security: ServiceSecurity;
}

/** The model-server container: the preset's image, command and args, ports, environment, resources, probes. */
export function serverContainer(options: ServerContainerOptions): kplus.ContainerProps {
  const { server, modelVolume, lifecycle, resources } = options;
  const scratch = writableVolumeSizes(server, resources.cacheSize).reduce((a, b) => a + b, 0) + (options.modelMount?.scratchMebibytes ?? 0);
  return {
    name: 'server',
    image: server.image,
    imagePullPolicy: options.imagePullPolicy ?? kplus.ImagePullPolicy.ALWAYS,
    command: server.command,
    args: server._args({ drainSeconds: lifecycle.drainSeconds, modelPath: modelVolume?.mountPath, modelName: modelVolume?.name }),
    ports: containerPorts(server),
    envVariables: options.env,
    resources: resources.containerResources(scratch),
    securityContext: options.security.serverProps(),
    ...lifecycle.probes(),
  };
}

/** The server container's ports: http, then grpc and metrics when the server has them. */
export function containerPorts(server: ModelServer): kplus.ContainerPort[] {
  const ports: kplus.ContainerPort[] = [{ name: 'http', number: server.httpPort }];
  if (server.grpcPort !== undefined) ports.push({ name: 'grpc', number: server.grpcPort });
  if (server.metricsPort !== undefined && server.metricsPort !== server.httpPort) ports.push({ name: 'metrics', number: server.metricsPort });
  return ports;
}

/** The ports clients send inference requests to (HTTP and gRPC). */
export function inferencePorts(server: ModelServer): number[] {
  return [server.httpPort, ...(server.grpcPort !== undefined ? [server.grpcPort] : [])];
}

/**
 * The server's environment: the preset's variables, `HF_HUB_OFFLINE` when the weights are local
 * (the server must not reach for the Hugging Face Hub at start), then the user's. Refuses a
 * literal value under a name that looks secret.
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables
 */
export function serverEnvironment(scope: IConstruct, server: ModelServer, userEnv: { [name: string]: kplus.EnvValue }, localModel: boolean)
  : { [name: string]: kplus.EnvValue } {
  checkEnv(scope, userEnv);
  const env: { [name: string]: kplus.EnvValue } = {};
  for (const [k, v] of Object.entries(server.env)) env[k] = kplus.EnvValue.fromValue(v);
  if (localModel && server.isLlm) env.HF_HUB_OFFLINE = kplus.EnvValue.fromValue('1');
  return { ...env, ...userEnv };
}

function checkEnv(scope: IConstruct, env: { [name: string]: kplus.EnvValue }): void {
  for (const [name, value] of Object.entries(env)) {
    if (isSecretName(name) && value.value !== undefined) {
      fail(scope, {
        code: ErrorCode.LITERAL_SECRET_IN_ENV,
        prop: `env.${name}`,
        received: '(a literal value, not shown)',
        allowed: 'a reference to a Secret: a secret value must never appear in the YAML',
        fix: `use EnvValue.fromSecretValue({ secret: Secret.fromSecretName(this, '${name}', '<secret>'), key: '<key>' })`,
      });
    }
  }
}
