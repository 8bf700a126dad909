import 'server-only';
/**
 * What a text is about, as the offline model and the offline orchestrator read it: its content
 * words (no stopwords), and their stems for matching. Crude on purpose: deterministic and fast.
 */

const STOPWORDS = new Set(
  'a an and are as at be but by can do does for from has have how i if in into is it its me my no not of on or our so than that the their them then there these they this to was we what when where which who why will with you your about should would could please tell'.split(' '),
);

/** The content words of a text, as written, each once (case aside), in the order they first appear. */
export function contentWords(text: string): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const word of text.match(/[\p{L}\p{N}]+/gu) ?? []) {
    const lower = word.toLowerCase();
    if (lower.length < 2 || STOPWORDS.has(lower) || seen.has(lower)) continue;
    seen.add(lower);
    words.push(word);
  }
  return words;
}

/** A content word lowercased, a plural s taken off, cut to five letters: "posts" and "post", "configured" and "configuration" meet. */
export const stemOf = (word: string) =>
  word
    .toLowerCase()
    .replace(/(?<=\p{L}{3}[^s])s$/u, '')
    .slice(0, 5);

/** The stems of a text's content words. */
export const contentStems = (text: string) => contentWords(text).map(stemOf);

/** Words that ask nothing of an agent: greetings, thanks, yes and no, meals and times of day. */
const SMALL_TALK = new Set(
  contentStems(
    'hi hello hey hiya yo morning afternoon evening night bye goodbye later thanks thank thx ty cheers welcome congrats congratulations sorry ' +
      'ok okay kk yes yeah yep yup nope sure fine great cool nice awesome perfect good lol haha ' +
      'lunch dinner breakfast coffee tea drinks noon today tonight tomorrow weekend everyone anyone team folks guys all',
  ),
);

/** Small talk: a text whose content words are all small talk or `names` (members' names and handles), or that has none. */
export function isSmallTalk(text: string, names: string[] = []): boolean {
  const named = new Set(contentStems(names.join(' ')));
  return contentStems(text).every((stem) => SMALL_TALK.has(stem) || named.has(stem));
}
