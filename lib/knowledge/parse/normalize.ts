import 'server-only';
import TurndownService from 'turndown';

/**
 * Text as the chunker expects it: \n line ends, no NULs or other control characters, no trailing
 * spaces, at most one blank line in a row.
 */
export function normalizeText(text: string): string {
  return (
    text
      .replace(/^\uFEFF/, '')
      .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
      .replace(/\u00A0/g, ' ')
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

/**
 * Marks a line that would otherwise open a heading or a code fence as text, so that only
 * structure the document really has reaches the chunker as structure.
 */
export function escapeBlockSyntax(line: string): string {
  return line.replace(/^( {0,3})(#{1,6}(?=[ \t]|$)|`{3,}|~{3,})/, (_, space: string, mark: string) => `${space}\\${mark}`);
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * HTML to markdown: ATX headings, fenced code, pipe tables, link and image text without their
 * addresses (passages are read by people and models, and addresses only add noise to search).
 */
export function createTurndown(): TurndownService {
  const service = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '_', hr: '---' });
  // Only block syntax needs escaping; inline marks (* _ [ ]) left as they are read better.
  service.escape = (text: string) => text.split('\n').map(escapeBlockSyntax).join('\n');
  service.remove(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'canvas', 'button', 'select', 'textarea', 'input'] as TurndownService.TagName[]);
  service.addRule('heading-level', {
    filter: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
    replacement: (content, node) => {
      const marked = Number((node as HTMLElement).getAttribute('data-nc-level'));
      const level = marked >= 1 && marked <= 6 ? marked : Number(node.nodeName.charAt(1));
      const text = oneLine(content);
      return text ? `\n\n${'#'.repeat(level)} ${text}\n\n` : '';
    },
  });
  service.addRule('link-text', { filter: 'a', replacement: (content) => content });
  service.addRule('image-text', {
    filter: 'img',
    replacement: (_, node) => {
      const alt = oneLine((node as HTMLElement).getAttribute('alt') ?? '');
      return alt ? `[${alt}]` : '';
    },
  });
  service.addRule('pipe-table', {
    filter: 'table',
    replacement: (_, node) => {
      const rows = Array.from((node as HTMLTableElement).querySelectorAll('tr'))
        .filter((row) => row.closest('table') === node)
        .map((row) =>
          Array.from(row.children)
            .filter((cell) => cell.nodeName === 'TD' || cell.nodeName === 'TH')
            .map((cell) => oneLine(cell.textContent ?? '').replace(/\|/g, '\\|')),
        )
        .filter((cells) => cells.length > 0);
      if (rows.length === 0) return '';
      const width = Math.max(...rows.map((cells) => cells.length));
      const line = (cells: string[]) => `| ${Array.from({ length: width }, (_, i) => cells[i] ?? '').join(' | ')} |`;
      const [head, ...body] = rows;
      return `\n\n${[line(head!), `|${' --- |'.repeat(width)}`, ...body.map(line)].join('\n')}\n\n`;
    },
  });
  return service;
}
