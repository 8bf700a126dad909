import type { Message } from '@/lib/api-types';

/** Consecutive messages of one author closer than this share one header (avatar, name, time). */
export const GROUP_WINDOW_MS = 5 * 60 * 1000;

export type ListRow =
  | { kind: 'date'; key: string; label: string }
  | { kind: 'new'; key: 'new-messages' }
  | { kind: 'message'; key: string; message: Message; compact: boolean };

const dayKey = (date: Date) => `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;

/** "Today", "Yesterday", or the date (with the year only when it is not this year), in the reader's time zone. */
export function dayLabel(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (dayKey(date) === dayKey(now)) return 'Today';
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (dayKey(date) === dayKey(yesterday)) return 'Yesterday';
  return date.toLocaleDateString(undefined, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
  });
}

const sameAuthor = (a: Message, b: Message) => a.author.kind === b.author.kind && a.author.id === b.author.id;

/**
 * The history as the list draws it: a date separator where the day changes, the "New messages"
 * line above the first message after `lastReadId` that someone else wrote, and each message
 * marked compact when it continues its author's group (same author, same day, within
 * GROUP_WINDOW_MS of the one before, nothing drawn between them).
 */
export function layoutMessages(messages: Message[], { lastReadId, viewerId, now = new Date() }: { lastReadId?: string | null; viewerId?: string; now?: Date } = {}): ListRow[] {
  const rows: ListRow[] = [];
  let previous: Message | undefined;
  let newLineDrawn = false;
  for (const message of messages) {
    let broken = false;
    const day = dayKey(new Date(message.createdAt));
    if (!previous || dayKey(new Date(previous.createdAt)) !== day) {
      rows.push({ kind: 'date', key: `date-${day}`, label: dayLabel(message.createdAt, now) });
      broken = true;
    }
    const fromOthers = !(message.author.kind === 'user' && message.author.id === viewerId);
    // Ids are UUIDv7: id order is time order, so "after the last read" is a string comparison.
    if (!newLineDrawn && lastReadId && message.id > lastReadId && fromOthers) {
      rows.push({ kind: 'new', key: 'new-messages' });
      newLineDrawn = true;
      broken = true;
    }
    const compact =
      !broken &&
      previous !== undefined &&
      sameAuthor(previous, message) &&
      previous.status !== 'error' &&
      Date.parse(message.createdAt) - Date.parse(previous.createdAt) < GROUP_WINDOW_MS;
    rows.push({ kind: 'message', key: message.id, message, compact });
    previous = message;
  }
  return rows;
}
