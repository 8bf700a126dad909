/** The one error type. Services throw it; the route wrapper turns it into the API.md error body. */
export const errorStatus = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  // The route exists but not with this method (the answer carries Allow).
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  // A body that is not JSON on a JSON route: also what stops cross-site forms posting to it.
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  // A method no route of the hub implements (TRACE, PROPFIND, ...).
  not_implemented: 501,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export type ErrorBody = { error: { code: ErrorCode; message: string; details?: unknown } };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }

  get status(): number {
    return errorStatus[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export const notFound = (what = 'Resource') => new AppError('not_found', `${what} not found.`);
export const forbidden = (message: string) => new AppError('forbidden', message);
export const conflict = (message: string) => new AppError('conflict', message);
export const unauthenticated = (message = 'Sign in to continue.') => new AppError('unauthenticated', message);
export const invalidRequest = (message: string, details?: unknown) => new AppError('invalid_request', message, { details });
