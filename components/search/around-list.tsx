'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import Link from 'next/link';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { MessageRows } from '@/components/chat/message-rows';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { aroundReachesPresent, flattenAround } from '@/stores/message-lists';
import { aroundQuery } from '@/stores/search-queries';

/** Loads more when the reader scrolls within this many pixels of either end. */
const EDGE = 120;
/** How long the message jumped to stays highlighted. */
const HIGHLIGHT_MS = 4000;

/**
 * The channel opened at a message (`?around=<id>`, from search): the page centred on it, the
 * message scrolled into view and highlighted for a moment, older pages loading at the top and
 * newer ones at the bottom, drawn as the channel is (MessageRows: grouped, with date
 * separators). It is live as the channel is: edits, deletions, reactions and thread summaries
 * reach its messages, and new messages arrive at its end once it reaches the present (the same
 * events and the same MessageStore writers as the channel's history). "Jump to the present"
 * opens the channel as usual.
 */
export const AroundList = observer(function AroundList({ channelId, messageId, isOwner }: { channelId: string; messageId: string; isOwner: boolean }) {
  const root = useStores();
  const history = useInfiniteQuery(aroundQuery(root, channelId, messageId));
  const scroller = useRef<HTMLDivElement>(null);
  const messages = flattenAround(history.data);
  // At the present, the reader's own messages still sending show at the end, as in the channel.
  const atPresent = aroundReachesPresent(history.data);
  const pending = atPresent ? root.messages.pendingFor(channelId, messages) : [];
  const first = history.data?.pages.find((page) => page.targetId);
  const targetId = first?.targetId ?? messageId;
  const [highlighted, setHighlighted] = useState(true);
  // New messages at the present are followed when the reader is at the bottom, as in the channel;
  // not the newer page that reaches the present (that is history loading, not a new message).
  const [follow, setFollow] = useState(false);
  useEffect(() => {
    if (atPresent) setFollow(true);
  }, [atPresent]);
  // MessageRows centres the target once the first page is drawn; scrolling before that is not the reader's.
  const centred = useRef(false);
  useLayoutEffect(() => {
    if (messages.length) centred.current = true;
  }, [messages.length]);

  useEffect(() => {
    const timer = setTimeout(() => setHighlighted(false), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, []);

  function onScroll() {
    const el = scroller.current;
    if (!el || !centred.current) return;
    // MessageRows keeps the reader's place as the older page goes in above.
    if (el.scrollTop < EDGE && history.hasPreviousPage && !history.isFetchingPreviousPage) {
      void history.fetchPreviousPage({ cancelRefetch: false });
    }
    if (el.scrollHeight - el.scrollTop - el.clientHeight < EDGE && history.hasNextPage && !history.isFetchingNextPage) {
      void history.fetchNextPage({ cancelRefetch: false });
    }
  }

  if (history.isError) {
    const error = toApiError(history.error);
    return (
      <div className="m-auto max-w-sm p-8 text-center" data-testid="around-error">
        <p className="mb-3 text-gray-500">{error.status === 404 ? 'That message is not here any more.' : error.message}</p>
        <Link href={`/hub/channels/${channelId}`} className="text-sky-600 hover:underline dark:text-sky-400">Open the channel</Link>
      </div>
    );
  }

  return (
    <>
      <div className="flex items-center justify-between gap-2 border-b border-amber-200 bg-amber-50 px-5 py-1.5 text-xs text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-200" data-testid="around-banner">
        <span>{first?.threadId ? 'Showing the thread this reply is in, in its place in the channel.' : 'Showing messages around a search result.'}</span>
        <Link href={`/hub/channels/${channelId}`} className="shrink-0 font-medium underline" data-testid="jump-to-present">Jump to the present</Link>
      </div>
      <div ref={scroller} onScroll={onScroll} className="relative min-h-0 flex-1 overflow-y-auto px-5 py-3" data-testid="message-list" data-mode="around">
        {history.isPending && <Spinner className="mx-auto block" aria-label="Loading messages" />}
        {history.isFetchingPreviousPage && <Spinner size="sm" className="mx-auto mb-2 block" aria-label="Loading older messages" />}
        {history.isSuccess && !history.hasPreviousPage && <p className="mb-4 text-center text-xs text-gray-500" data-testid="history-start">This is the beginning of the channel.</p>}
        <MessageRows scroller={scroller} messages={messages} pending={pending} isOwner={isOwner} target={{ id: targetId, highlighted }} follow={follow} />
        {history.isFetchingNextPage && <Spinner size="sm" className="mx-auto mt-2 block" aria-label="Loading newer messages" />}
        {history.isSuccess && !history.hasNextPage && (
          <p className="mt-3 text-center text-xs text-gray-500">
            That is the newest message. <Link href={`/hub/channels/${channelId}`} className="underline">Back to the live channel</Link>
          </p>
        )}
      </div>
    </>
  );
});
