import type { Logger } from '../platform/logger.ts';
import { postToGateway } from '../platform/gateway.ts';

/**
 * The real-name seam (S2): a verifier says whether a real name and an ID number belong together, as
 * the national real-name service (or a provider in front of it) answers. The identity service has
 * checked the number's form before asking.
 */
export interface IdentityVerifier {
  readonly name: string;
  /** true: verified; false: the service says name and number do not match. Throws when it cannot answer. */
  verify(input: { realName: string; idNumber: string }): Promise<boolean>;
}

/** Development verifier: every well-formed number is accepted (refused in production by the config). */
export class DevIdentityVerifier implements IdentityVerifier {
  readonly name = 'dev';
  async verify(): Promise<boolean> {
    return true;
  }
}

/**
 * POSTs `{realName, idNumber}` as JSON to IDENTITY_HTTP_URL (with `Authorization: Bearer
 * IDENTITY_HTTP_TOKEN` when set). A 2xx answer `{"verified": true}` verifies and `{"verified": false}`
 * refuses, as does a 4xx about the request (400, 404, 422...). Anything else is an outage the player
 * sees as 503 (src/platform/gateway.ts: 5xx, 408, 429, 401 and 403 when a token is set), another
 * body, or no answer within IDENTITY_HTTP_TIMEOUT_MS.
 */
export class HttpIdentityVerifier implements IdentityVerifier {
  readonly name = 'http';
  private readonly url: string;
  private readonly token?: string;
  private readonly timeoutMs: number;
  private readonly logger: Logger;

  constructor(deps: { url: string; token?: string; timeoutMs: number; logger: Logger }) {
    this.url = deps.url;
    this.token = deps.token;
    this.timeoutMs = deps.timeoutMs;
    this.logger = deps.logger;
  }

  async verify(input: { realName: string; idNumber: string }): Promise<boolean> {
    // Only the status is logged, never the answer: it may echo the name or the number.
    const answer = await postToGateway(this.url, { realName: input.realName, idNumber: input.idNumber }, { token: this.token, timeoutMs: this.timeoutMs, what: 'real-name gateway' });
    if (answer.refused) return false;
    const verified = (answer.body as { verified?: unknown } | undefined)?.verified;
    if (verified === true || verified === false) return verified;
    this.logger.error({ module: 'identity', status: answer.status }, 'real-name gateway answered without a verdict');
    throw new Error('real-name gateway answered without {verified: true|false}');
  }

}
