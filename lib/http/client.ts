import axios, { AxiosError, type AxiosInstance } from 'axios';
import type { ErrorCode } from './errors';

/** What the browser sees of a failed request: the API.md error body, or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'network_error';
  readonly details?: unknown;

  constructor(status: number, code: ApiError['code'], message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Worth retrying as is: the network, a timeout, a 5xx or a 429. A 4xx needs a change first. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof AxiosError) {
    const body = error.response?.data as { error?: { code?: ErrorCode; message?: string; details?: unknown } } | undefined;
    if (error.response && body?.error?.code) {
      return new ApiError(error.response.status, body.error.code, body.error.message ?? 'Request failed.', body.error.details);
    }
    if (error.response) {
      return new ApiError(error.response.status, error.response.status >= 500 ? 'internal_error' : 'invalid_request', `The server answered ${error.response.status}.`);
    }
    return new ApiError(0, 'network_error', 'Could not reach the server. Check your connection.');
  }
  return new ApiError(0, 'network_error', error instanceof Error ? error.message : 'Request failed.');
}

/** The one HTTP client of the browser: same-origin, cookies included, errors normalized to ApiError. */
export function createHttpClient(baseURL = ''): AxiosInstance {
  const client = axios.create({ baseURL, withCredentials: true, timeout: 15_000, headers: { 'content-type': 'application/json' } });
  client.interceptors.response.use(
    (response) => response,
    (error: unknown) => Promise.reject(toApiError(error)),
  );
  return client;
}
