import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ErrorCode } from '../../error-codes';
import type { InferenceServiceProps } from '../../inference-service-props';
import type { ModelServer } from '../../model-server';
import { fail } from './fail';

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

/** The timing props of an InferenceService (see InferenceServiceProps). */
export type LifecycleOptions = Pick<InferenceServiceProps, 'startupTimeout' | 'maxRequestDuration' | 'preStopDelay' | 'terminationGracePeriod'>;

/** The server container's probes and preStop hook. */
type Probes = Pick<kplus.ContainerProps, 'startup' | 'readiness' | 'liveness' | 'lifecycle'>;

/**
 * Start-up and shutdown of the server: the startup probe sized to the model's load time,
 * readiness and liveness, and the drain (preStop pause, then in-flight requests, within the grace period).
 * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
 */
export class ServiceLifecycle {
  public readonly startupTimeout: Duration;
  public readonly maxRequestDuration: Duration;
  public readonly preStopDelay: Duration;
  public readonly terminationGracePeriod: Duration;

  public constructor(private readonly scope: IConstruct, private readonly server: ModelServer, options: LifecycleOptions) {
    this.startupTimeout = options.startupTimeout ?? server.defaultStartupTimeout;
    this.maxRequestDuration = options.maxRequestDuration ?? server.defaultMaxRequestDuration;
    this.preStopDelay = options.preStopDelay ?? DEFAULT_PRESTOP_DELAY;
    this.terminationGracePeriod = options.terminationGracePeriod ?? Duration.seconds(this.minimumGraceSeconds() + EXIT_MARGIN_SECONDS);
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
    return Duration.seconds(Math.max(600, this.startupTimeout.toSeconds() + 300 + downloadSeconds));
  }

  private minimumGraceSeconds(): number {
    return this.preStopDelay.toSeconds() + this.drainSeconds;
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
