export const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString()} ${count === 1 ? one : many}`;

/** The words of a search, for marking in its results: letters and digits, two or more long. */
export function searchTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [];
  return [...new Set(words)].sort((a, b) => b.length - a.length);
}

/**
 * Splits text into plain and marked pieces: a word is marked when it starts with one of the
 * terms (case-insensitive), so "index" marks "indexing" and "Indexes". The pieces are text, never
 * markup, so a passage cannot inject anything into the page.
 */
export function highlightPieces(text: string, terms: string[]): { text: string; marked: boolean }[] {
  if (terms.length === 0) return [{ text, marked: false }];
  const escaped = terms.map((term) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})[\\p{L}\\p{N}]*`, 'giu');
  const pieces: { text: string; marked: boolean }[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index;
    if (at > last) pieces.push({ text: text.slice(last, at), marked: false });
    pieces.push({ text: match[0], marked: true });
    last = at + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), marked: false });
  return pieces;
}

/** Where a document's file opens: at its page, for a PDF viewer that understands `#page=`. */
export function documentFileUrl(knowledgeBaseId: string, documentId: string, page?: number): string {
  return `/api/knowledge/${encodeURIComponent(knowledgeBaseId)}/documents/${encodeURIComponent(documentId)}/file${page ? `#page=${page}` : ''}`;
}
