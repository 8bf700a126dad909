import { crc32, deflateRawSync } from 'node:zlib';
import { Document, HeadingLevel, ImageRun, Packer, Paragraph } from 'docx';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { getDocumentProxy } from 'unpdf';
import { chunkDocument } from '@/lib/knowledge/chunk';
import { detectKind, mimeTypeFor, parseDocument, ParseError, type DocumentKind } from '@/lib/knowledge/parse';
import { readZipEntries } from '@/lib/knowledge/parse/zip';
import {
  encryptedPdfPassword,
  encryptedPdfText,
  makeCorruptPdf,
  makeDocx,
  makeEncryptedPdf,
  makeHtmlPage,
  makePdf,
  makePdfWithHeadings,
  samplePages,
  sampleHandbook,
  toMarkdown,
  utf8,
} from '@/tests/fixtures/documents';

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

async function parseError(run: () => Promise<unknown>): Promise<ParseError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

/**
 * A ZIP archive of stored or deflated entries, written by hand so a test controls every byte;
 * `claimedSize` is the inflated size the headers state (a zip bomb understates it).
 */
function makeZip(entries: { name: string; data: Uint8Array; deflate?: boolean; claimedSize?: number }[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const data = entry.deflate ? deflateRawSync(entry.data) : Buffer.from(entry.data);
    const size = entry.claimedSize ?? entry.data.length;
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

describe('detectKind', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

  it('trusts the bytes over a wrong declared type and a wrong extension', async () => {
    const pdf = await makePdf([['Hello']]);
    const docx = await makeDocx([{ paragraph: 'Hello' }]);
    expect(detectKind({ name: 'report.pdf', mimeType: 'application/pdf', bytes: pdf })).toBe('pdf');
    expect(detectKind({ name: 'report.txt', mimeType: 'text/plain', bytes: pdf })).toBe('pdf');
    expect(detectKind({ name: 'letter.pdf', mimeType: 'application/pdf', bytes: docx })).toBe('docx');
    expect(detectKind({ name: 'letter', mimeType: 'application/octet-stream', bytes: docx })).toBe('docx');
  });

  it('takes the extension over a generic or missing declared type', () => {
    const text = utf8('# Notes\n\nSome notes.');
    expect(detectKind({ name: 'notes.md', mimeType: 'application/octet-stream', bytes: text })).toBe('markdown');
    expect(detectKind({ name: 'notes.MARKDOWN', mimeType: '', bytes: text })).toBe('markdown');
    expect(detectKind({ name: 'notes.md', mimeType: 'text/plain', bytes: text })).toBe('markdown');
    expect(detectKind({ name: 'page.htm', mimeType: '', bytes: utf8('<p>hi</p>') })).toBe('html');
    expect(detectKind({ name: 'readme.txt', mimeType: 'application/octet-stream', bytes: text })).toBe('text');
  });

  it('falls back on the declared type when the name says nothing', () => {
    expect(detectKind({ name: 'clipboard', mimeType: 'text/markdown; charset=utf-8', bytes: utf8('# a') })).toBe('markdown');
    expect(detectKind({ name: 'page', mimeType: 'text/html', bytes: utf8('<p>hi</p>') })).toBe('html');
    expect(detectKind({ name: 'data.csv', mimeType: 'text/csv', bytes: utf8('a,b\n1,2') })).toBeUndefined();
    expect(detectKind({ name: 'archive.zip', mimeType: 'application/zip', bytes: makeZip([{ name: 'a.txt', data: utf8('a') }]) })).toBeUndefined();
  });

  it('refuses binary data dressed as text', () => {
    expect(detectKind({ name: 'image.png', mimeType: 'image/png', bytes: png })).toBeUndefined();
    expect(detectKind({ name: 'image.txt', mimeType: 'text/plain', bytes: png })).toBeUndefined();
    expect(detectKind({ name: 'nul.md', mimeType: 'text/markdown', bytes: utf8('# Title\u0000 with a NUL') })).toBeUndefined();
    expect(detectKind({ name: 'latin1.txt', mimeType: 'text/plain', bytes: new Uint8Array([0x63, 0x61, 0x66, 0xe9]) })).toBeUndefined();
  });

  it('accepts UTF-8 with a byte order mark', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('Caf\u00e9 notes')]);
    expect(detectKind({ name: 'notes.txt', mimeType: '', bytes: bom })).toBe('text');
  });

  it('names a MIME type for every kind', () => {
    const kinds: DocumentKind[] = ['pdf', 'docx', 'html', 'markdown', 'text'];
    expect(kinds.map(mimeTypeFor)).toEqual(['application/pdf', DOCX_MIME, 'text/html', 'text/markdown', 'text/plain']);
  });
});

describe('parseDocument: PDF', () => {
  it('gives one section per page with 1-based page numbers, paragraphs and the title', async () => {
    const bytes = await makePdf(
      [
        ['Alpha first line of a paragraph', 'that goes on here.', '', 'A second paragraph on page one.'],
        ['Beta is on the second page.'],
        ['Gamma closes the third page.'],
      ],
      { title: 'Greek Letters' },
    );
    const progress: number[] = [];
    const doc = await parseDocument({ kind: 'pdf', bytes, onProgress: (fraction) => void progress.push(fraction) });
    expect(doc.title).toBe('Greek Letters');
    expect(doc.pageCount).toBe(3);
    expect(doc.sections).toEqual([
      { page: 1, markdown: 'Alpha first line of a paragraph that goes on here.\n\nA second paragraph on page one.' },
      { page: 2, markdown: 'Beta is on the second page.' },
      { page: 3, markdown: 'Gamma closes the third page.' },
    ]);
    expect(progress[progress.length - 1]).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('leaves the caller its bytes', async () => {
    const bytes = await makePdf([['Kept']]);
    const copy = bytes.slice();
    await parseDocument({ kind: 'pdf', bytes });
    expect(bytes.byteLength).toBe(copy.byteLength);
    expect(Buffer.from(bytes).equals(Buffer.from(copy))).toBe(true);
  });

  it('reads larger type as headings, whose path carries across pages', async () => {
    const bytes = await makePdfWithHeadings([
      { heading: 'Turbines', lines: ['Turbines turn wind into power.'] },
      { heading: 'Blades', lines: ['Blades are inspected each spring.'] },
    ]);
    const doc = await parseDocument({ kind: 'pdf', bytes });
    expect(doc.sections.map((section) => section.markdown)).toEqual(['# Turbines\n\nTurbines turn wind into power.', '# Blades\n\nBlades are inspected each spring.']);
    expect(chunkDocument(doc).map(({ page, heading }) => ({ page, heading }))).toEqual([
      { page: 1, heading: 'Turbines' },
      { page: 2, heading: 'Blades' },
    ]);
  });

  it('joins words set as separate runs into lines, and lines into paragraphs, mending hyphenated breaks', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.TimesRoman);
    const page = pdf.addPage([612, 792]);
    let x = 56;
    for (const word of ['Justified', 'text', 'is', 'often', 'set']) {
      page.drawText(word, { x, y: 700, size: 12, font });
      x += font.widthOfTextAtSize(word, 12) + 9;
    }
    page.drawText('word by word, with a hyphen-', { x: 56, y: 684, size: 12, font });
    page.drawText('ated break.', { x: 56, y: 668, size: 12, font });
    page.drawText('Large type that runs over several lines', { x: 56, y: 620, size: 24, font });
    page.drawText('is a passage in large print and not a', { x: 56, y: 592, size: 24, font });
    page.drawText('heading at all, however large it is set', { x: 56, y: 564, size: 24, font });
    page.drawText('on the page.', { x: 56, y: 536, size: 24, font });
    // Enough body text that 12 points is the body size.
    const body = ['The body of the page is set in twelve point type, like this line,', 'and the next, and the one after that, which closes the paragraph.'];
    body.forEach((line, i) => page.drawText(line, { x: 56, y: 500 - i * 16, size: 12, font }));
    const doc = await parseDocument({ kind: 'pdf', bytes: await pdf.save() });
    expect(doc.sections[0]!.markdown).toBe(
      'Justified text is often set word by word, with a hyphenated break.\n\nLarge type that runs over several lines is a passage in large print and not a heading at all, however large it is set on the page.\n\n' +
        'The body of the page is set in twelve point type, like this line, and the next, and the one after that, which closes the paragraph.',
    );
  });

  it('drops running headers and page numbers', async () => {
    const pages = Array.from({ length: 6 }, (_, i) => ['Zephyr Field Manual', `Body text of page ${i + 1} about gearbox number ${i * 3}.`, '', `${i + 1}`]);
    const doc = await parseDocument({ kind: 'pdf', bytes: await makePdf(pages) });
    expect(doc.sections.map((section) => section.markdown)).toEqual(pages.map((_, i) => `Body text of page ${i + 1} about gearbox number ${i * 3}.`));
  });

  it('refuses a password-protected PDF as encrypted (and the fixture opens with its password)', async () => {
    const bytes = makeEncryptedPdf();
    const error = await parseError(() => parseDocument({ kind: 'pdf', bytes }));
    expect(error.code).toBe('encrypted');
    expect(error.message).toBe('This PDF is password-protected; remove the password and upload it again.');
    const pdf = await getDocumentProxy(bytes.slice(), { password: encryptedPdfPassword, verbosity: 0 });
    const content = await (await pdf.getPage(1)).getTextContent();
    expect(content.items.map((item) => ('str' in item ? item.str : '')).join('')).toBe(encryptedPdfText);
  });

  it('refuses a damaged PDF as corrupt, without the library error in its message', async () => {
    for (const bytes of [makeCorruptPdf(), utf8('%PDF-1.4\n'), (await makePdf([['cut short']])).slice(0, 200)]) {
      const error = await parseError(() => parseDocument({ kind: 'pdf', bytes }));
      expect(error.code).toBe('corrupt');
      expect(error.message).toBe('This file could not be read as a PDF: it looks damaged.');
    }
  });

  it('refuses a PDF without text as empty', async () => {
    const error = await parseError(async () => parseDocument({ kind: 'pdf', bytes: await makePdf([[], ['', '']]) }));
    expect(error.code).toBe('empty');
    expect(error.message).toBe('No text was found in this document (a scanned PDF needs OCR, which the hub does not do).');
  });

  it('refuses a PDF with more text than the limit as too large', async () => {
    const bytes = await makePdf(samplePages(3));
    const error = await parseError(() => parseDocument({ kind: 'pdf', bytes, maxTextChars: 4000 }));
    expect(error.code).toBe('too_large');
  });

  it('stops between pages when aborted', async () => {
    const controller = new AbortController();
    const bytes = await makePdf(samplePages(20, 5));
    const run = parseDocument({ kind: 'pdf', bytes, signal: controller.signal, onProgress: (fraction) => void (fraction > 0.2 && controller.abort(new Error('stop now'))) });
    await expect(run).rejects.toThrow('stop now');
  });

  it('parses a 200-page PDF page by page within the ingestion budget', async () => {
    const bytes = await makePdf(samplePages(200));
    const reports: number[] = [];
    const started = performance.now();
    const doc = await parseDocument({ kind: 'pdf', bytes, onProgress: (fraction) => void reports.push(fraction) });
    const parseMs = performance.now() - started;
    const passages = chunkDocument(doc);
    const totalMs = performance.now() - started;
    console.info(JSON.stringify({ pdfPages: 200, pdfBytes: bytes.length, parseMs: Math.round(parseMs), parseAndChunkMs: Math.round(totalMs), passages: passages.length, rssMb: Math.round(process.memoryUsage().rss / 1e6) }));
    expect(doc.pageCount).toBe(200);
    expect(doc.sections[199]).toEqual({ page: 200, markdown: expect.stringContaining('Page 200 line 35:') });
    expect(reports.length).toBeGreaterThanOrEqual(40);
    expect(passages.every((passage) => passage.page !== undefined && passage.content.includes(`Page ${passage.page} line`))).toBe(true);
    expect(totalMs).toBeLessThan(10_000);
  });
});

describe('parseDocument: DOCX', () => {
  it('keeps headings as markdown headings, and the title from the document properties', async () => {
    const doc = await parseDocument({ kind: 'docx', bytes: await makeDocx(sampleHandbook, { title: 'Zephyr Handbook' }) });
    expect(doc.title).toBe('Zephyr Handbook');
    const markdown = doc.sections[0]!.markdown;
    expect(markdown.startsWith('# Field Guide\n\nThis guide covers')).toBe(true);
    expect(markdown).toContain('\n\n## Installation\n\n');
    expect(markdown).toContain('\n\n### Linux\n\n');
    expect(markdown).toContain('sudo apt-get install zephyr-telemetry\nsudo systemctl enable');
    const headings = chunkDocument(doc).map((passage) => passage.heading);
    expect(headings).toEqual(['Field Guide', 'Field Guide › Installation', 'Field Guide › Installation › Linux', 'Field Guide › Installation › Windows', 'Field Guide › Maintenance', 'Safety']);
  });

  it('refuses a damaged Word document as corrupt', async () => {
    const good = await makeDocx([{ paragraph: 'Soon to be cut short' }]);
    const cases = [utf8('PK\u0003\u0004 not really a zip'), good.slice(0, good.length - 30), makeZip([{ name: 'word/document.xml', data: utf8('<w:document'), deflate: false }]).map((byte, i, all) => (i === all.length - 10 ? 0xff : byte))];
    for (const bytes of cases) {
      const error = await parseError(() => parseDocument({ kind: 'docx', bytes }));
      expect(error.code).toBe('corrupt');
      expect(error.message).toBe('This file could not be read as a Word document: it looks damaged.');
    }
  });

  it('refuses a password-protected Word document (an OLE container) as encrypted', async () => {
    const ole = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Uint8Array(504)]);
    expect((await parseError(() => parseDocument({ kind: 'docx', bytes: ole }))).code).toBe('encrypted');
  });

  it('refuses a zip bomb before inflating it whole, whatever its parts are named', async () => {
    // 200 MB of zeros deflate to about 200 KB; the archive claims they inflate to 1 KB.
    const zeros = new Uint8Array(200 * 1024 * 1024);
    const claimedSize = 1024;
    const bombs = [
      makeZip([
        { name: '[Content_Types].xml', data: utf8('<Types/>') },
        { name: 'word/document.xml', data: zeros, deflate: true, claimedSize },
      ]),
      makeZip([
        { name: 'word/document.xml', data: utf8('<w:document/>'), deflate: true },
        { name: 'word/media/image1.png', data: zeros, deflate: true, claimedSize },
      ]),
      makeZip([
        { name: 'word/document.xml', data: utf8('<w:document/>'), deflate: true },
        { name: 'word/part.bin', data: zeros, deflate: true, claimedSize },
      ]),
    ];
    for (const bomb of bombs) {
      const before = process.memoryUsage().rss;
      const started = performance.now();
      const error = await parseError(() => parseDocument({ kind: 'docx', bytes: bomb }));
      expect(error.code).toBe('too_large');
      expect(performance.now() - started).toBeLessThan(3000);
      expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
    }
  });

  it('reads a document with a photo as its alt text, never its bytes', async () => {
    // 3 MB that do not compress, behind a PNG signature: a photo as far as the package is concerned.
    let state = 2463534242;
    const photo = new Uint8Array(3 * 1024 * 1024).map(() => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state & 255;
    });
    photo.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const doc = new Document({
      sections: [
        {
          children: [
            new Paragraph({ text: 'Photos', heading: HeadingLevel.HEADING_1 }),
            new Paragraph({ children: [new ImageRun({ type: 'png', data: photo, transformation: { width: 200, height: 100 }, altText: { name: 'photo', title: 'photo', description: 'A wind turbine at dusk' } })] }),
            new Paragraph({ text: 'A caption under the photo.' }),
          ],
        },
      ],
    });
    const bytes = new Uint8Array(await Packer.toBuffer(doc));
    expect(readZipEntries(bytes)!.some((entry) => entry.name.startsWith('word/media/') && entry.compressedSize > 2 * 1024 * 1024)).toBe(true);
    const parsed = await parseDocument({ kind: 'docx', bytes, maxTextChars: 1000 });
    expect(parsed.sections).toEqual([{ markdown: '# Photos\n\n[A wind turbine at dusk]\n\nA caption under the photo.' }]);
  });
});

describe('parseDocument: HTML', () => {
  it('keeps the main content as markdown, without navigation, sidebar, footer, styles or scripts', async () => {
    const html = makeHtmlPage({ title: 'Zephyr Care', blocks: sampleHandbook, withNav: true });
    const doc = await parseDocument({ kind: 'html', bytes: utf8(html) });
    expect(doc.title).toBe('Zephyr Care');
    const markdown = doc.sections[0]!.markdown;
    expect(markdown).toContain('# Field Guide');
    expect(markdown).toContain('### Linux');
    expect(markdown).toContain('```sh\nsudo apt-get install zephyr-telemetry\nsudo systemctl enable --now zephyr-telemetry\n```');
    for (const chrome of ['navlink', 'Copyright footer', 'script-content-must-not-appear', 'hidden-style-rule', 'font-family']) expect(markdown).not.toContain(chrome);
    expect(chunkDocument(doc).map((passage) => passage.heading)).toContain('Field Guide › Installation › Linux');
  });

  it('falls back on the body when there is no article to find, and renders tables as pipe tables', async () => {
    const html = '<html><head><title>Prices</title></head><body><div><table><tr><th>Plan</th><th>Price</th></tr><tr><td>Basic</td><td>5 | 10</td></tr></table></div><script>x()</script></body></html>';
    const doc = await parseDocument({ kind: 'html', bytes: utf8(html) });
    expect(doc).toEqual({ title: 'Prices', sections: [{ markdown: '| Plan | Price |\n| --- | --- |\n| Basic | 5 \\| 10 |' }] });
  });

  it('refuses a page without text as empty', async () => {
    const error = await parseError(() => parseDocument({ kind: 'html', bytes: utf8('<html><head><title>T</title><script>a()</script></head><body><nav>Menu</nav></body></html>') }));
    expect(error.code).toBe('empty');
  });

  it('reads deeply nested markup without recursing through it', async () => {
    const deep = `<html><body>${'<div>'.repeat(20_000)}<h2>Deep heading</h2>Deep text${'</div>'.repeat(20_000)}</body></html>`;
    const started = performance.now();
    const doc = await parseDocument({ kind: 'html', bytes: utf8(deep) });
    expect(doc.sections).toEqual([{ markdown: '## Deep heading\n\nDeep text' }]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('reads a long page, and refuses more markup than the bound as too large', async () => {
    const paragraphs = (count: number) => Array.from({ length: count }, (_, i) => `<p>Paragraph ${i} of a long page.</p>`).join('');
    let started = performance.now();
    const doc = await parseDocument({ kind: 'html', bytes: utf8(`<html><body>${paragraphs(40_000)}</body></html>`) });
    const longMs = performance.now() - started;
    expect(doc.sections[0]!.markdown).toContain('Paragraph 39999 of a long page.');
    started = performance.now();
    const error = await parseError(() => parseDocument({ kind: 'html', bytes: utf8(`<html><body>${paragraphs(200_000)}</body></html>`) }));
    expect(error.code).toBe('too_large');
    console.info(JSON.stringify({ html40kParagraphsMs: Math.round(longMs), htmlRefusedMs: Math.round(performance.now() - started) }));
    expect(longMs).toBeLessThan(10_000);
  });

  it('sets scripts, styles and inline images aside before measuring, in one linear pass', async () => {
    const image = `<img alt="Chart" src="data:image/png;base64,${'A'.repeat(6 * 1024 * 1024)}">`;
    const script = `<script>${'var x = "<p>not content</p>";'.repeat(200_000)}</script>`;
    const doc = await parseDocument({ kind: 'html', bytes: utf8(`<html><body><p>Visible words.</p>${image}${script}<p>After the bulk.</p></body></html>`) });
    expect(doc.sections[0]!.markdown).toBe('Visible words.\n\n[Chart]\n\nAfter the bulk.');
    const started = performance.now();
    const hostile = `<html><body><p>Start.</p>${'<script'.repeat(300_000)}${'= "data:'.repeat(1)}</body></html>`;
    const result = await parseDocument({ kind: 'html', bytes: utf8(hostile) }).catch((caught: unknown) => caught);
    expect(result instanceof ParseError || (result as { sections: unknown[] }).sections.length === 1).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('parseDocument: Markdown and plain text', () => {
  it('keeps markdown as it is, without its front matter, titled from it or its first heading', async () => {
    const markdown = toMarkdown(sampleHandbook);
    const fronted = await parseDocument({ kind: 'markdown', bytes: utf8(`---\ntitle: "Zephyr Notes"\ntags: [a]\n---\n${markdown}\n`) });
    expect(fronted).toEqual({ title: 'Zephyr Notes', sections: [{ markdown }] });
    const plain = await parseDocument({ kind: 'markdown', bytes: utf8(markdown) });
    expect(plain.title).toBe('Field Guide');
  });

  it('reads setext headings as headings', async () => {
    const doc = await parseDocument({ kind: 'markdown', bytes: utf8('Guide\n=====\n\nIntro.\n\nSetup\n-----\n\nSteps.') });
    expect(doc.sections[0]!.markdown).toBe('# Guide\n\nIntro.\n\n## Setup\n\nSteps.');
  });

  it('normalises line ends, NULs, control characters and blank runs', async () => {
    const doc = await parseDocument({ kind: 'text', bytes: utf8('\uFEFFFirst line  \r\nsecond\u0000 line\r\n\r\n\r\n\r\nThird\u0007 paragraph\n') });
    expect(doc).toEqual({ sections: [{ markdown: 'First line\nsecond line\n\nThird paragraph' }] });
  });

  it('keeps plain text lines that look like markdown structure as text', async () => {
    const doc = await parseDocument({ kind: 'text', bytes: utf8('# not a heading\n``` not a fence\nbody') });
    expect(chunkDocument(doc)).toEqual([{ position: 0, heading: '', content: '\\# not a heading\n\\``` not a fence\nbody' }]);
  });

  it('refuses whitespace as empty', async () => {
    expect((await parseError(() => parseDocument({ kind: 'text', bytes: utf8(' \n\t\n ') }))).code).toBe('empty');
    expect((await parseError(() => parseDocument({ kind: 'markdown', bytes: utf8('---\ntitle: x\n---\n') }))).code).toBe('empty');
  });
});
