import 'server-only';
import type { ParsedDocument } from '@/lib/knowledge/parse';

/**
 * Passages of a parsed document, cut along its structure: each belongs to one heading (its path
 * of headings, 'Guide › Installation › Linux') and to one page, packs whole paragraphs up to
 * about `targetChars`, never exceeds `maxChars`, and keeps a code block or a table in one piece
 * when it fits. A paragraph too long for one passage is cut between sentences, a sentence
 * between words. Deterministic: the same document always gives the same passages.
 */
export type Passage = { position: number; page?: number; heading: string; content: string };

export const HEADING_SEPARATOR = ' › ';
const DEFAULT_TARGET = 900;
const DEFAULT_MAX = 1600;
const MIN_MAX = 64;
const MAX_HEADING_CHARS = 200;

type Block = { kind: 'heading'; level: number; text: string } | { kind: 'code' | 'table' | 'list' | 'paragraph'; text: string };

const fenceOpen = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const atx = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const tableRule = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;
const listItem = /^ {0,3}([-+*]|\d{1,9}[.)])[ \t]/;
const thematicBreak = /^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$/;

/** The markdown's blocks, in order: headings, fenced code, tables, lists and paragraphs. */
export function blocksOf(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let run: string[] = [];
  const endRun = () => {
    if (run.length === 0) return;
    const text = run.join('\n').trim();
    if (text) {
      const kind = run.length >= 2 && run[0]!.includes('|') && tableRule.test(run[1]!) ? 'table' : listItem.test(run[0]!) ? 'list' : 'paragraph';
      blocks.push({ kind, text });
    }
    run = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = fenceOpen.exec(line);
    if (fence) {
      endRun();
      const mark = fence[1]!;
      const body = [line];
      let j = i + 1;
      for (; j < lines.length; j++) {
        body.push(lines[j]!);
        const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(lines[j]!)?.[1];
        if (close && close[0] === mark[0] && close.length >= mark.length) break;
      }
      // An unclosed fence runs to the end of the document, as in CommonMark; it is closed here.
      if (j >= lines.length) body.push(mark);
      blocks.push({ kind: 'code', text: body.join('\n') });
      i = j;
      continue;
    }
    const heading = atx.exec(line);
    if (heading) {
      endRun();
      const text = cleanHeading(heading[2] ?? '');
      if (text) blocks.push({ kind: 'heading', level: heading[1]!.length, text });
      continue;
    }
    if (!line.trim() || thematicBreak.test(line)) {
      endRun();
      continue;
    }
    run.push(line);
  }
  endRun();
  return blocks;
}

function cleanHeading(raw: string): string {
  const text = raw
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|`)/g, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_HEADING_CHARS ? `${text.slice(0, MAX_HEADING_CHARS - 1).trimEnd()}…` : text;
}

const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Pieces of at most `limit` characters, cut at the last whitespace before it when there is one. */
function hardCut(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const space = rest.lastIndexOf(' ', limit);
    const cut = space > limit / 2 ? space : limit;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** Greedy packing of units (each at most `max`) into pieces of about `target`, joined by `joiner`. */
function pack(units: string[], target: number, max: number, joiner: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const unit of units) {
    if (!current) current = unit;
    else if (current.length + joiner.length + unit.length <= target) current += joiner + unit;
    else {
      pieces.push(current);
      current = unit;
    }
  }
  if (current) pieces.push(current);
  return pieces.flatMap((piece) => (piece.length > max ? hardCut(piece, max) : [piece]));
}

function splitProse(text: string, target: number, max: number): string[] {
  // Reflowed first: a hard-wrapped paragraph's line ends are not sentence ends.
  const flat = text.replace(/\s+/g, ' ').trim();
  const sentences = Array.from(sentenceSegmenter.segment(flat), (segment) => segment.segment.trim()).filter(Boolean);
  const units = sentences.flatMap((sentence) => (sentence.length <= max ? [sentence] : pack(sentence.split(' '), target, max, ' ')));
  return pack(units, target, max, ' ');
}

function splitLines(lines: string[], budget: number, target: number): string[] {
  const units = lines.flatMap((line) => (line.length <= budget ? [line] : hardCut(line, budget)));
  return pack(units, Math.min(target, budget), budget, '\n');
}

/** A block longer than `max` as pieces within it, each still readable on its own. */
function splitBlock(block: Exclude<Block, { kind: 'heading' }>, target: number, max: number): string[] {
  if (block.text.length <= max) return [block.text];
  const lines = block.text.split('\n');
  if (block.kind === 'code') {
    const open = lines[0]!;
    const close = lines[lines.length - 1]!;
    const budget = max - open.length - close.length - 2;
    if (budget >= 32) return splitLines(lines.slice(1, -1), budget, target - open.length - close.length - 2).map((body) => `${open}\n${body}\n${close}`);
    return splitLines(lines, max, target);
  }
  if (block.kind === 'table') {
    // Each piece repeats the header row, so a piece of a table still says what its columns are.
    const head = `${lines[0]}\n${lines[1]}`;
    const budget = max - head.length - 1;
    if (budget >= 32) return splitLines(lines.slice(2), budget, target - head.length - 1).map((rows) => `${head}\n${rows}`);
    return splitLines(lines, max, target);
  }
  if (block.kind === 'list') {
    const items: string[] = [];
    for (const line of lines) {
      if (listItem.test(line) || items.length === 0) items.push(line);
      else items[items.length - 1] += `\n${line}`;
    }
    const units = items.flatMap((item) => (item.length <= max ? [item] : splitProse(item, target, max)));
    return pack(units, target, max, '\n');
  }
  return splitProse(block.text, target, max);
}

export function chunkDocument(doc: ParsedDocument, options: { targetChars?: number; maxChars?: number } = {}): Passage[] {
  const max = options.maxChars ?? DEFAULT_MAX;
  if (!Number.isFinite(max) || max < MIN_MAX) throw new RangeError(`maxChars must be at least ${MIN_MAX}`);
  const target = Math.min(options.targetChars ?? DEFAULT_TARGET, max);
  // A passage under this is joined by the next block even past the target (up to max), so an
  // introductory sentence stays with the code or table it introduces.
  const small = target * 0.4;

  const passages: Passage[] = [];
  const path: { level: number; text: string }[] = [];
  let parts: string[] = [];
  let length = 0;
  let page: number | undefined;
  // The last heading, while nothing has been written under it.
  let bare: { level: number; text: string; heading: string; page?: number } | undefined;

  const emit = (content: string, heading: string, at: number | undefined) => {
    if (!content.trim()) return;
    passages.push({ position: passages.length, ...(at === undefined ? {} : { page: at }), heading, content });
  };
  const headingPath = () => path.map((entry) => entry.text).join(HEADING_SEPARATOR);
  const flush = () => {
    emit(parts.join('\n\n'), headingPath(), page);
    parts = [];
    length = 0;
  };
  const add = (text: string) => {
    bare = undefined;
    const joined = length + (parts.length ? 2 : 0) + text.length;
    if (parts.length && joined > target && !(length < small && joined <= max)) flush();
    length += (parts.length ? 2 : 0) + text.length;
    parts.push(text);
  };

  for (const section of doc.sections) {
    page = section.page;
    for (const block of blocksOf(section.markdown)) {
      if (block.kind === 'heading') {
        flush();
        // A heading with nothing under it and no subheadings is content itself (a document of headings).
        if (bare && block.level <= bare.level) emit(bare.text, bare.heading, bare.page);
        while (path.length && path[path.length - 1]!.level >= block.level) path.pop();
        path.push({ level: block.level, text: block.text });
        bare = { level: block.level, text: block.text, heading: headingPath(), page };
        continue;
      }
      for (const piece of splitBlock(block, target, max)) add(piece);
    }
    flush();
  }
  if (bare) emit(bare.text, bare.heading, bare.page);
  return passages;
}
