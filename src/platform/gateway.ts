/**
 * One call to an outside HTTP gateway (SMS, real-name check, third-party login): a JSON POST with
 * an optional bearer token and a deadline, read by one rule. A 4xx about the request (400, 404,
 * 422...) is the gateway's "no"; anything else that is not a 2xx is an outage the player sees as
 * 503: 5xx, 408 and 429 (the gateway is busy), 401 and 403 when we sent a token (our own token
 * refused: a player must not be told that a misconfiguration is their mistake; without a token they
 * refuse what the request carries, such as a player's forged credential), or no answer in time.
 */
export type GatewayAnswer = { refused: true; status: number } | { refused: false; status: number; body: unknown };

const BUSY = new Set([408, 429]);
const TOKEN_REFUSED = new Set([401, 403]);

export async function postToGateway(url: string, body: unknown, opts: { token?: string; timeoutMs: number; what: string }): Promise<GatewayAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  const outage = BUSY.has(res.status) || (opts.token !== undefined && TOKEN_REFUSED.has(res.status));
  if (res.status >= 400 && res.status < 500 && !outage) {
    await res.body?.cancel().catch(() => undefined);
    return { refused: true, status: res.status };
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new GatewayError(`${opts.what} answered ${res.status}`, res.status);
  }
  return { refused: false, status: res.status, body: await res.json().catch(() => undefined) };
}

export class GatewayError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}
