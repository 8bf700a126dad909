/**
 * `@handle` mentions: a mention starts at a word boundary (not inside an email address) and a
 * handle is 2 to 32 of [a-z0-9-], as agent handles are. Shared by the server (routing, hand-offs)
 * and by every place that passes on text from outside, which must not read as a mention.
 */
const MENTION = /(?<![\w@.])@([a-z0-9-]{2,32})(?![\w-])/gi;

/** The mentions of a message, lowercased, each once, in the order they first appear. */
export function parseMentions(content: string): string[] {
  const found = new Set<string>();
  for (const match of content.matchAll(MENTION)) found.add(match[1]!.toLowerCase());
  return [...found];
}

/**
 * The text with each mention's @ taken off ("ask @billing" reads "ask billing"): quoted from a
 * document, a web page or a question, it can no longer hand the conversation to that agent.
 */
export function withoutMentions(text: string): string {
  return text.replace(MENTION, '$1');
}

/**
 * What of a reply may hand the conversation on: its own words, without fenced or inline code,
 * quoted lines (`> …`) and quotations ("…", “…”), where a mention is something shown or
 * repeated (an echoed prompt, an example), not a request to another agent.
 */
export function ownWords(text: string): string {
  return text
    .replace(/```[\s\S]*?(```|$)/g, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .replace(/^\s{0,3}>.*$/gm, ' ')
    .replace(/"[^"\n]*"/g, ' ')
    .replace(/“[^”\n]*”/g, ' ');
}

/** The mentions a reply makes in its own words (see ownWords): the agents it hands off to. */
export function handOffMentions(text: string): string[] {
  return parseMentions(ownWords(text));
}

