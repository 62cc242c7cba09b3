"""The reference architecture of ../../main.ts, written in Python.

It synthesizes the same YAML as the TypeScript app: `python app.py` writes dist/inference.k8s.yaml.
Install the dependencies with `pip install -r requirements.txt` and the library's wheel
(`npm run package` builds it into build/packages/python/).
"""
import sys

from cdk8s import App, Chart, Duration, Size
import cdk8s_plus_27 as kplus
from cdk8s_inference import (
    ApiAuth, CanaryRelease, ExternalSecret, GatewayImplementation, GatewayTls, Gpu, InferenceGateway, InferencePool,
    InferenceService, LogShipping, LoraAdapter, ModelServer, ModelSource, ModelVolume, NamespaceBaseline, ObservabilityBundle,
    RateLimitOptions, ReleaseColor, ReleaseStrategy, Scaling, SecretStore, WorkloadIdentity,
)

app = App(outdir=sys.argv[1] if len(sys.argv) > 1 else "dist")
chart = Chart(app, "inference", namespace="inference", disable_resource_name_hashes=True)

# The namespace's baseline: Pod Security "restricted", GPU quota, default-deny network policy.
NamespaceBaseline(chart, "baseline",
    cpu_quota=kplus.Cpu.units(96),
    memory_quota=Size.gibibytes(512),
    gpu_quota={"nvidia.com/gpu": 16},
)


def llama_weights(id: str, version: str) -> ModelVolume:
    """Llama 3.1 8B weights from S3 through an IAM role, on a shared cache filled once per version."""
    return ModelVolume(chart, id,
        source=ModelSource.s3(f"s3://acme-models/meta-llama/Llama-3.1-8B-Instruct/{version}/", version=version, region="us-east-1"),
        workload_identity=WorkloadIdentity.aws_irsa("arn:aws:iam::123456789012:role/inference-model-reader"),
        size=Size.gibibytes(16),
        cache_size=Size.gibibytes(64),
        cache_storage_class="efs-sc",
    )


def chat_service(id: str, weights: ModelVolume) -> InferenceService:
    """An LLM chat service on vLLM, split over two NVIDIA L4 GPUs, scaling on queued requests."""
    return InferenceService(chart, id,
        server=ModelServer.vllm(served_model_name="llama-3.1-8b-instruct", tensor_parallel_size=2),
        model_volume=weights,
        gpu=Gpu.nvidia(2, product="NVIDIA-L4"),
        cpu=kplus.Cpu.units(8),
        memory=Size.gibibytes(48),
        scaling=Scaling.on_queue_depth(min_replicas=2, max_replicas=8, target_per_replica=5),
        startup_timeout=Duration.minutes(20),
        max_request_duration=Duration.minutes(5),
    )


chat = chat_service("chat", llama_weights("llama-3-1-8b", "2024-07-23"))
chat_canary = chat_service("chat-canary", llama_weights("llama-3-1-8b-next", "2024-09-25"))


def classifier_service(id: str, version: str) -> InferenceService:
    """A CPU ResNet-50 on TensorFlow Serving from GCS, scaling on CPU."""
    return InferenceService(chart, id,
        server=ModelServer.tf_serving(model_name="resnet50", image="tensorflow/serving:2.18.0"),
        model_volume=ModelVolume(chart, f"{id}-weights",
            name=f"resnet50-v{version}",
            source=ModelSource.gcs(f"gs://acme-vision-models/resnet50/{version}/", version=version),
            credentials_secret="gcs-model-reader",
            size=Size.mebibytes(200),
        ),
        cpu=kplus.Cpu.units(2),
        memory=Size.gibibytes(4),
        scaling=Scaling.on_cpu(min_replicas=2, max_replicas=10, target_utilization_percent=70),
    )


classifier = classifier_service("classifier", "1")
classifier_green = classifier_service("classifier-green", "2")



def adapter(name: str, repository: str, revision: str) -> LoraAdapter:
    """A LoRA adapter of Qwen 2.5 7B from a pinned Hub commit."""
    return LoraAdapter(
        name=name,
        base_model="Qwen/Qwen2.5-7B-Instruct",
        rank=16,
        volume=ModelVolume(chart, f"{name}-adapter", source=ModelSource.hugging_face(repository, revision=revision), size=Size.gibibytes(1)),
    )


# An assistant with two LoRA adapters behind an InferencePool, whose endpoint picker places each request.
assistant = InferenceService(chart, "assistant",
    server=ModelServer.vllm(
        model="Qwen/Qwen2.5-7B-Instruct",
        served_model_name="qwen2.5-7b-instruct",
        adapters=[
            adapter("assistant-sql", "acme/qwen2.5-7b-sql-lora", "3f2c9a1b7e4d6058a9c1b2e3f4a5b6c7d8e9f012"),
            adapter("assistant-support", "acme/qwen2.5-7b-support-lora", "9b8a7c6d5e4f30211a2b3c4d5e6f708192a3b4c5"),
        ],
    ),
    gpu=Gpu.nvidia(1, product="NVIDIA-L4"),
    memory=Size.gibibytes(32),
    scaling=Scaling.fixed(2),
)
assistant_pool = InferencePool(chart, "assistant-pool", services=[assistant])

# The clients' API keys live in AWS Secrets Manager, one JSON secret with a property per client;
# External Secrets Operator keeps the Secret the gateway reads in step with it, so adding a
# client there needs no change here.
api_keys = ExternalSecret(chart, "inference-api-keys",
    store=SecretStore.cluster("aws-secrets-manager"),
    extract=["prod/inference/api-keys"],
)

# One host for both, on Envoy Gateway: TLS from cert-manager, API keys, 600 requests a minute per key.
gateway = InferenceGateway(chart, "gateway",
    host="inference.example.com",
    implementation=GatewayImplementation.ENVOY_GATEWAY,
    tls=GatewayTls.cert_manager("letsencrypt"),
    auth=ApiAuth.api_keys(api_keys.secret_name),
    rate_limit=RateLimitOptions(requests_per_minute=600),
)
# 5% of chat traffic to the canary; the classifier switches colors at once (blue active, green idle).
CanaryRelease(chart, "chat-release", gateway=gateway, stable=chat, canary=chat_canary,
    strategy=ReleaseStrategy.weighted(95, 5), path_prefix="/v1")
# The assistant's requests (clients send x-inference-pool: assistant) go through its endpoint picker.
gateway.add_pool_route(assistant_pool, path_prefix="/v1", header_name="x-inference-pool", header_value="assistant")
CanaryRelease(chart, "classifier-release", gateway=gateway, stable=classifier, canary=classifier_green,
    strategy=ReleaseStrategy.blue_green(ReleaseColor.BLUE), path_prefix="/classifier")

# Metrics, alerts and dashboards for every version; SLO alerts for the chat services.
# Container logs go to Loki, labelled with service, model and version.
observability = ObservabilityBundle(chart, "observability",
    runbook_url="https://runbooks.example.com/inference",
    logs=LogShipping.loki(url="http://loki-gateway.monitoring.svc.cluster.local:80"),
)
for version in (chat, chat_canary):
    observability.add_service(version, availability=0.995, latency=0.95, latency_threshold=Duration.seconds(60))
observability.add_service(classifier)
observability.add_service(classifier_green)
observability.add_service(assistant)
observability.add_pool(assistant_pool)

app.synth()
