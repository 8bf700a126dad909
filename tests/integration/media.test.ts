import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import sharp from 'sharp';
import {
  colourName,
  describeImageOffline,
  describeVideoOffline,
  frameStrip,
  framesToParts,
  frameTimestamps,
  inspectImage,
  inspectVideo,
  MediaError,
  prepareImageForModel,
  runFfmpeg,
  sampleFrames,
  thumbnail,
  toImagePart,
} from '@/lib/abilities/media';
import { animatedGif, audioOnlyMp4, colourClip, makeVideo, photoJpeg, pixelBombPng, rotatedJpeg, solidPng, stripes, tempDir, transparentPng, truncated } from '../fixtures/media';

/*
 * Images and clips made in the test (sharp from known pixels, the static ffmpeg's test patterns),
 * measured, prepared for a model and sampled by the real sharp and ffmpeg, with damaged files, a
 * decompression bomb, and an ffmpeg that never ends.
 */

const BANDS = [
  { hex: '#1d3557', share: 0.5 },
  { hex: '#ffffff', share: 0.3 },
  { hex: '#e63946', share: 0.2 },
];

const distance = (a: string, b: string) => {
  const [x, y] = [a, b].map((hex) => Number.parseInt(hex.slice(1), 16));
  return Math.max(...[16, 8, 0].map((shift) => Math.abs(((x! >> shift) & 255) - ((y! >> shift) & 255))));
};

/** The RGB of one pixel of an encoded image. */
async function pixelAt(bytes: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

const decodeDataUrl = (url: string) => {
  const match = /^data:([^;]+);base64,(.+)$/.exec(url);
  if (!match) throw new Error(`not a data URL: ${url.slice(0, 40)}`);
  return { mimeType: match[1]!, bytes: Buffer.from(match[2]!, 'base64') };
};

async function rejection(promise: Promise<unknown>): Promise<MediaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaError);
  return error as MediaError;
}

describe('images', () => {
  it('inspects PNG, JPEG, WebP and GIF: type, size, bytes and the shares of their colours', async () => {
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const bytes = await stripes(300, 100, BANDS, format);
      const info = await inspectImage(bytes);
      expect(info).toMatchObject({ format, mimeType: `image/${format}`, width: 300, height: 100, bytes: bytes.byteLength, hasAlpha: false, animated: false, frames: 1 });
      expect(info.dominantColours).toHaveLength(3);
      info.dominantColours.forEach((colour, i) => {
        expect(distance(colour.hex, BANDS[i]!.hex)).toBeLessThanOrEqual(format === 'jpeg' ? 6 : 0);
        expect(Math.abs(colour.share - BANDS[i]!.share)).toBeLessThan(0.03);
      });
    }
    const gif = await inspectImage(await animatedGif(60, 40, ['#00ff00']));
    expect(gif).toMatchObject({ format: 'gif', width: 60, height: 40, hasAlpha: false, animated: false, dominantColours: [{ hex: '#00ff00', share: 1 }] });
  });

  it('counts a flat image as one colour, and leaves transparent pixels out of the count', async () => {
    expect((await inspectImage(await solidPng(64, 64, '#336699'))).dominantColours).toEqual([{ hex: '#336699', share: 1 }]);
    const clear = await inspectImage(await transparentPng(100, 50, '#ff8800'));
    expect(clear.hasAlpha).toBe(true);
    expect(clear.dominantColours).toEqual([{ hex: '#ff8800', share: 1 }]);
  });

  it('says an animated GIF is animated, measures its first frame, and prepares that frame as a PNG', async () => {
    const bytes = await animatedGif(80, 60, ['#ff0000', '#00ff00', '#0000ff']);
    const info = await inspectImage(bytes);
    expect(info).toMatchObject({ format: 'gif', animated: true, frames: 3, width: 80, height: 60 });
    expect(info.dominantColours).toEqual([{ hex: '#ff0000', share: 1 }]);
    const prepared = await prepareImageForModel(bytes);
    const out = decodeDataUrl(prepared.dataUrl);
    expect(prepared).toMatchObject({ mimeType: 'image/png', width: 80, height: 60, bytes: out.bytes.byteLength });
    const meta = await sharp(out.bytes).metadata();
    expect(meta.format).toBe('png');
    expect(meta.pages ?? 1).toBe(1);
    expect(await pixelAt(out.bytes, 40, 30)).toEqual([255, 0, 0]);
  });

  it('applies EXIF rotation and strips the metadata', async () => {
    const bytes = await rotatedJpeg();
    expect((await sharp(bytes).metadata()).orientation).toBe(6);
    const info = await inspectImage(bytes);
    expect([info.width, info.height]).toEqual([200, 400]);
    const prepared = await prepareImageForModel(bytes);
    expect(prepared).toMatchObject({ mimeType: 'image/jpeg', width: 200, height: 400 });
    const out = decodeDataUrl(prepared.dataUrl).bytes;
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height, meta.orientation, meta.exif]).toEqual([200, 400, undefined, undefined]);
    // Stored as red left, blue right; turned a quarter clockwise, red is on top.
    const [top, bottom] = [await pixelAt(out, 100, 20), await pixelAt(out, 100, 380)];
    expect(top[0]).toBeGreaterThan(180);
    expect(top[2]).toBeLessThan(80);
    expect(bottom[2]).toBeGreaterThan(180);
    expect(bottom[0]).toBeLessThan(80);
  });

  it('fits a 12-megapixel photo inside the model limits, keeping its aspect and never enlarging a small image', async () => {
    const photo = await photoJpeg();
    const info = await inspectImage(photo);
    expect(info.width * info.height).toBe(12_000_000);
    const prepared = await prepareImageForModel(photo);
    const out = decodeDataUrl(prepared.dataUrl);
    expect(prepared).toMatchObject({ mimeType: 'image/jpeg', width: 2048, height: 1536, bytes: out.bytes.byteLength });
    expect(out.mimeType).toBe('image/jpeg');
    expect(await sharp(out.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 2048, height: 1536 });

    const capped = await prepareImageForModel(photo, { maxSide: 4000, maxPixels: 1_000_000 });
    expect(capped.width * capped.height).toBeLessThanOrEqual(1_000_000);
    expect(Math.abs(capped.width / capped.height - 4 / 3)).toBeLessThan(0.01);
    expect((await prepareImageForModel(photo, { maxSide: 512 })).width).toBe(512);

    const small = await prepareImageForModel(await stripes(300, 100, BANDS, 'webp'));
    expect(small).toMatchObject({ mimeType: 'image/webp', width: 300, height: 100 });
  });

  it('re-encodes an opaque PNG above the byte cap as JPEG, and shrinks a transparent one until it fits', async () => {
    const grain = await sharp(await photoJpeg(1600, 1200)).png().toBuffer();
    expect(grain.byteLength).toBeGreaterThan(1_000_000);
    // Just too big as PNG: as JPEG it fits at full size.
    const opaque = await prepareImageForModel(grain, { maxBytes: grain.byteLength - 1 });
    expect(opaque).toMatchObject({ mimeType: 'image/jpeg', width: 1600, height: 1200 });
    const tight = await prepareImageForModel(grain, { maxBytes: 150_000 });
    expect(tight.mimeType).toBe('image/jpeg');
    expect(tight.bytes).toBeLessThanOrEqual(150_000);
    expect(tight.width).toBeLessThan(1600);
    expect(Math.abs(tight.width / tight.height - 4 / 3)).toBeLessThan(0.01);

    const seeThrough = await sharp(grain).ensureAlpha(0.5).png().toBuffer();
    const shrunk = await prepareImageForModel(seeThrough, { maxBytes: 400_000 });
    expect(shrunk.mimeType).toBe('image/png');
    expect(shrunk.width).toBeLessThan(1600);
    expect(shrunk.bytes).toBeLessThanOrEqual(400_000);
  });

  it('makes WebP thumbnails that fit the size asked for', async () => {
    const photo = await photoJpeg(1200, 800);
    const meta = await sharp(await thumbnail(photo)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 320, 213]);
    const tall = await sharp(await thumbnail(await rotatedJpeg(), { size: 100 })).metadata();
    expect([tall.width, tall.height]).toEqual([50, 100]);
    const tiny = await sharp(await thumbnail(await solidPng(40, 20, '#000000'))).metadata();
    expect([tiny.width, tiny.height]).toEqual([40, 20]);
  });

  it('refuses what is not an image, a damaged image and a decompression bomb with a sentence fit to show', async () => {
    const png = await stripes(400, 300, BANDS);
    const photo = await photoJpeg(800, 600);
    const cases: [Buffer, string][] = [
      [Buffer.from('just some text, not an image'), 'unsupported_type'],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), 'unsupported_type'],
      [createHash('sha512').update('noise').digest(), 'unsupported_type'],
      [Buffer.alloc(0), 'unsupported_type'],
      [truncated(png, 0.6), 'corrupt'],
      [truncated(photo, 0.5), 'corrupt'],
      [png.subarray(0, 40), 'corrupt'],
      [pixelBombPng(), 'too_large'],
    ];
    for (const [bytes, code] of cases) {
      // Each call starts only when the one before it has been caught: started together, a later one can
      // reject before anything listens, which Node reports as an unhandled rejection.
      for (const call of [() => inspectImage(bytes), () => prepareImageForModel(bytes), () => thumbnail(bytes)]) {
        const error = await rejection(call());
        expect(error.code).toBe(code);
        expect(error.message).toMatch(/^This (file|image) .+\.$/);
        expect(error.message).not.toMatch(/vips|sharp|\//i);
      }
    }
  });

  it('describes an image offline by what it measured, and says a vision model is needed for the rest', async () => {
    const info = await inspectImage(await stripes(1920, 1080, [{ hex: '#1d3557', share: 0.46 }, { hex: '#ffffff', share: 0.34 }, { hex: '#e63946', share: 0.2 }]));
    expect(describeImageOffline({ ...info, name: 'photo.png' })).toBe('photo.png: a 1920×1080 PNG, mostly dark blue (#1d3557, 46%), white and red; a vision model is needed to say what it shows.');
    const gif = await inspectImage(await animatedGif(80, 60, ['#000000', '#ffffff']));
    expect(describeImageOffline(gif)).toBe('an 80×60 animated GIF (2 frames), mostly black (#000000, 100%); a vision model is needed to say what it shows.');
    const clear = await inspectImage(await transparentPng(10, 10, '#1d3557'));
    expect(describeImageOffline(clear)).toContain('a 10×10 PNG with transparency, mostly dark blue');
    expect([colourName('#ffffff'), colourName('#000000'), colourName('#808080'), colourName('#e63946'), colourName('#2a9d8f'), colourName('#f4a261'), colourName('#6b3e1f'), colourName('#ffd166')]).toEqual([
      'white',
      'black',
      'grey',
      'red',
      'teal',
      'orange',
      'brown',
      'yellow',
    ]);
  });

  it('turns a prepared image into the model port image part', async () => {
    const prepared = await prepareImageForModel(await solidPng(10, 10, '#ffffff'));
    expect(toImagePart(prepared)).toEqual({ type: 'image', url: prepared.dataUrl });
    expect(toImagePart(prepared, 'low')).toEqual({ type: 'image', url: prepared.dataUrl, detail: 'low' });
  });
});

describe('video', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const clips: Record<string, string> = {};

  beforeAll(async () => {
    dir = await tempDir();
    await Promise.all([
      makeVideo(dir.file('clip.mp4'), 'mp4').then((f) => (clips.mp4 = f)),
      makeVideo(dir.file('clip.webm'), 'webm').then((f) => (clips.webm = f)),
      makeVideo(dir.file('phone.mov'), 'mov', { width: 640, height: 360, seconds: 2, rotate: 90 }).then((f) => (clips.mov = f)),
      makeVideo(dir.file('small.mp4'), 'mp4', { width: 320, height: 240, seconds: 2 }).then((f) => (clips.small = f)),
      makeVideo(dir.file('fast.mp4'), 'mp4', { faststart: true }).then((f) => (clips.faststart = f)),
      colourClip(dir.file('colours.mp4'), ['red', 'blue'], 2).then((f) => (clips.colours = f)),
      audioOnlyMp4(dir.file('sound.mp4')).then((f) => (clips.sound = f)),
    ]);
  }, 120_000);

  afterAll(() => dir.remove());

  const tempInputs = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('nc-video-')).length;

  it('measures MP4, WebM and MOV clips: duration, size, codec and frame rate, from a path or from bytes', async () => {
    expect(await inspectVideo(clips.mp4!)).toEqual({ container: 'mp4', mimeType: 'video/mp4', durationMs: 5000, width: 1280, height: 720, codec: 'h264', fps: 25 });
    expect(await inspectVideo(clips.webm!)).toEqual({ container: 'webm', mimeType: 'video/webm', durationMs: 5000, width: 1280, height: 720, codec: 'vp8', fps: 25 });
    // Recorded 640 × 360 with a quarter-turn in its metadata: shown, and decoded, upright.
    expect(await inspectVideo(clips.mov!)).toMatchObject({ container: 'mov', mimeType: 'video/quicktime', durationMs: 2000, width: 360, height: 640, codec: 'h264' });
    const before = tempInputs();
    expect(await inspectVideo(fs.readFileSync(clips.small!))).toMatchObject({ container: 'mp4', durationMs: 2000, width: 320, height: 240 });
    expect(tempInputs()).toBe(before);
  });

  it('samples frames evenly across the clip, each a JPEG fitted inside maxSide, with its time', async () => {
    const frames = await sampleFrames(clips.mp4!);
    expect(frames.map((frame) => frame.timestampMs)).toEqual([313, 938, 1563, 2188, 2813, 3438, 4063, 4688]);
    expect(frameTimestamps(5000, 8)).toEqual(frames.map((frame) => frame.timestampMs));
    for (const frame of frames) {
      expect([frame.width, frame.height]).toEqual([768, 432]);
      expect(await sharp(frame.jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 768, height: 432 });
    }
    // testsrc draws a running counter, so frames from different times differ.
    expect(new Set(frames.map((frame) => createHash('sha1').update(frame.jpeg).digest('hex'))).size).toBe(8);

    const few = await sampleFrames(clips.webm!, { count: 3, maxSide: 320 });
    expect(few.map((frame) => [frame.timestampMs, frame.width, frame.height])).toEqual([
      [833, 320, 180],
      [2500, 320, 180],
      [4167, 320, 180],
    ]);
    const upright = await sampleFrames(clips.mov!, { count: 2 });
    expect(upright.map((frame) => [frame.width, frame.height])).toEqual([
      [360, 640],
      [360, 640],
    ]);
    const small = await sampleFrames(fs.readFileSync(clips.small!), { count: 2 });
    expect(small.map((frame) => [frame.width, frame.height])).toEqual([
      [320, 240],
      [320, 240],
    ]);
  });

  it('seeks to the right moment: frames from the red half are red and from the blue half blue', async () => {
    const frames = await sampleFrames(clips.colours!, { count: 4 });
    expect(frames.map((frame) => frame.timestampMs)).toEqual([500, 1500, 2500, 3500]);
    const colours = await Promise.all(frames.map((frame) => pixelAt(frame.jpeg, 160, 120)));
    expect(colours.map(([r, , b]) => (r > 200 && b < 60 ? 'red' : b > 200 && r < 60 ? 'blue' : `${r},${b}`))).toEqual(['red', 'red', 'blue', 'blue']);
  });

  it('composes the frames into one JPEG contact sheet', async () => {
    const frames = await sampleFrames(clips.mp4!, { maxSide: 640 });
    const strip = await frameStrip(frames);
    expect(strip).toMatchObject({ columns: 4, rows: 2, width: 4 * 320 + 5 * 4, height: 2 * 180 + 3 * 4 });
    expect(await sharp(strip.jpeg).metadata()).toMatchObject({ format: 'jpeg', width: strip.width, height: strip.height });
    const row = await frameStrip(frames.slice(0, 3), { columns: 8, tileHeight: 90, gap: 0 });
    expect([row.columns, row.rows, row.width, row.height]).toEqual([3, 1, 480, 90]);
    await expect(frameStrip([])).rejects.toBeInstanceOf(MediaError);
  });

  it('describes a clip offline by its length, size and the moments it sampled', async () => {
    const info = await inspectVideo(clips.mp4!);
    const frames = await sampleFrames(clips.mp4!, { count: 4, info });
    expect(describeVideoOffline({ ...info, name: 'clip.mp4' }, frames)).toBe(
      'clip.mp4: a 5.0 s 1280×720 MP4 video (h264, 25 fps); 4 frames sampled at 0.6 s, 1.9 s, 3.1 s, 4.4 s; a vision model is needed to say what happens in it.',
    );
    const parts = framesToParts(frames.slice(0, 2), { name: 'clip.mp4' });
    expect(parts.map((part) => (part.type === 'text' ? part.text : `${part.url.slice(0, 23)} ${part.detail}`))).toEqual([
      'Frames sampled from clip.mp4:',
      'Frame at 0.6 s:',
      'data:image/jpeg;base64, low',
      'Frame at 1.9 s:',
      'data:image/jpeg;base64, low',
    ]);
  });

  it('refuses what is not a clip and a damaged clip with a sentence fit to show', async () => {
    const mp4 = fs.readFileSync(clips.mp4!);
    const cases: [Buffer | string, string][] = [
      [await solidPng(20, 20, '#000000'), 'unsupported_type'],
      [Buffer.from('#EXTM3U\n#EXTINF:10,\nhttp://169.254.169.254/latest\n'), 'unsupported_type'],
      [fs.readFileSync(clips.sound!), 'unsupported_type'],
      // The index (moov) of a plain MP4 is written last: cut short, it is gone.
      [truncated(mp4, 0.5), 'corrupt'],
      [Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), createHash('sha512').update('x').digest()]), 'corrupt'],
      [dir.file('missing.mp4'), 'corrupt'],
      [dir.dir, 'corrupt'],
    ];
    const before = tempInputs();
    for (const [input, code] of cases) {
      for (const call of [() => inspectVideo(input), () => sampleFrames(input, { count: 2 })]) {
        const error = await rejection(call());
        expect([error.code, error.message]).toEqual([code, expect.stringMatching(/^(This|The) (file|video|video file) [^/]+\.$/)]);
      }
    }
    expect(tempInputs()).toBe(before);
  });

  it('samples what survives of a clip cut short whose index came first', async () => {
    const cut = truncated(fs.readFileSync(clips.faststart!), 0.45);
    const info = await inspectVideo(cut);
    expect(info.durationMs).toBe(5000);
    const frames = await sampleFrames(cut, { info });
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(8);
    expect(frames.map((frame) => frame.timestampMs)).toEqual(frameTimestamps(5000, 8).slice(0, frames.length));
  });

  it('kills an ffmpeg that runs past its time limit, or is stopped, and leaves no process behind', async () => {
    const endless = ['-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'null', '-'];
    let pid: number | undefined;
    const started = Date.now();
    const timedOut = await rejection(runFfmpeg(endless, { timeoutMs: 600, onSpawn: (child) => (pid = child.pid) }));
    expect(timedOut.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(pid).toBeDefined();
    expect(() => process.kill(pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    let stoppedPid: number | undefined;
    const stopped = await rejection(runFfmpeg(endless, { signal: controller.signal, onSpawn: (child) => (stoppedPid = child.pid) }));
    expect(stopped.code).toBe('cancelled');
    expect(() => process.kill(stoppedPid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect((await rejection(runFfmpeg(endless, { signal: AbortSignal.abort() }))).code).toBe('cancelled');

    const before = tempInputs();
    expect((await rejection(sampleFrames(fs.readFileSync(clips.mp4!), { timeoutMs: 1 }))).code).toBe('timeout');
    const info = await inspectVideo(clips.mp4!);
    expect((await rejection(sampleFrames(clips.mp4!, { info, timeoutMs: 1, concurrency: 4 }))).code).toBe('timeout');
    const stopSampling = new AbortController();
    const sampling = sampleFrames(clips.mp4!, { info, count: 16, signal: stopSampling.signal });
    setTimeout(() => stopSampling.abort(), 20);
    expect((await rejection(sampling)).code).toBe('cancelled');
    expect(tempInputs()).toBe(before);
    const flood = ['-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=25', '-f', 'rawvideo', 'pipe:1'];
    expect((await rejection(runFfmpeg(flood, { maxStdoutBytes: 1_000_000 }))).code).toBe('too_large');
    // Every call above has settled, and no ffmpeg of this process is still running.
    const children = execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)]).toString();
    expect(children.split('\n').filter((name) => name.includes('ffmpeg'))).toEqual([]);
  });
});

