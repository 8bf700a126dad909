import 'server-only';
import { colourName } from './colours';
import type { ImageInfo } from './image';
import type { VideoFrame, VideoInfo } from './video';

const percent = (share: number) => `${Math.round(share * 100)}%`;

const FORMAT_NAMES: Record<ImageInfo['format'], string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', gif: 'GIF' };

function article(phrase: string): string {
  return /^[aeiou]/i.test(phrase) || /^(8|11|18)\d*\b/.test(phrase) ? `an ${phrase}` : `a ${phrase}`;
}

/** "dark blue (#1d3557, 46%), white and red": the first colour measured exactly, the rest by name, names not repeated. */
function colourPhrase(colours: ImageInfo['dominantColours']): string | undefined {
  const [first, ...rest] = colours;
  if (!first) return undefined;
  const head = `${colourName(first.hex)} (${first.hex}, ${percent(first.share)})`;
  const names = [...new Set(rest.map((colour) => colourName(colour.hex)))].filter((name) => name !== colourName(first.hex));
  if (names.length === 0) return head;
  return `${head}${names.length > 1 ? `, ${names.slice(0, -1).join(', ')}` : ''} and ${names.at(-1)}`;
}

/**
 * What the offline model can honestly say of an image: what it measured (size, type, colours)
 * and that seeing what the image shows takes a vision model.
 */
export function describeImageOffline(info: ImageInfo & { name?: string }): string {
  const kind = `${info.width}×${info.height} ${info.animated ? `animated ${FORMAT_NAMES[info.format]} (${info.frames} frames)` : FORMAT_NAMES[info.format]}`;
  const alpha = info.hasAlpha ? ' with transparency' : '';
  const colours = colourPhrase(info.dominantColours);
  const mostly = colours ? `, mostly ${colours}` : '';
  const subject = info.name ? `${info.name}: ` : '';
  return `${subject}${article(kind)}${alpha}${mostly}; a vision model is needed to say what it shows.`;
}

const secondsText = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What the offline model can honestly say of a clip: its length, size and which moments were sampled. */
export function describeVideoOffline(info: VideoInfo & { name?: string }, frames: Pick<VideoFrame, 'timestampMs'>[]): string {
  const details = [info.codec, info.fps ? `${Math.round(info.fps * 100) / 100} fps` : undefined].filter(Boolean).join(', ');
  const subject = info.name ? `${info.name}: ` : '';
  const clip = `${subject}a ${secondsText(info.durationMs)} ${info.width}×${info.height} ${info.container === 'mov' ? 'MOV' : info.container === 'webm' ? 'WebM' : 'MP4'} video${details ? ` (${details})` : ''}`;
  const sampled = frames.length > 0 ? `; ${frames.length} frame${frames.length === 1 ? '' : 's'} sampled at ${frames.map((frame) => secondsText(frame.timestampMs)).join(', ')}` : '; no frames could be sampled';
  return `${clip}${sampled}; a vision model is needed to say what happens in it.`;
}
