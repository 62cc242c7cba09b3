import { Duration } from 'cdk8s';
import type { TfServingOptions } from '../../model-server-options';
import { baseChecks, option } from './checks';
import { ModelVersionRule, ServerSpec, predictorDefaults } from './spec';

const GRPC_PORT = 8500;
const REST_PORT = 8501;
const METRICS_PATH = '/monitoring/prometheus/metrics';
const MONITORING_CONFIG = '/etc/tfserving/monitoring.config';

/** TensorFlow Serving loads numbered version folders only. */
const NUMBERED_VERSION: ModelVersionRule = {
  pattern: /^[1-9][0-9]*$/,
  allowed: 'a positive whole number: TensorFlow Serving loads numbered version folders',
  fix: "store the SavedModel under a numbered folder (e.g. .../resnet50/3/) and pass version '3'",
};

/** TensorFlow Serving (see `ModelServer.tfServing`). Metrics are switched on by a monitoring config file. */
export function tfServingSpec(options: TfServingOptions): ServerSpec {
  // A ModelVolume mounts one version folder; TF Serving wants the folder above it.
  const basePath = (modelPath?: string) => modelPath ? modelPath.slice(0, modelPath.lastIndexOf('/'))
    : options.modelBasePath ?? `/models/${options.modelName}`;
  return {
    ...predictorDefaults(),
    kind: 'tf-serving',
    modelVersion: NUMBERED_VERSION,
    image: options.image ?? 'tensorflow/serving:2.18.0',
    httpPort: REST_PORT,
    grpcPort: GRPC_PORT,
    metricsPort: REST_PORT,
    metricsPath: METRICS_PATH,
    // No health route: readiness asks for the model (an error until a version is loaded); liveness checks the port.
    liveness: { port: REST_PORT },
    readiness: { port: REST_PORT, path: `/v1/models/${options.modelName}` },
    command: ['tensorflow_model_server'],
    args: (ctx) => [
      `--port=${GRPC_PORT}`,
      `--rest_api_port=${REST_PORT}`,
      `--model_name=${options.modelName}`,
      `--model_base_path=${basePath(ctx.modelPath)}`,
      `--monitoring_config_file=${MONITORING_CONFIG}`,
      ...(options.extraArgs ?? []),
    ],
    configFiles: [{
      path: MONITORING_CONFIG,
      content: `prometheus_config {\n  enable: true,\n  path: "${METRICS_PATH}"\n}\n`,
    }],
    defaultStartupTimeout: Duration.minutes(3),
    defaultMaxRequestDuration: Duration.seconds(30),
    model: options.modelName,
    checks: [
      ...baseChecks(options),
      option.required('modelName', options.modelName, 'resnet50'),
      option.path('modelBasePath', options.modelBasePath, '/models/resnet50'),
    ],
  };
}
