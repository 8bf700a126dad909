import type { InfiniteData } from '@tanstack/react-query';
import type { Message, MessagePage } from '@/lib/api-types';

/*
 * The loaded lists of a channel's top-level messages, as React Query holds them: its history (the
 * live tail, newest page first) and any around views (a search jump, pages in time order). Live
 * events change both the same way, through MessageStore, so an around view is as live as the
 * channel; these are the pure edits it applies.
 */

export type HistoryData = InfiniteData<MessagePage, string | undefined>;

/** A page of the history around a message, with a cursor each way (null at either end of the channel). */
export type AroundPage = { messages: Message[]; older: string | null; newer: string | null; targetId?: string; threadId?: string };
export type AroundParam = { around: string } | { before: string } | { after: string };
export type AroundData = InfiniteData<AroundPage, AroundParam>;

const byId = (a: Message, b: Message) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * A new copy of a message that is already held. The orchestrator's choice is only ever added
 * (message:updated), never taken away: a copy without it (the sender's own POST answer, arriving
 * after that event) must not drop it. Reactions have their own event; a copy that does not carry
 * them (an agent's status change, an answer built without them) must not erase the list held.
 */
export function mergedCopy(held: Message, message: Message): Message {
  let next = !message.routing && held.routing ? { ...message, routing: held.routing } : message;
  if (!('reactions' in message) && held.reactions) next = { ...next, reactions: held.reactions };
  return next;
}

/** Replaces the copy with the message's id in whichever page holds it; null when none does. */
function replaced<P extends { messages: Message[] }>(pages: P[], message: Message): P[] | null {
  let found = false;
  const next = pages.map((page) => {
    const index = page.messages.findIndex((m) => m.id === message.id);
    if (index === -1) return page;
    found = true;
    const messages = [...page.messages];
    messages[index] = mergedCopy(page.messages[index]!, message);
    return { ...page, messages };
  });
  return found ? next : null;
}

/** Into the history: the copy replaced, else inserted in id order into the newest page (the history is the live tail). */
export function upsertHistory(old: HistoryData, message: Message): { data: HistoryData; placed: 'inserted' | 'replaced' } {
  const pages = replaced(old.pages, message);
  if (pages) return { data: { ...old, pages }, placed: 'replaced' };
  const [newest, ...rest] = old.pages;
  return { data: { ...old, pages: [{ ...newest!, messages: [...newest!.messages, message].sort(byId) }, ...rest] }, placed: 'inserted' };
}

/**
 * Into an around view: the copy replaced, else inserted in id order into the page whose span
 * holds it. A message beyond either loaded end goes in only where that end is the channel's own
 * (no older or newer page left to load); otherwise it is in a page not loaded yet, and comes
 * with it.
 */
export function upsertAround(old: AroundData, message: Message): AroundData {
  if (old.pages.length === 0) return old;
  const pages = replaced(old.pages, message);
  if (pages) return { ...old, pages };
  const last = old.pages.at(-1)!;
  const newest = old.pages.flatMap((page) => page.messages).at(-1);
  if (newest && message.id > newest.id && last.newer !== null) return old;
  let index = old.pages.findLastIndex((page) => page.messages[0] !== undefined && page.messages[0].id < message.id);
  if (index === -1) {
    if (old.pages[0]!.older !== null) return old;
    index = 0;
  }
  return { ...old, pages: old.pages.map((page, i) => (i === index ? { ...page, messages: [...page.messages, message].sort(byId) } : page)) };
}

/** Every page without the message. */
export function withoutMessage<D extends InfiniteData<{ messages: Message[] }, unknown>>(old: D, messageId: string): D {
  return { ...old, pages: old.pages.map((page) => (page.messages.some((m) => m.id === messageId) ? { ...page, messages: page.messages.filter((m) => m.id !== messageId) } : page)) };
}

/** Every page with the message rewritten by `next` (pages that do not hold it are kept as they are). */
export function withMessage<D extends InfiniteData<{ messages: Message[] }, unknown>>(old: D, messageId: string, next: (message: Message) => Message): D {
  return {
    ...old,
    pages: old.pages.map((page) => (page.messages.some((m) => m.id === messageId) ? { ...page, messages: page.messages.map((m) => (m.id === messageId ? next(m) : m)) } : page)),
  };
}

/** Around pages flattened in time order. */
export const flattenAround = (data: InfiniteData<AroundPage, unknown> | undefined): Message[] => data?.pages.flatMap((page) => page.messages) ?? [];

/** Whether an around view reaches the newest message of the channel (so new ones arrive at its end). */
export const aroundReachesPresent = (data: InfiniteData<AroundPage, unknown> | undefined): boolean => Boolean(data && data.pages.length > 0 && data.pages.at(-1)!.newer === null);
