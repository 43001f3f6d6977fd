import type { Logger } from '../platform/logger.ts';
import { postToGateway, type GatewayError } from '../platform/gateway.ts';

/** The SMS seam (S2): the service decides what to send; a provider only delivers it. */
export interface SmsProvider {
  readonly name: string;
  send(phone: string, code: string, purpose: string): Promise<void>;
}

/**
 * Development provider. Its "delivery" is a line on stderr for the developer to read; it never
 * goes through the application log, where codes must not appear. Refused in production.
 */
export class DevSmsProvider implements SmsProvider {
  readonly name = 'dev';
  private readonly write: (line: string) => void;

  constructor(deps: { write?: (line: string) => void } = {}) {
    this.write = deps.write ?? ((line) => process.stderr.write(line));
  }

  async send(phone: string, code: string, purpose: string): Promise<void> {
    this.write(`[dev-sms] ${phone} ${purpose} code ${code}\n`);
  }
}

/** POSTs {phone, code, purpose} as JSON to the configured gateway, with an optional bearer token. */
export class HttpSmsProvider implements SmsProvider {
  readonly name = 'http';
  private readonly url: string;
  private readonly token?: string;
  private readonly logger: Logger;

  constructor(deps: { url: string; token?: string; logger: Logger }) {
    this.url = deps.url;
    this.token = deps.token;
    this.logger = deps.logger;
  }

  async send(phone: string, code: string, purpose: string): Promise<void> {
    const answer = await postToGateway(this.url, { phone, code, purpose }, { token: this.token, timeoutMs: 5000, what: 'sms gateway' }).catch((err: unknown) => {
      this.logger.error({ module: 'sms', status: (err as GatewayError).status }, 'sms gateway failed');
      throw err;
    });
    if (answer.refused) {
      this.logger.error({ module: 'sms', status: answer.status }, 'sms gateway refused the message');
      throw new Error(`sms gateway answered ${answer.status}`);
    }
  }
}
