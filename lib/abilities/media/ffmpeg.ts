import 'server-only';
import { spawn, type ChildProcess } from 'node:child_process';
import { MediaError } from './errors';

export type FfmpegResult = { code: number | null; stdout: Buffer; stderr: string };

export type RunFfmpegOptions = {
  /** Killed (SIGKILL) after this long; default 20 s. */
  timeoutMs?: number;
  /** Killed when this aborts (a stopped reply). */
  signal?: AbortSignal;
  /** Killed when stdout grows past this; default 32 MiB. */
  maxStdoutBytes?: number;
  /** Sees the process once started (tests check that it is gone afterwards). */
  onSpawn?: (child: ChildProcess) => void;
};

const STDERR_KEEP = 64 * 1024;

let binary: string | undefined;

/**
 * The static ffmpeg of @ffmpeg-installer, found on first use: the package throws at load on a
 * platform it has no binary for, and that should fail video work only, not every importer.
 */
export async function ffmpegPath(): Promise<string> {
  if (binary) return binary;
  try {
    const installer = (await import('@ffmpeg-installer/ffmpeg')) as { path: string; default?: { path: string } };
    binary = installer.default?.path ?? installer.path;
    return binary;
  } catch {
    throw new MediaError('unavailable', 'Video tools are not available on this server.');
  }
}

/**
 * Runs ffmpeg with an argument list (never a shell, so no file name is ever parsed as a command),
 * stdin closed, and a hard deadline: a hung decoder or an input that never ends is killed, and the
 * promise settles only once the process has exited, so nothing outlives the call.
 */
export async function runFfmpeg(args: string[], options: RunFfmpegOptions = {}): Promise<FfmpegResult> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxStdout = options.maxStdoutBytes ?? 32 * 1024 * 1024;
  const path = await ffmpegPath();
  if (options.signal?.aborted) throw new MediaError('cancelled', 'The video work was stopped.');
  return new Promise((resolve, reject) => {
    // The binary's path is found at run time (beside @ffmpeg-installer's package): nothing for the bundler to trace.
    const child = spawn(/*turbopackIgnore: true*/ path, ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let failure: MediaError | undefined;
    const stop = (error: MediaError) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(new MediaError('timeout', `The video took longer than ${Math.round(timeoutMs / 1000)} s to read and was given up.`)), timeoutMs);
    const onAbort = () => stop(new MediaError('cancelled', 'The video work was stopped.'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.byteLength;
      if (stdoutBytes > maxStdout) return stop(new MediaError('too_large', 'The video produced more output than allowed.'));
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    const settle = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', () => {
      settle();
      reject(failure ?? new MediaError('unavailable', 'Video tools are not available on this server.'));
    });
    child.on('close', (code) => {
      settle();
      if (failure) reject(failure);
      else resolve({ code, stdout: Buffer.concat(chunks), stderr });
    });
    options.onSpawn?.(child);
  });
}
