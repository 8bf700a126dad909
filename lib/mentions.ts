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


/** A person's name as a handle would spell it: "Ada Lovelace" reads "ada-lovelace". */
const asHandle = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The person a message is addressed to, of `people` (the channel's people, the author left out):
 * one whose name or first name opens it, after a greeting at most, followed by a comma or colon
 * ("Bob, lunch at noon?", "Hi Ada: ..."), or one it @mentions by name ("@bob", "@ada-lovelace").
 * People have no handles, so the mention is their name spelt as one.
 */
export function addressedPerson(content: string, people: readonly string[]): string | undefined {
  const mentioned = new Set(parseMentions(content));
  const opening = content.trimStart();
  for (const name of people) {
    const first = name.trim().split(/\s+/)[0] ?? '';
    const spellings = [...new Set([name.trim(), first])].filter((spelling) => spelling.length >= 2);
    if (spellings.some((spelling) => mentioned.has(asHandle(spelling)))) return name;
    const opens = new RegExp(`^(?:(?:hi|hey|hello|dear|thanks|ok|okay)[\\s,]+)?@?(?:${spellings.map(escapeRegExp).join('|')})\\s*[,:]`, 'iu');
    if (spellings.length > 0 && opens.test(opening)) return name;
  }
  return undefined;
}

/**
 * The people a message @mentions, of `people` (the channel's, the author left out): `@Full Name`,
 * `@full-name` (the name spelt as a handle, as addressedPerson reads it) or `@First`, matched
 * case-insensitively, the longest spelling first (so "@Ada Lovelace" is not read as "@Ada" of
 * another Ada), in the message's own words only: not in code, quotes or quoted lines (ownWords).
 * A first name two people share mentions both. Answers their ids, each once.
 */
export function mentionedPeople(content: string, people: readonly { id: string; name: string }[]): string[] {
  const text = ownWords(content);
  if (!text.includes('@') || people.length === 0) return [];
  const bySpelling = new Map<string, Set<string>>();
  const add = (spelling: string, id: string) => {
    const key = spelling.toLowerCase();
    if (key.length < 2) return;
    bySpelling.set(key, (bySpelling.get(key) ?? new Set()).add(id));
  };
  for (const person of people) {
    const name = person.name.trim().replace(/\s+/g, ' ');
    add(name, person.id);
    add(asHandle(name), person.id);
    add(name.split(' ')[0] ?? '', person.id);
  }
  const spellings = [...bySpelling.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_@.])@(${spellings.join('|')})(?![\\p{L}\\p{N}_-])`, 'giu');
  const found = new Set<string>();
  for (const match of text.matchAll(pattern)) for (const id of bySpelling.get(match[1]!.toLowerCase()) ?? []) found.add(id);
  return [...found];
}
