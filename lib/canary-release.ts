import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { ErrorCode } from './error-codes';
import { InferenceConfigError, InvalidPropOptions } from './errors';
import { InferenceGateway } from './inference-gateway';
import { IInferenceService } from './inference-service-ref';
import { checkName } from './names';
import { BlueGreen, Matched, Mirror, ReleaseVariant, serviceProblem, Weighted } from './private/gateway/release-strategies';
import { pathPrefixProblem, RouteMatch } from './private/gateway/route';
import { requireInstance } from './private/values';

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
    return new ReleaseStrategy(new Weighted(stableWeight, canaryWeight));
  }

  /**
   * Requests carrying `header: value` (internal testers) go to the canary; all others to stable.
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httpheadermatch
   */
  public static header(header: string, value: string): ReleaseStrategy {
    return new ReleaseStrategy(new Matched('header', RouteMatch.header(header, value), { name: 'strategy header', value: 'strategy header value' }));
  }

  /**
   * Requests carrying the cookie `<name>=always` (internal testers' browsers) go to the canary; all others to stable.
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
   */
  public static cookie(name: string): ReleaseStrategy {
    return new ReleaseStrategy(new Matched('cookie', RouteMatch.cookie(name), { name: 'strategy cookie', value: 'strategy cookie' }));
  }

  /**
   * Stable serves every request; a copy of `percent` of them goes to the canary, whose responses
   * are discarded (Gateway API implementations).
   * @see https://gateway-api.sigs.k8s.io/guides/http-request-mirroring/
   */
  public static mirror(percent: number): ReleaseStrategy {
    return new ReleaseStrategy(new Mirror(percent));
  }

  /** All traffic to one color; the idle color keeps running for an instant rollback. */
  public static blueGreen(active: ReleaseColor): ReleaseStrategy {
    return new ReleaseStrategy(new BlueGreen([ReleaseColor.BLUE, ReleaseColor.GREEN], active));
  }

  /** `weighted`, `header`, `cookie`, `mirror` or `blue-green`. */
  public readonly kind: string;
  /** @internal */
  public readonly _variant: ReleaseVariant;

  private constructor(variant: ReleaseVariant) {
    this.kind = variant.kind;
    this._variant = variant;
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
    this.checkTypes(props);
    const { stable, canary, gateway, strategy } = props;
    const variant = strategy._variant;
    this.check(stable, canary, variant);
    const pathProblem = props.pathPrefix === undefined ? undefined : pathPrefixProblem('pathPrefix', props.pathPrefix);
    if (pathProblem) this.fail(pathProblem);
    this.track(stable, variant.tracks[0]);
    this.track(canary, variant.tracks[1]);
    // gRPC clients keep naming the stable service; the release decides which version answers.
    const base = { name: this.name, owner: this.node.path, pathPrefix: props.pathPrefix ?? `/${stable.name}`, grpcService: stable.name };
    for (const route of variant.routes(base, stable, canary)) gateway._addTrafficRoute(route);
  }

  private track(service: IInferenceService, track: string): void {
    const deployment = ApiObject.of(service.deployment);
    deployment.addJsonPatch(JsonPatch.add(`/metadata/labels/${LABEL_TRACK.replace('/', '~1')}`, track));
    deployment.addJsonPatch(JsonPatch.add(`/spec/template/metadata/labels/${LABEL_TRACK.replace('/', '~1')}`, track));
  }

  private fail(options: InvalidPropOptions): never {
    throw new InferenceConfigError(this, KIND, options);
  }

  /** The gateway, the services and the strategy are what the types say (JavaScript and Python callers can pass anything). */
  private checkTypes(props: CanaryReleaseProps): void {
    requireInstance({ scope: this, kind: KIND, prop: 'gateway' }, props.gateway, InferenceGateway, 'the InferenceGateway itself', true);
    const problem = serviceProblem('stable', props.stable) ?? serviceProblem('canary', props.canary);
    if (problem) this.fail(problem);
    requireInstance({ scope: this, kind: KIND, prop: 'strategy' }, props.strategy, ReleaseStrategy, 'ReleaseStrategy.weighted(90, 10)', true);
  }

  private check(stable: IInferenceService, canary: IInferenceService, variant: ReleaseVariant): void {
    const oneService = stable === canary ? variant.oneServiceProblem(canary) : undefined;
    if (oneService) this.fail(oneService);
    if (stable === canary || served(stable) === served(canary)) {
      this.fail({
        code: ErrorCode.CANARY_IDENTICAL_TO_STABLE, prop: 'canary', received: canary.node.path,
        allowed: `a version that differs from stable ('${stable.node.path}') in what it serves: model, model version, server image or server arguments`,
        fix: 'change the canary\'s image, its model, or its ModelVolume version',
      });
    }
    const problem = variant.problem();
    if (problem) this.fail(problem);
  }
}

/**
 * What a service serves, as a string to compare: its server's kind, image, arguments and
 * environment, and its ModelVolume's source (the hash of kind, location and version). The
 * arguments are rendered with placeholders for what only names the service (the volume's mount
 * path and name, the drain time), so a canary that loads another model under the same served name
 * differs, and one that loads the same weights from a volume of another name does not.
 */
function served(service: IInferenceService): string {
  const { server, modelVolume: volume } = service;
  const args = server._args({ drainSeconds: 0, modelPath: volume ? '<weights>' : undefined, modelName: volume ? '<model>' : undefined });
  return JSON.stringify([server.kind, server.image, args, server.env, volume?.contentHash]);
}
