import * as kplus from 'cdk8s-plus-27';
import { ErrorCode } from '../error-codes';
import { InvalidPropOptions } from '../errors';

/**
 * A Secret given by its name or as a cdk8s-plus Secret: never both, and one of the two when it is
 * required. Every prop pair that takes a Secret either way (TLS certificate, API keys, storage and
 * log store credentials) goes through it.
 */
export class SecretRef {
  /** The Secret's name, from whichever was given. */
  public readonly name?: string;

  /**
   * @param prop the prop the Secret was given under, for error messages
   * @param what what the Secret holds, for error messages (e.g. 'the API keys')
   * @param required whether giving neither is a mistake
   */
  constructor(
    private readonly prop: string, private readonly what: string,
    private readonly secretName?: string, private readonly secret?: kplus.ISecret,
    private readonly required = true,
  ) {
    this.name = secretName ?? secret?.name;
  }

  /** Why the Secret cannot be used (both or neither given), or nothing. */
  public problem(): InvalidPropOptions | undefined {
    if (this.secretName !== undefined && this.secret !== undefined) {
      return {
        code: ErrorCode.CONFLICTING_SECRET, prop: this.prop, received: `Secret name '${this.secretName}' and Secret '${this.secret.name}'`,
        allowed: `${this.what} Secret either by name or as a cdk8s-plus Secret, not both`, fix: 'pass only one of the two',
      };
    }
    if (this.required && this.name === undefined) {
      return {
        code: ErrorCode.MISSING_SECRET, prop: this.prop, received: undefined,
        allowed: `${this.what} Secret, by name or as a cdk8s-plus Secret`, fix: 'pass the Secret\'s name, or the Secret as options.secret',
      };
    }
    return undefined;
  }
}
