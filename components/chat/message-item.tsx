'use client';

import { observer } from 'mobx-react-lite';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState, type KeyboardEvent } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { Markdown } from '@/components/ui/markdown';
import { MessageRouting, RunMessageChecklist, RunReplyTag } from '@/components/runs/run-message';
import { useAction } from '@/components/ui/use-action';
import type { Message } from '@/lib/api-types';
import type { ApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { knowledgeListQuery } from '@/stores/knowledge-store';
import type { OutgoingMessage } from '@/stores/message-store';
import { ActivitySteps } from './activities';
import { CitedMarkdown, SourcesList } from './citations';
import { MessageAttachments } from './attachments';
import { ReactionBar } from './message-reactions';
import { actionClass, MessageToolbar } from './message-toolbar';
import { useEditing } from './message-actions';
import { ThreadFooter } from './thread-summary';

/** The ref a virtualized list measures a row by (stable for the list's life). */
type RowRef = (element: HTMLLIElement | null) => void;

function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/**
 * One message. `compact`: it follows a message of the same author within a few minutes
 * (MessageList decides), so it shows no avatar or name, only its time when hovered or focused.
 */
export const MessageItem = observer(function MessageItem({
  message,
  canDelete,
  compact = false,
  highlighted = false,
  jumpTarget = false,
  rowRef,
  rowIndex,
}: {
  message: Message;
  canDelete: boolean;
  compact?: boolean;
  /** Jumped to from search (components/search/around-list): marked for a moment. */
  highlighted?: boolean;
  /** The message a jump landed on (data-jump-target), highlighted or not. */
  jumpTarget?: boolean;
  /** Its place in a virtualized list (MessageRows): the ref that measures it and its index there (kept apart so the memo holds). */
  rowRef?: RowRef;
  rowIndex?: number;
}) {
  const root = useStores();
  const { user, messages } = root;
  const [draft, setDraft] = useState(message.content);
  const [editing, setEditing] = useEditing(message, () => setDraft(message.content));
  const mine = message.author.kind === 'user' && message.author.id === user.user?.id;
  const agent = message.author.kind === 'agent';
  const text = messages.textOf(message);
  // Only an agent's reply cites: a person typing "[1]" gets no chip.
  const citations = (agent && message.citations) || [];
  // Which cited documents the viewer may open: those of their own bases (one cached list for every message).
  const citesDocuments = citations.some((citation) => citation.knowledgeBaseId);
  const ownBases = useQuery({ ...knowledgeListQuery(root), enabled: citesDocuments, staleTime: 60_000 }).data;
  const ownKnowledgeBaseIds = useMemo(() => (ownBases ? new Set(ownBases.knowledgeBases.map((base) => base.id)) : undefined), [ownBases]);
  // The last action's failure shows under the message until another action starts.
  const [error, setError] = useState<string | null>(null);
  const failed = (apiError: ApiError) => setError(apiError.message);
  const edit = useAction((content: string) => messages.edit(message.channelId, message.id, content), { onSuccess: () => setEditing(false), onError: failed });
  const stop = useAction(() => messages.stopReply(message.channelId, message.id), { onError: failed });
  const retry = useAction(() => messages.retryReply(message.channelId, message.id), { onError: failed });
  function begin(action: { run(vars: void): void }) {
    setError(null);
    action.run();
  }

  function save() {
    if (!draft.trim() || draft === message.content) return setEditing(false);
    setError(null);
    edit.run(draft);
  }

  function onEditKey(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      setDraft(message.content);
      setEditing(false);
    }
  }

  const time = (size: string) => (
    <time className={`${size} text-gray-500`} dateTime={message.createdAt} title={new Date(message.createdAt).toLocaleString()}>
      {formatTime(message.createdAt)}
    </time>
  );

  return (
    <li
      ref={rowRef}
      data-index={rowIndex}
      className={`group relative flex gap-3 rounded-md px-2 transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 duration-1000 ${highlighted ? 'bg-amber-100 ring-2 ring-amber-400 dark:bg-amber-900/40' : 'hover:bg-gray-50 has-[:focus-visible]:bg-gray-50 dark:hover:bg-gray-900 dark:has-[:focus-visible]:bg-gray-900 [@media(hover:none)]:focus-within:bg-gray-50 dark:[@media(hover:none)]:focus-within:bg-gray-900'} ${compact ? 'py-0.5' : 'mt-1 py-1.5'}`}
      data-testid="message"
      data-message-id={message.id}
      // A tap focuses the message, which shows its toolbar and time on touch screens (a mouse
      // click focuses it too, but shows nothing that hovering does not); it stays out of the tab
      // order, where the toolbar's own buttons are.
      tabIndex={-1}
      data-compact={compact || undefined}
      {...(jumpTarget ? { 'data-jump-target': highlighted ? 'highlighted' : 'seen' } : {})}
    >
      {compact ? (
        // The avatar's column, holding the time for whoever hovers or tabs into the message.
        // On one line, reaching left into the row's padding when wider: a time that wrapped made every grouped row two lines tall.
        <span className="flex w-9 shrink-0 justify-end whitespace-nowrap pt-0.5 leading-5 opacity-0 group-hover:opacity-100 group-has-[:focus-visible]:opacity-100 [@media(hover:none)]:group-focus-within:opacity-100" data-testid="compact-time">
          {time('text-[0.65rem]')}
        </span>
      ) : (
        <Avatar id={message.author.id} name={message.author.name} agent={agent} src={message.author.avatar} />
      )}
      <div className="min-w-0 flex-1">
        {!compact && (
          <div className="flex min-w-0 flex-wrap items-baseline gap-x-2">
            <span className="text-sm font-semibold">{message.author.name}</span>
            {agent && (
              <span className="rounded bg-violet-100 px-1 text-[0.65rem] font-semibold uppercase text-violet-700 dark:bg-violet-900/60 dark:text-violet-200" data-testid="agent-badge">
                AI{message.author.handle ? ` · @${message.author.handle}` : ''}
              </span>
            )}
            {time('text-xs')}
            {message.editedAt && <span className="text-xs text-gray-500" data-testid="edited">(edited)</span>}
            {agent && message.runId && <RunReplyTag message={message} />}
            {!agent && message.routing && <MessageRouting message={message} />}
          </div>
        )}
        {compact && (message.editedAt || (!agent && message.routing) || (agent && message.runId)) && (
          <div className="flex flex-wrap items-baseline gap-x-2">
            {message.editedAt && <span className="text-xs text-gray-500" data-testid="edited">(edited)</span>}
            {agent && message.runId && <RunReplyTag message={message} />}
            {!agent && message.routing && <MessageRouting message={message} />}
          </div>
        )}
        {agent && <ActivitySteps activities={messages.activitiesOf(message)} streaming={message.status === 'streaming'} />}
        {editing ? (
          <div className="mt-1">
            <textarea
              aria-label="Edit message"
              data-testid="edit-input"
              className="w-full rounded-md border border-gray-300 bg-white p-2 text-sm dark:border-gray-700 dark:bg-gray-800"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={onEditKey}
              autoFocus
            />
            <div className="flex gap-2 text-xs">
              <button type="button" className={actionClass} onClick={save} disabled={edit.pending} data-testid="edit-save">
                {edit.pending ? 'Saving…' : 'Save'}
              </button>
              <button type="button" className={actionClass} onClick={() => setEditing(false)}>Cancel</button>
              <span className="text-gray-500">Enter to save · Esc to cancel</span>
            </div>
          </div>
        ) : message.status === 'streaming' && !text ? (
          <p className="flex items-center gap-1 text-sm text-gray-500" data-testid="thinking">
            <span className="inline-flex gap-0.5" aria-hidden>
              <span className="h-1.5 w-1.5 animate-bounce rounded-full bg-current [animation-delay:-0.3s]" />
              <span className="h-1.5 w-1.5 animate-bounce rounded-full bg-current [animation-delay:-0.15s]" />
              <span className="h-1.5 w-1.5 animate-bounce rounded-full bg-current" />
            </span>
            thinking…
          </p>
        ) : !agent && message.runId ? (
          // A person's message that started a goal run shows the run's checklist.
          <RunMessageChecklist channelId={message.channelId} runId={message.runId} text={<Markdown source={text} />} />
        ) : citations.length > 0 ? (
          <CitedMarkdown source={text} citations={citations} />
        ) : (
          <Markdown source={text} />
        )}
        {!editing && <MessageAttachments message={message} />}
        {!editing && <SourcesList citations={citations} ownKnowledgeBaseIds={ownKnowledgeBaseIds} />}
        {agent && message.status === 'streaming' && (
          <button
            type="button"
            className={`${actionClass} mt-1 border border-gray-300 dark:border-gray-700`}
            onClick={() => begin(stop)}
            disabled={stop.pending}
            data-testid="stop-reply"
          >
            {stop.pending ? 'Stopping…' : '■ Stop'}
          </button>
        )}
        {agent && message.status === 'error' && (
          <div className="mt-1 flex items-center gap-2 text-xs">
            <span className={message.error?.code === 'cancelled' ? 'text-gray-500' : 'text-red-600 dark:text-red-400'} role="alert" data-testid="reply-error">
              {message.error?.message ?? 'The reply failed.'}
            </span>
            {/* A goal run's reply is retried by its run (a task sent back), not by hand: a second answer outside it would feed nothing. */}
            {!message.runId && (
              <button
                type="button"
                className="font-medium text-sky-600 hover:underline disabled:opacity-60 dark:text-sky-400"
                onClick={() => begin(retry)}
                disabled={retry.pending}
                data-testid="retry-reply"
              >
                {retry.pending ? 'Retrying…' : 'Retry'}
              </button>
            )}
          </div>
        )}
        {!editing && <ReactionBar message={message} onError={setError} />}
        {!editing && <ThreadFooter message={message} />}
        {error && <p className="text-xs text-red-500" role="alert">{error}</p>}
      </div>
      {!editing && (
        <MessageToolbar
          message={message}
          mine={mine}
          canDelete={canDelete}
          onEdit={() => setEditing(true)}
          onError={setError}
        />
      )}
    </li>
  );
});

/** A message the server has not confirmed yet: sending, or failed with a retry control. */
export const PendingMessageItem = observer(function PendingMessageItem({ entry, rowRef, rowIndex }: { entry: OutgoingMessage; rowRef?: RowRef; rowIndex?: number }) {
  const root = useStores();
  const { user, messages } = root;
  const name = user.user?.name ?? 'You';
  const failed = entry.state === 'failed';
  return (
    <li ref={rowRef} data-index={rowIndex} className={`flex gap-3 rounded-md px-2 py-1.5 ${failed ? 'bg-red-50 dark:bg-red-950/30' : 'opacity-60'}`} data-testid="pending-message" data-state={entry.state}>
      <Avatar id={user.user?.id ?? 'me'} name={name} />
      <div className="min-w-0 flex-1">
        <div className="flex items-baseline gap-2">
          <span className="text-sm font-semibold">{name}</span>
          <span className="text-xs text-gray-500">{failed ? 'Not sent' : 'Sending…'}</span>
        </div>
        <Markdown source={entry.content} />
        {failed && (
          <div className="mt-1 flex items-center gap-2 text-xs">
            <span className="text-red-600 dark:text-red-400" role="alert">{entry.error ?? 'Failed to send.'}</span>
            <button type="button" className="font-medium text-sky-600 hover:underline dark:text-sky-400" onClick={() => messages.retry(entry.clientId)} data-testid="retry-send">
              Retry
            </button>
            <button type="button" className="text-gray-500 hover:underline" onClick={() => messages.discard(entry.clientId)} data-testid="discard-send">
              Discard
            </button>
          </div>
        )}
      </div>
    </li>
  );
});
