import 'server-only';
import { escapeBlockSyntax } from './normalize';

/**
 * Reading a page's text items back into paragraphs and headings. pdf.js gives runs of text with
 * positions; lines come from its end-of-line marks and baseline changes, paragraphs from gaps
 * wider than the document's usual line spacing, headings from text set clearly larger than the
 * body. Single column, top to bottom: multi-column pages read column by column only when the
 * PDF's content order does.
 */
export type PdfTextItem = { str: string; transform: number[]; width: number; height: number; hasEOL: boolean };
export type PdfLine = { text: string; x: number; y: number; size: number };

const round = (value: number) => Math.round(value * 2) / 2;

export function linesOf(items: PdfTextItem[]): PdfLine[] {
  const lines: PdfLine[] = [];
  let current: (PdfLine & { endX: number }) | undefined;
  const close = () => {
    const text = current?.text.replace(/\s+/g, ' ').trim();
    if (current && text) lines.push({ text, x: current.x, y: current.y, size: current.size });
    current = undefined;
  };
  for (const item of items) {
    const [, , c = 0, d = 0, x = 0, y = 0] = item.transform;
    const size = Math.hypot(c, d) || item.height || 0;
    if (current && Math.abs(y - current.y) > Math.max(current.size, size, 1) * 0.5) close();
    if (!current) {
      if (item.str.trim()) current = { text: '', x, y, size: 0, endX: x };
    } else if (x - current.endX > size * 0.15 && !/\s$/.test(current.text) && !/^\s/.test(item.str)) {
      current.text += ' ';
    }
    if (current && item.str) {
      current.text += item.str;
      current.endX = x + item.width;
      if (item.str.trim()) current.size = Math.max(current.size, size);
    }
    if (item.hasEOL) close();
  }
  close();
  return lines;
}

function mode(values: Map<number, number>): number | undefined {
  let best: number | undefined;
  let bestCount = 0;
  for (const [value, count] of values) if (count > bestCount || (count === bestCount && best !== undefined && value < best)) [best, bestCount] = [value, count];
  return best;
}

const edgeKey = (line: PdfLine) => line.text.replace(/\d+/g, '#').toLowerCase();

/** Running headers and footers (page numbers included): the same first or last line on most pages. */
function dropRunningLines(pages: PdfLine[][]) {
  if (pages.length < 4) return;
  const counts = new Map<string, number>();
  for (const lines of pages) {
    const edges = new Set([lines[0], lines[lines.length - 1]].filter((line) => line !== undefined).map(edgeKey));
    for (const key of edges) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const running = new Set([...counts].filter(([, count]) => count >= Math.max(3, pages.length * 0.5)).map(([key]) => key));
  if (running.size === 0) return;
  for (const lines of pages) {
    if (lines.length && running.has(edgeKey(lines[0]!))) lines.shift();
    if (lines.length && running.has(edgeKey(lines[lines.length - 1]!))) lines.pop();
  }
}

const bullet = /^([•◦▪‣●■]|[-–*] |\d{1,3}[.)] )/;

/** One markdown string per page; `pages` is modified (running lines dropped). */
export function layoutPages(pages: PdfLine[][]): string[] {
  dropRunningLines(pages);
  const sizes = new Map<number, number>();
  for (const line of pages.flat()) sizes.set(round(line.size), (sizes.get(round(line.size)) ?? 0) + line.text.length);
  const body = mode(sizes) ?? 0;
  const isHeading = (line: PdfLine) => body > 0 && line.size >= body * 1.2 && line.text.length <= 150 && /[\p{L}\p{N}]/u.test(line.text);

  const gaps = new Map<number, number>();
  for (const lines of pages) {
    for (let i = 1; i < lines.length; i++) {
      const [above, below] = [lines[i - 1]!, lines[i]!];
      const gap = above.y - below.y;
      if (round(above.size) === body && round(below.size) === body && gap > 0 && gap < body * 3) gaps.set(round(gap), (gaps.get(round(gap)) ?? 0) + 1);
    }
  }
  const lineGap = mode(gaps);
  const headingSizes = [...new Set(pages.flat().filter(isHeading).map((line) => round(line.size)))].sort((a, b) => b - a);
  const levelOf = (line: PdfLine) => Math.min(6, headingSizes.indexOf(round(line.size)) + 1);

  return pages.map((lines) => {
    const blocks: { heading?: number; lines: PdfLine[] }[] = [];
    for (const line of lines) {
      const last = blocks[blocks.length - 1];
      const previous = last?.lines[last.lines.length - 1];
      const heading = isHeading(line) ? levelOf(line) : undefined;
      const gap = previous ? previous.y - line.y : 0;
      const size = Math.max(previous?.size ?? 0, line.size);
      const sameBlock =
        last !== undefined &&
        previous !== undefined &&
        last.heading === heading &&
        gap > 0 &&
        gap <= (heading === undefined && lineGap ? lineGap * 1.35 : size * 1.75) &&
        !(heading === undefined && bullet.test(line.text)) &&
        !(line.x - previous.x > size && /[.!?:"”)]$/.test(previous.text));
      if (sameBlock) last.lines.push(line);
      else blocks.push({ heading, lines: [line] });
    }
    return blocks
      // Large type running over several lines is a pull quote or a large-print passage, not a heading.
      .map((block) => (block.heading !== undefined && (block.lines.length > 3 || block.lines.reduce((sum, line) => sum + line.text.length, 0) > 200) ? { ...block, heading: undefined } : block))
      .map(({ heading, lines: run }) => {
        const text = run.reduce((joined, line) => {
          if (!joined) return line.text;
          if (/\p{Ll}-$/u.test(joined) && /^\p{Ll}/u.test(line.text)) return joined.slice(0, -1) + line.text;
          return `${joined} ${line.text}`;
        }, '');
        if (heading !== undefined) return `${'#'.repeat(heading)} ${text}`;
        return escapeBlockSyntax(text.replace(/^[•◦▪‣●■]\s*/, '- '));
      })
      .join('\n\n');
  });
}
