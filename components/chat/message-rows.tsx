'use client';

import { observer } from 'mobx-react-lite';
import { useEffect, useMemo, useRef, type RefObject } from 'react';
import type { Message } from '@/lib/api-types';
import { useStores } from '@/stores/context';
import type { OutgoingMessage } from '@/stores/message-store';
import { MessageItem, PendingMessageItem } from './message-item';
import { layoutMessages, type ListRow } from './message-layout';
import { useVirtualRows } from './use-virtual-rows';

type Row = ListRow | { kind: 'pending'; key: string; entry: OutgoingMessage };

/**
 * Top-level messages as a channel draws them, wherever it does (the live list, the around view of
 * a search jump): date separators, the "New messages" line after `lastReadId`, and each author's
 * consecutive messages grouped (layoutMessages), then the outbox's `pending` messages. Drawn
 * virtualized in `scroller` (useVirtualRows), which keeps the reader's place as pages come in
 * above and follows new messages below while `follow` holds. `target`: the message a jump landed
 * on, centred when the list opens.
 */
export const MessageRows = observer(function MessageRows({
  scroller,
  messages,
  pending = [],
  isOwner,
  lastReadId,
  target,
  follow = true,
}: {
  scroller: RefObject<HTMLDivElement | null>;
  messages: Message[];
  pending?: OutgoingMessage[];
  isOwner: boolean;
  lastReadId?: string | null;
  target?: { id: string; highlighted: boolean };
  follow?: boolean;
}) {
  const stores = useStores();
  const viewerId = stores.user.user?.id;
  const editingId = stores.channels.editingMessageId;
  const laidOut = useMemo(() => layoutMessages(messages, { lastReadId, viewerId }), [messages, lastReadId, viewerId]);
  const rows = useMemo<Row[]>(() => (pending.length ? [...laidOut, ...pending.map((entry) => ({ kind: 'pending' as const, key: `pending-${entry.clientId}`, entry }))] : laidOut), [laidOut, pending]);
  const list = useRef<HTMLDivElement>(null);
  const { virtualizer, newBelow, jumpToNewest } = useVirtualRows({ scroller, list, rows, follow, targetKey: target?.id, ownNewest: pending.at(-1)?.clientId });
  const items = virtualizer.getVirtualItems();
  // A message opened for editing from elsewhere (the composer's Up arrow) is brought into view, drawn.
  useEffect(() => {
    const index = editingId ? rows.findIndex((row) => row.key === editingId) : -1;
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on opening only, not as rows come and go
  }, [editingId, virtualizer]);
  // The drawn rows flow one after another from the first one's place, so a row measured late never overlaps its neighbours.
  // Placed with `top`, not a transform: a transformed list would become the containing block of
  // every `position: fixed` inside a row (an excerpt, the lightbox), pinning them to the list.
  const offset = (items[0]?.start ?? 0) - virtualizer.options.scrollMargin;
  return (
    // data-row-count: how many rows are loaded, whatever few of them are drawn (the specs and the scroll bench read it).
    <div ref={list} className="relative w-full" style={{ height: virtualizer.getTotalSize() }} data-row-count={rows.length}>
      <ol className="absolute inset-x-0 flex flex-col" style={{ top: offset }}>
        {items.map((item) => {
          const row = rows[item.index]!;
          const measure = virtualizer.measureElement;
          return row.kind === 'date' ? (
            <li key={row.key} ref={measure} data-index={item.index} className="my-2 flex items-center gap-3 text-xs font-semibold text-gray-500 dark:text-gray-400" data-testid="date-separator" role="separator" aria-label={row.label}>
              <span className="h-px flex-1 bg-gray-200 dark:bg-gray-700" />
              <span className="rounded-full border border-gray-200 px-2 py-0.5 dark:border-gray-700">{row.label}</span>
              <span className="h-px flex-1 bg-gray-200 dark:bg-gray-700" />
            </li>
          ) : row.kind === 'new' ? (
            <li key={row.key} ref={measure} data-index={item.index} className="my-1 flex items-center gap-2 text-xs font-semibold text-red-600 dark:text-red-400" data-testid="new-messages-line" role="separator" aria-label="New messages">
              <span className="h-px flex-1 bg-red-500/70" />
              <span>New messages</span>
            </li>
          ) : row.kind === 'pending' ? (
            <PendingMessageItem key={row.key} entry={row.entry} rowRef={measure} rowIndex={item.index} />
          ) : (
            <MessageItem
              key={row.key}
              rowRef={measure}
              rowIndex={item.index}
              message={row.message}
              canDelete={isOwner}
              compact={row.compact}
              highlighted={row.message.id === target?.id && target.highlighted}
              jumpTarget={row.message.id === target?.id}
            />
          );
        })}
      </ol>
      {newBelow && (
        // Sticks to the bottom of the scroller's view, over the rows, until the reader goes down.
        <div className="pointer-events-none sticky top-[calc(100%-3rem)] z-10 flex items-start justify-center" style={{ height: 0 }}>
          <button
            type="button"
            onClick={jumpToNewest}
            data-testid="jump-to-newest"
            className="pointer-events-auto -translate-y-full rounded-full bg-sky-600 px-3 py-1 text-xs font-semibold text-white shadow-md hover:bg-sky-700 dark:bg-sky-500 dark:hover:bg-sky-400"
          >
            New messages below ↓
          </button>
        </div>
      )}
    </div>
  );
});
