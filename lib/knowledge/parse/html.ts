import 'server-only';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { createTurndown, escapeBlockSyntax, normalizeText } from './normalize';
import { decodeUtf8 } from './text';
import { ParseError, type ParsedDocument } from './types';

const messages = {
  corrupt: 'This page could not be read as HTML.',
  empty: 'No text was found in this page.',
};

/** Not content, wherever they are: dropped before Readability scores the page, and from the fallback. */
const chrome = 'script, style, noscript, template, iframe, object, embed, svg, canvas, nav, aside, footer, form, button, select, textarea, input, dialog';

/**
 * Bounds on the page's shape, for the recursive tools: Readability slows to minutes and then
 * overflows the stack on deeply nested markup, and is superlinear in elements; turndown recurses
 * per level. Past them the page is read by one iterative walk (headings and paragraphs only).
 */
const MAX_DEPTH = 200;
const READABILITY_MAX_ELEMENTS = 20_000;
const TURNDOWN_MAX_ELEMENTS = 150_000;
/**
 * The DOM costs about 2 KB per element: past this much markup (scripts, styles and inline
 * images set aside) a page would take gigabytes to read, and is refused instead.
 */
export const HTML_MAX_CHARS = 5 * 1024 * 1024;

/**
 * Bulk that is never content (scripts, styles, inline SVG, data: addresses), cut before parsing
 * so that it neither counts against the bound nor fills the DOM. One pass, linear whatever the
 * markup: an unclosed element or quote runs to the end, as it would for a browser.
 */
function stripBulk(html: string): string {
  // [^<>] keeps every attempt short: a hostile run of '<script' without '>' costs no more than its length.
  const open = /<(script|style|svg|noscript|template)\b[^<>]{0,2048}>|=[ \t\n\r]{0,64}(["'])data:/gi;
  const parts: string[] = [];
  let kept = 0;
  for (let match = open.exec(html); match; match = open.exec(html)) {
    parts.push(html.slice(kept, match.index));
    let end: number;
    if (match[1]) {
      const close = new RegExp(`</${match[1]}[ \\t\\n\\r]*>`, 'gi');
      close.lastIndex = open.lastIndex;
      end = close.exec(html) ? close.lastIndex : -1;
    } else {
      parts.push('=""');
      const quote = html.indexOf(match[2]!, open.lastIndex);
      end = quote < 0 ? -1 : quote + 1;
    }
    if (end < 0) {
      kept = html.length;
      break;
    }
    kept = open.lastIndex = end;
  }
  parts.push(html.slice(kept));
  return parts.join('');
}


type Element = ReturnType<typeof parseHTML>['document']['body'];

function shapeOf(root: Element): { depth: number; elements: number } {
  let depth = 0;
  let elements = 0;
  const stack: [Element, number][] = [[root, 1]];
  while (stack.length) {
    const [element, level] = stack.pop()!;
    elements++;
    if (level > depth) depth = level;
    for (const child of Array.from(element.children)) stack.push([child as Element, level + 1]);
  }
  return { depth, elements };
}

const blockTags = new Set(['ADDRESS', 'ARTICLE', 'BLOCKQUOTE', 'BR', 'DD', 'DIV', 'DL', 'DT', 'FIGCAPTION', 'FIGURE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HEADER', 'HR', 'LI', 'MAIN', 'OL', 'P', 'PRE', 'SECTION', 'TABLE', 'TD', 'TH', 'TR', 'UL']);

/** Headings and paragraphs by one iterative walk: no recursion, linear in the page. */
function walkText(root: Element): string {
  const out: string[] = [];
  let line = '';
  const breakBlock = () => {
    const text = line.replace(/\s+/g, ' ').trim();
    if (text) out.push(/^#{1,6} /.test(text) ? text : escapeBlockSyntax(text));
    line = '';
  };
  type Step = { node: Node; leaving: boolean };
  const stack: Step[] = [{ node: root as unknown as Node, leaving: false }];
  while (stack.length) {
    const { node, leaving } = stack.pop()!;
    if (node.nodeType === 3) {
      line += node.textContent ?? '';
      continue;
    }
    if (node.nodeType !== 1) continue;
    const tag = (node as unknown as { tagName: string }).tagName.toUpperCase();
    if (blockTags.has(tag)) breakBlock();
    if (leaving) continue;
    if (/^H[1-6]$/.test(tag)) line = `${'#'.repeat(Number(tag[1]))} `;
    stack.push({ node, leaving: true });
    const children = Array.from(node.childNodes);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, leaving: false });
  }
  breakBlock();
  return out.join('\n\n');
}

function readableHtml(document: ReturnType<typeof parseHTML>['document'], body: string): { html: string; title?: string } {
  const bodyText = (document.body?.textContent ?? '').replace(/\s+/g, ' ').trim();
  let article: ReturnType<Readability['parse']> = null;
  try {
    article = new Readability(document, { keepClasses: true }).parse();
  } catch {
    // Markup Readability trips on: the body it is.
    return { html: body };
  }
  const articleText = (article?.textContent ?? '').replace(/\s+/g, ' ').trim();
  // Readability sometimes settles on a fragment (a comment, a caption) of a page that is all content.
  const html = article?.content && articleText.length > 0 && articleText.length >= bodyText.length * 0.25 ? article.content : body;
  return { html, title: article?.title?.replace(/\s+/g, ' ').trim() || undefined };
}

export function parseHtml({ bytes }: { bytes: Uint8Array }): ParsedDocument {
  let markdown: string;
  let title: string | undefined;
  try {
    const html = stripBulk(decodeUtf8(bytes));
    if (html.length > HTML_MAX_CHARS) {
      throw new ParseError('too_large', `This page holds more than ${HTML_MAX_CHARS / 1024 / 1024} MB of markup, more than the hub reads; save its text as a file and upload that.`);
    }
    const { document } = parseHTML(html);
    title = document.title?.replace(/\s+/g, ' ').trim() || undefined;
    for (const element of Array.from(document.querySelectorAll(chrome))) element.remove();
    const root = document.body ?? document.documentElement;
    const shape = shapeOf(root);
    if (shape.depth > MAX_DEPTH || shape.elements > TURNDOWN_MAX_ELEMENTS) {
      markdown = normalizeText(walkText(root));
    } else {
      // Readability turns every h1 into an h2; the level each heading had is kept aside.
      for (const heading of Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))) heading.setAttribute('data-nc-level', heading.tagName.charAt(1));
      const body = root.innerHTML;
      const readable = shape.elements > READABILITY_MAX_ELEMENTS ? { html: body } : readableHtml(document, body);
      title ??= readable.title;
      markdown = normalizeText(createTurndown().turndown(readable.html));
    }
  } catch (error) {
    if (error instanceof ParseError) throw error;
    throw new ParseError('corrupt', messages.corrupt, { cause: error });
  }
  if (!markdown) throw new ParseError('empty', messages.empty);
  return { title, sections: [{ markdown }] };
}
