import { ErrorCode } from '../../error-codes';
import { InvalidPropOptions } from '../../errors';
import { IInferenceService } from '../../inference-service-ref';
import { MatchProps, RouteMatch, TrafficRoute } from './route';

/** What every route of a release shares: its name, owner, path and the gRPC service clients name. */
export interface ReleaseRoute {
  readonly name: string;
  readonly owner: string;
  readonly pathPrefix: string;
  readonly grpcService?: string;
}

/**
 * One way traffic moves from stable to canary (a variant of the public `ReleaseStrategy`): it
 * says what it refuses and which routes carry it. Problems are reported, not thrown: the release
 * throws them with its construct path.
 */
export abstract class ReleaseVariant {
  /** `weighted`, `header`, `cookie`, `mirror` or `blue-green`, for information. */
  public abstract readonly kind: string;
  /** The `inference.cdk8s.io/track` labels of stable and canary. */
  public readonly tracks: readonly [string, string] = ['stable', 'canary'];

  /** Why stable and canary must not be one service, when this strategy says it better than the generic check. */
  public oneServiceProblem(_canary: IInferenceService): InvalidPropOptions | undefined {
    return undefined;
  }

  /** Why the strategy's own settings are wrong, or nothing. */
  public problem(): InvalidPropOptions | undefined {
    return undefined;
  }

  /** The routes that carry the release, in the order the gateway receives them. */
  public abstract routes(base: ReleaseRoute, stable: IInferenceService, canary: IInferenceService): TrafficRoute[];
}

/** Requests split by weight. */
export class Weighted extends ReleaseVariant {
  public readonly kind = 'weighted';

  constructor(private readonly stableWeight: number, private readonly canaryWeight: number) {
    super();
  }

  public problem(): InvalidPropOptions | undefined {
    const { stableWeight: s, canaryWeight: c } = this;
    return percentProblem('strategy stableWeight', s) ?? percentProblem('strategy canaryWeight', c) ?? (s + c === 100 ? undefined : {
      code: ErrorCode.CANARY_WEIGHTS_NOT_100, prop: 'strategy weights', received: `${s} + ${c} = ${s + c}`,
      allowed: 'weights that add up to 100', fix: `e.g. ReleaseStrategy.weighted(${100 - c}, ${c})`,
    });
  }

  public routes(base: ReleaseRoute, stable: IInferenceService, canary: IInferenceService): TrafficRoute[] {
    return [{ ...base, backends: [{ service: stable, weight: this.stableWeight }, { service: canary, weight: this.canaryWeight }] }];
  }
}

/** Requests that match a header or cookie go to the canary (its own route, first); all others to stable. */
export class Matched extends ReleaseVariant {
  constructor(public readonly kind: string, private readonly match: RouteMatch, private readonly props: MatchProps) {
    super();
  }

  public problem(): InvalidPropOptions | undefined {
    return this.match.problem(this.props);
  }

  public routes(base: ReleaseRoute, stable: IInferenceService, canary: IInferenceService): TrafficRoute[] {
    return [
      { ...base, name: `${base.name}-canary`, match: this.match, backends: [{ service: canary, weight: 100 }] },
      { ...base, backends: [{ service: stable, weight: 100 }] },
    ];
  }
}

/** Stable serves every request; the canary receives a copy of a share of them. */
export class Mirror extends ReleaseVariant {
  public readonly kind = 'mirror';

  constructor(private readonly percent: number) {
    super();
  }

  public problem(): InvalidPropOptions | undefined {
    return percentProblem('strategy mirror percent', this.percent);
  }

  public routes(base: ReleaseRoute, stable: IInferenceService, canary: IInferenceService): TrafficRoute[] {
    return [{ ...base, backends: [{ service: stable, weight: 100 }], mirror: { service: canary, weight: this.percent } }];
  }
}

/** All traffic to one color (stable is the first, canary the second); the idle one keeps running. */
export class BlueGreen extends ReleaseVariant {
  public readonly kind = 'blue-green';

  /** Whether the canary's color takes the traffic. */
  private readonly canaryActive: boolean;

  /**
   * @param tracks the colors of stable and canary
   * @param active the color that takes the traffic
   */
  constructor(public readonly tracks: readonly [string, string], private readonly active: string) {
    super();
    this.canaryActive = active === tracks[1];
  }

  public problem(): InvalidPropOptions | undefined {
    if (this.tracks.includes(this.active)) return undefined;
    return {
      code: ErrorCode.INVALID_RELEASE_STRATEGY, prop: 'strategy active color', received: this.active,
      allowed: `a ReleaseColor: ${this.tracks.join(' or ')}`, fix: 'pass ReleaseColor.BLUE or ReleaseColor.GREEN',
    };
  }

  public oneServiceProblem(canary: IInferenceService): InvalidPropOptions {
    return {
      code: ErrorCode.CANARY_IDENTICAL_TO_STABLE, prop: 'canary', received: canary.node.path, allowed: 'two different services, one per color',
      fix: 'deploy the second color as its own InferenceService (e.g. name: \'<name>-green\') and pass it as canary',
    };
  }

  public routes(base: ReleaseRoute, stable: IInferenceService, canary: IInferenceService): TrafficRoute[] {
    return [{ ...base, backends: [{ service: this.canaryActive ? canary : stable, weight: 100 }] }];
  }
}

/**
 * Why a value given as an InferenceService under `prop` is not one (JavaScript and Python callers
 * can pass anything), or nothing.
 */
export function serviceProblem(prop: string, value: unknown): InvalidPropOptions | undefined {
  const service = value as Partial<IInferenceService> | null | undefined;
  if (typeof service?.name === 'string' && service.server !== undefined && service.deployment !== undefined && typeof service.allowFrom === 'function') {
    return undefined;
  }
  return {
    code: ErrorCode.WRONG_TYPE, prop, received: value,
    allowed: 'an InferenceService (the construct, not its name)', fix: `pass the InferenceService itself as ${prop}`,
  };
}

function percentProblem(prop: string, value: number): InvalidPropOptions | undefined {
  if (Number.isInteger(value) && value >= 0 && value <= 100) return undefined;
  return { code: ErrorCode.INVALID_CANARY_WEIGHT, prop, received: value, allowed: 'a whole percentage from 0 to 100', fix: `set ${prop} between 0 and 100` };
}
