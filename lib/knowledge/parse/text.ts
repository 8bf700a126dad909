import 'server-only';
import { escapeBlockSyntax, normalizeText } from './normalize';
import type { ParsedDocument } from './types';

export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/** YAML (---) or TOML (+++) front matter at the very start: metadata, not content. */
const frontMatter = /^(---|\+\+\+)[ \t]*\n([\s\S]*?)\n\1[ \t]*(?:\n|$)/;
const fence = /^ {0,3}(`{3,}|~{3,})/;

/** Setext headings (a line underlined with === or ---) as ATX, the one heading form the chunker reads. */
function atxHeadings(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let open: string | undefined;
  for (const line of lines) {
    const mark = fence.exec(line)?.[1];
    if (mark && (!open || (mark[0] === open[0] && mark.length >= open.length))) open = open ? undefined : mark;
    const previous = out[out.length - 1];
    const underline = /^ {0,3}(=+|-+)[ \t]*$/.exec(line)?.[1];
    const before = out[out.length - 2];
    if (!open && underline && previous?.trim() && !/^ {0,3}([#>|]|[-+*] |\d+[.)] |`{3}|~{3})/.test(previous) && (before === undefined || !before.trim())) {
      out[out.length - 1] = `${underline[0] === '=' ? '#' : '##'} ${previous.trim()}`;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

export function parseMarkdown(bytes: Uint8Array): ParsedDocument {
  let text = normalizeText(decodeUtf8(bytes));
  let title: string | undefined;
  const matter = frontMatter.exec(text);
  if (matter) {
    const declared = /^title\s*[:=]\s*(.+)$/m.exec(matter[2]!)?.[1];
    title = declared?.trim().replace(/^(['"])(.*)\1$/, '$2').trim() || undefined;
    text = text.slice(matter[0].length).trim();
  }
  text = atxHeadings(text);
  title ??= /^ {0,3}# +(.+?)(?: +#+)? *$/m.exec(text)?.[1]?.trim();
  return { title, sections: [{ markdown: text }] };
}

/** Plain text is not markdown: a line that looks like a heading or a fence stays text. */
export function parsePlainText(bytes: Uint8Array): ParsedDocument {
  const text = normalizeText(decodeUtf8(bytes));
  return { sections: [{ markdown: text.split('\n').map(escapeBlockSyntax).join('\n') }] };
}
