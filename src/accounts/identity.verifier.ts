import type { Logger } from '../platform/logger.ts';

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
 * sees as 503: 5xx, 408, 429, 401 and 403 (our token refused: a player must not be told that a
 * misconfiguration is a wrong name), another body, or no answer within IDENTITY_HTTP_TIMEOUT_MS.
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
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ realName: input.realName, idNumber: input.idNumber }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.status >= 400 && res.status < 500 && ![401, 403, 408, 429].includes(res.status)) return false;
    // Only the status is logged: the answer may echo the name or the number.
    if (!res.ok) throw new Error(`real-name gateway answered ${res.status}`);
    const body = await res.json().catch(() => undefined) as { verified?: unknown } | undefined;
    if (body?.verified === true) return true;
    if (body?.verified === false) return false;
    this.logger.error({ module: 'identity', status: res.status }, 'real-name gateway answered without a verdict');
    throw new Error('real-name gateway answered without {verified: true|false}');
  }
}
