import 'server-only';

/*
 * Vision and video preparation (issue 11, points 5 and 6): images measured and fitted to a
 * model's limits with sharp, clips probed and sampled into frames with the static ffmpeg of
 * @ffmpeg-installer, and the offline model's honest descriptions of both. Every failure is a
 * MediaError whose message can be shown as it is.
 */

export { colourName, dominantColoursOf, type DominantColour } from './colours';
export { describeImageOffline, describeVideoOffline } from './describe';
export { MediaError, isMediaError, type MediaErrorCode } from './errors';
export { ffmpegPath, runFfmpeg, type FfmpegResult, type RunFfmpegOptions } from './ffmpeg';
export { IMAGE_MIME_TYPES, MAX_INPUT_PIXELS, inspectImage, prepareImageForModel, sniffImageFormat, thumbnail, type ImageFormat, type ImageInfo, type PreparedImage, type PrepareImageOptions } from './image';
export { framesToParts, toImagePart } from './parts';
export { frameStrip, frameTimestamps, inspectVideo, parseProbe, sampleFrames, sniffVideoContainer, type FrameStrip, type SampleFramesOptions, type VideoContainer, type VideoFrame, type VideoInfo, type VideoInput, type VideoRunOptions } from './video';
