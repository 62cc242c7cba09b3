import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import type { ModelServer } from '../../model-server';
import type { ModelMount, ModelVolume } from '../../model-volume';
import { checkAdapterBase } from '../servers/lora';
import { fail, KIND } from './fail';
import { PodPatches } from './kube-patches';

/** Refuses a missing ModelVolume the server needs, or a version of it the server cannot load. */
export function checkModelVolume(scope: IConstruct, server: ModelServer, volume: ModelVolume | undefined): void {
  if (server.needsModelVolume && !volume) {
    fail(scope, {
      code: ErrorCode.MODEL_VOLUME_REQUIRED,
      prop: 'modelVolume',
      received: undefined,
      allowed: `a ModelVolume, because ModelServer.${server.kind} was given no model`,
      fix: 'pass modelVolume, or give the preset a model (e.g. a Hugging Face id)',
    });
  }
  // Without a model in the preset, the ModelVolume's Hugging Face repository is the base of the adapters.
  const repository = volume?.source._hubRepository;
  if (server._baseModel === undefined && repository !== undefined) {
    server.adapters.forEach((adapter, i) => checkAdapterBase({ scope, kind: KIND, prop: `server.adapters[${i}]` }, adapter, repository));
  }
  const refused = volume && server._refuseModelVersion(volume.version);
  if (volume && refused) {
    fail(scope, {
      code: ErrorCode.MODEL_VERSION_REFUSED,
      prop: 'modelVolume', received: `version '${volume.version}' of '${volume.node.path}'`, allowed: refused.allowed, fix: refused.fix,
    });
  }
}

/**
 * The ModelVolumes mounted into the server's pod: their volumes (each name once, as cdk8s-plus
 * dedupes pod volumes), their read-only mounts (one volume per path) and their init containers.
 */
export class ModelMounts {
  /** Who holds each mount path, for the error on a second volume at the same path. */
  private readonly holders = new Map<string, string>();
  private readonly volumeNames = new Set<string>();

  public constructor(private readonly scope: IConstruct, private readonly server: ModelServer, private readonly patches: PodPatches) {}

  /** Adds `volume`'s part of the pod, as `mount` describes it. */
  public attach(volume: ModelVolume, mount: ModelMount): void {
    const path = mount.mount.mountPath;
    this.claimPath(volume, path);
    const added = mount.volumes.filter((v) => !this.volumeNames.has(v.name));
    for (const v of added) {
      this.volumeNames.add(v.name);
      this.patches.addVolume(v);
    }
    this.patches.addServerMount(mount.mount);
    this.patches.addInitContainers(mount.initContainers);
  }

  private claimPath(volume: ModelVolume, path: string): void {
    const holder = this.holders.get(path) ?? this.server.writablePaths.find((p) => p === path || path.startsWith(`${p}/`));
    if (holder !== undefined) {
      fail(this.scope, {
        code: ErrorCode.MOUNT_PATH_TAKEN,
        prop: 'modelVolume',
        received: `'${volume.node.path}' at ${path}`,
        allowed: `one volume per mount path; ${path} is already taken by ${holder}`,
        fix: 'give the volumes distinct names or versions, or mount only one of them',
      });
    }
    this.holders.set(path, `'${volume.node.path}'`);
  }
}
