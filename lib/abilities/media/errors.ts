import 'server-only';

export type MediaErrorCode =
  /** Not one of the accepted image or video types. */
  | 'unsupported_type'
  /** The right type by its first bytes, but it cannot be read through (truncated, damaged). */
  | 'corrupt'
  /** More pixels, frames or output than the caps allow. */
  | 'too_large'
  /** ffmpeg did not finish within its time limit and was killed. */
  | 'timeout'
  /** The caller aborted (a stopped reply). */
  | 'cancelled'
  /** The ffmpeg binary could not be found or started on this platform. */
  | 'unavailable';

/**
 * The one error media code throws. Its message is a sentence fit to show a person and a model:
 * never a path, an ffmpeg log line or a stack (those stay on the server).
 */
export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

export const isMediaError = (error: unknown): error is MediaError => error instanceof MediaError;
