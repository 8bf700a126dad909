import type { MessageJson } from './messages';

/** GET /api/search (API.md): one matching message, where it is, and its text with the matches marked. */
export type MessageSearchResultJson = {
  message: MessageJson;
  channel: { id: string; name: string };
  /**
   * A snippet of the message as HTML-escaped text in which only `<mark>` and `</mark>` are markup,
   * around the words that matched: safe to render as HTML as it is.
   */
  highlight: string;
};

export type MessageSearchJson = { results: MessageSearchResultJson[] };

/** GET /api/search/people: people who share a channel with the caller, by name (the switcher's "People"). */
export type PersonJson = { id: string; name: string };
