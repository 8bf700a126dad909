'use client';

import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';
import { useMemo } from 'react';
import { isAllowedImageSource, isLinkableImageSource } from './markdown-images';
import { markdownTree, type TextRenderer } from './markdown-tree';

let hooked = false;

// An allow-list, not DOMPurify's defaults: no `class` or `style` (one message must not restyle
// or cover the page), images only as the renderer below emits them, links only to http(s), mail
// and this hub's own paths.
const purifyConfig = {
  ALLOWED_TAGS: ['p', 'br', 'strong', 'b', 'em', 'i', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'img'],
  ALLOWED_ATTR: ['href', 'title', 'start', 'src', 'alt', 'align', 'data-language', 'data-refused-image'],
  ALLOW_DATA_ATTR: false,
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|\/(?![/\\]))/i,
  // DOMPurify holds every attribute outside its URI-safe set to the URI pattern: these are no URIs.
  ADD_URI_SAFE_ATTR: ['align', 'start', 'data-language', 'data-refused-image'],
};

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * marked with three renderers of our own:
 * - HTML in the source (`<b>hi</b>`, `<script>`) is shown as the text that was typed, escaped,
 *   never interpreted nor silently dropped;
 * - an image renders only from an allowed source (markdown-images), else as a link (or its alt
 *   text) saying an image was not shown;
 * - a fenced block keeps its language in `data-language`, for the code block to highlight.
 */
const markdown = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html({ text, block }: Tokens.HTML | Tokens.Tag) {
      const escaped = escapeHtml(text);
      return block ? `<p>${escaped.trim().replace(/\n/g, '<br>')}</p>\n` : escaped;
    },
    image({ href, title, text }: Tokens.Image) {
      const alt = escapeHtml(text || 'image');
      if (isAllowedImageSource(href)) return `<img src="${escapeHtml(href)}" alt="${alt}"${title ? ` title="${escapeHtml(title)}"` : ''}>`;
      if (isLinkableImageSource(href)) return `<a href="${escapeHtml(href)}" data-refused-image="" title="Image not shown: its source is not on this hub's list">Image: ${alt}</a>`;
      return `[Image: ${alt}]`;
    },
    code({ text, lang }: Tokens.Code) {
      const language = (lang ?? '').trim().split(/\s+/)[0]?.replace(/[^\w+#.-]/g, '') ?? '';
      return `<pre><code${language ? ` data-language="${escapeHtml(language)}"` : ''}>${escapeHtml(text)}</code></pre>\n`;
    },
  },
});

/** Markdown to HTML, then sanitized: raw HTML from people or models never executes. */
export function renderMarkdown(source: string): string | null {
  if (typeof window === 'undefined' || !DOMPurify.isSupported) return null;
  if (!hooked) {
    // Links open in a new tab and cannot reach back into the hub through window.opener.
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    });
    hooked = true;
  }
  const html = markdown.parse(source, { async: false });
  return DOMPurify.sanitize(html, purifyConfig);
}

/**
 * A message's markdown, rendered and sanitized, then rebuilt as React elements (markdown-tree):
 * code blocks get highlighting and a Copy button, tables a scrolling frame, and no HTML string
 * is ever put into the page. `renderText` lets a caller turn text into more (citation chips).
 */
export function Markdown({ source, renderText }: { source: string; renderText?: TextRenderer }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  const tree = useMemo(() => (html === null ? null : markdownTree(html, renderText)), [html, renderText]);
  // Before hydration (no DOM to sanitize with) the text is shown as plain text.
  if (tree === null) return <div className="message-body whitespace-pre-wrap break-words">{source}</div>;
  return (
    <div className="message-body break-words" data-testid="message-body">
      {tree}
    </div>
  );
}
