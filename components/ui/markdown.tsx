'use client';

import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo } from 'react';

let hooked = false;

// An allow-list, not DOMPurify's defaults: no `class` or `style` (one message must not restyle
// or cover the page), no media or images (no tracking loads), links only to http(s) and mail.
const purifyConfig = {
  ALLOWED_TAGS: ['p', 'br', 'strong', 'b', 'em', 'i', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  ALLOWED_ATTR: ['href', 'title', 'start'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
};

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
  const html = marked.parse(source, { async: false, gfm: true, breaks: true });
  return DOMPurify.sanitize(html, purifyConfig);
}

export function Markdown({ source }: { source: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  // Before hydration (no DOM to sanitize with) the text is shown as plain text.
  if (html === null) return <div className="message-body whitespace-pre-wrap break-words">{source}</div>;
  return <div className="message-body break-words" data-testid="message-body" dangerouslySetInnerHTML={{ __html: html }} />;
}
