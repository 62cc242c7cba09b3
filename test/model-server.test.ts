import { Duration } from 'cdk8s';
import { Testing } from 'cdk8s';
import { Gpu, InferenceService, ModelServer, Scaling } from '../lib';
import { chart, only, podSpec, serverContainer, synthService, Manifest } from './util';

/** Ports of a rendered service: container ports and Service ports, by name. */
function ports(manifests: Manifest[]) {
  return {
    container: serverContainer(manifests).ports.map((p: any) => [p.name, p.containerPort]),
    service: only(manifests, 'Service').spec.ports.map((p: any) => [p.name, p.port]),
  };
}

describe('vLLM preset', () => {
  const manifests = synthService({ server: ModelServer.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct', servedModelName: 'qwen' }), gpu: Gpu.nvidia(1) });
  const c = serverContainer(manifests);

  test('serves the OpenAI API and metrics on 8000', () => {
    expect(ports(manifests)).toEqual({ container: [['http', 8000]], service: [['http', 8000]] });
  });

  test('ready on /health (engine healthy), alive on /version (API process answers)', () => {
    for (const probe of [c.startupProbe, c.readinessProbe]) expect(probe.httpGet).toMatchObject({ path: '/health', port: 8000 });
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/version', port: 8000 });
  });

  test('keeps the image entrypoint and renders model, bind address and drain', () => {
    expect(c.command).toBeUndefined();
    expect(c.image).toBe('vllm/vllm-openai:v0.18.0');
    expect(c.args).toEqual(['Qwen/Qwen2.5-7B-Instruct', '--host=0.0.0.0', '--port=8000', '--served-model-name=qwen', '--shutdown-timeout=180']);
  });

  test('caches live in a writable emptyDir', () => {
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'HF_HOME', value: '/cache/huggingface' }, { name: 'HOME', value: '/cache' }]));
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toContain('/cache');
  });

  test('queue metric for autoscaling', () => {
    expect(ModelServer.vllm({ model: 'm' }).queueDepthMetric).toBe('vllm:num_requests_waiting');
  });

  test('pipeline parallel counts in the GPUs', () => {
    const m = synthService({ server: ModelServer.vllm({ model: 'm', tensorParallelSize: 4, pipelineParallelSize: 2 }), gpu: Gpu.nvidia(8) });
    expect(serverContainer(m).args).toEqual(expect.arrayContaining(['--tensor-parallel-size=4', '--pipeline-parallel-size=2']));
  });
});

describe('TGI preset', () => {
  const manifests = synthService({ server: ModelServer.tgi({ model: 'mistralai/Mistral-7B-Instruct-v0.3', numShard: 2 }), gpu: Gpu.nvidia(2) });
  const c = serverContainer(manifests);

  test('binds an unprivileged port (8080), not the image default 80', () => {
    expect(ports(manifests).container).toEqual([['http', 8080]]);
    expect(c.args).toContain('--port=8080');
  });

  test('drains with --graceful-termination-timeout and logs JSON', () => {
    expect(c.args).toEqual([
      '--model-id=mistralai/Mistral-7B-Instruct-v0.3', '--hostname=0.0.0.0', '--port=8080', '--num-shard=2',
      '--graceful-termination-timeout=180', '--json-output',
    ]);
  });

  test('liveness stays cheap (/info); readiness asks /health', () => {
    expect(c.livenessProbe.httpGet.path).toBe('/info');
    expect(c.readinessProbe.httpGet.path).toBe('/health');
  });

  test('Hugging Face cache in /data', () => {
    expect(c.env).toContainEqual({ name: 'HF_HOME', value: '/data' });
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toContain('/data');
  });

  test('scales on tgi_queue_size', () => {
    const m = synthService({ server: ModelServer.tgi({ model: 'm' }), gpu: Gpu.nvidia(1), scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 3 }) });
    expect(only(m, 'HorizontalPodAutoscaler').spec.metrics[0].pods.metric.name).toBe('tgi_queue_size');
  });
});

describe('Triton preset', () => {
  const manifests = synthService({ server: ModelServer.triton({ modelRepository: 's3://models/triton' }), gpu: Gpu.nvidia(1) });
  const c = serverContainer(manifests);

  test('HTTP 8000, gRPC 8001, metrics 8002', () => {
    expect(ports(manifests)).toEqual({
      container: [['http', 8000], ['grpc', 8001], ['metrics', 8002]],
      service: [['http', 8000], ['grpc', 8001], ['metrics', 8002]],
    });
  });

  test('live and ready endpoints are distinct', () => {
    expect(c.livenessProbe.httpGet.path).toBe('/v2/health/live');
    expect(c.readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(c.startupProbe.httpGet.path).toBe('/v2/health/ready');
  });

  test('drains with --exit-timeout-secs', () => {
    expect(c.command).toEqual(['tritonserver']);
    expect(c.args).toEqual(['--model-repository=s3://models/triton', '--http-port=8000', '--grpc-port=8001', '--metrics-port=8002', '--exit-timeout-secs=60']);
  });

  test('scales on pending requests', () => {
    const m = synthService({ server: ModelServer.triton(), scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 3 }) });
    expect(only(m, 'HorizontalPodAutoscaler').spec.metrics[0].pods.metric.name).toBe('nv_inference_pending_request_count');
  });
});

describe('TensorFlow Serving preset', () => {
  const manifests = synthService({ server: ModelServer.tfServing({ modelName: 'resnet' }) });
  const c = serverContainer(manifests);

  test('REST 8501 and gRPC 8500', () => {
    expect(ports(manifests).container).toEqual([['http', 8501], ['grpc', 8500]]);
  });

  test('ready when the model is AVAILABLE, alive when the port answers', () => {
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/v1/models/resnet', port: 8501 });
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 8501 });
  });

  test('runs the binary directly so SIGTERM reaches it, with metrics switched on', () => {
    expect(c.command).toEqual(['tensorflow_model_server']);
    expect(c.args).toEqual(['--port=8500', '--rest_api_port=8501', '--model_name=resnet', '--model_base_path=/models/resnet',
      '--monitoring_config_file=/etc/tfserving/monitoring.config']);
    const config = only(manifests, 'ConfigMap', 'svc-server-config');
    expect(config.data['file-0']).toContain('path: "/monitoring/prometheus/metrics"');
    expect(c.volumeMounts).toContainEqual({ mountPath: '/etc/tfserving', name: 'server-config-0', readOnly: true });
    const volume = podSpec(manifests).volumes.find((v: any) => v.name === 'server-config-0');
    expect(volume.configMap).toEqual({ name: 'svc-server-config', items: [{ key: 'file-0', path: 'monitoring.config' }] });
  });

  test('has no queue metric: queue-depth scaling is refused', () => {
    expect(() => synthService({ server: ModelServer.tfServing({ modelName: 'r' }), scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 3 }) }))
      .toThrow(/invalid scaling: received 'Scaling.onQueueDepth'.*'tf-serving' has none/);
  });
});

describe('TorchServe preset', () => {
  const manifests = synthService({ server: ModelServer.torchServe({ models: ['resnet=resnet-18.mar'] }) });
  const c = serverContainer(manifests);

  test('inference 8080 and metrics 8082; management port not exposed', () => {
    expect(ports(manifests).service).toEqual([['http', 8080], ['metrics', 8082]]);
  });

  test('/ping health, Prometheus metrics, foreground process, writable logs', () => {
    expect(c.readinessProbe.httpGet.path).toBe('/ping');
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 8080 });
    expect(c.env).toContainEqual({ name: 'TS_METRICS_MODE', value: 'prometheus' });
    expect(c.args).toEqual(expect.arrayContaining(['--foreground', '--models=resnet=resnet-18.mar', '--disable-token-auth']));
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toContain('/home/model-server/logs');
  });
});

describe('SGLang preset', () => {
  const manifests = synthService({ server: ModelServer.sglang({ model: 'Qwen/Qwen2.5-7B-Instruct', tensorParallelSize: 2 }), gpu: Gpu.nvidia(2) });
  const c = serverContainer(manifests);

  test('port 30000 with metrics switched on', () => {
    expect(ports(manifests).container).toEqual([['http', 30000]]);
    expect(c.args).toEqual(['--model-path=Qwen/Qwen2.5-7B-Instruct', '--host=0.0.0.0', '--port=30000', '--tp=2', '--enable-metrics']);
  });

  test('ready on /health, alive on /get_model_info', () => {
    expect(c.readinessProbe.httpGet.path).toBe('/health');
    expect(c.livenessProbe.httpGet.path).toBe('/get_model_info');
  });

  test('no drain flag: the grace period bounds the drain', () => {
    expect(c.args.join(' ')).not.toMatch(/timeout/);
    expect(podSpec(manifests).terminationGracePeriodSeconds).toBe(15 + 180 + 15);
  });
});

describe('custom server', () => {
  test('uses the given ports, paths, drain flag and queue metric', () => {
    const manifests = synthService({
      server: ModelServer.custom({
        image: 'ghcr.io/acme/embedder:1.4.2',
        httpPort: 9000,
        grpcPort: 9001,
        metricsPort: 9090,
        livenessPath: '/livez',
        readinessPath: '/readyz',
        command: ['/embedder'],
        args: ['--model=/models/bge'],
        drainFlag: '--graceful-timeout',
        queueDepthMetric: 'embedder_queue',
        writablePaths: ['/tmp', '/var/cache/embedder'],
        env: { LOG_FORMAT: 'json' },
      }),
      scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 4 }),
      maxRequestDuration: Duration.seconds(20),
    });
    const c = serverContainer(manifests);
    expect(ports(manifests).container).toEqual([['http', 9000], ['grpc', 9001], ['metrics', 9090]]);
    expect(c.livenessProbe.httpGet.path).toBe('/livez');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.command).toEqual(['/embedder']);
    expect(c.args).toEqual(['--model=/models/bge', '--graceful-timeout=20']);
    expect(c.env).toContainEqual({ name: 'LOG_FORMAT', value: 'json' });
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/cache/embedder']);
    expect(only(manifests, 'HorizontalPodAutoscaler').spec.metrics[0].pods.metric.name).toBe('embedder_queue');
  });

  test('without health paths it checks the TCP port; without metrics the scraper is not admitted', () => {
    const c = chart();
    new InferenceService(c, 'svc', { server: ModelServer.custom({ image: 'ollama/ollama:0.12.3', httpPort: 11434, exposesMetrics: false }) });
    const manifests = Testing.synth(c) as Manifest[];
    expect(serverContainer(manifests).livenessProbe.tcpSocket).toEqual({ port: 11434 });
    expect(only(manifests, 'NetworkPolicy').spec.ingress ?? []).toEqual([]);
  });
});

describe('every preset', () => {
  const presets = {
    'vllm': ModelServer.vllm({ model: 'm' }),
    'tgi': ModelServer.tgi({ model: 'm' }),
    'triton': ModelServer.triton(),
    'tf-serving': ModelServer.tfServing({ modelName: 'resnet' }),
    'torchserve': ModelServer.torchServe(),
    'sglang': ModelServer.sglang({ model: 'm' }),
    'custom': ModelServer.custom({ image: 'ghcr.io/acme/embedder:1.4.2', httpPort: 9000 }),
  };

  test('names its kind (the server label value)', () => {
    for (const [kind, server] of Object.entries(presets)) expect(server.kind).toBe(kind);
  });

  test('appends extraArgs after the arguments it renders', () => {
    const ctx = { drainSeconds: 30 };
    expect(ModelServer.vllm({ model: 'm', extraArgs: ['--x'] })._args(ctx).slice(-2)).toEqual(['--shutdown-timeout=30', '--x']);
    expect(ModelServer.tgi({ model: 'm', extraArgs: ['--x'] })._args(ctx).slice(-2)).toEqual(['--json-output', '--x']);
    expect(ModelServer.triton({ extraArgs: ['--x'] })._args(ctx).slice(-2)).toEqual(['--exit-timeout-secs=30', '--x']);
    expect(ModelServer.tfServing({ modelName: 'r', extraArgs: ['--x'] })._args(ctx).slice(-1)).toEqual(['--x']);
    expect(ModelServer.torchServe({ extraArgs: ['--x'] })._args(ctx).slice(-2)).toEqual(['--disable-token-auth', '--x']);
    expect(ModelServer.sglang({ model: 'm', extraArgs: ['--x'] })._args(ctx).slice(-2)).toEqual(['--enable-metrics', '--x']);
  });

  test('gives each server its own arrays', () => {
    const a = ModelServer.triton();
    const b = ModelServer.triton();
    expect(a.writablePaths).not.toBe(b.writablePaths);
    expect(a.env).not.toBe(b.env);
    expect(ModelServer.vllm({ model: 'm' }).writablePaths).not.toBe(ModelServer.vllm({ model: 'm' }).writablePaths);
  });

  test('only LLM presets given no model need a ModelVolume', () => {
    expect(ModelServer.vllm({}).needsModelVolume).toBe(true);
    expect(ModelServer.tgi({}).needsModelVolume).toBe(true);
    expect(ModelServer.sglang({}).needsModelVolume).toBe(true);
    for (const server of Object.values(presets)) expect(server.needsModelVolume).toBe(false);
  });

  test('only TensorFlow Serving refuses model versions, and only unnumbered ones', () => {
    expect(presets['tf-serving']._refuseModelVersion('3')).toBeUndefined();
    expect(presets['tf-serving']._refuseModelVersion('v1')).toEqual({
      allowed: 'a positive whole number: TensorFlow Serving loads numbered version folders',
      fix: "store the SavedModel under a numbered folder (e.g. .../resnet50/3/) and pass version '3'",
    });
    for (const server of Object.values(presets).filter((s) => s.kind !== 'tf-serving')) expect(server._refuseModelVersion('v1')).toBeUndefined();
  });

  test('parallelism and the props behind it', () => {
    const vllm = ModelServer.vllm({ model: 'm', tensorParallelSize: 4, pipelineParallelSize: 2 });
    expect([vllm.parallelism, vllm._parallelismProp]).toEqual([8, 'tensorParallelSize (4) × pipelineParallelSize (2)']);
    const tgi = ModelServer.tgi({ model: 'm', numShard: 2 });
    expect([tgi.parallelism, tgi._parallelismProp]).toEqual([2, 'numShard (2)']);
    const sglang = ModelServer.sglang({ model: 'm', tensorParallelSize: 2 });
    expect([sglang.parallelism, sglang._parallelismProp]).toEqual([2, 'tensorParallelSize (2)']);
    expect(presets.triton._parallelismProp).toBeUndefined();
  });
});

describe('PromQL of the request and error rates', () => {
  const sel = 'namespace="ml",service="chat"';

  test('vLLM counts the OpenAI API requests and their 5xx', () => {
    const m = ModelServer.vllm({ model: 'm' })._metrics;
    expect(m.requestRate!(sel, '5m')).toBe('sum by (namespace, service) (rate(http_requests_total{handler=~"/v1/.+",namespace="ml",service="chat"}[5m]))');
    expect(m.errorRate!(sel, '5m')).toBe('sum by (namespace, service) (rate(http_requests_total{handler=~"/v1/.+",status="5xx",namespace="ml",service="chat"}[5m]))');
  });

  test('TGI counts requests and failures', () => {
    const m = ModelServer.tgi({ model: 'm' })._metrics;
    expect(m.requestRate!(sel, '1h')).toBe('sum by (namespace, service) (rate(tgi_request_count{namespace="ml",service="chat"}[1h]))');
    expect(m.errorRate!(sel, '1h')).toBe('sum by (namespace, service) (rate(tgi_request_failure{namespace="ml",service="chat"}[1h]))');
  });

  test('Triton adds successes and failures', () => {
    const m = ModelServer.triton()._metrics;
    expect(m.requestRate!(sel, '5m')).toBe('sum by (namespace, service) (rate(nv_inference_request_success{namespace="ml",service="chat"}[5m]))'
      + ' + sum by (namespace, service) (rate(nv_inference_request_failure{namespace="ml",service="chat"}[5m]))');
    expect(m.errorRate!(sel, '5m')).toBe('sum by (namespace, service) (rate(nv_inference_request_failure{namespace="ml",service="chat"}[5m]))');
  });

  test('the other presets have no request counters', () => {
    for (const server of [ModelServer.sglang({ model: 'm' }), ModelServer.tfServing({ modelName: 'r' }), ModelServer.torchServe()]) {
      expect(server._metrics.requestRate).toBeUndefined();
      expect(server._metrics.errorRate).toBeUndefined();
    }
  });
});
