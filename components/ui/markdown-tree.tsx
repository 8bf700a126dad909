'use client';

import { createElement, Fragment, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { highlightCode as HighlightCode } from './code-highlight';
import { isAllowedImageSource } from './markdown-images';

/** Turns a text node into what it shows (plain text by default; citation chips for replies). */
export type TextRenderer = (text: string, key: string) => ReactNode;

// The sanitizer's own allow-list (markdown.tsx) decides what reaches here; this list only maps
// it to React again, so anything outside it renders as its text alone.
const ELEMENTS = new Set(['p', 'br', 'strong', 'b', 'em', 'i', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'img']);
const VOID = new Set(['br', 'hr', 'img']);
// Where React (and HTML) allow no text between children.
const NO_TEXT = new Set(['table', 'thead', 'tbody', 'tr', 'ul', 'ol']);
// Code shows its text as written (`[1]` in a snippet is no citation).
const LITERAL = new Set(['code', 'pre']);
const ALIGN = new Set(['left', 'right', 'center']);

const plain: TextRenderer = (text) => text;

// The highlighter (~23 KB gzipped) loads with the first code block shown, not with the chat.
let highlighter: typeof HighlightCode | undefined;
let loadingHighlighter: Promise<typeof HighlightCode> | undefined;
const loadHighlighter = () =>
  (loadingHighlighter ??= import('./code-highlight').then((module) => (highlighter = module.highlightCode)));

/** A fenced code block: highlighted when its language is known (or guessed), with a Copy button. */
export function CodeBlock({ code, language }: { code: string; language?: string }) {
  const [highlight, setHighlight] = useState(() => highlighter);
  useEffect(() => {
    if (highlight) return;
    let live = true;
    // Until it arrives (or if it cannot load) the code shows as plain text.
    loadHighlighter().then((loaded) => live && setHighlight(() => loaded), () => {});
    return () => {
      live = false;
    };
  }, [highlight]);
  const highlighted = useMemo(() => highlight?.(code, language) ?? null, [highlight, code, language]);
  const tokens = useMemo(() => (highlighted ? highlightedTree(highlighted.html) : code), [highlighted, code]);
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  function copy() {
    const done = (state: 'copied' | 'failed') => {
      setCopied(state);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setCopied(null), 2000);
    };
    // The clipboard needs a secure context; without one the button says so instead of pretending.
    if (!navigator.clipboard?.writeText) return done('failed');
    navigator.clipboard.writeText(code).then(
      () => done('copied'),
      () => done('failed'),
    );
  }

  const shown = highlighted?.language ?? language;
  // data-highlighted: the highlighter has run (tests and screenshots wait for it).
  return (
    <div className="code-block group/code relative my-1" data-testid="code-block" data-language={shown || undefined} data-highlighted={highlight ? 'true' : undefined}>
      <div className="flex items-center justify-between rounded-t-md border border-b-0 border-gray-200 bg-gray-100 px-2 py-0.5 text-[0.7rem] text-gray-500 dark:border-gray-700 dark:bg-gray-800 dark:text-gray-400">
        <span>{shown ?? 'text'}</span>
        <button
          type="button"
          onClick={copy}
          data-testid="copy-code"
          aria-label={copied === 'copied' ? 'Copied' : 'Copy code'}
          className="rounded px-1.5 py-0.5 font-medium hover:bg-gray-200 hover:text-gray-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:hover:bg-gray-700 dark:hover:text-gray-100"
        >
          <span aria-live="polite">{copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}</span>
        </button>
      </div>
      <pre className="!mt-0 rounded-t-none border border-gray-200 dark:border-gray-700">
        <code className={highlighted ? 'hljs' : undefined}>{tokens}</code>
      </pre>
    </div>
  );
}

/** highlight.js's output as React spans (its classes only): parsed inertly, never injected as HTML. */
function highlightedTree(html: string): ReactNode[] {
  const template = document.createElement('template');
  template.innerHTML = html;
  const convert = (node: Node, key: string): ReactNode => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    const element = node as Element;
    const className = [...element.classList].filter((name) => /^hljs-[\w-]+$|^language_$|^[\w]+_$/.test(name)).join(' ');
    return createElement('span', { key, className: className || undefined }, ...Array.from(element.childNodes, (child, i) => convert(child, `${key}.${i}`)));
  };
  return Array.from(template.content.childNodes, (node, i) => convert(node, String(i)));
}

function toReact(node: Node, key: string, literal: boolean, parent: string, renderText: TextRenderer): ReactNode {
  if (node.nodeType === Node.TEXT_NODE) {
    const text = node.textContent ?? '';
    if (NO_TEXT.has(parent) && !text.trim()) return null;
    return literal ? text : <Fragment key={key}>{renderText(text, key)}</Fragment>;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const element = node as Element;
  const tag = element.tagName.toLowerCase();
  if (tag === 'pre' && element.children.length === 1 && element.firstElementChild?.tagName === 'CODE') {
    const code = element.firstElementChild;
    return <CodeBlock key={key} code={(code.textContent ?? '').replace(/\n$/, '')} language={code.getAttribute('data-language') ?? undefined} />;
  }
  if (tag === 'img') {
    const src = element.getAttribute('src') ?? '';
    const alt = element.getAttribute('alt') ?? '';
    // Checked again here: whatever produced the HTML, an image outside the policy never loads.
    if (!isAllowedImageSource(src)) return <Fragment key={key}>[Image: {alt || 'image'}]</Fragment>;
    // eslint-disable-next-line @next/next/no-img-element -- user content from allowed sources; not ours to optimize
    return <img key={key} src={src} alt={alt} title={element.getAttribute('title') ?? undefined} loading="lazy" referrerPolicy="no-referrer" className="md-image" data-testid="markdown-image" />;
  }
  const inner = LITERAL.has(tag) || literal;
  const children = Array.from(element.childNodes, (child, i) => toReact(child, `${key}.${i}`, inner, tag, renderText));
  if (!ELEMENTS.has(tag)) return <Fragment key={key}>{children}</Fragment>;
  const props: Record<string, unknown> = { key };
  if (tag === 'a') {
    const href = element.getAttribute('href');
    if (href && /^(?:https?:|mailto:|\/(?![/\\]))/i.test(href)) props.href = href;
    props.target = '_blank';
    props.rel = 'noopener noreferrer nofollow';
    if (element.hasAttribute('data-refused-image')) props['data-testid'] = 'refused-image';
  }
  const title = element.getAttribute('title');
  if (title) props.title = title;
  if (tag === 'ol' && element.getAttribute('start')) props.start = Number(element.getAttribute('start'));
  const align = element.getAttribute('align');
  if ((tag === 'th' || tag === 'td') && align && ALIGN.has(align)) props.style = { textAlign: align };
  const built = VOID.has(tag) ? createElement(tag, props) : createElement(tag, props, ...children);
  // A wide table scrolls inside its own frame instead of widening the message (phones).
  if (tag === 'table') {
    return (
      <div key={key} className="md-table-wrap" data-testid="markdown-table">
        {built}
      </div>
    );
  }
  return built;
}

/** Sanitized HTML to React elements, through an inert template (parsing it runs and loads nothing). */
export function markdownTree(html: string, renderText: TextRenderer = plain): ReactNode[] {
  const template = document.createElement('template');
  template.innerHTML = html;
  return Array.from(template.content.childNodes, (node, i) => toReact(node, String(i), false, 'div', renderText));
}
