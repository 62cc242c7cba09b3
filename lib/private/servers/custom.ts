import { Duration } from 'cdk8s';
import type { CustomServerOptions } from '../../model-server-options';
import { option } from './checks';
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
    checks: [
      option.required('image', options.image, 'registry.example.com/team/model-server:1.4.2'),
      option.boolean('exposesMetrics', options.exposesMetrics),
      option.path('metricsPath', options.metricsPath, '/metrics'),
      option.path('livenessPath', options.livenessPath, '/healthz'),
      option.path('readinessPath', options.readinessPath, '/ready'),
      option.strings('command', options.command, "['python', '-m', 'server']"),
      option.strings('args', options.args, "['--workers=2']"),
      option.string('drainFlag', options.drainFlag, '--graceful-timeout'),
      option.string('queueDepthMetric', options.queueDepthMetric, 'queue_depth'),
      option.paths('writablePaths', options.writablePaths, '/tmp'),
      option.env('env', options.env),
      option.duration('defaultStartupTimeout', options.defaultStartupTimeout),
    ],
  };
}
