import { Chart, Testing } from 'cdk8s';
import { ApiAuth, ErrorCode, Gpu, InferenceGateway, InferenceGatewayProps, InferenceService, ModelServer } from '../lib';
import { Manifest, only } from './util';

// With JWT, Envoy Gateway's rate limit keys on a claim of the verified token (copied to a header by
// the SecurityPolicy), not on the whole Authorization header, which changes with every refresh.

const ISSUER = { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks', audiences: ['models'] };

function synth(props: InferenceGatewayProps): Manifest[] {
  const c = new Chart(Testing.app(), 'gw', { namespace: 'ml' });
  const chat = new InferenceService(c, 'chat', { server: ModelServer.vllm({ model: 'm' }), gpu: Gpu.nvidia(1) });
  new InferenceGateway(c, 'gateway', { host: 'models.example.com', ...props }).addRoute(chat, { pathPrefix: '/v1' });
  return Testing.synth(c) as Manifest[];
}

const limitKeys = (m: Manifest[]) => only(m, 'BackendTrafficPolicy').spec.rateLimit.global.rules[0].clientSelectors;
const provider = (m: Manifest[]) => only(m, 'SecurityPolicy').spec.jwt.providers[0];

describe('JWT rate limits', () => {
  test('key on the sub claim by default: the SecurityPolicy copies it to x-jwt-sub, the rate limit selects that header', () => {
    const m = synth({ auth: ApiAuth.jwt(ISSUER), rateLimit: { requestsPerMinute: 120 } });
    expect(provider(m).claimToHeaders).toEqual([{ claim: 'sub', header: 'x-jwt-sub' }]);
    expect(limitKeys(m)).toEqual([{ headers: [{ name: 'x-jwt-sub', type: 'Distinct' }] }]);
  });

  test('key on another claim with rateLimitClaim', () => {
    const m = synth({ auth: ApiAuth.jwt({ ...ISSUER, rateLimitClaim: 'org.client_id' }), rateLimit: { requestsPerMinute: 120 } });
    expect(provider(m).claimToHeaders).toEqual([{ claim: 'org.client_id', header: 'x-jwt-org-client-id' }]);
    expect(limitKeys(m)).toEqual([{ headers: [{ name: 'x-jwt-org-client-id', type: 'Distinct' }] }]);
  });

  test('copy no claim without a rate limit', () => {
    const m = synth({ auth: ApiAuth.jwt(ISSUER) });
    expect(provider(m).claimToHeaders).toBeUndefined();
    expect(only(m, 'BackendTrafficPolicy').spec.rateLimit).toBeUndefined();
  });

  test('copy no claim when the rate limit keys on a header of its own', () => {
    const m = synth({ auth: ApiAuth.jwt(ISSUER), rateLimit: { requestsPerMinute: 120, clientHeader: 'x-tenant' } });
    expect(provider(m).claimToHeaders).toBeUndefined();
    expect(limitKeys(m)).toEqual([{ headers: [{ name: 'x-tenant', type: 'Distinct' }] }]);
  });

  test('throws when the rate-limit claim is not a claim name', () => {
    const options = { ...ISSUER, rateLimitClaim: 'client id' };
    const f = () => synth({ auth: ApiAuth.jwt(options), rateLimit: { requestsPerMinute: 120 } });
    expect(f).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_JWT_CLAIM }));
    expect(f).toThrow(
      "InferenceGateway 'gw/gateway': invalid auth.rateLimitClaim: received 'client id'; allowed: a claim name of letters, digits and _ : / - " +
      "(dots for a nested claim, e.g. 'org.id'). Fix: name a string claim every token carries, e.g. 'sub' (the default) or 'client_id' [code: InvalidJwtClaim]",
    );
  });
});
