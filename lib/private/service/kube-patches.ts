import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import type { ModelPodVolume } from '../../model-volume';
import { afterRender } from '../render';

/** Path of the pod spec in a Deployment. */
const POD = '/spec/template/spec';

/**
 * Every field of the server's pod that cdk8s-plus-27 cannot write, in one place: JSON patches on
 * the Deployment, applied to its rendered JSON before cdk8s orders the keys of Kubernetes' types
 * (maps such as `nodeSelector` keep the order given here). Each method says why it is a patch.
 * @see https://cdk8s.io/docs/latest/basics/escape-hatches/
 */
export class PodPatches {
  private readonly object: ApiObject;
  /** Init containers added so far: the first creates the list, the others append to it. */
  private initContainers = 0;

  public constructor(deployment: kplus.Deployment) {
    this.object = ApiObject.of(deployment);
  }

  /**
   * cdk8s-plus labels pods with a hash of the construct path, and has no way to leave it out;
   * selection here is by stable labels only, so renaming a chart or construct never restarts the pods.
   */
  public removeAddressLabel(): void {
    this.object.addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${kplus.Pod.ADDRESS_LABEL.replace('/', '~1')}`));
  }

  /** cdk8s-plus-27's pod security context has no `seccompProfile`, which Pod Security "restricted" requires. */
  public seccompProfile(profile: k8s.SeccompProfile): void {
    this.object.addJsonPatch(JsonPatch.add(`${POD}/securityContext/seccompProfile`, profile));
  }

  /** cdk8s-plus-27's Capability enum has no "ALL", which Pod Security "restricted" requires dropping. */
  public serverCapabilities(capabilities: k8s.Capabilities): void {
    this.object.addJsonPatch(JsonPatch.add(`${POD}/containers/0/securityContext/capabilities`, capabilities));
  }

  /**
   * cdk8s-plus-27 has no `enableServiceLinks`. Service links inject <SERVICE>_PORT variables; vLLM
   * reads VLLM_PORT and breaks when a Service is named vllm.
   */
  public disableServiceLinks(): void {
    this.object.addJsonPatch(JsonPatch.add(`${POD}/enableServiceLinks`, false));
  }

  /** cdk8s-plus-27's container resources know cpu, memory and ephemeral storage only, no extended resource. */
  public serverLimit(resourceName: string, quantity: number): void {
    this.object.addJsonPatch(JsonPatch.add(`${POD}/containers/0/resources/limits/${resourceName.replace('/', '~1')}`,
      k8s.Quantity.fromNumber(quantity)));
  }

  /** cdk8s-plus-27 selects nodes through affinity only (`scheduling.attract`), not `nodeSelector`. */
  public nodeSelector(labels: { [key: string]: string }): void {
    this.object.addJsonPatch(JsonPatch.add(`${POD}/nodeSelector`, labels));
  }

  /** cdk8s-plus-27 takes one pull Secret, as a construct (`dockerRegistryAuth`); these are several, by name. */
  public imagePullSecrets(names: string[]): void {
    this.object.addJsonPatch(JsonPatch.add(`${POD}/imagePullSecrets`, names.map((name) => ({ name }))));
  }

  /** cdk8s-plus-27 has no `priorityClassName`. */
  public priorityClass(name: string): void {
    this.object.addJsonPatch(JsonPatch.add(`${POD}/priorityClassName`, name));
  }

  /** cdk8s-plus-27 spreads pods through pod anti-affinity only (`scheduling.spread`), not `topologySpreadConstraints`. */
  public topologySpread(constraints: k8s.TopologySpreadConstraint[]): void {
    this.object.addJsonPatch(JsonPatch.add(`${POD}/topologySpreadConstraints`, constraints));
  }

  /**
   * A volume of a ModelVolume: plain Kubernetes, which cdk8s-plus's `Volume` (built by its own
   * factories only) cannot carry. An image volume is missing from the Kubernetes 1.27 types
   * cdk8s renders through, so it is added to the rendered JSON instead (after every patch).
   */
  public addVolume(volume: ModelPodVolume): void {
    if (volume.image) {
      afterRender(this.object, (json) => json.spec.template.spec.volumes.push(volume));
    } else {
      this.object.addJsonPatch(JsonPatch.add(`${POD}/volumes/-`, volume));
    }
  }

  /**
   * A DRA claim of the pod from a ResourceClaimTemplate, used by the server container. The
   * Kubernetes 1.27 types cdk8s renders through know the pod's claims only in their alpha shape
   * (`source`), so the pod's list is added to the rendered JSON (after every patch); the container's
   * `resources.claims` is in those types and patched as usual.
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/dynamic-resource-allocation/
   */
  public resourceClaim(name: string, resourceClaimTemplateName: string): void {
    afterRender(this.object, (json) => {
      json.spec.template.spec.resourceClaims = [{ name, resourceClaimTemplateName }];
    });
    this.object.addJsonPatch(JsonPatch.add(`${POD}/containers/0/resources/claims`, [{ name }]));
  }

  /** A mount of a ModelVolume's volume: cdk8s-plus mounts only its own `Volume` objects. */
  public addServerMount(mount: k8s.VolumeMount): void {
    this.object.addJsonPatch(JsonPatch.add(`${POD}/containers/0/volumeMounts/-`, mount));
  }

  /**
   * Init containers of a ModelVolume: plain Kubernetes containers, not cdk8s-plus ones (whose
   * rendering would sort the keys of their resource maps).
   */
  public addInitContainers(containers: k8s.Container[]): void {
    if (containers.length === 0) return;
    if (this.initContainers === 0) {
      this.object.addJsonPatch(JsonPatch.add(`${POD}/initContainers`, containers));
    } else {
      for (const c of containers) this.object.addJsonPatch(JsonPatch.add(`${POD}/initContainers/-`, c));
    }
    this.initContainers += containers.length;
  }
}
