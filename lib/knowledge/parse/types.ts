import 'server-only';

export type DocumentKind = 'pdf' | 'docx' | 'html' | 'markdown' | 'text';

/** A run of a document's text as markdown; PDFs give one per page (1-based), so citations name pages. */
export type ParsedSection = { page?: number; markdown: string };

export type ParsedDocument = { title?: string; pageCount?: number; sections: ParsedSection[] };

export type ParseProgress = (fraction: number) => void | Promise<void>;

export type ParseErrorCode = 'corrupt' | 'encrypted' | 'empty' | 'too_large';

/**
 * Why a document could not be read. `message` is a sentence to show its owner as is; the library
 * error behind it (kept as `cause` for logs) never is.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';

  constructor(
    readonly code: ParseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
