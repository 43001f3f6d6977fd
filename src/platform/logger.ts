import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Secrets never reach a log line: any field with one of these names is censored wherever it sits
 * (top level, one level down in a logged object, or in request headers).
 */
const SECRET_FIELDS = [
  'password', 'oldPassword', 'newPassword', 'passwordHash', 'code', 'codeHash', 'devCode',
  'token', 'accessToken', 'refreshToken', 'refreshHash', 'tokenHash', 'credential', 'secret', 'jwtSecret',
  'adminPassword', 'authorization', 'cookie',
  // Real-name identity (S2): personal data, never printed whole.
  'idNumber', 'realName',
];

export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-admin-token"]',
];

export interface LoggerOptions {
  level: string;
  pretty: boolean;
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const stream = opts.destination ?? (opts.pretty
    ? pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true })
    : pino.destination({ sync: false }));
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}
