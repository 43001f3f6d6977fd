import type { Logger } from '../platform/logger.ts';

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
 * JSON body does not say `{"valid": false}` accepts; 4xx refuses; anything else is an outage.
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
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel, externalId, credential: credential ?? null }),
      signal: AbortSignal.timeout(5000),
    });
    if (res.status >= 400 && res.status < 500) return false;
    if (!res.ok) {
      this.logger.error({ module: 'third-party', status: res.status }, 'third-party verifier failed');
      throw new Error(`third-party verifier answered ${res.status}`);
    }
    const body = await res.json().catch(() => ({})) as { valid?: unknown };
    return body.valid !== false;
  }
}
