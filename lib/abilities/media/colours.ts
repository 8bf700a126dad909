import 'server-only';

/** A colour that covers a share (0..1) of an image's pixels. */
export type DominantColour = { hex: string; share: number };

const toHex = (r: number, g: number, b: number) => `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/**
 * The most common colours of raw RGBA pixels: each channel cut to 3 bits (512 boxes), the boxes
 * counted, and each box reported as the mean of its own pixels, so a flat colour comes back
 * exactly and a gradient as its average. Transparent pixels are not counted: they have no colour.
 * Boxes under `minShare` are noise (edges, grain) and left out.
 */
export function dominantColoursOf(rgba: Uint8Array, options: { max?: number; minShare?: number } = {}): DominantColour[] {
  const max = options.max ?? 5;
  const minShare = options.minShare ?? 0.03;
  const count = new Uint32Array(512);
  const sums = new Float64Array(512 * 3);
  let total = 0;
  for (let i = 0; i + 3 < rgba.length; i += 4) {
    if (rgba[i + 3]! < 128) continue;
    const r = rgba[i]!;
    const g = rgba[i + 1]!;
    const b = rgba[i + 2]!;
    const box = ((r >> 5) << 6) | ((g >> 5) << 3) | (b >> 5);
    count[box]!++;
    sums[box * 3] = sums[box * 3]! + r;
    sums[box * 3 + 1] = sums[box * 3 + 1]! + g;
    sums[box * 3 + 2] = sums[box * 3 + 2]! + b;
    total++;
  }
  if (total === 0) return [];
  const boxes = [...count.keys()].filter((box) => count[box]! > 0).sort((a, b) => count[b]! - count[a]!);
  const colours: DominantColour[] = [];
  for (const box of boxes.slice(0, max)) {
    const share = count[box]! / total;
    if (share < minShare && colours.length > 0) break;
    const n = count[box]!;
    colours.push({ hex: toHex(sums[box * 3]! / n, sums[box * 3 + 1]! / n, sums[box * 3 + 2]! / n), share: Math.round(share * 1000) / 1000 });
  }
  return colours;
}

/** Hue names by the hue (degrees) each one starts at. */
const HUES: [number, string][] = [
  [0, 'red'],
  [15, 'orange'],
  [40, 'yellow'],
  [70, 'green'],
  [165, 'teal'],
  [195, 'blue'],
  [255, 'purple'],
  [290, 'pink'],
  [340, 'red'],
];

/**
 * A plain name for a colour ("dark blue", "white", "light grey"), from its hue, saturation and
 * lightness: the words a person would use, so the offline description reads as a sentence.
 */
export function colourName(hex: string): string {
  const value = Number.parseInt(hex.replace('#', ''), 16);
  const [r, g, b] = [(value >> 16) & 255, (value >> 8) & 255, value & 255].map((v) => v / 255) as [number, number, number];
  const high = Math.max(r, g, b);
  const low = Math.min(r, g, b);
  const lightness = (high + low) / 2;
  const chroma = high - low;
  const saturation = chroma === 0 ? 0 : chroma / (1 - Math.abs(2 * lightness - 1));
  if (lightness < 0.1) return 'black';
  if (lightness > 0.93) return 'white';
  if (saturation < 0.15 || chroma < 0.08) return lightness < 0.3 ? 'dark grey' : lightness > 0.7 ? 'light grey' : 'grey';
  let hue = 0;
  if (high === r) hue = (((g - b) / chroma) % 6) * 60;
  else if (high === g) hue = ((b - r) / chroma + 2) * 60;
  else hue = ((r - g) / chroma + 4) * 60;
  if (hue < 0) hue += 360;
  let name = HUES[0]![1];
  for (const [start, hueName] of HUES) if (hue >= start) name = hueName;
  if (name === 'orange' && lightness < 0.35) return 'brown';
  if (lightness < 0.3) return `dark ${name}`;
  if (lightness > 0.75) return `light ${name}`;
  return name;
}
