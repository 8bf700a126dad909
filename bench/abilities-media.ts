/*
 * Vision and video preparation (issue 11's `bench:abilities`, media part): the time to prepare a
 * 12-megapixel photo for a model (inspect, fit to 2048 px, encode, data URL) and a thumbnail,
 * and the time to sample 8 frames from a 60 s 1080p H.264 clip (probe, 8 seeks, strip). Each
 * scenario runs in a fresh child process so its peak RSS is its own; ffmpeg runs in processes of
 * its own, whose peak (VmHWM) is read from /proc while they run. Prints JSON lines.
 * Run alone: TSX_TSCONFIG_PATH=tsconfig.node.json npx tsx bench/abilities-media.ts
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { makeVideo, photoJpeg, tempDir } from '../tests/fixtures/media';
import { report, runBench, summarize } from './stats';

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

const readOrEmpty = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** Children of this process, from every thread's list (Linux only). */
const childPids = (tasks: string) =>
  fs
    .readdirSync(tasks)
    .flatMap((tid) => readOrEmpty(`${tasks}/${tid}/children`).trim().split(/\s+/))
    .filter(Boolean);

/** Peak RSS of this process and of its ffmpeg children, sampled while `measure` runs. */
async function withMemory<T>(measure: () => Promise<T>): Promise<{ result: T; before: number; peak: number; childPeak: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  let childPeak = 0;
  const tasks = `/proc/${process.pid}/task`;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    if (!fs.existsSync(tasks)) return;
    for (const pid of childPids(tasks)) {
      // A child may exit between the listing and the read: it has no status left to read.
      const status = readOrEmpty(`/proc/${pid}/status`);
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) childPeak = Math.max(childPeak, Number(hwm[1]) * 1024);
    }
  }, 10);
  try {
    const result = await measure();
    return { result, before, peak: Math.max(peak, process.memoryUsage().rss), childPeak };
  } finally {
    clearInterval(sampler);
  }
}

async function imageScenario(): Promise<void> {
  const { inspectImage, prepareImageForModel, thumbnail } = await import('@/lib/abilities/media');
  const photo = await photoJpeg(4000, 3000);
  await prepareImageForModel(photo); // warm-up: the first call loads libvips' codecs
  const prepare: number[] = [];
  const thumbs: number[] = [];
  const inspect: number[] = [];
  const { result: prepared, before, peak } = await withMemory(async () => {
    let last;
    for (let i = 0; i < 5; i++) {
      let start = performance.now();
      await inspectImage(photo);
      inspect.push(performance.now() - start);
      start = performance.now();
      last = await prepareImageForModel(photo);
      prepare.push(performance.now() - start);
      start = performance.now();
      await thumbnail(photo);
      thumbs.push(performance.now() - start);
    }
    return last!;
  });
  report({
    bench: 'abilities-media',
    scenario: '12-megapixel photo (4000x3000 JPEG) prepared for a model',
    input_mb: Math.round((photo.byteLength / 1024 / 1024) * 100) / 100,
    output: `${prepared.width}x${prepared.height} ${prepared.mimeType}, ${Math.round(prepared.bytes / 1024)} KiB`,
    prepare: summarize(prepare),
    inspect: summarize(inspect),
    thumbnail_320: summarize(thumbs),
    rss_before_mb: mb(before),
    peak_rss_mb: mb(peak),
  });
}

async function videoScenario(): Promise<void> {
  const { frameStrip, inspectVideo, sampleFrames } = await import('@/lib/abilities/media');
  const dir = await tempDir('nc-bench-media-');
  try {
    const madeAt = performance.now();
    const clip = await makeVideo(dir.file('clip.mp4'), 'mp4', { seconds: 60, width: 1920, height: 1080, rate: 25 });
    const generateMs = performance.now() - madeAt;
    await sampleFrames(clip, { count: 1 }); // warm-up: page cache and the binary
    const runs: { probe: number; sample: number; strip: number }[] = [];
    const { result: frames, before, peak, childPeak } = await withMemory(async () => {
      let last;
      for (let i = 0; i < 3; i++) {
        let start = performance.now();
        const info = await inspectVideo(clip);
        const probe = performance.now() - start;
        start = performance.now();
        last = await sampleFrames(clip, { info });
        const sample = performance.now() - start;
        start = performance.now();
        await frameStrip(last);
        runs.push({ probe, sample, strip: performance.now() - start });
      }
      return last!;
    });
    const concurrency1: number[] = [];
    for (let i = 0; i < 2; i++) {
      const start = performance.now();
      await sampleFrames(clip, { concurrency: 1 });
      concurrency1.push(performance.now() - start);
    }
    report({
      bench: 'abilities-media',
      scenario: '8 frames sampled from a 60 s 1080p H.264 clip (x264 ultrafast, keyframe every 10 s)',
      clip_mb: Math.round((fs.statSync(clip).size / 1024 / 1024) * 10) / 10,
      generate_ms: Math.round(generateMs),
      frames: frames.length,
      frame: `${frames[0]!.width}x${frames[0]!.height}`,
      probe: summarize(runs.map((run) => run.probe)),
      sample_8_frames: summarize(runs.map((run) => run.sample)),
      sample_8_frames_one_at_a_time: summarize(concurrency1),
      strip: summarize(runs.map((run) => run.strip)),
      rss_before_mb: mb(before),
      peak_rss_mb: mb(peak),
      ffmpeg_peak_rss_mb: mb(childPeak),
    });
  } finally {
    await dir.remove();
  }
}

const scenarios = { image: imageScenario, video: videoScenario };

/** Runs each scenario in its own process. */
export async function benchMedia(): Promise<void> {
  for (const name of Object.keys(scenarios)) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, __filename, `--scenario=${name}`], { stdio: 'inherit', env: process.env });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`media scenario ${name} exited with ${code}`))));
    });
  }
}

const arg = process.argv.find((a) => a.startsWith('--scenario='));
if (!arg && /abilities-media\.ts$/.test(process.argv[1] ?? '')) runBench(benchMedia);
if (arg) runBench(scenarios[arg.split('=')[1] as keyof typeof scenarios]);
