/**
 * `@handle` mentions in a message, lowercased, each once, in the order they first appear. A
 * mention starts at a word boundary (not inside an email address) and a handle is 2 to 32 of
 * [a-z0-9-], as agent handles are.
 */
export function parseMentions(content: string): string[] {
  const found = new Set<string>();
  for (const match of content.matchAll(/(?<![\w@.])@([a-z0-9-]{2,32})(?![\w-])/gi)) found.add(match[1]!.toLowerCase());
  return [...found];
}
