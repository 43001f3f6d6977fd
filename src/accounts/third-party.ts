import type { Logger } from '../platform/logger.ts';
import { postToGateway, type GatewayError } from '../platform/gateway.ts';

/**
 * The third-party seam (S2): a verifier says whether a channel credential proves the external
 * account id; the account service decides what that means (bind, log in, create).
 */
export interface ThirdPartyVerifier {
  readonly name: string;
  /** true: the credential proves `externalId` on `channel`. Throws when the verifier cannot answer. */
  verify(channel: string, externalId: string, credential: string | undefined): Promise<boolean>;
}

/** Development verifier: accepts any credential (refused in production by the config). */
export class DevThirdPartyVerifier implements ThirdPartyVerifier {
  readonly name = 'dev';
  async verify(): Promise<boolean> {
    return true;
  }
}

/**
 * POSTs `{channel, externalId, credential}` as JSON to THIRD_PARTY_HTTP_URL. A 2xx answer whose
 * JSON body does not say `{"valid": false}` accepts; a 4xx about the request refuses; anything else
 * is an outage (src/platform/gateway.ts).
 */
export class HttpThirdPartyVerifier implements ThirdPartyVerifier {
  readonly name = 'http';
  private readonly url: string;
  private readonly logger: Logger;

  constructor(deps: { url: string; logger: Logger }) {
    this.url = deps.url;
    this.logger = deps.logger;
  }

  async verify(channel: string, externalId: string, credential: string | undefined): Promise<boolean> {
    try {
      const answer = await postToGateway(this.url, { channel, externalId, credential: credential ?? null }, { timeoutMs: 5000, what: 'third-party verifier' });
      return !answer.refused && (answer.body as { valid?: unknown } | undefined)?.valid !== false;
    } catch (err) {
      this.logger.error({ module: 'third-party', status: (err as GatewayError).status }, 'third-party verifier failed');
      throw err;
    }
  }

}
