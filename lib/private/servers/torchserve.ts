import type { TorchServeOptions } from '../../model-server-options';
import { baseChecks, option } from './checks';
import { ServerSpec, predictorDefaults } from './spec';

/** Inference API; the management API (8081) is not exposed. */
const PORT = 8080;
const METRICS_PORT = 8082;
const HOME = '/home/model-server';

/** TorchServe (see `ModelServer.torchServe`); no metrics known to the library beyond the scrape endpoint. */
export function torchServeSpec(options: TorchServeOptions): ServerSpec {
  // Checked to be a list only when a service binds the server (see checks.ts); never joined before that.
  const models = Array.isArray(options.models) ? options.models : ['all'];
  return {
    ...predictorDefaults(),
    kind: 'torchserve',
    image: options.image ?? 'pytorch/torchserve:0.12.0-cpu',
    httpPort: PORT,
    metricsPort: METRICS_PORT,
    metricsPath: '/metrics',
    // /ping reports the workers' health (readiness); liveness only needs the frontend to accept connections.
    liveness: { port: PORT },
    readiness: { port: PORT, path: '/ping' },
    command: ['torchserve'],
    args: (ctx) => [
      '--start',
      '--foreground',
      `--model-store=${ctx.modelPath ?? options.modelStore ?? `${HOME}/model-store`}`,
      `--models=${models.join(' ')}`,
      `--ts-config=${HOME}/config.properties`,
      '--disable-token-auth',
      ...(options.extraArgs ?? []),
    ],
    writablePaths: ['/tmp', `${HOME}/logs`, `${HOME}/tmp`],
    env: { TS_METRICS_MODE: 'prometheus', LOG_LOCATION: `${HOME}/logs`, METRICS_LOCATION: `${HOME}/logs` },
    model: models.join(','),
    checks: [
      ...baseChecks(options),
      option.path('modelStore', options.modelStore, '/home/model-server/model-store'),
      option.strings('models', options.models, "['resnet=resnet-18.mar']"),
    ],
  };
}
