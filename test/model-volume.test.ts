import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CacheAccessMode, ErrorCode, Gpu, InferenceService, InferenceServiceProps, ModelServer, ModelSource, ModelVolume, ModelVolumeProps, Scaling,
  WorkloadIdentity,
} from '../lib';
import { chart, Manifest, only, podSpec, serverContainer } from './util';

const COMMIT = '0e9e39f249a16976918f6564b8830bc894c89659';
const s3 = (extra: Partial<ModelVolumeProps> = {}) => ({ source: ModelSource.s3('s3://models/llama/2024-07-23/', { version: '2024-07-23' }), ...extra });

/** Synthesizes a ModelVolume `weights` and an InferenceService `svc` using it. */
function synth(volume: ModelVolumeProps, service: Partial<InferenceServiceProps> = {}): Manifest[] {
  const c = chart();
  const weights = new ModelVolume(c, 'weights', volume);
  new InferenceService(c, 'svc', { server: ModelServer.vllm({}), gpu: Gpu.nvidia(1), modelVolume: weights, ...service });
  return Testing.synth(c) as Manifest[];
}

const initContainers = (m: Manifest[]) => podSpec(m).initContainers ?? [];
const volume = (m: Manifest[], name: string) => podSpec(m).volumes.find((v: any) => v.name === name);
const env = (container: any) => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('download per pod (no cache)', () => {
  const manifests = synth(s3({ size: Size.gibibytes(10), workloadIdentity: WorkloadIdentity.awsIrsa('arn:aws:iam::123456789012:role/reader') }));

  test('an init container downloads into an emptyDir sized for the model', () => {
    const [fetch] = initContainers(manifests);
    expect(fetch.name).toBe('fetch-weights');
    expect(fetch.image).toBe('kserve/storage-initializer:v0.17.0');
    expect(fetch.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(fetch.command[2]).toContain('/storage-initializer/scripts/initializer-entrypoint "s3://models/llama/2024-07-23/" "$partial"');
    expect(volume(manifests, 'model-weights').emptyDir).toEqual({ sizeLimit: `${Math.ceil(10 * 1024 * 1.2)}Mi` });
  });

  test('the server reads the weights read-only from /models/<name>/<version>, offline', () => {
    const c = serverContainer(manifests);
    expect(c.volumeMounts).toContainEqual({ name: 'model-weights', mountPath: '/models/weights/2024-07-23', readOnly: true, subPath: 'weights/2024-07-23' });
    expect(c.args.slice(0, 1)).toEqual(['/models/weights/2024-07-23']);
    expect(c.args).toContain('--served-model-name=weights');
    expect(env(c).HF_HUB_OFFLINE).toBe('1');
  });

  test('the model counts in the ephemeral-storage request and the rollout deadline', () => {
    const c = serverContainer(manifests);
    // 50Gi cache + 1Gi /tmp + 12Gi of model scratch
    expect(c.resources.requests['ephemeral-storage']).toBe('63Gi');
    // startup 15 min + 5 min margin + download (10 GiB at 50 MiB/s + 5 min)
    expect(only(manifests, 'Deployment').spec.progressDeadlineSeconds).toBe(900 + 300 + Math.ceil(10240 / 50) + 300);
  });

  test('workload identity annotates the ServiceAccount of the pods that download', () => {
    expect(only(manifests, 'ServiceAccount').metadata).toMatchObject({ annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/reader' } });
  });

  test('the download runs under the restricted security context too', () => {
    expect(initContainers(manifests)[0].securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });
});

describe('the download script', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'download-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  // The real script from the manifest, with the downloader's entrypoint replaced by a stand-in
  // that writes a file and fails on demand: the script's own skip/redo logic runs for real.
  function script(dest: string): string {
    const [fetch] = initContainers(synth(s3()));
    const fake = path.join(work, 'fetch.sh');
    fs.writeFileSync(fake, '#!/bin/sh\n[ -f "$FAIL" ] && { echo half > "$2/part"; exit 1; }\necho "$1" > "$2/weights.safetensors"\necho run >> "$RUNS"\n', { mode: 0o755 });
    return fetch.command[2].replace('/storage-initializer/scripts/initializer-entrypoint', fake).replace('/mnt/models/weights/2024-07-23', dest);
  }

  test('a crashed download is redone, a finished one is skipped', () => {
    const dest = path.join(work, 'weights');
    const runs = path.join(work, 'runs');
    const fail = path.join(work, 'fail');
    const run = () => spawnSync('sh', ['-c', script(dest)], { env: { ...process.env, RUNS: runs, FAIL: fail }, encoding: 'utf8' });

    fs.writeFileSync(fail, '');
    expect(run().status).not.toBe(0);
    expect(fs.existsSync(path.join(dest, '.complete'))).toBe(false);
    expect(fs.existsSync(dest)).toBe(false);

    fs.rmSync(fail);
    const second = run();
    expect(second.status).toBe(0);
    expect(fs.readFileSync(path.join(dest, 'weights.safetensors'), 'utf8').trim()).toBe('s3://models/llama/2024-07-23/');
    expect(fs.existsSync(path.join(dest, 'part'))).toBe(false);
    expect(fs.existsSync(`${dest}.partial`)).toBe(false);

    const third = run();
    expect(third.status).toBe(0);
    expect(third.stdout).toContain('model already present');
    expect(fs.readFileSync(runs, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  test('an HTTPS archive is checked against its SHA-256 and unpacked', async () => {
    // GIVEN a tar.gz served on loopback
    const src = path.join(work, 'archive-src');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'model.onnx'), 'weights');
    const archive = path.join(work, 'model.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', src, 'model.onnx']);
    const body = fs.readFileSync(archive);
    const sha = createHash('sha256').update(body).digest('hex');
    const server = http.createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as any).port}/model.tar.gz`;
    try {
      // WHEN the manifest's script runs with the right and with a wrong checksum
      const c = chart();
      const weights = new ModelVolume(c, 'weights', { source: ModelSource.https('https://example.com/m/model.tar.gz', { sha256: sha }) });
      new InferenceService(c, 'svc', { server: ModelServer.triton(), modelVolume: weights });
      const [fetch] = initContainers(Testing.synth(c) as Manifest[]);
      // (asynchronously: the server answers from this process's event loop)
      const run = (dest: string, want: string) => new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn('sh', ['-c', fetch.command[2].replace(/\/mnt\/models\/weights\/[0-9a-f]+/, dest).replace('dir="/tmp"', `dir="${work}"`)],
          { env: { ...process.env, MODEL_URL: url, MODEL_SHA256: want } });
        let stderr = '';
        child.stderr.on('data', (d) => { stderr += d; });
        child.on('close', (status) => resolve({ status, stderr }));
      });
      const good = await run(path.join(work, 'https-good'), sha);
      const bad = await run(path.join(work, 'https-bad'), '0'.repeat(64));
      // THEN the good one is unpacked and marked, the bad one fails and leaves nothing
      expect(good.stderr).toBe('');
      expect(good.status).toBe(0);
      expect(fs.readFileSync(path.join(work, 'https-good', 'model.onnx'), 'utf8')).toBe('weights');
      expect(fs.existsSync(path.join(work, 'https-good', '.complete'))).toBe(true);
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain('sha256 mismatch');
      expect(fs.existsSync(path.join(work, 'https-bad'))).toBe(false);
      expect(env(fetch)).toMatchObject({ MODEL_URL: 'https://example.com/m/model.tar.gz', MODEL_SHA256: sha });
    } finally {
      server.close();
    }
  });
});

describe('shared cache', () => {
  const manifests = synth(s3({
    size: Size.gibibytes(16), cacheSize: Size.gibibytes(64), cacheStorageClass: 'efs-sc',
    workloadIdentity: WorkloadIdentity.awsIrsa('arn:aws:iam::123456789012:role/reader'),
  }), { scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 4 }) });

  test('a ReadWriteMany claim of the given class and size', () => {
    expect(only(manifests, 'PersistentVolumeClaim', 'weights-cache').spec).toEqual({
      accessModes: ['ReadWriteMany'], storageClassName: 'efs-sc', resources: { requests: { storage: '65536Mi' } },
    });
  });

  test('filled once per version by a Job named by a hash of source and version', () => {
    const jobs = manifests.filter((m) => m.kind === 'Job');
    expect(jobs).toHaveLength(1);
    const hash = createHash('sha256').update('s3\ns3://models/llama/2024-07-23/\n2024-07-23').digest('hex').slice(0, 8);
    expect(jobs[0].metadata.name).toBe(`weights-fill-${hash}`);
    const pod = jobs[0].spec.template.spec;
    expect(pod.containers[0].command[2]).toContain('dest="/mnt/models/weights/2024-07-23"');
    expect(pod.volumes[0]).toEqual({ name: 'cache', persistentVolumeClaim: { claimName: 'weights-cache' } });
    expect(pod.serviceAccountName).toBe('weights-fill');
    expect(only(manifests, 'ServiceAccount', 'weights-fill').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/reader' });
  });

  test('server pods wait for the Job and hold no storage credentials', () => {
    const [wait] = initContainers(manifests);
    expect(wait.name).toBe('wait-weights');
    expect(wait.command[2]).toContain('until [ -f "/mnt/models/weights/2024-07-23/.complete" ]');
    expect(only(manifests, 'ServiceAccount', 'svc').metadata.annotations).toBeUndefined();
    expect(serverContainer(manifests).volumeMounts).toContainEqual({ name: 'model-weights', mountPath: '/models/weights/2024-07-23', readOnly: true, subPath: 'weights/2024-07-23' });
  });

  test('the fill Job has its own NetworkPolicy: no ingress, DNS and HTTPS out', () => {
    const policy = only(manifests, 'NetworkPolicy', 'weights-fill');
    expect(policy.spec.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/name': 'weights', 'app.kubernetes.io/component': 'model-volume' });
    expect(policy.spec.policyTypes).toEqual(['Egress', 'Ingress']);
    expect(policy.spec.ingress ?? []).toEqual([]);
    expect(policy.spec.egress.map((r: any) => r.ports.map((p: any) => p.port))).toEqual([[53, 53], [443], [443]]);
  });

  test('a single replica with a ReadWriteOnce cache downloads in its own init container', () => {
    const m = synth(s3({ cacheSize: Size.gibibytes(64), cacheAccessMode: CacheAccessMode.READ_WRITE_ONCE }), { scaling: Scaling.fixed(1) });
    expect(m.filter((x) => x.kind === 'Job')).toEqual([]);
    expect(initContainers(m)[0].name).toBe('fetch-weights');
    expect(only(m, 'PersistentVolumeClaim').spec.accessModes).toEqual(['ReadWriteOnce']);
  });
});

describe('sources', () => {
  test('S3-compatible endpoint and region reach the downloader; a non-443 endpoint port is let out', () => {
    const m = synth({ source: ModelSource.s3('s3://models/llama/v3/', { version: 'v3', endpoint: 'http://minio.storage:9000', region: 'eu-west-1' }), credentialsSecret: 'minio-reader' });
    const [fetch] = initContainers(m);
    expect(env(fetch)).toMatchObject({ AWS_ENDPOINT_URL: 'http://minio.storage:9000', S3_USE_HTTPS: '0', AWS_DEFAULT_REGION: 'eu-west-1' });
    expect(fetch.envFrom).toEqual([{ secretRef: { name: 'minio-reader' } }]);
    const egressPorts = only(m, 'NetworkPolicy').spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port));
    expect(egressPorts).toEqual(expect.arrayContaining([443, 9000]));
  });

  test('credentials given as a kplus.ISecret render the same YAML as the Secret\'s name', () => {
    const yaml = (source: ModelSource, credentials: (c: ReturnType<typeof chart>) => Partial<ModelVolumeProps>) => {
      const c = chart();
      const weights = new ModelVolume(c, 'weights', { source, ...credentials(c) });
      new InferenceService(c, 'svc', { server: ModelServer.vllm({}), gpu: Gpu.nvidia(1), modelVolume: weights });
      return Testing.synth(c);
    };
    const s3Source = ModelSource.s3('s3://models/llama/v3/', { version: 'v3', endpoint: 'http://minio.storage:9000' });
    const gcsSource = ModelSource.gcs('gs://vision/resnet/3/', { version: '3' });
    for (const source of [s3Source, gcsSource]) {
      const byName = yaml(source, () => ({ credentialsSecret: 'model-reader' }));
      const bySecret = yaml(source, (c) => ({ credentials: kplus.Secret.fromSecretName(c, 'Reader', 'model-reader') }));
      expect(bySecret).toEqual(byName);
      expect(JSON.stringify(bySecret)).toContain('model-reader');
    }
  });

  test('GCS reads its key file from the Secret, never as environment', () => {
    const m = synth({ source: ModelSource.gcs('gs://vision/resnet/3/', { version: '3' }), credentialsSecret: 'gcs-reader' }, { server: ModelServer.tfServing({ modelName: 'resnet' }), gpu: undefined });
    const [fetch] = initContainers(m);
    expect(env(fetch).GOOGLE_APPLICATION_CREDENTIALS).toBe('/var/secrets/gcs/gcloud-application-credentials.json');
    expect(fetch.envFrom).toBeUndefined();
    expect(fetch.volumeMounts).toContainEqual({ name: 'gcs-credentials', mountPath: '/var/secrets/gcs', readOnly: true });
    expect(volume(m, 'gcs-credentials')).toEqual({ name: 'gcs-credentials', secret: { secretName: 'gcs-reader' } });
    // TF Serving gets the folder above the numbered version
    expect(serverContainer(m).args).toContain('--model_base_path=/models/weights');
  });

  test('Azure Blob with Azure workload identity labels the pods', () => {
    const m = synth({
      source: ModelSource.azureBlob('https://acmemodels.blob.core.windows.net/models/llama/v2/', { version: 'v2' }),
      workloadIdentity: WorkloadIdentity.azure('11111111-2222-3333-4444-555555555555'),
    });
    expect(initContainers(m)[0].command[2]).toContain('"https://acmemodels.blob.core.windows.net/models/llama/v2/"');
    expect(only(m, 'Deployment').spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
    expect(only(m, 'ServiceAccount').metadata.annotations).toEqual({ 'azure.workload.identity/client-id': '11111111-2222-3333-4444-555555555555' });
  });

  test('Hugging Face at a pinned commit, token from a Secret', () => {
    const m = synth({ source: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct', { revision: COMMIT }), credentialsSecret: 'hf-token' },
      { server: ModelServer.tgi({}) });
    expect(initContainers(m)[0].command[2]).toContain(`"hf://meta-llama/Llama-3.1-8B-Instruct:${COMMIT}"`);
    expect(serverContainer(m).args[0]).toBe(`--model-id=/models/weights/${COMMIT}`);
  });

  test('NFS is bound through a read-only PersistentVolume and claim (restricted pods may not mount nfs)', () => {
    const m = synth({ source: ModelSource.nfs('nfs.storage', '/exports/models/llama/v1', { version: 'v1' }), size: Size.gibibytes(16) });
    expect(initContainers(m)).toEqual([]);
    const pv = only(m, 'PersistentVolume');
    expect(pv.metadata.name).toBe('ml-weights-v1');
    expect(pv.metadata.namespace).toBeUndefined();
    expect(pv.spec).toMatchObject({
      accessModes: ['ReadOnlyMany'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: '', capacity: { storage: '16384Mi' },
      nfs: { server: 'nfs.storage', path: '/exports/models/llama/v1', readOnly: true }, claimRef: { namespace: 'ml', name: 'weights-v1' },
    });
    expect(only(m, 'PersistentVolumeClaim', 'weights-v1').spec).toMatchObject({ volumeName: 'ml-weights-v1', storageClassName: '', accessModes: ['ReadOnlyMany'] });
    expect(volume(m, 'model-weights')).toEqual({ name: 'model-weights', persistentVolumeClaim: { claimName: 'weights-v1', readOnly: true } });
  });

  test('an existing PVC folder is mounted read-only without a download', () => {
    const m = synth({ source: ModelSource.fromUri('pvc://shared-models/llama/v1', 'v1') });
    expect(initContainers(m)).toEqual([]);
    expect(volume(m, 'model-weights')).toEqual({ name: 'model-weights', persistentVolumeClaim: { claimName: 'shared-models', readOnly: true } });
    expect(serverContainer(m).volumeMounts).toContainEqual({ name: 'model-weights', mountPath: '/models/weights/v1', readOnly: true, subPath: 'llama/v1' });
  });

  const image = `registry.example.com/models/llama@sha256:${'a'.repeat(64)}`;
  test('an OCI image is copied by an init container on clusters before image volumes', () => {
    const m = synth({ source: ModelSource.ociImage(image), size: Size.gibibytes(2) });
    const [copy] = initContainers(m);
    expect(copy.image).toBe(image);
    expect(copy.command).toEqual(['/bin/sh', '-c', 'cp -a /models/. /mnt/models/ && touch /mnt/models/.complete']);
    expect(copy.imagePullPolicy).toBe('Always');
    expect(serverContainer(m).volumeMounts).toContainEqual({ name: 'model-weights', mountPath: '/models/weights/aaaaaaaaaaaa', readOnly: true });
  });

  test('an OCI image is an image volume when the target Kubernetes version has them', () => {
    const c = chart();
    const weights = new ModelVolume(c, 'weights', { source: ModelSource.ociImage(image, { path: '/weights' }), kubernetesVersion: '1.33' });
    const svc = new InferenceService(c, 'svc', { server: ModelServer.vllm({}), gpu: Gpu.nvidia(1), modelVolume: weights });
    const m = Testing.synth(c) as Manifest[];
    expect(initContainers(m)).toEqual([]);
    expect(volume(m, 'model-weights')).toEqual({ name: 'model-weights', image: { reference: image, pullPolicy: 'IfNotPresent' } });
    expect(serverContainer(m).volumeMounts).toContainEqual({ name: 'model-weights', mountPath: '/models/weights/aaaaaaaaaaaa', readOnly: true, subPath: 'weights' });
    expect(svc.modelVolume).toBe(weights);
  });

  test('fromUri dispatches on the scheme', () => {
    expect(ModelSource.fromUri('s3://b/m/v1/', 'v1')._kind).toBe('s3');
    expect(ModelSource.fromUri('gs://b/m/v1/', 'v1')._kind).toBe('gcs');
    expect(ModelSource.fromUri('hf://org/repo', COMMIT)._kind).toBe('hugging-face');
    expect(ModelSource.fromUri('https://acct1.blob.core.windows.net/c/m/v1/', 'v1')._kind).toBe('azure-blob');
    expect(ModelSource.fromUri('https://host/m.tar.gz', 'f'.repeat(64))._kind).toBe('https');
    expect(ModelSource.fromUri('nfs://server/exports/m/v1', 'v1')._kind).toBe('nfs');
    expect(ModelSource.fromUri(`oci://${image}`, '')._kind).toBe('oci-image');
  });
});

describe('versions', () => {
  test('changing the version changes the pod template, so the Deployment rolls', () => {
    const template = (version: string) => only(synth({ source: ModelSource.s3(`s3://models/llama/${version}/`, { version }) }), 'Deployment').spec.template;
    const a = template('v1');
    const b = template('v2');
    expect(a).not.toEqual(b);
    expect(JSON.stringify(b)).toContain('/models/weights/v2');
  });

  test('each preset is pointed at the mounted folder', () => {
    const args = (server: ModelServer) => serverContainer(synth(s3(), { server, gpu: undefined })).args;
    expect(args(ModelServer.triton())).toContain('--model-repository=/models/weights/2024-07-23');
    expect(args(ModelServer.torchServe())).toContain('--model-store=/models/weights/2024-07-23');
    expect(args(ModelServer.sglang({}))).toContain('--model-path=/models/weights/2024-07-23');
  });

  test('the model version label names the volume objects', () => {
    const m = synth(s3({ cacheSize: Size.gibibytes(64) }));
    expect(only(m, 'PersistentVolumeClaim').metadata.labels?.['inference.cdk8s.io/model-version']).toBe('2024-07-23');
  });
});

describe('ModelVolume refuses bad input', () => {
  const build = (props: Partial<ModelVolumeProps>, service: Partial<InferenceServiceProps> = {}) =>
    () => synth({ ...s3(), ...props } as ModelVolumeProps, service);

  test('throws on an unknown scheme', () => {
    expect(build({ source: ModelSource.fromUri('ftp://models/llama/v1/', 'v1') })).toThrow(
      "ModelVolume 'test/weights': invalid source: received 'ftp://models/llama/v1/'; allowed: a URI with scheme s3://, gs://, hf://, https://, nfs://, pvc:// or oci://. " +
      'Fix: use one of those schemes, or a ModelSource factory such as ModelSource.s3(...)');
    expect(build({ source: ModelSource.fromUri('ftp://models/llama/v1/', 'v1') })).toThrow(expect.objectContaining({ code: ErrorCode.UNSUPPORTED_MODEL_SOURCE_SCHEME }));
  });

  test('throws when the version is not pinned in the location', () => {
    expect(build({ source: ModelSource.s3('s3://models/llama/latest/', { version: '2024-07-23' }) })).toThrow(
      /ModelVolume 'test\/weights': invalid source version: received '2024-07-23'; allowed: a version .* that is a folder of the location 's3:\/\/models\/llama\/latest\/'/);
    expect(build({ source: ModelSource.s3('s3://models/llama/latest/', { version: '2024-07-23' }) })).toThrow(expect.objectContaining({ code: ErrorCode.UNPINNED_MODEL_VERSION }));
  });

  test('throws when a Hugging Face revision is a branch', () => {
    expect(build({ source: ModelSource.huggingFace('org/repo', { revision: 'main' }) })).toThrow(
      /invalid source version: received 'main'; allowed: a commit hash of 40 hex characters \(branches and tags move\)/);
    expect(build({ source: ModelSource.huggingFace('org/repo', { revision: 'main' }) })).toThrow(expect.objectContaining({ code: ErrorCode.UNPINNED_MODEL_VERSION }));
  });

  test('throws when an HTTPS archive has no checksum or an OCI image no digest', () => {
    expect(build({ source: ModelSource.https('https://host/m.tar.gz', { sha256: '' }) })).toThrow(/invalid source version: received '\(none\)'; allowed: the archive's SHA-256/);
    expect(build({ source: ModelSource.ociImage('registry.example.com/models/llama:v1') })).toThrow(/invalid source: .*allowed: a oci-image location like registry\/repository@sha256/);
    expect(build({ source: ModelSource.https('https://host/m.tar.gz', { sha256: '' }) })).toThrow(expect.objectContaining({ code: ErrorCode.UNPINNED_MODEL_VERSION }));
    expect(build({ source: ModelSource.ociImage('registry.example.com/models/llama:v1') })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_MODEL_SOURCE_LOCATION }));
  });

  test('throws on a ReadWriteOnce cache with more than one replica', () => {
    const rwoCache = { cacheSize: Size.gibibytes(64), cacheAccessMode: CacheAccessMode.READ_WRITE_ONCE };
    const rwo = build(rwoCache, { scaling: Scaling.onQueueDepth({ scrapedExternally: true, maxReplicas: 3 }) });
    expect(rwo).toThrow(
      "InferenceService 'test/svc': invalid modelVolume: received ''test/weights' with a ReadWriteOnce cache for up to 3 pods'; " +
      'allowed: a ReadWriteOnce cache only with a single pod (one node mounts it): one replica, not a multi-node group; ReadWriteMany otherwise. ' +
      'Fix: set cacheAccessMode to CacheAccessMode.READ_WRITE_MANY (with an RWX storage class), or run one replica');
    expect(rwo).toThrow(expect.objectContaining({ code: ErrorCode.READ_WRITE_ONCE_CACHE_REPLICAS }));
  });

  test('throws when credentials are written into the location or the environment', () => {
    expect(build({ source: ModelSource.fromUri('s3://AKIAEXAMPLE:wJalrXUtnFEMI@models/llama/v1/', 'v1') })).toThrow(
      /invalid source: received 's3:\/\/<credentials>@models\/llama\/v1\/'; allowed: a location without credentials in it/);
    expect(build({ source: ModelSource.fromUri('s3://AKIAEXAMPLE:wJalrXUtnFEMI@models/llama/v1/', 'v1') })).not.toThrow(/wJalrXUtnFEMI/);
    expect(build({ downloaderEnv: { AWS_SECRET_ACCESS_KEY: 'x' } })).toThrow(
      /invalid downloaderEnv.AWS_SECRET_ACCESS_KEY: received '\(a literal value, not shown\)'; allowed: non-secret settings only/);
    expect(build({ source: ModelSource.fromUri('s3://AKIAEXAMPLE:wJalrXUtnFEMI@models/llama/v1/', 'v1') })).toThrow(expect.objectContaining({ code: ErrorCode.CREDENTIALS_IN_MODEL_SOURCE }));
    expect(build({ downloaderEnv: { AWS_SECRET_ACCESS_KEY: 'x' } })).toThrow(expect.objectContaining({ code: ErrorCode.SECRET_IN_DOWNLOADER_ENV }));
  });

  test('throws when credentials are given both as a Secret and as its name', () => {
    const c = chart();
    expect(() => new ModelVolume(c, 'weights', { ...s3(), credentials: kplus.Secret.fromSecretName(c, 'Reader', 'model-reader'), credentialsSecret: 'model-reader' })).toThrow(
      "ModelVolume 'test/weights': invalid credentials: received 'Secret name 'model-reader' and Secret 'model-reader''; " +
      'allowed: the storage credentials Secret either by name or as a cdk8s-plus Secret, not both. Fix: pass only one of the two [code: ConflictingSecret]');
  });

  test('throws when two volumes claim one mount path', () => {
    const c = chart();
    const a = new ModelVolume(c, 'weights', s3());
    const svc = new InferenceService(c, 'svc', { server: ModelServer.vllm({}), gpu: Gpu.nvidia(1), modelVolume: a });
    const b = new ModelVolume(c, 'weights-copy', { ...s3(), name: 'weights2' });
    expect(() => svc.addModelVolume(b)).not.toThrow();
    const c2 = chart();
    const x = new ModelVolume(c2, 'x', { ...s3(), name: 'adapters' });
    const svc2 = new InferenceService(c2, 'svc', { server: ModelServer.vllm({}), gpu: Gpu.nvidia(1), modelVolume: x });
    expect(() => svc2.addModelVolume(x)).toThrow(
      "InferenceService 'test/svc': invalid modelVolume: received ''test/x' at /models/adapters/2024-07-23'; allowed: one volume per mount path; /models/adapters/2024-07-23 is already taken by 'test/x'. " +
      'Fix: give the volumes distinct names or versions, or mount only one of them');
  });

  test('throws when the cache is smaller than the declared model', () => {
    expect(build({ size: Size.gibibytes(16), cacheSize: Size.gibibytes(10) })).toThrow(
      "ModelVolume 'test/weights': invalid cacheSize: received '10240Mi'; allowed: at least the declared model size (16384Mi); twice that keeps the previous version during a rollout. " +
      'Fix: set cacheSize to at least Size.mebibytes(32768)');
    expect(build({ size: Size.gibibytes(16), cacheSize: Size.gibibytes(10) })).toThrow(expect.objectContaining({ code: ErrorCode.CACHE_TOO_SMALL }));
  });

  test('throws when a mounted source asks for a cache', () => {
    expect(build({ source: ModelSource.nfs('nfs', '/m/v1', { version: 'v1' }), cacheSize: Size.gibibytes(1) })).toThrow(/invalid cacheSize: .*allowed: a cache only for downloaded sources/);
    expect(build({ source: ModelSource.nfs('nfs', '/m/v1', { version: 'v1' }), cacheSize: Size.gibibytes(1) })).toThrow(expect.objectContaining({ code: ErrorCode.CACHE_FOR_MOUNTED_SOURCE }));
  });

  test('throws when TensorFlow Serving gets a version that is not a number', () => {
    expect(build({}, { server: ModelServer.tfServing({ modelName: 'resnet' }), gpu: undefined })).toThrow(
      /InferenceService 'test\/svc': invalid modelVolume: received 'version '2024-07-23' of 'test\/weights''; allowed: a positive whole number: TensorFlow Serving loads numbered version folders/);
  });

  test('throws when a preset without a model gets no volume', () => {
    expect(() => new InferenceService(chart(), 'svc', { server: ModelServer.vllm({}), gpu: Gpu.nvidia(1) })).toThrow(
      "InferenceService 'test/svc': invalid modelVolume: received nothing; allowed: a ModelVolume, because ModelServer.vllm was given no model. " +
      'Fix: pass modelVolume, or give the preset a model (e.g. a Hugging Face id)');
  });

  test('throws on a malformed workload identity', () => {
    expect(build({ workloadIdentity: WorkloadIdentity.awsIrsa('model-reader') })).toThrow(/invalid workloadIdentity: received 'model-reader'/);
    expect(build({ workloadIdentity: WorkloadIdentity.awsIrsa('model-reader') })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_WORKLOAD_IDENTITY }));
  });

  test('throws when the volume name is not a DNS-1035 label', () => {
    expect(() => new ModelVolume(chart(), 'Weights', s3())).toThrow(/ModelVolume 'test\/Weights': invalid name: received 'Weights'/);
  });
});

describe('download timeout', () => {
  test('defaults from the size, or 30 minutes', () => {
    const c = chart();
    expect(new ModelVolume(c, 'a', s3({ size: Size.gibibytes(50) })).downloadTimeout.toSeconds()).toBe(Math.ceil(51200 / 50) + 300);
    expect(new ModelVolume(c, 'b', s3()).downloadTimeout.toSeconds()).toBe(1800);
    expect(new ModelVolume(c, 'd', s3({ downloadTimeout: Duration.hours(2) })).downloadTimeout.toSeconds()).toBe(7200);
  });
});

describe('ModelVolume checks every value where it enters', () => {
  const build = (props: Partial<ModelVolumeProps>) => () => new ModelVolume(chart(), 'weights', { ...s3(), ...props } as ModelVolumeProps);
  /** The build throws `message` (a substring or pattern) with `code`. */
  const expectRefusal = (run: () => unknown, message: string | RegExp, code: ErrorCode) => {
    expect(run).toThrow(message);
    expect(run).toThrow(expect.objectContaining({ code }));
  };
  /** What a JavaScript or Python caller may pass where the types say otherwise. */
  const untyped = (value: unknown) => value as any;

  test('throws when the NFS server is empty or the export path is not absolute or climbs out', () => {
    expectRefusal(build({ source: ModelSource.nfs('', '/exports/llama/v1', { version: 'v1' }) }),
      "ModelVolume 'test/weights': invalid source server: received ''; allowed: the NFS server's host name or IP address, e.g. nfs.storage or 10.0.0.12. " +
      'Fix: set the server the export is on [code: InvalidModelSourceLocation]', ErrorCode.INVALID_MODEL_SOURCE_LOCATION);
    expectRefusal(build({ source: ModelSource.fromUri('nfs:///exports/llama/v1', 'v1') }), /invalid source server: received ''/, ErrorCode.INVALID_MODEL_SOURCE_LOCATION);
    expectRefusal(build({ source: ModelSource.nfs('nfs.storage', 'exports/llama/v1', { version: 'v1' }) }),
      /invalid source: received 'exports\/llama\/v1'; allowed: a nfs location like an absolute export path/, ErrorCode.INVALID_MODEL_SOURCE_LOCATION);
    expectRefusal(build({ source: ModelSource.nfs('nfs.storage', '/exports/../etc/v1', { version: 'v1' }) }),
      /invalid source: received '\/exports\/..\/etc\/v1'; allowed: a path without ".." segments/, ErrorCode.INVALID_MODEL_SOURCE_LOCATION);
    expect(build({ source: ModelSource.nfs('10.0.0.12', '/exports/llama/v1', { version: 'v1' }) })).not.toThrow();
  });

  test('throws when a claim name can never exist, or its subPath is absolute or climbs out', () => {
    expectRefusal(build({ source: ModelSource.persistentVolumeClaim('Model_Store', { subPath: 'llama/v1', version: 'v1' }) }),
      "ModelVolume 'test/weights': invalid source claimName: received 'Model_Store'; allowed: the name of a PersistentVolumeClaim: a DNS-1123 subdomain " +
      '(lower-case letters, digits, "-" and ".", starting and ending with a letter or digit). Fix: use the name as Kubernetes knows it, e.g. \'model-store\'',
      ErrorCode.INVALID_MODEL_SOURCE_LOCATION);
    expectRefusal(build({ source: ModelSource.persistentVolumeClaim('models', { subPath: '../other/v1', version: 'v1' }) }),
      /invalid source subPath: received '..\/other\/v1'; allowed: a path without ".." segments.*Fix: write the folder out, e.g. 'other\/v1'/,
      ErrorCode.INVALID_MODEL_SOURCE_LOCATION);
    expectRefusal(build({ source: ModelSource.persistentVolumeClaim('models', { subPath: '/llama/v1', version: 'v1' }) }),
      /invalid source: received '\/llama\/v1'; allowed: a pvc location like a relative folder inside the claim/, ErrorCode.INVALID_MODEL_SOURCE_LOCATION);
  });

  test('throws when the credentials Secret or the cache StorageClass can never exist', () => {
    expectRefusal(build({ credentialsSecret: 'Bad_Secret' }),
      "ModelVolume 'test/weights': invalid credentialsSecret: received 'Bad_Secret'; allowed: the name of a Secret: a DNS-1123 subdomain", ErrorCode.INVALID_SECRET_NAME);
    const withSecret = () => {
      const c = chart();
      return new ModelVolume(c, 'weights', { ...s3(), credentials: kplus.Secret.fromSecretName(c, 'Reader', 'Bad_Secret') });
    };
    expectRefusal(withSecret,
      /invalid credentials: received 'Bad_Secret'; allowed: the name of a Secret/, ErrorCode.INVALID_SECRET_NAME);
    expectRefusal(build({ cacheSize: Size.gibibytes(64), cacheStorageClass: 'Model_Store' }),
      /invalid cacheStorageClass: received 'Model_Store'; allowed: the name of a StorageClass: a DNS-1123 subdomain.*e.g. 'model-store'/, ErrorCode.INVALID_STORAGE_CLASS);
  });

  test('throws when the S3 endpoint is not an http(s) URL, carries credentials, or the region is no region', () => {
    const s3With = (options: object) => ModelSource.s3('s3://models/llama/v1/', { version: 'v1', ...options });
    expectRefusal(build({ source: s3With({ endpoint: 'ftp://minio.storage:9000' }) }),
      "ModelVolume 'test/weights': invalid source endpoint: received 'ftp://minio.storage:9000'; allowed: an http:// or https:// URL of an S3-compatible store, " +
      "without query or fragment, e.g. https://minio.storage:9000. Fix: give the store's URL with its scheme, host and port [code: InvalidS3Endpoint]",
      ErrorCode.INVALID_S3_ENDPOINT);
    expectRefusal(build({ source: s3With({ endpoint: 'minio.storage:9000' }) }), /invalid source endpoint: received 'minio.storage:9000'/, ErrorCode.INVALID_S3_ENDPOINT);
    expectRefusal(build({ source: s3With({ endpoint: 'not a url' }) }), /invalid source endpoint: received 'not a url'/, ErrorCode.INVALID_S3_ENDPOINT);
    expectRefusal(build({ source: s3With({ endpoint: 'https://admin:hunter2@minio.storage:9000' }) }),
      /invalid source endpoint: received 'https:\/\/<credentials>@minio.storage:9000'/, ErrorCode.CREDENTIALS_IN_MODEL_SOURCE);
    expect(build({ source: s3With({ endpoint: 'https://admin:hunter2@minio.storage:9000' }) })).not.toThrow(/hunter2/);
    expectRefusal(build({ source: s3With({ region: 'EU Central' }) }), /invalid source region: received 'EU Central'; allowed: a region name/, ErrorCode.INVALID_S3_ENDPOINT);
  });

  test('throws when a size is 0', () => {
    expectRefusal(build({ size: Size.gibibytes(0) }),
      "ModelVolume 'test/weights': invalid size: received '0Mi'; allowed: a size above 0. Fix: give the size, e.g. Size.gibibytes(16) [code: InvalidSize]", ErrorCode.INVALID_SIZE);
    expectRefusal(build({ cacheSize: Size.mebibytes(0) }), /invalid cacheSize: received '0Mi'; allowed: a size above 0/, ErrorCode.INVALID_SIZE);
  });

  test('throws when the download timeout is in milliseconds or shorter than a minute', () => {
    expectRefusal(build({ downloadTimeout: Duration.millis(1500) }), /invalid downloadTimeout: received '1 second 500 millis'; allowed: whole seconds/, ErrorCode.NOT_A_WHOLE_NUMBER);
    expectRefusal(build({ downloadTimeout: Duration.seconds(5) }),
      "ModelVolume 'test/weights': invalid downloadTimeout: received '5 seconds'; allowed: whole seconds of at least 1 minute: no model downloads faster. " +
      'Fix: e.g. Duration.minutes(30), or leave it out to budget from the size [code: InvalidDownloadTimeout]', ErrorCode.INVALID_DOWNLOAD_TIMEOUT);
    expect(build({ downloadTimeout: Duration.millis(1_800_000) })).not.toThrow();
  });

  test('throws when kubernetesVersion is not <major>.<minor>', () => {
    expectRefusal(build({ kubernetesVersion: '1.x' }),
      "ModelVolume 'test/weights': invalid kubernetesVersion: received '1.x'; allowed: a Kubernetes version as '<major>.<minor>', e.g. '1.30'. " +
      "Fix: give the cluster's minor version as a string, e.g. kubernetesVersion: '1.30' [code: InvalidKubernetesVersion]", ErrorCode.INVALID_KUBERNETES_VERSION);
    for (const version of ['v1.30', '1.30.2', '1', untyped(1.3)]) {
      expectRefusal(build({ kubernetesVersion: version }), /invalid kubernetesVersion/, ErrorCode.INVALID_KUBERNETES_VERSION);
    }
  });

  test('throws when the OCI image folder is relative or climbs out', () => {
    const digest = `registry.example.com/models/llama@sha256:${'a'.repeat(64)}`;
    expectRefusal(build({ source: ModelSource.ociImage(digest, { path: 'models' }) }), /invalid source path: received 'models'; allowed: an absolute folder inside the image/,
      ErrorCode.INVALID_MODEL_SOURCE_LOCATION);
    expectRefusal(build({ source: ModelSource.ociImage(digest, { path: '/models/../etc' }) }), /invalid source path: received '\/models\/..\/etc'/, ErrorCode.INVALID_MODEL_SOURCE_LOCATION);
  });

  test('throws when downloaderEnv or cacheAccessMode is not what Kubernetes takes', () => {
    expectRefusal(build({ downloaderEnv: { 'S3 VERIFY': '0' } }), /invalid downloaderEnv.S3 VERIFY: received 'S3 VERIFY'; allowed: a variable name/, ErrorCode.INVALID_DOWNLOADER_ENV);
    expectRefusal(build({ downloaderEnv: { S3_VERIFY_SSL: untyped(0) } }), /invalid downloaderEnv.S3_VERIFY_SSL: received 0; .*Fix: give the value as a string, e.g. '0'/,
      ErrorCode.INVALID_DOWNLOADER_ENV);
    expectRefusal(build({ cacheSize: Size.gibibytes(64), cacheAccessMode: untyped('ReadOnlyMany') }),
      /invalid cacheAccessMode: received 'ReadOnlyMany'; allowed: one of ReadWriteMany, ReadWriteOnce/, ErrorCode.INVALID_CACHE_ACCESS_MODE);
  });

  test('throws InferenceConfigError, not a TypeError, when JavaScript or Python passes the wrong type', () => {
    expectRefusal(build({ source: untyped('s3://models/llama/v1/') }),
      "ModelVolume 'test/weights': invalid source: received 's3://models/llama/v1/'; allowed: a ModelSource, made by one of its factories", ErrorCode.WRONG_TYPE);
    expectRefusal(build({ source: untyped(undefined) }), /invalid source: received nothing; allowed: a ModelSource/, ErrorCode.WRONG_TYPE);
    expectRefusal(build({ size: untyped('16Gi') }), /ModelVolume 'test\/weights': invalid size: received '16Gi'; allowed: a Size \(cdk8s\)/, ErrorCode.WRONG_TYPE);
    expectRefusal(build({ downloadTimeout: untyped(1800) }), /invalid downloadTimeout: received 1800; allowed: a Duration \(cdk8s\)/, ErrorCode.WRONG_TYPE);
    expectRefusal(build({ credentials: untyped('model-reader') }), /invalid credentials: received 'model-reader'; allowed: a cdk8s-plus Secret/, ErrorCode.WRONG_TYPE);
    expectRefusal(build({ workloadIdentity: untyped('arn:aws:iam::123456789012:role/r') }), /invalid workloadIdentity: .*allowed: a WorkloadIdentity/, ErrorCode.WRONG_TYPE);
    expectRefusal(build({ downloaderEnv: untyped('S3_VERIFY_SSL=0') }), /invalid downloaderEnv: received 'S3_VERIFY_SSL=0'; allowed: a map/, ErrorCode.WRONG_TYPE);
    expectRefusal(build({ downloaderImage: untyped(7) }), /invalid downloaderImage: received 7; allowed: an image reference as a string/, ErrorCode.WRONG_TYPE);
    expectRefusal(build({ source: ModelSource.s3(untyped(42), { version: 'v1' }) }), /invalid source: received 42; allowed: a string: the s3 location/, ErrorCode.WRONG_TYPE);
    expectRefusal(build({ source: ModelSource.s3('s3://models/llama/v1/', untyped(undefined)) }), /invalid source version: received '\(none\)'/,
      ErrorCode.UNPINNED_MODEL_VERSION);
    expectRefusal(build({ source: ModelSource.persistentVolumeClaim('models', untyped({ version: 'v1' })) }), /invalid source: received nothing/, ErrorCode.WRONG_TYPE);
    expectRefusal(build({ source: ModelSource.ociImage(untyped(3)) }), /invalid source: received 3/, ErrorCode.WRONG_TYPE);
  });
});
