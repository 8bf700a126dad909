import 'server-only';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { MediaError } from './errors';
import { runFfmpeg, type RunFfmpegOptions } from './ffmpeg';

export type VideoContainer = 'mp4' | 'mov' | 'webm';

/** A file on disk, or its bytes (written to a private temporary file for ffmpeg and removed after). */
export type VideoInput = string | Uint8Array;

export type VideoInfo = {
  container: VideoContainer;
  mimeType: string;
  durationMs: number;
  /** As displayed: a phone clip recorded sideways (rotation metadata) reports its upright size, as its frames come out. */
  width: number;
  height: number;
  codec?: string;
  fps?: number;
};

export type VideoFrame = { timestampMs: number; jpeg: Buffer; width: number; height: number };

/** Time limit and stop control for each ffmpeg run. */
export type VideoRunOptions = Pick<RunFfmpegOptions, 'timeoutMs' | 'signal'>;

export type SampleFramesOptions = VideoRunOptions & {
  /** Frames wanted, spread evenly across the clip (default 8, at most 32). */
  count?: number;
  /** The longest side of each frame (default 768), never enlarged. */
  maxSide?: number;
  /** ffmpeg processes at once (default 3). */
  concurrency?: number;
  /** Already measured (saves a probe). */
  info?: VideoInfo;
};

const MIME: Record<VideoContainer, string> = { mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm' };
const DEMUXER: Record<VideoContainer, string> = { mp4: 'mov', mov: 'mov', webm: 'matroska' };
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

const unsupported = () => new MediaError('unsupported_type', 'This file is not an MP4, WebM or MOV video.');
const corrupt = () => new MediaError('corrupt', 'This video is damaged or incomplete and cannot be read.');

/** The container a file's first bytes name. Only these reach ffmpeg, each with its demuxer forced, so a playlist or a concat list is never followed. */
export function sniffVideoContainer(head: Uint8Array): VideoContainer | undefined {
  const text = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'webm';
  if (text(4, 8) === 'ftyp') return text(8, 12) === 'qt  ' ? 'mov' : 'mp4';
  if (QUICKTIME_ATOMS.has(text(4, 8))) return 'mov';
  return undefined;
}

async function withInputFile<T>(input: VideoInput, task: (file: string) => Promise<T>): Promise<T> {
  if (typeof input === 'string') return task(input);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nc-video-'));
  try {
    const file = path.join(dir, 'input');
    await fs.writeFile(file, input, { mode: 0o600 });
    return await task(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function containerOf(file: string): Promise<VideoContainer> {
  // A device or a pipe would block the read below (and ffmpeg) forever: only plain files are videos.
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw new MediaError('corrupt', 'The video file could not be opened.');
  const handle = await fs.open(file, 'r').catch(() => {
    throw new MediaError('corrupt', 'The video file could not be opened.');
  });
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    const container = sniffVideoContainer(head.subarray(0, bytesRead));
    if (!container) throw unsupported();
    return container;
  } finally {
    await handle.close();
  }
}

/**
 * The input arguments for a file: its demuxer named, only the `file` protocol allowed, and the
 * path given as `file:` so a name like `concat:a|b` or `http://…` is only ever a file name.
 * QuickTime external references (drefs) stay off, ffmpeg's default.
 */
const inputArgs = (file: string, container: VideoContainer) => ['-f', DEMUXER[container], '-protocol_whitelist', 'file', '-i', `file:${path.resolve(file)}`];

const seconds = (h: string, m: string, s: string) => Number(h) * 3600 + Number(m) * 60 + Number(s);

/** What `ffmpeg -i` prints about a file, read from its stderr (this build has no ffprobe). */
export function parseProbe(stderr: string): { durationMs?: number; width: number; height: number; codec?: string; fps?: number } | undefined {
  const stream = /Stream #\d+:\d+[^:\n]*: Video: ([^\s,]+)[^\n]*?, (\d{1,5})x(\d{1,5})[^\n]*/.exec(stderr);
  if (!stream) return undefined;
  const duration = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  const fps = /, (\d+(?:\.\d+)?) fps/.exec(stream[0]);
  // Rotation metadata (phones) comes after the stream line; ffmpeg turns the frames upright when it decodes.
  const rest = stderr.slice(stream.index + stream[0].length);
  const nextStream = rest.search(/Stream #/);
  const after = nextStream < 0 ? rest : rest.slice(0, nextStream);
  const rotation = /rotate\s*:\s*(-?\d+)/.exec(after) ?? /rotation of (-?\d+(?:\.\d+)?) degrees/.exec(after);
  const sideways = rotation ? Math.abs(Math.round(Number(rotation[1]))) % 180 === 90 : false;
  const [width, height] = [Number(stream[2]), Number(stream[3])];
  return {
    durationMs: duration ? Math.round(seconds(duration[1]!, duration[2]!, duration[3]!) * 1000) : undefined,
    width: sideways ? height : width,
    height: sideways ? width : height,
    codec: stream[1],
    fps: fps ? Number(fps[1]) : undefined,
  };
}

/** A clip whose header has no duration (some WebM recorders): read its packets through without decoding and take the last time. */
async function measureDuration(file: string, container: VideoContainer, options: VideoRunOptions): Promise<number | undefined> {
  const { stderr } = await runFfmpeg([...inputArgs(file, container), '-map', '0:v:0', '-c', 'copy', '-f', 'null', '-'], options);
  const times = [...stderr.matchAll(/time=(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/g)];
  const last = times.at(-1);
  return last ? Math.round(seconds(last[1]!, last[2]!, last[3]!) * 1000) : undefined;
}

async function inspectFile(file: string, options: VideoRunOptions): Promise<VideoInfo> {
  const container = await containerOf(file);
  // With no output named ffmpeg only prints what it found and exits 1: the probe ffprobe would give.
  const { stderr } = await runFfmpeg(inputArgs(file, container), options);
  if (!/Input #0/.test(stderr)) throw corrupt();
  const probe = parseProbe(stderr);
  if (!probe) throw new MediaError('unsupported_type', 'This file has no video track.');
  const durationMs = probe.durationMs ?? (await measureDuration(file, container, options));
  if (!durationMs || durationMs <= 0) throw corrupt();
  return { container, mimeType: MIME[container], durationMs, width: probe.width, height: probe.height, codec: probe.codec, fps: probe.fps };
}

/** Measures a clip: container, duration, displayed size, codec and frame rate. */
export function inspectVideo(input: VideoInput, options: VideoRunOptions = {}): Promise<VideoInfo> {
  return withInputFile(input, (file) => inspectFile(file, options));
}

/** Evenly spread: the middle of each of `count` equal slices, so neither the black first frame nor the missing one past the end is asked for. */
export function frameTimestamps(durationMs: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round((durationMs * (i + 0.5)) / count));
}

async function grabFrame(file: string, container: VideoContainer, timestampMs: number, maxSide: number, options: VideoRunOptions): Promise<VideoFrame | undefined> {
  // -ss before -i seeks the demuxer to the keyframe before the time and decodes only from there.
  const scale = `scale=w=min(${maxSide}\\,iw):h=min(${maxSide}\\,ih):force_original_aspect_ratio=decrease`;
  const args = ['-ss', (timestampMs / 1000).toFixed(3), ...inputArgs(file, container), '-map', '0:v:0', '-an', '-sn', '-dn', '-frames:v', '1', '-vf', scale, '-pix_fmt', 'yuvj420p', '-q:v', '3', '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1'];
  const { stdout } = await runFfmpeg(args, options);
  if (stdout.byteLength === 0) return undefined;
  const meta = await sharp(stdout).metadata();
  if (!meta.width || !meta.height) return undefined;
  return { timestampMs, jpeg: stdout, width: meta.width, height: meta.height };
}

/**
 * Frames spread evenly across a clip, each a JPEG no larger than `maxSide`, with its time. One
 * ffmpeg per frame, a few at once, each with its own deadline. A frame that cannot be decoded (a
 * truncated clip's missing end) is left out; a clip with no decodable frame is corrupt.
 */
export function sampleFrames(input: VideoInput, options: SampleFramesOptions = {}): Promise<VideoFrame[]> {
  const count = Math.max(1, Math.min(32, Math.floor(options.count ?? 8)));
  const maxSide = options.maxSide ?? 768;
  // The first failure stops the other frames' ffmpeg too, so none outlives the call (or its temporary file).
  const inner = new AbortController();
  const stopAll = () => inner.abort();
  options.signal?.addEventListener('abort', stopAll, { once: true });
  const run: VideoRunOptions = { timeoutMs: options.timeoutMs, signal: inner.signal };
  return withInputFile(input, async (file) => {
    const info = options.info ?? (await inspectFile(file, run));
    const times = frameTimestamps(info.durationMs, count);
    const frames: (VideoFrame | undefined)[] = new Array(times.length);
    let next = 0;
    let failure: unknown;
    const worker = async () => {
      try {
        while (next < times.length && failure === undefined) {
          const i = next++;
          frames[i] = await grabFrame(file, info.container, times[i]!, maxSide, run);
        }
      } catch (error) {
        failure ??= error;
        inner.abort();
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 3, times.length) }, worker));
    if (failure !== undefined) throw failure;
    const found = frames.filter((frame): frame is VideoFrame => frame !== undefined);
    if (found.length === 0) throw corrupt();
    return found;
  }).finally(() => options.signal?.removeEventListener('abort', stopAll));
}

export type FrameStrip = { jpeg: Buffer; width: number; height: number; columns: number; rows: number };

/** One JPEG contact sheet of frames, in order, left to right then top to bottom: what the chat shows of a sampled clip. */
export async function frameStrip(frames: VideoFrame[], options: { tileHeight?: number; columns?: number; gap?: number; quality?: number } = {}): Promise<FrameStrip> {
  if (frames.length === 0) throw new MediaError('corrupt', 'There are no frames to show.');
  const tileHeight = options.tileHeight ?? 180;
  const first = frames[0]!;
  const tileWidth = Math.max(1, Math.round((first.width * tileHeight) / first.height));
  const columns = Math.max(1, Math.min(options.columns ?? 4, frames.length));
  const rows = Math.ceil(frames.length / columns);
  const gap = options.gap ?? 4;
  const width = columns * tileWidth + (columns + 1) * gap;
  const height = rows * tileHeight + (rows + 1) * gap;
  const tiles = await Promise.all(
    frames.map(async (frame, i) => ({
      input: await sharp(frame.jpeg).resize(tileWidth, tileHeight, { fit: 'contain', background: '#111111' }).toBuffer(),
      left: gap + (i % columns) * (tileWidth + gap),
      top: gap + Math.floor(i / columns) * (tileHeight + gap),
    })),
  );
  const jpeg = await sharp({ create: { width, height, channels: 3, background: '#111111' } })
    .composite(tiles)
    .jpeg({ quality: options.quality ?? 80 })
    .toBuffer();
  return { jpeg, width, height, columns, rows };
}
