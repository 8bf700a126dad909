'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import { useLayoutEffect, useRef } from 'react';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { flattenHistory } from '@/stores/message-store';
import { historyQuery } from '@/stores/queries';
import { MessageItem, PendingMessageItem } from './message-item';

/** Loads older history when the reader scrolls within this many pixels of the top. */
const LOAD_OLDER_THRESHOLD = 120;

export const MessageList = observer(function MessageList({ channelId, isOwner }: { channelId: string; isOwner: boolean }) {
  const root = useStores();
  const messageStore = root.messages;
  const scroller = useRef<HTMLDivElement>(null);
  // Where the reader was when older history was requested, keyed by the oldest message then shown.
  const anchor = useRef<{ height: number; top: number; oldestId?: string } | null>(null);
  const stickToBottom = useRef(true);

  const history = useInfiniteQuery(historyQuery(root, channelId));
  const messages = flattenHistory(history.data);
  const pending = messageStore.pendingFor(channelId, messages);
  const oldestId = messages[0]?.id;
  const newestPending = pending.at(-1)?.clientId;

  function loadOlder() {
    const el = scroller.current;
    if (!el || !history.hasNextPage || history.isFetchingNextPage) return;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop, oldestId };
    void history.fetchNextPage({ cancelRefetch: false }).then((result) => {
      if (result.isError) anchor.current = null;
    });
  }

  // The reader's own new message is always brought into view.
  useLayoutEffect(() => {
    if (newestPending) stickToBottom.current = true;
  }, [newestPending]);

  // Older pages are inserted above: keep the reader's place. New messages below: follow them
  // if the reader was at the bottom.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (anchor.current && anchor.current.oldestId !== oldestId) {
      el.scrollTop = anchor.current.top + (el.scrollHeight - anchor.current.height);
      anchor.current = null;
    } else if (!anchor.current && stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [oldestId, messages.length, pending.length]);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < LOAD_OLDER_THRESHOLD) loadOlder();
  }

  return (
    <div ref={scroller} onScroll={onScroll} className="min-h-0 flex-1 overflow-y-auto px-5 py-3" data-testid="message-list">
      {history.isPending && <Spinner className="mx-auto block" aria-label="Loading messages" />}
      {history.isError && (
        <div className="my-4 text-center text-sm text-red-500" data-testid="history-error">
          {toApiError(history.error).message}{' '}
          <button type="button" className="underline" onClick={() => history.refetch()}>Retry</button>
        </div>
      )}
      {history.hasNextPage && (
        <div className="mb-2 text-center">
          <button type="button" data-testid="load-older" onClick={loadOlder} disabled={history.isFetchingNextPage} className="text-xs text-gray-500 hover:underline">
            {history.isFetchingNextPage ? 'Loading…' : 'Load older messages'}
          </button>
        </div>
      )}
      {history.isSuccess && !history.hasNextPage && (
        <p className="mb-4 text-center text-xs text-gray-500" data-testid="history-start">This is the beginning of the channel.</p>
      )}
      <ol className="flex flex-col gap-1">
        {messages.map((message) => (
          <MessageItem key={message.id} message={message} canDelete={isOwner} />
        ))}
        {pending.map((entry) => (
          <PendingMessageItem key={entry.clientId} entry={entry} />
        ))}
      </ol>
    </div>
  );
});
