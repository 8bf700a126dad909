import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

/*
 * Syntax highlighting for code blocks: highlight.js's core with the languages chat is mostly
 * about, registered one by one (the full bundle is ~10x larger). Their aliases come along
 * (js, ts, py, sh, html, yml, ...).
 */
const languages = { bash, css, diff, go, javascript, json, python, rust, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language);

/** Guessing a language costs a pass per language: only for blocks up to this size. */
const MAX_AUTODETECT_CHARS = 4000;

/**
 * The code as highlight.js's HTML (spans with `hljs-*` classes, the text escaped by it), and the
 * language used; null when the language is unknown and could not be guessed.
 */
export function highlightCode(code: string, language?: string): { html: string; language: string } | null {
  const named = language?.toLowerCase();
  if (named && hljs.getLanguage(named)) {
    return { html: hljs.highlight(code, { language: named, ignoreIllegals: true }).value, language: named };
  }
  if (named || code.length > MAX_AUTODETECT_CHARS) return null;
  const guess = hljs.highlightAuto(code);
  return guess.language && guess.relevance >= 5 ? { html: guess.value, language: guess.language } : null;
}
