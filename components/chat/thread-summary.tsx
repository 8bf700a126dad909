'use client';

import { useQuery } from '@tanstack/react-query';
import { observer } from 'mobx-react-lite';
import { createContext, useContext } from 'react';
import { Avatar } from '@/components/ui/avatar';
import type { Message } from '@/lib/api-types';
import { useStores } from '@/stores/context';
import { unreadThreadsQuery } from '@/stores/thread-store';

/** True inside the thread panel: its parent is not offered a thread again. */
export const InThreadPanel = createContext(false);

function ago(iso: string): string {
  const minutes = Math.round((Date.now() - Date.parse(iso)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const date = new Date(iso);
  return minutes < 24 * 60 ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : date.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

/** Whether a message can start (or open) a thread: a top-level message, done, outside the thread panel. */
const offersThread = (message: Message, inPanel: boolean) => !inPanel && !message.threadId && message.status !== 'streaming';

/**
 * "Reply in thread", in the message's toolbar (as in Slack): it takes no line of its own under
 * every message, and like the toolbar's other actions it is always in the tab order, shown on
 * hover or focus, and always shown on touch screens.
 */
export const ReplyInThreadButton = observer(function ReplyInThreadButton({ message, className }: { message: Message; className: string }) {
  const root = useStores();
  const inPanel = useContext(InThreadPanel);
  if (!offersThread(message, inPanel)) return null;
  return (
    <button
      type="button"
      onClick={() => root.threads.open(message.id)}
      data-testid="reply-in-thread"
      aria-label={`Reply in thread to ${message.author.name}`}
      title="Reply in thread"
      className={className}
    >
      ↳ Reply
    </button>
  );
});

/**
 * Under a top-level message with replies: its thread's summary (reply count, who replied, the
 * last reply's time, unread replies marked), opening the thread panel.
 */
export const ThreadFooter = observer(function ThreadFooter({ message }: { message: Message }) {
  const root = useStores();
  const inPanel = useContext(InThreadPanel);
  // One cached list per channel, shared by every message of it.
  useQuery(unreadThreadsQuery(root, message.channelId));
  const thread = message.thread;
  if (!offersThread(message, inPanel) || !thread) return null;
  const unread = root.threads.unreadCount(message.channelId, message.id);
  const open = () => root.threads.open(message.id);
  const shown = thread.participants.slice(0, 4);
  return (
    <button
      type="button"
      onClick={open}
      data-testid="thread-summary"
      data-unread={unread > 0 || undefined}
      aria-label={`${thread.replyCount} ${thread.replyCount === 1 ? 'reply' : 'replies'}${unread ? `, ${unread} unread` : ''}; open the thread`}
      className="mt-1 flex max-w-full items-center gap-2 rounded-md border border-transparent px-1.5 py-1 text-xs hover:border-gray-200 hover:bg-white focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:hover:border-gray-700 dark:hover:bg-gray-800"
    >
      <span className="flex -space-x-1" aria-hidden>
        {shown.map((p) => (
          <Avatar key={`${p.kind}:${p.id}`} id={p.id} name={p.name} agent={p.kind === 'agent'} size="sm" />
        ))}
      </span>
      <span className="shrink-0 whitespace-nowrap font-semibold text-sky-700 dark:text-sky-400" data-testid="thread-reply-count">
        {thread.replyCount} {thread.replyCount === 1 ? 'reply' : 'replies'}
      </span>
      {unread > 0 && (
        <span className="shrink-0 whitespace-nowrap rounded-full bg-sky-600 px-1.5 text-[0.65rem] font-semibold text-white" data-testid="thread-unread">
          {unread} new
        </span>
      )}
      <span className="min-w-0 truncate text-gray-500" title={thread.participants.map((p) => p.name).join(', ')}>
        {thread.participants.map((p) => p.name).join(', ')} · last reply {ago(thread.lastReplyAt)}
      </span>
    </button>
  );
});
