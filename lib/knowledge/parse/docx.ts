import 'server-only';
import mammoth from 'mammoth';
import { createTurndown, normalizeText } from './normalize';
import { ParseError, type ParsedDocument } from './types';
import { isZip, readZipEntries, readZipEntry, ZipLimitError } from './zip';

const messages = {
  encrypted: 'This Word document is password-protected (or in the old .doc format); save it as .docx without a password and upload it again.',
  corrupt: 'This file could not be read as a Word document: it looks damaged.',
  empty: 'No text was found in this document.',
};

/**
 * What the document's XML parts may inflate to, together. mammoth (through JSZip) inflates and
 * parses them whole and without a bound, so they are measured here first, each with a hard cap
 * on its output, whatever sizes the archive declares. mammoth takes about 0.3 s and 30 MB per MB
 * of XML; 24 MB is thousands of pages of text, read in under 10 s.
 */
export const DOCX_MAX_XML_BYTES = 24 * 1024 * 1024;

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function coreTitle(xml: Uint8Array | undefined): string | undefined {
  if (!xml) return undefined;
  const raw = /<dc:title>([\s\S]*?)<\/dc:title>/.exec(new TextDecoder().decode(xml))?.[1];
  const title = raw
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return title || undefined;
}

/**
 * Images are not read (see convertImage below) unless a hostile package names one as a document
 * part, so they are bounded by how much they inflate: real images hardly compress, a bomb
 * inflates a thousandfold.
 */
const MEDIA = /\.(png|jpe?g|gif|bmp|tiff?|emf|wmf|svg|webp|wdp|ico)$/i;
const MEDIA_MAX_RATIO = 100;
const MEDIA_MAX_BYTES = 128 * 1024 * 1024;

/**
 * Checks every part of the archive inflates within its bound (mammoth finds the document's parts
 * from the package relationships, whatever their names); returns the core properties part.
 */
function inspect(bytes: Uint8Array, maxXmlBytes: number): Uint8Array | undefined {
  const entries = isZip(bytes) ? readZipEntries(bytes) : undefined;
  if (!entries?.length) throw new ParseError('corrupt', messages.corrupt);
  let text = maxXmlBytes;
  let media = MEDIA_MAX_BYTES;
  let core: Uint8Array | undefined;
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue;
    const isMedia = MEDIA.test(entry.name);
    const bound = isMedia ? Math.min(media, Math.max(1024 * 1024, entry.compressedSize * MEDIA_MAX_RATIO)) : text;
    try {
      const data = readZipEntry(bytes, entry, bound);
      if (isMedia) media -= data.length;
      else text -= data.length;
      if (entry.name === 'docProps/core.xml') core = data;
    } catch (error) {
      if (error instanceof ZipLimitError) {
        throw new ParseError('too_large', `This Word document unpacks to more than the hub reads (${maxXmlBytes / 1024 / 1024} MB of text); split it into smaller documents and upload those.`, { cause: error });
      }
      throw new ParseError('corrupt', messages.corrupt, { cause: error });
    }
  }
  return core;
}

export async function parseDocx({ bytes, maxXmlBytes = DOCX_MAX_XML_BYTES }: { bytes: Uint8Array; maxXmlBytes?: number }): Promise<ParsedDocument> {
  // Office encrypts a protected .docx into an OLE compound file, which is also the old .doc format.
  if (OLE_MAGIC.every((byte, i) => bytes[i] === byte)) throw new ParseError('encrypted', messages.encrypted);
  const core = inspect(bytes, maxXmlBytes);
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      {
        // Images are not text: never read (or base64-inline) them; keep their alt text.
        convertImage: mammoth.images.imgElement(async () => ({ src: '' })),
        externalFileAccess: false,
      },
    );
    html = result.value;
  } catch (error) {
    throw new ParseError('corrupt', messages.corrupt, { cause: error });
  }
  let markdown: string;
  try {
    markdown = normalizeText(createTurndown().turndown(html));
  } catch (error) {
    // Stack exhaustion on absurdly nested tables, for one.
    throw new ParseError('corrupt', messages.corrupt, { cause: error });
  }
  if (!markdown) throw new ParseError('empty', messages.empty);
  return { title: coreTitle(core), sections: [{ markdown }] };
}
