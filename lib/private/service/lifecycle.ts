import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import type { InferenceServiceProps } from '../../inference-service-props';
import type { ModelServer } from '../../model-server';
import { INT32_MAX, requireNumber, requireSeconds } from '../values';
import { fail, KIND } from './fail';

/** Default delay between the pod leaving the Service's endpoints and SIGTERM. */
const DEFAULT_PRESTOP_DELAY = Duration.seconds(15);
/** Headroom after the drain for the process to exit before SIGKILL. */
const EXIT_MARGIN_SECONDS = 15;
/** Startup probe period; the threshold is derived from the start-up budget. */
const STARTUP_PERIOD_SECONDS = 10;
/** Readiness: period × failureThreshold = 10 s to leave the Service after the server fails. */
const READINESS_PERIOD_SECONDS = 5;
const READINESS_FAILURE_THRESHOLD = 2;
/** Liveness: 6 failed checks 10 s apart (one minute unresponsive) restart the container. */
const LIVENESS_PERIOD_SECONDS = 10;
const LIVENESS_FAILURE_THRESHOLD = 6;

/** Added to the start-up budget for the Deployment's progress deadline. */
const PROGRESS_MARGIN_SECONDS = 300;

/** The timing and rollout props of an InferenceService (see InferenceServiceProps). */
export type LifecycleOptions = Pick<InferenceServiceProps, 'startupTimeout' | 'maxRequestDuration' | 'preStopDelay' | 'terminationGracePeriod' | 'maxSurge'>;

/** The server container's probes and preStop hook. */
type Probes = Pick<kplus.ContainerProps, 'startup' | 'readiness' | 'liveness' | 'lifecycle'>;

/**
 * Start-up, rollout and shutdown of the server: the startup probe sized to the model's load time,
 * readiness and liveness, the rolling update, and the drain (preStop pause, then in-flight
 * requests, within the grace period).
 * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
 */
export class ServiceLifecycle {
  public readonly startupTimeout: Duration;
  public readonly maxRequestDuration: Duration;
  public readonly preStopDelay: Duration;
  public readonly terminationGracePeriod: Duration;
  /** Extra pods a rolling update may add. */
  public readonly maxSurge: number;

  public constructor(private readonly scope: IConstruct, private readonly server: ModelServer, options: LifecycleOptions) {
    const startupProp = options.startupTimeout === undefined ? 'server.defaultStartupTimeout' : 'startupTimeout';
    this.startupTimeout = this.seconds(startupProp, options.startupTimeout ?? server.defaultStartupTimeout, INT32_MAX - PROGRESS_MARGIN_SECONDS);
    this.maxRequestDuration = this.seconds('maxRequestDuration', options.maxRequestDuration ?? server.defaultMaxRequestDuration);
    this.preStopDelay = this.seconds('preStopDelay', options.preStopDelay ?? DEFAULT_PRESTOP_DELAY);
    this.terminationGracePeriod = this.seconds('terminationGracePeriod',
      options.terminationGracePeriod ?? Duration.seconds(this.minimumGraceSeconds() + EXIT_MARGIN_SECONDS));
    this.maxSurge = this.checkMaxSurge(options.maxSurge ?? 1);
    this.checkStartup();
    this.checkGrace();
  }

  /** Seconds the server drains in-flight requests (its drain flag). */
  public get drainSeconds(): number {
    return this.maxRequestDuration.toSeconds();
  }

  /** The server container's probes and preStop pause. */
  public probes(): Probes {
    const server = this.server;
    return {
      startup: probe(server.readiness, {
        periodSeconds: Duration.seconds(STARTUP_PERIOD_SECONDS),
        failureThreshold: Math.ceil(this.startupTimeout.toSeconds() / STARTUP_PERIOD_SECONDS),
        timeoutSeconds: Duration.seconds(5),
      }),
      readiness: probe(server.readiness, {
        periodSeconds: Duration.seconds(READINESS_PERIOD_SECONDS),
        failureThreshold: READINESS_FAILURE_THRESHOLD,
        successThreshold: 1,
        timeoutSeconds: Duration.seconds(3),
      }),
      liveness: probe(server.liveness, {
        periodSeconds: Duration.seconds(LIVENESS_PERIOD_SECONDS),
        failureThreshold: LIVENESS_FAILURE_THRESHOLD,
        timeoutSeconds: Duration.seconds(5),
      }),
      lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', String(this.preStopDelay.toSeconds())]) },
    };
  }

  /**
   * The Deployment's progress deadline: a rollout may wait for the download (init containers,
   * `downloadSeconds`) and then the load (startup probe).
   */
  public progressDeadline(downloadSeconds: number): Duration {
    const seconds = this.startupTimeout.toSeconds() + PROGRESS_MARGIN_SECONDS + downloadSeconds;
    if (seconds > INT32_MAX) {
      fail(this.scope, {
        code: ErrorCode.OUT_OF_RANGE,
        prop: 'startupTimeout', received: this.startupTimeout.toHumanString(),
        allowed: `with the download (${downloadSeconds} s) and ${PROGRESS_MARGIN_SECONDS} s, a progress deadline of at most ${INT32_MAX} s`,
        fix: 'shorten startupTimeout or the ModelVolume\'s downloadTimeout',
      });
    }
    return Duration.seconds(Math.max(600, seconds));
  }

  /** The rolling update: up to `maxSurge` extra pods, never an unavailable one, so capacity never drops. */
  public strategy(): kplus.DeploymentStrategy {
    return kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(this.maxSurge),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    });
  }

  private minimumGraceSeconds(): number {
    return this.preStopDelay.toSeconds() + this.drainSeconds;
  }

  /** `value` (the prop or its default) if it is a Duration of whole seconds, at most `maxSeconds`. */
  private seconds(prop: string, value: Duration, maxSeconds = INT32_MAX): Duration {
    return requireSeconds({ scope: this.scope, kind: KIND, prop }, value, maxSeconds);
  }

  /** Refuses a surge that is not a whole number of pods, or 0: with maxUnavailable 0, a rollout could not move. */
  private checkMaxSurge(maxSurge: number): number {
    requireNumber({ scope: this.scope, kind: KIND, prop: 'maxSurge' }, maxSurge);
    if (!Number.isInteger(maxSurge) || maxSurge < 1 || maxSurge > INT32_MAX) {
      fail(this.scope, {
        code: ErrorCode.INVALID_MAX_SURGE,
        prop: 'maxSurge', received: maxSurge,
        allowed: 'a whole number of pods, 1 or more: unavailable pods are always 0, so a surge of 0 could never replace a pod',
        fix: 'set maxSurge to 1 (each surge pod needs its GPUs free), or more to roll faster',
      });
    }
    return maxSurge;
  }

  private checkStartup(): void {
    if (this.startupTimeout.toSeconds() < STARTUP_PERIOD_SECONDS) {
      fail(this.scope, {
        code: ErrorCode.STARTUP_TIMEOUT_TOO_SHORT,
        prop: 'startupTimeout',
        received: this.startupTimeout.toHumanString(),
        allowed: `at least ${STARTUP_PERIOD_SECONDS} s (one startup probe period); the model's download and load time`,
        fix: 'set startupTimeout to the p99 time from container start to a loaded model, e.g. Duration.minutes(10)',
      });
    }
  }

  private checkGrace(): void {
    const minimumGrace = this.minimumGraceSeconds();
    if (this.terminationGracePeriod.toSeconds() < minimumGrace) {
      fail(this.scope, {
        code: ErrorCode.GRACE_PERIOD_TOO_SHORT,
        prop: 'terminationGracePeriod',
        received: this.terminationGracePeriod.toHumanString(),
        allowed: `at least preStopDelay (${this.preStopDelay.toSeconds()} s) + maxRequestDuration (${this.drainSeconds} s) = ${minimumGrace} s`,
        fix: `raise terminationGracePeriod to ${minimumGrace + EXIT_MARGIN_SECONDS} s, or lower maxRequestDuration`,
      });
    }
  }
}

/** An HTTP probe when the check has a path, a TCP probe otherwise. */
function probe(check: { port: number; path?: string }, options: kplus.ProbeOptions): kplus.Probe {
  return check.path !== undefined
    ? kplus.Probe.fromHttpGet(check.path, { ...options, port: check.port })
    : kplus.Probe.fromTcpSocket({ ...options, port: check.port });
}
