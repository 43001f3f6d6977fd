/**
 * The one error type of the product. Services throw it with a contract code (API.md); the HTTP
 * adapter and the room adapter map the code to a status or a close code here, and nowhere else.
 */
export const ERROR_STATUS = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  BAD_CREDENTIALS: 401,
  BAD_CODE: 401,
  FORBIDDEN: 403,
  BANNED: 403,
  MAINTENANCE: 403,
  IDENTITY_REQUIRED: 403,
  PLAY_TIME: 403,
  NOT_FOUND: 404,
  PHONE_TAKEN: 409,
  ALREADY_CLAIMED: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  DAILY_LIMIT: 429,
  SERVER_FULL: 503,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** WebSocket close codes of the contract (API.md "Rooms"). */
export const CLOSE_CODES = {
  SESSION_REVOKED: 4100,
  BANNED: 4101,
  MAINTENANCE: 4102,
  SERVER_FULL: 4103,
  SEAT_QUOTA: 4104,
  /** Play-time protection (ANTI_ADDICTION): no verified identity, or a minor outside the play windows. */
  PLAY_TIME: 4105,
} as const;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterS?: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: { retryAfterS?: number; details?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.retryAfterS = opts.retryAfterS;
    this.details = opts.details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toJSON() {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Close code for a refused or revoked room connection. */
export function closeCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'BANNED': return CLOSE_CODES.BANNED;
    case 'MAINTENANCE': return CLOSE_CODES.MAINTENANCE;
    case 'SERVER_FULL':
    case 'UNAVAILABLE': return CLOSE_CODES.SERVER_FULL;
    case 'RATE_LIMITED': return CLOSE_CODES.SEAT_QUOTA;
    case 'IDENTITY_REQUIRED':
    case 'PLAY_TIME': return CLOSE_CODES.PLAY_TIME;
    default: return CLOSE_CODES.SESSION_REVOKED;
  }
}

export const invalid = (field: string, message: string) => new AppError('INVALID_INPUT', `${field}: ${message}`);
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
