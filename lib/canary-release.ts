import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import { InferenceGateway } from './inference-gateway';
import { IInferenceService } from './inference-service-ref';
import { checkName } from './names';

const KIND = 'CanaryRelease';

/** Label naming a version's role in a release: stable, canary, blue or green. */
export const LABEL_TRACK = 'inference.cdk8s.io/track';

/** The two colors of a blue-green release. */
export enum ReleaseColor {
  /** The `stable` service of the release. */
  BLUE = 'blue',
  /** The `canary` service of the release. */
  GREEN = 'green',
}

/**
 * How traffic moves from the stable version to the new one.
 * @see https://gateway-api.sigs.k8s.io/guides/traffic-splitting
 */
export class ReleaseStrategy {
  /**
   * Split requests by weight (percent; the two must add up to 100).
   * @see https://gateway-api.sigs.k8s.io/guides/traffic-splitting/
   */
  public static weighted(stableWeight: number, canaryWeight: number): ReleaseStrategy {
    return new ReleaseStrategy('weighted', { stableWeight, canaryWeight });
  }

  /** Requests carrying `header: value` (internal testers) go to the canary; all others to stable. */
  public static header(header: string, value: string): ReleaseStrategy {
    return new ReleaseStrategy('header', { header, value });
  }

  /** Requests carrying the cookie `<name>=always` (internal testers' browsers) go to the canary; all others to stable. */
  public static cookie(name: string): ReleaseStrategy {
    return new ReleaseStrategy('cookie', { header: name });
  }

  /**
   * Stable serves every request; a copy of `percent` of them goes to the canary, whose responses
   * are discarded (Gateway API implementations).
   * @see https://gateway-api.sigs.k8s.io/guides/http-request-mirroring/
   */
  public static mirror(percent: number): ReleaseStrategy {
    return new ReleaseStrategy('mirror', { percent });
  }

  /** All traffic to one color; the idle color keeps running for an instant rollback. */
  public static blueGreen(active: ReleaseColor): ReleaseStrategy {
    return new ReleaseStrategy('blue-green', { active });
  }

  /** `weighted`, `header`, `cookie`, `mirror` or `blue-green`. */
  public readonly kind: string;
  /** @internal */
  public readonly _options: { stableWeight?: number; canaryWeight?: number; header?: string; value?: string; percent?: number; active?: ReleaseColor };

  private constructor(kind: string, options: ReleaseStrategy['_options']) {
    this.kind = kind;
    this._options = options;
  }
}

/** Props of a {@link CanaryRelease}. */
export interface CanaryReleaseProps {
  /** The gateway whose routes carry the split. */
  readonly gateway: InferenceGateway;
  /** The version serving today (blue, in a blue-green release). */
  readonly stable: IInferenceService;
  /** The new version: another model version, server image, or both (green, in a blue-green release). */
  readonly canary: IInferenceService;
  /** How traffic moves. */
  readonly strategy: ReleaseStrategy;
  /**
   * Path prefix the release serves.
   * @default '/<stable service name>'
   */
  readonly pathPrefix?: string;
  /**
   * Name of the release's route objects.
   * @default - the construct id
   */
  readonly name?: string;
}

/**
 * Two versions of a model service and the traffic between them, on the gateway's routes:
 * weighted canary, header or cookie routing for testers, mirroring, or a blue-green switch. Each version
 * keeps its own Deployment, Service, PDB, alerts and dashboard, and its pods carry a
 * `inference.cdk8s.io/track` label, so stable and canary can be compared side by side.
 * @see https://gateway-api.sigs.k8s.io/guides/traffic-splitting
 */
export class CanaryRelease extends Construct {
  /** Name of the release. */
  public readonly name: string;

  /**
   * Defines a CanaryRelease.
   * @param scope the construct (usually a Chart) the objects are created in
   * @param id the construct id, unique within `scope`
   * @param props the settings, see `CanaryReleaseProps`
   */
  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    this.name = checkName(this, KIND, 'name', props.name ?? id);
    const { stable, canary, gateway, strategy } = props;
    this.check(props);
    const blueGreen = strategy.kind === 'blue-green';
    this.track(stable, blueGreen ? ReleaseColor.BLUE : 'stable');
    this.track(canary, blueGreen ? ReleaseColor.GREEN : 'canary');
    // gRPC clients keep naming the stable service; the release decides which version answers.
    const base = { name: this.name, owner: this.node.path, pathPrefix: props.pathPrefix ?? `/${stable.name}`, grpcService: stable.name };
    const o = strategy._options;
    switch (strategy.kind) {
      case 'weighted':
        gateway._addTrafficRoute({ ...base, backends: [{ service: stable, weight: o.stableWeight! }, { service: canary, weight: o.canaryWeight! }] });
        break;
      case 'header':
        gateway._addTrafficRoute({ ...base, name: `${this.name}-canary`, headerName: o.header, headerValue: o.value, backends: [{ service: canary, weight: 100 }] });
        gateway._addTrafficRoute({ ...base, backends: [{ service: stable, weight: 100 }] });
        break;
      case 'cookie':
        gateway._addTrafficRoute({ ...base, name: `${this.name}-canary`, cookie: o.header, backends: [{ service: canary, weight: 100 }] });
        gateway._addTrafficRoute({ ...base, backends: [{ service: stable, weight: 100 }] });
        break;
      case 'mirror':
        gateway._addTrafficRoute({ ...base, backends: [{ service: stable, weight: 100 }], mirror: { service: canary, weight: o.percent! } });
        break;
      default:
        gateway._addTrafficRoute({ ...base, backends: [{ service: o.active === ReleaseColor.GREEN ? canary : stable, weight: 100 }] });
    }
  }

  private track(service: IInferenceService, track: string): void {
    const deployment = ApiObject.of(service.deployment);
    deployment.addJsonPatch(JsonPatch.add(`/metadata/labels/${LABEL_TRACK.replace('/', '~1')}`, track));
    deployment.addJsonPatch(JsonPatch.add(`/spec/template/metadata/labels/${LABEL_TRACK.replace('/', '~1')}`, track));
  }

  private fail(options: InvalidPropOptions): never {
    throw new InferenceConfigError(this, KIND, options);
  }

  private check(props: CanaryReleaseProps): void {
    const { stable, canary, strategy } = props;
    const o = strategy._options;
    const percent = (prop: string, v: number | undefined) => {
      if (v === undefined || !Number.isInteger(v) || v < 0 || v > 100) {
        this.fail({ prop, received: v, allowed: 'a whole percentage from 0 to 100', fix: `set ${prop} between 0 and 100` });
      }
    };
    if (strategy.kind === 'blue-green' && stable === canary) {
      this.fail({
        prop: 'canary', received: canary.node.path, allowed: 'two different services, one per color',
        fix: 'deploy the second color as its own InferenceService (e.g. name: \'<name>-green\') and pass it as canary',
      });
    }
    if (stable === canary || (stable.server.image === canary.server.image && stable.server.model === canary.server.model
      && stable.modelVolume?.source.version === canary.modelVolume?.source.version && stable.modelVolume?.source.location === canary.modelVolume?.source.location)) {
      this.fail({
        prop: 'canary', received: canary.node.path,
        allowed: `a version that differs from stable ('${stable.node.path}') in model version, server image, or both`,
        fix: 'change the canary\'s image or its ModelVolume version',
      });
    }
    if (strategy.kind === 'weighted') {
      percent('strategy stableWeight', o.stableWeight);
      percent('strategy canaryWeight', o.canaryWeight);
      if (o.stableWeight! + o.canaryWeight! !== 100) {
        this.fail({
          prop: 'strategy weights', received: `${o.stableWeight} + ${o.canaryWeight} = ${o.stableWeight! + o.canaryWeight!}`,
          allowed: 'weights that add up to 100', fix: `e.g. ReleaseStrategy.weighted(${100 - o.canaryWeight!}, ${o.canaryWeight})`,
        });
      }
    }
    if (strategy.kind === 'mirror') percent('strategy mirror percent', o.percent);
  }
}
