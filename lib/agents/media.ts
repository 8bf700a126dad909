import 'server-only';
import {
  describeImageOffline,
  describeVideoOffline,
  frameStrip,
  framesToParts,
  inspectImage,
  inspectVideo,
  isMediaError,
  prepareImageForModel,
  sampleFrames,
  toImagePart,
  type ImageInfo,
  type VideoFrame,
  type VideoInfo,
} from '@/lib/abilities/media';
import { framesKey, framesUrl, readAttachmentBytes } from '@/lib/attachments';
import type { ContentPart } from '@/lib/ai/provider';
import type { ToolSet } from '@/lib/ai/tools';
import type { ActivityJson, AttachmentJson } from '@/lib/contracts/abilities';
import type { Database } from '@/lib/db';
import type { Agent } from '@/lib/db/schema';
import { getFileStore } from '@/lib/storage';

/*
 * What an agent with `vision` or `video` is shown of the message it answers: its images,
 * downscaled to a model's limits, and frames sampled evenly across its videos with their times,
 * as image parts. The strip of sampled frames is kept beside the video in the file store, for the
 * chat to show. The offline model cannot see, so it gets tools that say what was measured.
 */

/** Frames sampled from each video. */
const FRAMES_PER_VIDEO = 8;
/** Videos sampled per message: each is several ffmpeg runs and FRAMES_PER_VIDEO images for the model. */
const MAX_VIDEOS = 2;

export type MessageMedia = {
  /** Image parts (and the frames' times as text) to join the answered message's turn. */
  parts: ContentPart[];
  /** What was looked at, as steps of the reply ("Looking at chart.png"). */
  activities: ActivityJson[];
  /** The offline model's tools: what was measured of each image and video. */
  tools: ToolSet;
};

const NONE: MessageMedia = { parts: [], activities: [], tools: {} };

const minutes = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;

/**
 * The media of `attachments` (the answered message's) for `agent`. Files that cannot be read
 * become failed steps saying why, never a failed reply.
 */
export async function mediaFor(
  db: Database,
  agent: Pick<Agent, 'abilities'>,
  attachments: AttachmentJson[] | undefined,
  { offline, signal }: { offline: boolean; signal?: AbortSignal },
): Promise<MessageMedia> {
  const vision = agent.abilities.includes('vision');
  const video = agent.abilities.includes('video');
  const images = vision ? (attachments ?? []).filter((a) => a.mimeType.startsWith('image/')) : [];
  const videos = video ? (attachments ?? []).filter((a) => a.mimeType.startsWith('video/')).slice(0, MAX_VIDEOS) : [];
  if (images.length === 0 && videos.length === 0) return NONE;

  const parts: ContentPart[] = [];
  const activities: ActivityJson[] = [];
  const seenImages: { name: string; info: ImageInfo }[] = [];
  const seenVideos: { name: string; info: VideoInfo; frames: VideoFrame[] }[] = [];
  const failed = (id: string, tool: string, title: string, error: unknown) =>
    activities.push({ id, tool, status: 'error', title, detail: isMediaError(error) ? error.message : 'The file could not be read.' });

  for (const image of images) {
    const title = `Looking at ${image.name}`;
    try {
      const file = await readAttachmentBytes(db, image.id);
      if (!file) throw new Error('gone');
      const info = await inspectImage(file.bytes);
      seenImages.push({ name: image.name, info });
      // The offline model cannot see: it is handed the image's address (it only counts images) and measures it with describe_image.
      parts.push(offline ? { type: 'image', url: image.url } : toImagePart(await prepareImageForModel(file.bytes)));
      activities.push({ id: `vision-${image.id}`, tool: 'vision', status: 'done', title, detail: `${info.width}×${info.height} ${info.format.toUpperCase()}` });
    } catch (error) {
      failed(`vision-${image.id}`, 'vision', title, error);
    }
  }
  for (const clip of videos) {
    const title = `Watching ${clip.name}`;
    try {
      const file = await readAttachmentBytes(db, clip.id);
      if (!file) throw new Error('gone');
      const info = await inspectVideo(file.bytes, { signal });
      const frames = await sampleFrames(file.bytes, { count: FRAMES_PER_VIDEO, info, signal });
      seenVideos.push({ name: clip.name, info, frames });
      if (!offline) parts.push(...framesToParts(frames, { name: clip.name }));
      // The strip the chat shows under this step, kept beside the video (and removed with it). The
      // model has the frames already: a strip that cannot be stored only goes unshown.
      const stored = await frameStrip(frames)
        .then((strip) => getFileStore().put(framesKey(file.row.storageKey), strip.jpeg, 'image/jpeg'))
        .then(
          () => true,
          (error: unknown) => {
            console.error('[agents] the frame strip could not be stored', error instanceof Error ? error.message : error);
            return false;
          },
        );
      activities.push({
        id: `video-${clip.id}`,
        tool: 'video',
        status: 'done',
        title,
        detail: `${frames.length} frames from ${minutes(0)} to ${minutes(frames.at(-1)?.timestampMs ?? 0)} of ${minutes(info.durationMs)}`,
        ...(stored ? { frames: frames.map((frame) => ({ atMs: frame.timestampMs, url: framesUrl(clip.id) })) } : {}),
      });
    } catch (error) {
      failed(`video-${clip.id}`, 'video', title, error);
    }
  }

  const tools: ToolSet = {};
  if (offline && seenImages.length > 0) {
    tools.describe_image = {
      spec: {
        name: 'describe_image',
        description: 'What can be measured of an image attached to the message: size, format, dominant colours.',
        parameters: { type: 'object', properties: { image: { type: 'integer', minimum: 1, description: 'Which image, counting from 1.' } }, additionalProperties: false },
      },
      title: (args) => `Measuring ${seenImages[Math.max(0, Number(args.image ?? 1) - 1)]?.name ?? 'the image'}`,
      run: async (args) => {
        const seen = seenImages[Math.max(0, Number(args.image ?? 1) - 1)] ?? seenImages[0]!;
        return { content: describeImageOffline({ ...seen.info, name: seen.name }), detail: `${seen.info.width}×${seen.info.height}` };
      },
    };
  }
  if (offline && seenVideos.length > 0) {
    tools.describe_video = {
      spec: { name: 'describe_video', description: 'What can be measured of the videos attached to the message: length, size, the sampled moments.', parameters: { type: 'object', properties: {}, additionalProperties: false } },
      title: () => `Measuring ${seenVideos.map((v) => v.name).join(', ')}`,
      run: async () => ({ content: seenVideos.map((v) => describeVideoOffline({ ...v.info, name: v.name }, v.frames)).join('\n'), detail: `${seenVideos.length} video${seenVideos.length === 1 ? '' : 's'}` }),
    };
  }
  return { parts, activities, tools };
}
