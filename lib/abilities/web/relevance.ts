import 'server-only';

/*
 * Which passages of a page matter for a question: term overlap weighted by how rare each term is
 * on the page (a word on every passage says nothing about which one answers). Deterministic and
 * cheap, so a page of hundreds of passages is ranked in well under a millisecond per passage.
 */

const STOPWORDS = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have how i if in into is it its ' +
    'me my of on or our should so than that the their them then there these they this those to was we were what when where ' +
    'which who whom why will with would you your about after before between during over under again more most other some such ' +
    'only own same very just also not no nor too any each few both all up down out off once here'
  ).split(' '),
);

/** A light stem, so that "tides" finds "tide" and "forecasting" finds "forecast". */
function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('es') && /(s|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** The words of a text that carry meaning, lowercased and stemmed, in order (repeats kept). */
export function termsOf(text: string): string[] {
  const words = text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.filter((word) => (word.length > 1 || /\d/.test(word)) && !STOPWORDS.has(word)).map(stem);
}

/** The query's distinct meaningful words, unstemmed, as a person would type them again. */
export function keywordsOf(text: string): string[] {
  const words = text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.+#-]*/gu) ?? [];
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const raw of words) {
    const word = raw.replace(/[.'’-]+$/, '');
    const key = word.toLowerCase();
    if (!word || STOPWORDS.has(key) || seen.has(key)) continue;
    seen.add(key);
    kept.push(word);
  }
  return kept;
}

/** A score for each text against the query (0 when no query term appears). */
export function scoreTexts(query: string, texts: string[]): number[] {
  const queryTerms = [...new Set(termsOf(query))];
  if (queryTerms.length === 0) return texts.map(() => 0);
  const counts = texts.map((text) => {
    const count = new Map<string, number>();
    for (const term of termsOf(text)) count.set(term, (count.get(term) ?? 0) + 1);
    return count;
  });
  const idf = new Map(queryTerms.map((term) => [term, Math.log(1 + texts.length / (1 + counts.filter((count) => count.has(term)).length))]));
  return counts.map((count) => {
    let score = 0;
    let matched = 0;
    for (const term of queryTerms) {
      const tf = count.get(term);
      if (!tf) continue;
      matched++;
      score += idf.get(term)! * (1 + Math.log(tf));
    }
    // A passage holding more of the question's terms beats one repeating a single term.
    return score * (matched / queryTerms.length);
  });
}
