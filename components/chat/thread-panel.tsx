'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import { useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_MESSAGE_CHARS } from '@/lib/contracts/messages';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { flattenThread, threadQuery } from '@/stores/thread-store';
import { MessageItem } from './message-item';
import { InThreadPanel } from './thread-summary';

/**
 * Keeps the open thread and `?thread=<id>` in step, so a reload or a shared link opens the same
 * thread: the address opens it at first, and opening or closing it writes the address.
 */
export function useThreadInAddress(channelId: string) {
  const { threads } = useStores();
  const fromAddress = useSearchParams()?.get('thread') ?? null;
  // Until the store has taken the address's thread, the address is not rewritten from the store.
  const adopted = useRef(false);
  useEffect(() => {
    adopted.current = false;
    threads.open(fromAddress);
    // A channel switch starts with the address's thread (or none).
    return () => threads.open(null);
  }, [channelId]); // eslint-disable-line react-hooks/exhaustive-deps -- the address is read once per channel
  const openId = threads.openId;
  useEffect(() => {
    if (!adopted.current) {
      adopted.current = openId === fromAddress;
      return;
    }
    const url = new URL(window.location.href);
    if ((url.searchParams.get('thread') ?? null) === openId) return;
    if (openId) url.searchParams.set('thread', openId);
    else url.searchParams.delete('thread');
    // As for ?view=: the App Router follows replaceState into useSearchParams without a round trip.
    window.history.replaceState(null, '', url);
  }, [openId]); // eslint-disable-line react-hooks/exhaustive-deps -- written when the open thread changes
}

/**
 * The open thread: its parent, its replies (paged back on demand, live through ThreadStore) and
 * its own composer. A side panel from 768 px, the whole screen below. Escape closes it.
 */
export const ThreadPanel = observer(function ThreadPanel({ channelId, isOwner }: { channelId: string; isOwner: boolean }) {
  const root = useStores();
  const threadId = root.threads.openId;
  const close = () => root.threads.open(null);
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!threadId) return;
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) root.threads.open(null);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [threadId, root]);

  if (!threadId) return null;
  return (
    <aside
      aria-label="Thread"
      data-testid="thread-panel"
      className="fixed inset-0 z-40 flex flex-col bg-white md:static md:z-auto md:w-[26rem] md:shrink-0 md:border-l md:border-gray-200 dark:bg-gray-950 md:dark:border-gray-800"
    >
      <header className="flex items-center justify-between border-b border-gray-200 px-4 py-3 dark:border-gray-800">
        <h2 className="font-semibold">Thread</h2>
        <button
          ref={closeButton}
          type="button"
          onClick={close}
          aria-label="Close the thread"
          data-testid="thread-close"
          className="rounded-lg px-2 py-1 text-lg leading-none text-gray-600 hover:bg-gray-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:text-gray-300 dark:hover:bg-gray-800"
        >
          ✕
        </button>
      </header>
      <ThreadBody key={threadId} channelId={channelId} threadId={threadId} isOwner={isOwner} />
    </aside>
  );
});

const ThreadBody = observer(function ThreadBody({ channelId, threadId, isOwner }: { channelId: string; threadId: string; isOwner: boolean }) {
  const root = useStores();
  const thread = useInfiniteQuery(threadQuery(root, channelId, threadId));
  const replies = flattenThread(thread.data);
  const parent = thread.data?.pages[0]?.parent;
  const newestId = replies.at(-1)?.id;
  const scroller = useRef<HTMLDivElement>(null);

  // Seen is read: the newest reply shown is the caller's mark, on the server (so it follows them).
  useEffect(() => {
    if (newestId) void root.threads.markRead(channelId, threadId, newestId).catch(() => {});
  }, [newestId, channelId, threadId, root]);
  // New replies below: follow them.
  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [newestId]);

  if (thread.isPending) return <Spinner className="m-auto" aria-label="Loading the thread" />;
  if (thread.isError) {
    const gone = toApiError(thread.error).status === 404;
    return (
      <p className="m-auto p-6 text-center text-sm text-gray-500" data-testid="thread-error">
        {gone ? 'This thread is gone: its message was deleted.' : toApiError(thread.error).message}
      </p>
    );
  }
  return (
    <>
      <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto px-3 py-3" data-testid="thread-messages">
        <InThreadPanel.Provider value={true}>
          {parent && (
            <ol className="mb-2 border-b border-gray-200 pb-2 dark:border-gray-800" data-testid="thread-parent">
              <MessageItem message={parent} canDelete={isOwner} />
            </ol>
          )}
          <p className="mb-2 px-2 text-xs text-gray-500" data-testid="thread-count">
            {parent?.thread ? `${parent.thread.replyCount} ${parent.thread.replyCount === 1 ? 'reply' : 'replies'}` : 'No replies yet'}
          </p>
          {thread.hasNextPage && (
            <div className="mb-2 text-center">
              <button type="button" onClick={() => void thread.fetchNextPage()} disabled={thread.isFetchingNextPage} className="text-xs text-gray-500 hover:underline" data-testid="thread-load-older">
                {thread.isFetchingNextPage ? 'Loading…' : 'Load older replies'}
              </button>
            </div>
          )}
          <ol className="flex flex-col gap-1" data-testid="thread-replies">
            {replies.map((reply) => (
              <MessageItem key={reply.id} message={reply} canDelete={isOwner} />
            ))}
          </ol>
        </InThreadPanel.Provider>
      </div>
      <ThreadComposer channelId={channelId} threadId={threadId} />
    </>
  );
});

/** The thread's own composer: Enter sends, Shift+Enter breaks the line; the draft stays if the send fails. */
const ThreadComposer = observer(function ThreadComposer({ channelId, threadId }: { channelId: string; threadId: string }) {
  const { threads } = useStores();
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const tooLong = [...draft.trim()].length > MAX_MESSAGE_CHARS;

  useEffect(() => input.current?.focus(), [threadId]);

  async function send(event?: FormEvent) {
    event?.preventDefault();
    const content = draft;
    if (!content.trim() || tooLong || sending) return;
    setSending(true);
    setError(null);
    try {
      await threads.send(channelId, threadId, content);
      setDraft((now) => (now === content ? '' : now));
    } catch (failure) {
      setError(toApiError(failure).message);
    } finally {
      setSending(false);
      input.current?.focus();
    }
  }

  function onKey(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  return (
    <form onSubmit={send} className="border-t border-gray-200 px-3 py-3 dark:border-gray-800" data-testid="thread-composer">
      {error && (
        <p role="alert" className="mb-2 rounded-md bg-red-50 px-3 py-1.5 text-xs text-red-700 dark:bg-red-950/40 dark:text-red-300">
          Not sent: {error}
        </p>
      )}
      <div className="flex items-end gap-2">
        <textarea
          ref={input}
          aria-label="Reply in the thread"
          data-testid="thread-input"
          rows={2}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKey}
          placeholder="Reply…"
          className="min-w-0 flex-1 resize-none rounded-lg border border-gray-300 bg-white p-2 text-sm dark:border-gray-700 dark:bg-gray-900"
        />
        <button
          type="submit"
          data-testid="thread-send"
          disabled={!draft.trim() || tooLong || sending}
          className="rounded-lg bg-sky-600 px-3 py-2 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50"
        >
          {sending ? 'Sending…' : 'Reply'}
        </button>
      </div>
      {tooLong && <p className="mt-1 text-xs text-red-500">A message can be at most {MAX_MESSAGE_CHARS} characters.</p>}
    </form>
  );
});
