import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ModelServer } from '../../model-server';
import { ObjectMetadata } from '../network';

/** What the server's own volumes are made of. */
export interface ServerVolumesOptions {
  readonly server: ModelServer;
  /** Size limit of the writable folders other than /tmp. */
  readonly cacheSize: Size;
  /** Size of /dev/shm; none when undefined or 0. */
  readonly sharedMemory?: Size;
  /** Name and labels of the service, for the ConfigMap of the server's config files. */
  readonly metadata: ObjectMetadata;
}

/** emptyDir size limits (MiB) of the preset's writable folders: 1Gi for /tmp, `cacheSize` for the others. */
export function writableVolumeSizes(server: ModelServer, cacheSize: Size): number[] {
  return server.writablePaths.map((p) => (p === '/tmp' ? 1024 : cacheSize.toMebibytes()));
}

/**
 * Mounts the server's own volumes into `container`: an emptyDir per writable folder of the preset
 * (the root filesystem is read-only), /dev/shm in memory, and the preset's config files from a ConfigMap.
 * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
 */
export function mountServerVolumes(scope: Construct, container: kplus.Container, options: ServerVolumesOptions): void {
  const sizes = writableVolumeSizes(options.server, options.cacheSize);
  options.server.writablePaths.forEach((path, i) => {
    const volumeName = path === '/tmp' ? 'tmp' : `writable-${i}`;
    container.mount(path, kplus.Volume.fromEmptyDir(scope, `Writable${i}`, volumeName, { sizeLimit: Size.mebibytes(sizes[i]) }));
  });
  const sharedMemory = options.sharedMemory;
  if (sharedMemory && sharedMemory.toMebibytes() > 0) {
    const shm = kplus.Volume.fromEmptyDir(scope, 'SharedMemory', 'dshm', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: sharedMemory });
    container.mount('/dev/shm', shm);
  }
  mountConfigFiles(scope, container, options);
}

/** The preset's config files, each mounted read-only into its folder from one ConfigMap. */
function mountConfigFiles(scope: Construct, container: kplus.Container, options: ServerVolumesOptions): void {
  const files = options.server.configFiles;
  if (files.length === 0) return;
  const configMap = new kplus.ConfigMap(scope, 'ServerConfig', {
    metadata: { name: `${options.metadata.name}-server-config`, labels: options.metadata.labels },
  });
  files.forEach((file, i) => {
    const key = `file-${i}`;
    configMap.addData(key, file.content);
    const volume = kplus.Volume.fromConfigMap(scope, `ServerConfigVolume${i}`, configMap, {
      name: `server-config-${i}`,
      items: { [key]: { path: file.path.slice(file.path.lastIndexOf('/') + 1) } },
    });
    container.mount(file.path.slice(0, file.path.lastIndexOf('/')), volume, { readOnly: true });
  });
}
