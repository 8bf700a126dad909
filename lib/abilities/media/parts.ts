import 'server-only';
import type { ContentPart, ImagePart } from '@/lib/ai/provider';
import type { PreparedImage } from './image';
import type { VideoFrame } from './video';

/** A prepared image as the model port's image part. */
export function toImagePart(image: Pick<PreparedImage, 'dataUrl'>, detail?: ImagePart['detail']): ImagePart {
  return detail ? { type: 'image', url: image.dataUrl, detail } : { type: 'image', url: image.dataUrl };
}

/**
 * Sampled frames as content parts: each image preceded by its time, so a model can say when
 * something happens. The frames are already small, so `low` detail is the default (85 tokens each at OpenAI).
 */
export function framesToParts(frames: VideoFrame[], options: { name?: string; detail?: ImagePart['detail'] } = {}): ContentPart[] {
  const detail = options.detail ?? 'low';
  const heading: ContentPart[] = options.name ? [{ type: 'text', text: `Frames sampled from ${options.name}:` }] : [];
  return [
    ...heading,
    ...frames.flatMap((frame): ContentPart[] => [
      { type: 'text', text: `Frame at ${(frame.timestampMs / 1000).toFixed(1)} s:` },
      { type: 'image', url: `data:image/jpeg;base64,${frame.jpeg.toString('base64')}`, detail },
    ]),
  ];
}
