import type { TritonOptions } from '../../model-server-options';
import { baseChecks, option } from './checks';
import { ServerMetrics, ServerSpec, predictorDefaults, rateByService } from './spec';

const HTTP_PORT = 8000;
const GRPC_PORT = 8001;
const METRICS_PORT = 8002;

const requests = rateByService('nv_inference_request_success');
const failures = rateByService('nv_inference_request_failure');

/** Triton's series: success and failure counters, pending requests. */
export const TRITON_METRICS: ServerMetrics = {
  requestRate: (sel, w) => `${requests(sel, w)} + ${failures(sel, w)}`,
  errorRate: failures,
  running: 'nv_inference_pending_request_count',
};

/** NVIDIA Triton Inference Server (see `ModelServer.triton`). */
export function tritonSpec(options: TritonOptions): ServerSpec {
  const repository = options.modelRepository ?? '/models';
  return {
    ...predictorDefaults(),
    kind: 'triton',
    image: options.image ?? 'nvcr.io/nvidia/tritonserver:25.01-py3',
    httpPort: HTTP_PORT,
    grpcPort: GRPC_PORT,
    metricsPort: METRICS_PORT,
    metricsPath: '/metrics',
    liveness: { port: HTTP_PORT, path: '/v2/health/live' },
    // Ready once every model in the repository is loaded.
    readiness: { port: HTTP_PORT, path: '/v2/health/ready' },
    command: ['tritonserver'],
    args: (ctx) => [
      `--model-repository=${ctx.modelPath ?? repository}`,
      `--http-port=${HTTP_PORT}`,
      `--grpc-port=${GRPC_PORT}`,
      `--metrics-port=${METRICS_PORT}`,
      `--exit-timeout-secs=${ctx.drainSeconds}`,
      ...(options.extraArgs ?? []),
    ],
    drainFlag: '--exit-timeout-secs',
    queueDepthMetric: 'nv_inference_pending_request_count',
    model: repository,
    metrics: TRITON_METRICS,

    checks: [...baseChecks(options), option.string('modelRepository', options.modelRepository, '/models')],
  };
}
