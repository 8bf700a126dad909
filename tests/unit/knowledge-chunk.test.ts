import { chunkDocument, type Passage } from '@/lib/knowledge/chunk';
import type { ParsedDocument } from '@/lib/knowledge/parse';
import { sampleHandbook, sampleSentences, toMarkdown } from '@/tests/fixtures/documents';

const one = (markdown: string): ParsedDocument => ({ sections: [{ markdown }] });
const sentences = (count: number, offset = 0) => Array.from({ length: count }, (_, i) => sampleSentences[(i + offset) % sampleSentences.length]).join(' ');
const words = (passages: Passage[]) => passages.flatMap((passage) => passage.content.split(/\s+/)).filter(Boolean);

describe('chunkDocument', () => {
  it('gives each passage its heading path and never joins text across headings', () => {
    const passages = chunkDocument(one(toMarkdown(sampleHandbook)));
    expect(passages.map(({ heading, content }) => ({ heading, start: content.slice(0, 24) }))).toEqual([
      { heading: 'Field Guide', start: 'This guide covers the ca' },
      { heading: 'Field Guide › Installation', start: 'Every turbine mast is an' },
      { heading: 'Field Guide › Installation › Linux', start: 'The telemetry agent runs' },
      { heading: 'Field Guide › Installation › Windows', start: 'On Windows the telemetry' },
      { heading: 'Field Guide › Maintenance', start: 'Gearboxes are lubricated' },
      { heading: 'Safety', start: 'Nobody climbs a tower wh' },
    ]);
    expect(passages.map((passage) => passage.position)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(passages.every((passage) => passage.page === undefined && !('page' in passage))).toBe(true);
    // The Linux section's paragraph and its commands are one passage: they fit together.
    expect(passages[2]!.content).toBe(
      'The telemetry agent runs on Debian and reports blade pitch every thirty seconds over MQTT.\n\n```sh\nsudo apt-get install zephyr-telemetry\nsudo systemctl enable --now zephyr-telemetry\n```',
    );
  });

  it('cleans heading text and keeps a heading with nothing under it as content', () => {
    const passages = chunkDocument(one('# The **Big** `Guide` #\n\n## [Setup](https://example.com/setup)\n\nRun it.\n\n## Glossary\n\n# Index'));
    expect(passages).toEqual([
      { position: 0, heading: 'The Big Guide › Setup', content: 'Run it.' },
      { position: 1, heading: 'The Big Guide › Glossary', content: 'Glossary' },
      { position: 2, heading: 'Index', content: 'Index' },
    ]);
  });

  it('packs paragraphs up to the target and never past the maximum', () => {
    const paragraphs = Array.from({ length: 40 }, (_, i) => sentences(1 + (i % 4), i));
    const passages = chunkDocument(one(paragraphs.join('\n\n')), { targetChars: 500, maxChars: 800 });
    expect(passages.length).toBeGreaterThan(5);
    for (const passage of passages) expect(passage.content.length).toBeLessThanOrEqual(800);
    // Packed, not one paragraph per passage, and no paragraph cut: each passage is whole paragraphs.
    expect(passages.length).toBeLessThan(paragraphs.length / 2);
    const rejoined = passages.map((passage) => passage.content).join('\n\n');
    expect(rejoined).toBe(paragraphs.join('\n\n'));
  });

  it('cuts a long paragraph between sentences, and a long sentence between words', () => {
    const paragraph = sentences(60);
    const passages = chunkDocument(one(paragraph), { targetChars: 400, maxChars: 600 });
    expect(passages.length).toBeGreaterThan(4);
    for (const passage of passages) {
      expect(passage.content.length).toBeLessThanOrEqual(600);
      expect(passage.content).toMatch(/^[A-Z].*\.$/);
    }
    expect(words(passages)).toEqual(paragraph.split(' '));

    const sentence = `${Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ')}.`;
    const cut = chunkDocument(one(sentence), { targetChars: 300, maxChars: 500 });
    for (const passage of cut) expect(passage.content.length).toBeLessThanOrEqual(500);
    expect(words(cut)).toEqual(sentence.split(' '));

    const blob = 'x'.repeat(5000);
    const hard = chunkDocument(one(blob), { targetChars: 900, maxChars: 1600 });
    expect(hard.map((passage) => passage.content.length)).toEqual([1600, 1600, 1600, 200]);
  });

  it('keeps a code block whole when it fits, and splits one that does not into fenced pieces', () => {
    const code = Array.from({ length: 30 }, (_, i) => `  step_${i}(); // ${sampleSentences[i % sampleSentences.length]}`).join('\n');
    const fits = chunkDocument(one(`Intro to the script.\n\n\`\`\`js\n${code}\n\`\`\`\n\nAfter the code.`), { targetChars: 900, maxChars: 2600 });
    expect(fits.some((passage) => passage.content.includes(`\`\`\`js\n${code}\n\`\`\``))).toBe(true);

    const long = Array.from({ length: 120 }, (_, i) => `line_${i}(); // ${sampleSentences[i % sampleSentences.length]}`).join('\n');
    const pieces = chunkDocument(one(`\`\`\`python\n${long}\n\`\`\``), { targetChars: 900, maxChars: 1600 });
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces) {
      expect(piece.content.length).toBeLessThanOrEqual(1600);
      expect(piece.content.startsWith('```python\n')).toBe(true);
      expect(piece.content.endsWith('\n```')).toBe(true);
    }
    expect(pieces.map((piece) => piece.content.slice(10, -4)).join('\n')).toBe(long);
  });

  it('does not read headings inside code blocks, and closes an unclosed fence', () => {
    const passages = chunkDocument(one('# Shell\n\n```sh\n# a comment, not a heading\necho hi\n```\n\n```\nnever closed\n# still code'));
    expect(passages).toEqual([{ position: 0, heading: 'Shell', content: '```sh\n# a comment, not a heading\necho hi\n```\n\n```\nnever closed\n# still code\n```' }]);
  });

  it('keeps a table whole when it fits, and repeats its header in each piece when it does not', () => {
    const rows = Array.from({ length: 80 }, (_, i) => `| item ${i} | ${sampleSentences[i % sampleSentences.length]} |`);
    const table = ['| Item | Note |', '| --- | --- |', ...rows].join('\n');
    const small = ['| Item | Note |', '| --- | --- |', ...rows.slice(0, 5)].join('\n');
    expect(chunkDocument(one(`Prices.\n\n${small}`))).toEqual([{ position: 0, heading: '', content: `Prices.\n\n${small}` }]);
    const pieces = chunkDocument(one(table), { targetChars: 900, maxChars: 1600 });
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces) {
      expect(piece.content.length).toBeLessThanOrEqual(1600);
      expect(piece.content.startsWith('| Item | Note |\n| --- | --- |\n| item ')).toBe(true);
    }
    expect(pieces.flatMap((piece) => piece.content.split('\n').slice(2))).toEqual(rows);
  });

  it('splits a long list between items', () => {
    const items = Array.from({ length: 40 }, (_, i) => `- Item ${i}: ${sampleSentences[i % sampleSentences.length]}`);
    const passages = chunkDocument(one(items.join('\n')), { targetChars: 600, maxChars: 900 });
    expect(passages.length).toBeGreaterThan(2);
    for (const passage of passages) expect(passage.content.split('\n').every((line) => line.startsWith('- Item '))).toBe(true);
    expect(passages.flatMap((passage) => passage.content.split('\n'))).toEqual(items);
  });

  it('keeps each passage on its page, carrying the heading path across pages', () => {
    const doc: ParsedDocument = {
      pageCount: 3,
      sections: [
        { page: 1, markdown: `# Report\n\n${sentences(3)}` },
        { page: 2, markdown: sentences(2, 3) },
        { page: 3, markdown: `## Findings\n\n${sentences(2, 5)}` },
      ],
    };
    const passages = chunkDocument(doc);
    expect(passages.map(({ position, page, heading }) => ({ position, page, heading }))).toEqual([
      { position: 0, page: 1, heading: 'Report' },
      { position: 1, page: 2, heading: 'Report' },
      { position: 2, page: 3, heading: 'Report › Findings' },
    ]);
    expect(passages[1]!.content).toBe(sentences(2, 3));
  });

  it('skips empty pages and whitespace, and emits nothing for nothing', () => {
    expect(chunkDocument({ sections: [] })).toEqual([]);
    expect(chunkDocument({ sections: [{ page: 1, markdown: '' }, { page: 2, markdown: ' \n\n \n' }] })).toEqual([]);
    const passages = chunkDocument({ sections: [{ page: 1, markdown: '' }, { page: 2, markdown: 'Only text.' }, { page: 3, markdown: '---\n\n***' }] });
    expect(passages).toEqual([{ position: 0, page: 2, heading: '', content: 'Only text.' }]);
  });

  it('is deterministic', () => {
    const doc: ParsedDocument = { sections: [{ markdown: `${toMarkdown(sampleHandbook)}\n\n${sentences(80)}` }] };
    expect(chunkDocument(doc, { targetChars: 300, maxChars: 500 })).toEqual(chunkDocument(structuredClone(doc), { targetChars: 300, maxChars: 500 }));
  });

  it('refuses a maximum too small to hold a passage', () => {
    expect(() => chunkDocument(one('text'), { maxChars: 10 })).toThrow(RangeError);
  });
});
