import 'server-only';
import { getDocumentProxy } from 'unpdf';
import { layoutPages, linesOf, type PdfLine, type PdfTextItem } from './pdf-layout';
import { ParseError, type ParsedDocument, type ParseProgress } from './types';

const messages = {
  encrypted: 'This PDF is password-protected; remove the password and upload it again.',
  corrupt: 'This file could not be read as a PDF: it looks damaged.',
  empty: 'No text was found in this document (a scanned PDF needs OCR, which the hub does not do).',
};

type PdfProxy = Awaited<ReturnType<typeof getDocumentProxy>>;

async function open(bytes: Uint8Array): Promise<PdfProxy> {
  try {
    // A copy: pdf.js may take over (detach) the buffer it is given, and the caller's stays theirs.
    return await getDocumentProxy(bytes.slice(), {
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: false,
      verbosity: 0,
    });
  } catch (error) {
    if ((error as Error)?.name === 'PasswordException') throw new ParseError('encrypted', messages.encrypted, { cause: error });
    throw new ParseError('corrupt', messages.corrupt, { cause: error });
  }
}

async function titleOf(pdf: PdfProxy): Promise<string | undefined> {
  try {
    const { info, metadata } = await pdf.getMetadata();
    const declared = (info as { Title?: unknown } | undefined)?.Title;
    const title = typeof declared === 'string' && declared.trim() ? declared : metadata?.get('dc:title');
    return typeof title === 'string' && title.trim() ? title.replace(/\s+/g, ' ').trim() : undefined;
  } catch {
    // Metadata is a nicety: a broken info dictionary does not make the text unreadable.
    return undefined;
  }
}

/**
 * Text page by page, so a 500-page PDF holds one page's operators at a time; progress after
 * each page, at most every 2% of the document. A page whose text cannot be read is skipped
 * rather than failing the document; a document none of whose pages can be read is damaged.
 */
export async function parsePdf({
  bytes,
  onProgress,
  signal,
  maxTextChars,
}: {
  bytes: Uint8Array;
  onProgress?: ParseProgress;
  signal?: AbortSignal;
  maxTextChars: number;
}): Promise<ParsedDocument> {
  const pdf = await open(bytes);
  try {
    const pageCount = pdf.numPages;
    const pages: PdfLine[][] = [];
    let failures = 0;
    let chars = 0;
    let reported = 0;
    for (let number = 1; number <= pageCount; number++) {
      signal?.throwIfAborted();
      let lines: PdfLine[] = [];
      try {
        const page = await pdf.getPage(number);
        const content = await page.getTextContent();
        lines = linesOf(content.items.flatMap((item): PdfTextItem[] => ('str' in item ? [item] : [])));
        page.cleanup();
      } catch (error) {
        if ((error as Error)?.name === 'PasswordException') throw new ParseError('encrypted', messages.encrypted, { cause: error });
        failures++;
      }
      for (const line of lines) chars += line.text.length + 1;
      if (chars > maxTextChars) {
        throw new ParseError('too_large', `This PDF holds more text than the hub indexes for one document (${Math.round(maxTextChars / 1e6)} million characters); split it and upload the parts.`);
      }
      pages.push(lines);
      // pdf.js runs in this thread (no worker in Node): let requests through between pages.
      await new Promise((resolve) => setImmediate(resolve));
      const fraction = number / pageCount;
      if (onProgress && (fraction - reported >= 0.02 || number === pageCount)) {
        reported = fraction;
        await onProgress(fraction);
      }
    }
    if (pageCount > 0 && failures === pageCount) throw new ParseError('corrupt', messages.corrupt);
    const markdown = layoutPages(pages);
    if (!markdown.some((text) => text.trim())) throw new ParseError('empty', messages.empty);
    return { title: await titleOf(pdf), pageCount, sections: markdown.map((text, index) => ({ page: index + 1, markdown: text })) };
  } finally {
    await pdf.loadingTask.destroy().catch(() => undefined);
  }
}
