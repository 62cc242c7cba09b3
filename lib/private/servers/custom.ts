import { Duration } from 'cdk8s';
import type { CustomServerOptions } from '../../model-server-options';
import { ServerSpec, predictorDefaults } from './spec';

/** A server described entirely by its options (see `ModelServer.custom`). */
export function customSpec(options: CustomServerOptions): ServerSpec {
  const metrics = options.exposesMetrics !== false;
  return {
    ...predictorDefaults(),
    kind: 'custom',
    image: options.image,
    httpPort: options.httpPort,
    grpcPort: options.grpcPort,
    metricsPort: metrics ? options.metricsPort ?? options.httpPort : undefined,
    metricsPath: metrics ? options.metricsPath ?? '/metrics' : undefined,
    liveness: { port: options.httpPort, path: options.livenessPath },
    readiness: { port: options.httpPort, path: options.readinessPath ?? options.livenessPath },
    command: options.command,
    args: (ctx) => [
      ...(options.args ?? []),
      ...(options.drainFlag ? [`${options.drainFlag}=${ctx.drainSeconds}`] : []),
    ],
    drainFlag: options.drainFlag,
    queueDepthMetric: options.queueDepthMetric,
    writablePaths: options.writablePaths ?? ['/tmp'],
    env: { ...options.env },
    defaultStartupTimeout: options.defaultStartupTimeout ?? Duration.minutes(5),
    model: options.image,
  };
}
