'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import { useMemo, useRef, useState } from 'react';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { flattenHistory } from '@/stores/message-store';
import { historyQuery } from '@/stores/queries';
import { MessageRows } from './message-rows';

/** Loads older history when the reader scrolls within this many pixels of the top. */
const LOAD_OLDER_THRESHOLD = 120;

/**
 * A channel's history. `lastReadId`: the reader's read mark when the channel opened (undefined
 * while unknown, null when nothing was read); the "New messages" line is drawn above the first
 * message after it and stays there while the list is mounted (one channel: the view keys the list
 * by channel), even as the mark moves on.
 */
export const MessageList = observer(function MessageList({ channelId, isOwner, lastReadId }: { channelId: string; isOwner: boolean; lastReadId?: string | null }) {
  const root = useStores();
  const [readMark] = useFrozenOnceKnown(lastReadId);
  const messageStore = root.messages;
  const scroller = useRef<HTMLDivElement>(null);

  const history = useInfiniteQuery(historyQuery(root, channelId));
  const messages = useMemo(() => flattenHistory(history.data), [history.data]);
  const pending = messageStore.pendingFor(channelId, messages);

  // MessageRows keeps the reader's place as the older page goes in above.
  function loadOlder() {
    if (!history.hasNextPage || history.isFetchingNextPage) return;
    void history.fetchNextPage({ cancelRefetch: false });
  }

  function onScroll() {
    const el = scroller.current;
    if (el && el.scrollTop < LOAD_OLDER_THRESHOLD) loadOlder();
  }

  return (
    <div ref={scroller} onScroll={onScroll} className="relative min-h-0 flex-1 overflow-y-auto px-5 py-3" data-testid="message-list">
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
      <MessageRows scroller={scroller} messages={messages} pending={pending} isOwner={isOwner} lastReadId={readMark} />
    </div>
  );
});

/** The first value that is not undefined, kept from then on (a read mark that moves while the channel is open must not move the line). */
function useFrozenOnceKnown<T>(value: T | undefined): [T | undefined] {
  const [frozen, setFrozen] = useState<{ value: T } | undefined>(value === undefined ? undefined : { value });
  if (frozen === undefined && value !== undefined) setFrozen({ value });
  return [frozen === undefined ? value : frozen.value];
}
