import 'server-only';
import { parseDocx } from './docx';
import { parseHtml } from './html';
import { parsePdf } from './pdf';
import { parseMarkdown, parsePlainText } from './text';
import { ParseError, type DocumentKind, type ParsedDocument, type ParseProgress } from './types';
import { zipHasEntry } from './zip';

export { ParseError } from './types';
export type { DocumentKind, ParsedDocument, ParsedSection, ParseErrorCode, ParseProgress } from './types';

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const mimeTypes: Record<DocumentKind, string> = {
  pdf: 'application/pdf',
  docx: DOCX_MIME,
  html: 'text/html',
  markdown: 'text/markdown',
  text: 'text/plain',
};

export function mimeTypeFor(kind: DocumentKind): string {
  return mimeTypes[kind];
}

const byExtension: Record<string, DocumentKind> = {
  pdf: 'pdf',
  docx: 'docx',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'text',
  text: 'text',
};

const byMimeType: Record<string, DocumentKind> = {
  'application/pdf': 'pdf',
  'application/x-pdf': 'pdf',
  [DOCX_MIME]: 'docx',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/plain': 'text',
};

const isText = (kind: DocumentKind) => kind === 'html' || kind === 'markdown' || kind === 'text';

/** Valid UTF-8 (a BOM allowed) without NUL bytes: what text kinds must be. */
function isUtf8Text(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function hasPdfHeader(bytes: Uint8Array): boolean {
  // pdf.js, like most readers, accepts the header anywhere in the first kilobyte.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString('latin1');
  return head.includes('%PDF-');
}

/**
 * What a file is: its bytes first (a PDF header; a ZIP holding word/document.xml), then its
 * name's extension, then the type the browser declared, which is the least reliable (a .md
 * often arrives as '' or application/octet-stream). Text kinds must hold UTF-8 text; anything
 * else (binary data) is not a kind the hub reads: undefined.
 */
export function detectKind({ name, mimeType, bytes }: { name: string; mimeType: string; bytes: Uint8Array }): DocumentKind | undefined {
  if (hasPdfHeader(bytes)) return 'pdf';
  if (zipHasEntry(bytes, 'word/document.xml')) return 'docx';
  const extension = /\.([a-z0-9]+)$/i.exec(name.trim())?.[1]?.toLowerCase();
  const declared = mimeType.split(';')[0]!.trim().toLowerCase();
  const kind = (extension ? byExtension[extension] : undefined) ?? byMimeType[declared];
  if (!kind) return undefined;
  if (isText(kind)) return isUtf8Text(bytes) ? kind : undefined;
  return kind;
}

/**
 * Text a document may yield before it is refused as too large: far beyond what
 * KNOWLEDGE_MAX_PASSAGES_PER_DOCUMENT passages hold, so only a hostile or absurd file meets it.
 */
export const MAX_TEXT_CHARS = 32 * 1024 * 1024;

/**
 * A document's text as markdown sections, one per page for PDFs. Throws ParseError (with a
 * message for its owner) when the file is damaged, password-protected, has no text or holds
 * more than `maxTextChars`; `signal` stops a long PDF between pages.
 */
export async function parseDocument({
  kind,
  bytes,
  onProgress,
  signal,
  maxTextChars = MAX_TEXT_CHARS,
}: {
  kind: DocumentKind;
  bytes: Uint8Array;
  onProgress?: ParseProgress;
  signal?: AbortSignal;
  maxTextChars?: number;
}): Promise<ParsedDocument> {
  signal?.throwIfAborted();
  let parsed: ParsedDocument;
  if (kind === 'pdf') return parsePdf({ bytes, onProgress, signal, maxTextChars });
  if (kind === 'docx') parsed = await parseDocx({ bytes });
  else if (kind === 'html') parsed = parseHtml({ bytes });
  else if (kind === 'markdown') parsed = parseMarkdown(bytes);
  else parsed = parsePlainText(bytes);
  const chars = parsed.sections.reduce((sum, section) => sum + section.markdown.length, 0);
  if (chars === 0 || !parsed.sections.some((section) => section.markdown.trim())) {
    throw new ParseError('empty', 'No text was found in this document.');
  }
  if (chars > maxTextChars) {
    throw new ParseError('too_large', `This document holds more text than the hub indexes for one document (${Math.round(maxTextChars / 1e6)} million characters); split it and upload the parts.`);
  }
  await onProgress?.(1);
  return parsed;
}
