// What the simulated cluster is made of: nodes shaped like a GPU fleet in three zones, kwok's
// stages (upstream's, with a model-loading delay added for model servers), and static
// PersistentVolumes for the claims an app makes (a real cluster's CSI provisioner does this).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { LocalCluster, kwokStages, waitFor } from './cluster';
import { Manifest } from './manifests';
import { conditionIs } from './steady-state';

/** The annotation kwok selects the nodes it simulates by. */
export const NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' };

/** Label of the pods whose readiness is delayed by the simulated model load. */
export const MODEL_SERVER_LABEL = { key: 'app.kubernetes.io/component', value: 'model-server' };

interface NodeShape {
  readonly pool: string;
  readonly instanceType: string;
  readonly perZone: number;
  readonly cpu: number;
  readonly memoryGi: number;
  readonly gpu?: { resource: string; count: number; productLabel: string; product: string };
  readonly labels?: Record<string, string>;
  readonly taints?: { key: string; value: string; effect: string }[];
}

/**
 * Per zone: L4 inference nodes (4 GPUs, like AWS g6.12xlarge), H100 nodes (8 GPUs, like p5.48xlarge),
 * one H100 node of a dedicated pool, one AMD MI300X node and general-purpose CPU nodes.
 */
export const FLEET: NodeShape[] = [
  { pool: 'gpu-l4', instanceType: 'g6.12xlarge', perZone: 2, cpu: 48, memoryGi: 192, gpu: { resource: 'nvidia.com/gpu', count: 4, productLabel: 'nvidia.com/gpu.product', product: 'NVIDIA-L4' } },
  { pool: 'gpu-h100', instanceType: 'p5.48xlarge', perZone: 4, cpu: 192, memoryGi: 2048, gpu: { resource: 'nvidia.com/gpu', count: 8, productLabel: 'nvidia.com/gpu.product', product: 'NVIDIA-H100-80GB-HBM3' } },
  // A dedicated pool: its own label and taint, for services that ask for it (nodeSelector and tolerations).
  { pool: 'gpu-h100-dedicated', instanceType: 'p5.48xlarge', perZone: 1, cpu: 192, memoryGi: 2048, gpu: { resource: 'nvidia.com/gpu', count: 8, productLabel: 'nvidia.com/gpu.product', product: 'NVIDIA-H100-80GB-HBM3' },
    labels: { 'karpenter.sh/nodepool': 'h100-inference' }, taints: [{ key: 'dedicated', value: 'inference', effect: 'NoSchedule' }] },
  { pool: 'gpu-mi300x', instanceType: 'mi300x-8', perZone: 1, cpu: 192, memoryGi: 2048, gpu: { resource: 'amd.com/gpu', count: 8, productLabel: 'amd.com/gpu.product-name', product: 'AMD_Instinct_MI300X' } },
  { pool: 'cpu', instanceType: 'm7i.8xlarge', perZone: 2, cpu: 32, memoryGi: 128 },
];
export const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** Node objects for the whole fleet, with status (capacity) as a kubelet would report it. */
export function fleetNodes(): any[] {
  const nodes: any[] = [];
  for (const zone of ZONES) {
    for (const shape of FLEET) {
      for (let i = 0; i < shape.perZone; i++) {
        const name = `${shape.pool}-${zone.slice(-1)}${i}`;
        const capacity: Record<string, string> = { 'cpu': String(shape.cpu), 'memory': `${shape.memoryGi}Gi`, 'pods': '110', 'ephemeral-storage': '500Gi' };
        const labels: Record<string, string> = {
          'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
          'topology.kubernetes.io/region': 'us-east-1', 'topology.kubernetes.io/zone': zone,
          'node.kubernetes.io/instance-type': shape.instanceType, 'node-pool': shape.pool, 'type': 'kwok', ...shape.labels,
        };
        const taints: any[] = [...(shape.taints ?? [])];
        if (shape.gpu) {
          capacity[shape.gpu.resource] = String(shape.gpu.count);
          labels[shape.gpu.productLabel] = shape.gpu.product;
          if (shape.gpu.resource === 'nvidia.com/gpu') {
            labels['nvidia.com/gpu.present'] = 'true';
            labels['nvidia.com/gpu.count'] = String(shape.gpu.count);
          }
          taints.push({ key: shape.gpu.resource, value: 'present', effect: 'NoSchedule' });
        }
        nodes.push({
          apiVersion: 'v1', kind: 'Node',
          metadata: { name, labels, annotations: { [NODE_ANNOTATION.key]: NODE_ANNOTATION.value, 'node.alpha.kubernetes.io/ttl': '0' } },
          spec: { taints },
          status: { capacity, allocatable: capacity, nodeInfo: { architecture: 'amd64', operatingSystem: 'linux' } },
        });
      }
    }
  }
  return nodes;
}

/**
 * GPU memory of the fleet's NVIDIA products, as NVIDIA's DRA driver reports it: NVML's total, a
 * little below the marketed size (an "80GB" H100 has 81559 MiB, under 80 GiB).
 */
const GPU_MEMORY: Record<string, string> = { 'NVIDIA-L4': '23034Mi', 'NVIDIA-H100-80GB-HBM3': '81559Mi' };

/**
 * What NVIDIA's DRA driver publishes, for the simulated nodes (as kwok stands in for their kubelets):
 * its `gpu.nvidia.com` DeviceClass (the chart's selector) and one ResourceSlice per NVIDIA GPU node,
 * each GPU a device with the driver's attributes (`type`, `productName` as NVML names it) and
 * `memory` capacity. The real scheduler allocates ResourceClaims from them; nothing prepares a device.
 * @see https://github.com/NVIDIA/k8s-dra-driver-gpu/tree/main/deployments/helm/nvidia-dra-driver-gpu/templates
 */
export function draObjects(nodes: any[]): any[] {
  const domain = 'gpu.nvidia.com';
  const deviceClass = {
    apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', metadata: { name: domain },
    spec: { selectors: [{ cel: { expression: `device.driver == '${domain}' && device.attributes['${domain}'].type == 'gpu'` } }] },
  };
  const slices = nodes.filter((n) => n.metadata.labels['nvidia.com/gpu.present'] === 'true').map((n) => {
    const product: string = n.metadata.labels['nvidia.com/gpu.product'];
    const count = Number(n.metadata.labels['nvidia.com/gpu.count']);
    return {
      apiVersion: 'resource.k8s.io/v1', kind: 'ResourceSlice', metadata: { name: `${n.metadata.name}-${domain}` },
      spec: {
        driver: domain, nodeName: n.metadata.name, pool: { name: n.metadata.name, generation: 1, resourceSliceCount: 1 },
        devices: Array.from({ length: count }, (_, i) => ({
          name: `gpu-${i}`,
          attributes: { type: { string: 'gpu' }, productName: { string: product.replace(/-/g, ' ') }, uuid: { string: `GPU-${n.metadata.name}-${i}` } },
          capacity: { memory: { value: GPU_MEMORY[product] ?? '16Gi' } },
        })),
      },
    };
  });
  return [deviceClass, ...slices];
}

/** Creates the fleet's nodes and waits until kwok reports every one Ready. */
export async function createFleet(cluster: LocalCluster): Promise<string[]> {
  const nodes = fleetNodes();
  for (const node of nodes) {
    const r = await cluster.request('POST', '/api/v1/nodes', node);
    if (r.status !== 201) throw new Error(`creating node ${node.metadata.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    // The API server keeps a created node's status; kubelets report it the same way.
    const s = await cluster.request('PATCH', `/api/v1/nodes/${node.metadata.name}/status`, { status: node.status }, 'application/merge-patch+json');
    if (s.status !== 200) throw new Error(`setting node status ${node.metadata.name}: ${s.status}`);
  }
  for (const o of draObjects(nodes)) {
    const r = await cluster.request('POST', `/apis/resource.k8s.io/v1/${o.kind === 'DeviceClass' ? 'deviceclasses' : 'resourceslices'}`, o);
    if (r.status !== 201) throw new Error(`creating ${o.kind} ${o.metadata.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
  return nodes.map((n) => n.metadata.name);
}

/**
 * kwok's configuration: its upstream stages for node start, heartbeats (with leases), pod readiness,
 * job completion and deletion, plus one stage of ours: model-server pods become Ready only after
 * `modelLoadMs` (a model server's load time), the others at once.
 */
export function kwokConfiguration(modelLoadMs: number): string {
  const read = (rel: string) => parse(fs.readFileSync(path.join(kwokStages, rel), 'utf8'));
  const podReady = read('pod/fast/pod-ready.yaml');
  const notModelServer = { key: `.metadata.labels["${MODEL_SERVER_LABEL.key}"]`, operator: 'NotIn', values: [MODEL_SERVER_LABEL.value] };
  const isModelServer = { key: `.metadata.labels["${MODEL_SERVER_LABEL.key}"]`, operator: 'In', values: [MODEL_SERVER_LABEL.value] };
  const fastReady = {
    ...podReady,
    spec: { ...podReady.spec, selector: { matchExpressions: [...podReady.spec.selector.matchExpressions, notModelServer] } },
  };
  const loadThenReady = {
    ...podReady,
    metadata: { name: 'model-server-load-then-ready' },
    spec: {
      ...podReady.spec,
      delay: { durationMilliseconds: modelLoadMs },
      selector: { matchExpressions: [...podReady.spec.selector.matchExpressions, isModelServer] },
    },
  };
  const docs = [
    read('node/fast/node-initialize.yaml'),
    read('node/heartbeat-with-lease/node-heartbeat-with-lease.yaml'),
    fastReady,
    loadThenReady,
    read('pod/fast/pod-complete.yaml'),
    read('pod/fast/pod-delete.yaml'),
  ];
  return docs.map((d) => stringify(d)).join('---\n');
}

/**
 * Static PersistentVolumes, bound ahead to each claim among `manifests` that names no volume:
 * the storage class, access modes and size the claim asks for. The NFS source is never mounted
 * (no kubelet) and its server is never contacted.
 */
export async function provisionVolumes(cluster: LocalCluster, manifests: Manifest[]): Promise<number> {
  let made = 0;
  // Claims the pods mount but the app does not make stand for the platform team's existing claims.
  const own = new Set(manifests.filter((m) => m.kind === 'PersistentVolumeClaim').map((m) => `${m.metadata.namespace}/${m.metadata.name}`));
  const existing: Manifest[] = [];
  for (const m of manifests) {
    for (const v of m.spec?.template?.spec?.volumes ?? []) {
      const name = v.persistentVolumeClaim?.claimName;
      if (!name || own.has(`${m.metadata.namespace}/${name}`)) continue;
      own.add(`${m.metadata.namespace}/${name}`);
      existing.push({
        apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: m.metadata.namespace },
        spec: { accessModes: ['ReadWriteMany'], storageClassName: '', resources: { requests: { storage: '100Gi' } } },
      });
    }
  }
  for (const claim of existing) {
    const r = await cluster.request('POST', `/api/v1/namespaces/${claim.metadata.namespace}/persistentvolumeclaims`, claim);
    if (r.status !== 201 && r.status !== 409) throw new Error(`creating the existing claim ${claim.metadata.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
  for (const claim of [...manifests, ...existing].filter((m) => m.kind === 'PersistentVolumeClaim' && !m.spec?.volumeName)) {
    const ns = claim.metadata.namespace ?? 'default';
    const name = `pv-${ns}-${claim.metadata.name}`.slice(0, 253);
    const pv = {
      apiVersion: 'v1', kind: 'PersistentVolume',
      metadata: { name, labels: { 'e2e.cdk8s-inference/provisioned': 'static' } },
      spec: {
        capacity: { storage: claim.spec.resources.requests.storage },
        accessModes: claim.spec.accessModes,
        storageClassName: claim.spec.storageClassName ?? '',
        volumeMode: claim.spec.volumeMode ?? 'Filesystem',
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: ns, name: claim.metadata.name },
        nfs: { server: 'nfs.invalid', path: `/${ns}/${claim.metadata.name}` },
      },
    };
    const r = await cluster.request('POST', '/api/v1/persistentvolumes', pv);
    if (r.status === 201) made++;
    else if (r.status !== 409) throw new Error(`creating ${name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
  return made;
}

/** PriorityClasses the pods of `manifests` name: the platform team's, so the cluster has them before the app. */
export async function providePriorityClasses(cluster: LocalCluster, manifests: Manifest[]): Promise<string[]> {
  // system-node-critical and system-cluster-critical are built in.
  const names = new Set(manifests.map((m) => m.spec?.template?.spec?.priorityClassName).filter((n): n is string => !!n && !n.startsWith('system-')));
  for (const name of names) {
    const r = await cluster.request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', {
      apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value: 100000, description: 'inference services',
    });
    if (r.status !== 201 && r.status !== 409) throw new Error(`creating PriorityClass ${name}: ${r.status}`);
  }
  return [...names];
}

/** Installs the CRDs the project generates from the upstream API packages (.tools/crds) and waits until each is Established. */
export async function installCrds(cluster: LocalCluster, dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const crd = doc.toJS();
      if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
      const r = await cluster.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
      if (r.status !== 201) throw new Error(`installing CRD ${crd.metadata.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      names.push(crd.metadata.name);
    }
  }
  for (const name of names) {
    await established(cluster, name);
  }
  return names;
}

async function established(cluster: LocalCluster, crd: string): Promise<void> {
  await waitFor(`CRD ${crd} to be Established`, 30_000,
    async () => conditionIs(await cluster.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`), 'Established'), 200);
}
