import 'server-only';
import sharp, { type Sharp } from 'sharp';
import { dominantColoursOf, type DominantColour } from './colours';
import { MediaError } from './errors';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

export const IMAGE_MIME_TYPES: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };

/** What can be measured of an image without a vision model. */
export type ImageInfo = {
  format: ImageFormat;
  mimeType: string;
  /** As displayed: EXIF orientation applied (a portrait photo stored sideways is taller than wide). */
  width: number;
  height: number;
  /** The file's size. */
  bytes: number;
  hasAlpha: boolean;
  /** The 1 to 5 most common colours, largest share first. */
  dominantColours: DominantColour[];
  animated: boolean;
  /** Frames of an animated image (1 otherwise). */
  frames: number;
};

/** An image ready for a model's image part. */
export type PreparedImage = { mimeType: string; dataUrl: string; width: number; height: number; bytes: number };

export type PrepareImageOptions = {
  /** The longest side sent (default 2048, OpenAI's `high` detail limit). */
  maxSide?: number;
  /** A cap on width × height, for models that count pixels. */
  maxPixels?: number;
  /** JPEG and WebP quality (default 85). */
  quality?: number;
  /** The encoded size allowed (default 4 MiB); above it a bigger copy is re-encoded as JPEG (without alpha) and shrunk. */
  maxBytes?: number;
};

/** Beyond this many pixels a file is refused before it is decoded: a decompression bomb, not a photo. */
export const MAX_INPUT_PIXELS = 100_000_000;

/** The type a file's first bytes say it is; anything else (SVG, TIFF, HEIC, text) is never handed to the decoder. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const at = (offset: number, ...values: number[]) => values.every((v, i) => bytes[offset + i] === v);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp';
  return undefined;
}

function formatOf(bytes: Uint8Array): ImageFormat {
  const format = sniffImageFormat(bytes);
  if (!format) throw new MediaError('unsupported_type', 'This file is not a PNG, JPEG, WebP or GIF image.');
  return format;
}

/** sharp's errors, as sentences for people; its own text names libvips internals. */
function mediaErrorOf(error: unknown): MediaError {
  if (error instanceof MediaError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return new MediaError('too_large', `This image has more than ${MAX_INPUT_PIXELS / 1_000_000} million pixels.`);
  return new MediaError('corrupt', 'This image is damaged or incomplete and cannot be read.');
}

/** The first frame, decoded strictly (a truncated file fails rather than coming back half grey), EXIF rotation applied. */
const open = (bytes: Uint8Array): Sharp => sharp(bytes, { autoOrient: true, pages: 1, failOn: 'truncated', limitInputPixels: MAX_INPUT_PIXELS });

type Header = { format: ImageFormat; width: number; height: number; alphaChannel: boolean; frames: number };

/** What the file's header says, without decoding its pixels. */
async function readHeader(bytes: Uint8Array): Promise<Header> {
  const format = formatOf(bytes);
  const meta = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  if (!meta.width || !meta.height) throw new MediaError('corrupt', 'This image is damaged or incomplete and cannot be read.');
  return { format, width: meta.autoOrient.width, height: meta.autoOrient.height, alphaChannel: meta.hasAlpha, frames: meta.pages ?? 1 };
}

/** GIF and some PNGs decode with an alpha channel whether or not any pixel uses it: only a pixel that is see-through counts. */
const usesAlpha = async (bytes: Uint8Array, header: Header) => header.alphaChannel && !(await open(bytes).stats()).isOpaque;

/** Measures an image: type, displayed size, transparency, animation and its dominant colours. */
export async function inspectImage(bytes: Uint8Array): Promise<ImageInfo> {
  try {
    const header = await readHeader(bytes);
    // Nearest-neighbour sampling keeps each sampled pixel a real one: smoothing would invent the
    // blended colours of every edge and spread a flat colour's share over several boxes.
    const { data } = await open(bytes).resize(96, 96, { fit: 'inside', kernel: 'nearest', withoutEnlargement: true }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return {
      format: header.format,
      mimeType: IMAGE_MIME_TYPES[header.format],
      width: header.width,
      height: header.height,
      bytes: bytes.byteLength,
      hasAlpha: await usesAlpha(bytes, header),
      dominantColours: dominantColoursOf(data),
      animated: header.frames > 1,
      frames: header.frames,
    };
  } catch (error) {
    throw mediaErrorOf(error);
  }
}

/** The size after fitting inside `maxSide` and `maxPixels`, never enlarged. */
function fitted(width: number, height: number, maxSide: number, maxPixels?: number): { width: number; height: number } {
  let scale = Math.min(1, maxSide / Math.max(width, height));
  if (maxPixels && width * height * scale * scale > maxPixels) scale = Math.sqrt(maxPixels / (width * height));
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

async function encode(bytes: Uint8Array, size: { width: number; height: number }, target: 'jpeg' | 'png' | 'webp', quality: number): Promise<{ data: Buffer; width: number; height: number }> {
  const pipeline = open(bytes).resize(size.width, size.height, { fit: 'fill' });
  const encoded = target === 'jpeg' ? pipeline.flatten({ background: '#ffffff' }).jpeg({ quality }) : target === 'webp' ? pipeline.webp({ quality }) : pipeline.png();
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * An image as a model takes it: EXIF rotation applied, metadata (GPS, camera) stripped, an
 * animated GIF cut to its first frame, fitted inside the model's limits. JPEG and WebP stay as
 * they are and PNG stays PNG (text in screenshots stays sharp); a GIF frame becomes PNG. Above
 * `maxBytes`, an image without transparency is re-encoded as JPEG, and any image is shrunk until it fits.
 */
export async function prepareImageForModel(bytes: Uint8Array, options: PrepareImageOptions = {}): Promise<PreparedImage> {
  const quality = options.quality ?? 85;
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  try {
    const header = await readHeader(bytes);
    let target: 'jpeg' | 'png' | 'webp' = header.format === 'gif' ? 'png' : header.format;
    let size = fitted(header.width, header.height, options.maxSide ?? 2048, options.maxPixels);
    let out = await encode(bytes, size, target, quality);
    let seeThrough: boolean | undefined;
    for (let attempt = 0; out.data.byteLength > maxBytes && attempt < 8; attempt++) {
      seeThrough ??= await usesAlpha(bytes, header);
      if (target === 'png' && !seeThrough) target = 'jpeg';
      else size = { width: Math.max(1, Math.floor(size.width * 0.75)), height: Math.max(1, Math.floor(size.height * 0.75)) };
      out = await encode(bytes, size, target, quality);
    }
    if (out.data.byteLength > maxBytes) throw new MediaError('too_large', 'This image cannot be made small enough for the model.');
    const mimeType = IMAGE_MIME_TYPES[target];
    return { mimeType, dataUrl: `data:${mimeType};base64,${out.data.toString('base64')}`, width: out.width, height: out.height, bytes: out.data.byteLength };
  } catch (error) {
    throw mediaErrorOf(error);
  }
}

/** A WebP preview fitted inside `size` × `size` (first frame, rotation applied, never enlarged). */
export async function thumbnail(bytes: Uint8Array, options: { size?: number; quality?: number } = {}): Promise<Buffer> {
  formatOf(bytes);
  const size = options.size ?? 320;
  try {
    return await open(bytes).resize(size, size, { fit: 'inside', withoutEnlargement: true }).webp({ quality: options.quality ?? 80 }).toBuffer();
  } catch (error) {
    throw mediaErrorOf(error);
  }
}
