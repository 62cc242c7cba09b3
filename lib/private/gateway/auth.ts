import type { SecurityPolicySpec } from '../../../imports/gateway.envoyproxy.io';
import { ErrorCode } from '../../error-codes';
import { InvalidPropOptions } from '../../errors';
import { SecretRef } from '../secret-ref';

/** One way clients authenticate at the gateway (a variant of the public `ApiAuth`). */
export interface AuthVariant {
  /** `api-keys` or `jwt`, for information and messages. */
  readonly mode: string;
  /** The header that identifies a client, which rate limits key on by default. */
  readonly clientHeader: string;
  /**
   * Its part of Envoy Gateway's SecurityPolicy spec.
   * @param limitHeader the header the gateway's rate limit keys on, if it has one
   */
  securityPolicy(limitHeader?: string): SecurityPolicySpec;
  /** Why it cannot be rendered, or nothing. */
  problem(): InvalidPropOptions | undefined;
}

/**
 * API keys in the `x-api-key` header, checked against a Secret of client ids and keys.
 * @see https://gateway.envoyproxy.io/docs/tasks/security/apikey-auth/
 */
export class ApiKeys implements AuthVariant {
  public readonly mode = 'api-keys';
  public readonly clientHeader = 'x-api-key';

  constructor(private readonly secret: SecretRef) {}

  public securityPolicy(): SecurityPolicySpec {
    // A Secret without a name is refused by problem() before anything renders.
    const name = this.secret.name ?? '';
    return { apiKeyAuth: { credentialRefs: [{ kind: 'Secret', name }], extractFrom: [{ headers: [this.clientHeader] }] } };
  }

  public problem(): InvalidPropOptions | undefined {
    return this.secret.problem();
  }
}

/** The issuer and keys a JWT variant checks tokens against (the public `JwtAuthOptions`). */
export interface JwtIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audiences?: string[];
  /** The claim that identifies a client for rate limits (default `sub`). */
  readonly rateLimitClaim?: string;
}

/** A claim name: letters, digits and `_ . : / -` (dots reach nested claims), as Envoy's claimToHeaders takes it. */
const CLAIM = /^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/;

/**
 * JSON Web Tokens in the `Authorization: Bearer` header. Rate limits key on a claim of the
 * verified token (`sub` by default), which the gateway copies to an `x-jwt-<claim>` header after
 * checking the token: a client that refreshes its token keeps its budget.
 * @see https://gateway.envoyproxy.io/docs/tasks/security/jwt-authentication/
 * @see https://gateway.envoyproxy.io/docs/tasks/security/jwt-claim-authorization/
 */
export class Jwt implements AuthVariant {
  public readonly mode = 'jwt';
  /** The header the gateway copies the rate-limit claim to. */
  public readonly clientHeader: string;
  private readonly claim: string;

  constructor(private readonly options: JwtIssuer) {
    this.claim = options.rateLimitClaim ?? 'sub';
    this.clientHeader = `x-jwt-${this.claim.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
  }

  public securityPolicy(limitHeader?: string): SecurityPolicySpec {
    const { issuer, audiences, jwksUri } = this.options;
    // The claim is copied only when a rate limit reads it; Envoy overwrites a header the client sent with that name.
    const claimToHeaders = limitHeader === this.clientHeader ? [{ claim: this.claim, header: this.clientHeader }] : undefined;
    return { jwt: { providers: [{ name: 'oidc', issuer, audiences, remoteJwks: { uri: jwksUri }, claimToHeaders }] } };
  }

  public problem(): InvalidPropOptions | undefined {
    if (CLAIM.test(this.claim)) return undefined;
    return {
      code: ErrorCode.INVALID_JWT_CLAIM, prop: 'auth.rateLimitClaim', received: this.claim,
      allowed: 'a claim name of letters, digits and _ : / - (dots for a nested claim, e.g. \'org.id\')',
      fix: "name a string claim every token carries, e.g. 'sub' (the default) or 'client_id'",
    };
  }
}
