import { SecurityPolicySpec } from '../../../imports/gateway.envoyproxy.io';
import { InvalidPropOptions } from '../../errors';
import { SecretRef } from '../secret-ref';

/** One way clients authenticate at the gateway (a variant of the public `ApiAuth`). */
export interface AuthVariant {
  /** `api-keys` or `jwt`, for information and messages. */
  readonly mode: string;
  /** The header that identifies a client, which rate limits key on by default. */
  readonly clientHeader: string;
  /** Its part of Envoy Gateway's SecurityPolicy spec. */
  securityPolicy(): SecurityPolicySpec;
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
}

/**
 * JSON Web Tokens in the `Authorization: Bearer` header.
 * @see https://gateway.envoyproxy.io/docs/tasks/security/jwt-authentication/
 */
export class Jwt implements AuthVariant {
  public readonly mode = 'jwt';
  public readonly clientHeader = 'authorization';

  constructor(private readonly options: JwtIssuer) {}

  public securityPolicy(): SecurityPolicySpec {
    const { issuer, audiences, jwksUri } = this.options;
    return { jwt: { providers: [{ name: 'oidc', issuer, audiences, remoteJwks: { uri: jwksUri } }] } };
  }

  public problem(): undefined {
    return undefined;
  }
}
