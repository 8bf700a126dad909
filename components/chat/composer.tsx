'use client';

import { useQueryClient } from '@tanstack/react-query';
import { observer } from 'mobx-react-lite';
import dynamic from 'next/dynamic';
import type { ClipboardEvent, FormEvent, KeyboardEvent, RefObject } from 'react';
import { useEffect, useRef, useState } from 'react';
import { ActiveRunBanner } from '@/components/runs/active-run-banner';
import { Avatar } from '@/components/ui/avatar';
import { useAction } from '@/components/ui/use-action';
import { useOpenedOnce } from '@/components/ui/use-opened-once';
import { useRealtime } from '@/components/realtime/realtime-provider';
import type { Member } from '@/lib/api-types';
import { MAX_MESSAGE_CHARS } from '@/lib/contracts/messages';
import { useStores } from '@/stores/context';
import { flattenHistory, type HistoryData } from '@/stores/message-store';
import { queryKeys } from '@/stores/query-keys';
import { AttachButton, DropOverlay, PendingAttachments, useChannelDrop } from './attachments-composer';
import { useAttachmentUploads } from './attachments-uploads';
import { composerInputId } from './message-actions';

// The goal form (and the floating-ui under flowbite's Modal) loads with its first opening.
const StartRunModal = dynamic(() => import('@/components/runs/start-run-modal').then((mod) => mod.StartRunModal), { ssr: false });

/** The `@partial` being typed just before the caret, if any. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|[\s(])@([a-z0-9-]{0,32})$/i.exec(text.slice(0, caret));
  return match ? { start: caret - match[2]!.length - 1, query: match[2]!.toLowerCase() } : null;
}

/** `/goal <text>` typed as a message starts a goal run instead: the goal, or '' for the bare command (which opens the Goal form). */
export function goalCommand(text: string): string | null {
  const match = /^\/goal(?:\s+([\s\S]*))?$/i.exec(text.trim());
  return match ? (match[1] ?? '').trim() : null;
}

/** The time since mounting, ticking every second (a countdown on screen). */
function useTicking(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** While the server refuses sends for going too fast (mounted only then): what waits, and when it goes out by itself. */
const SendThrottled = observer(function SendThrottled({ channelId }: { channelId: string }) {
  const { messages } = useStores();
  const now = useTicking();
  const held = messages.pendingFor(channelId).filter((entry) => entry.retryAt).length;
  if (held === 0) return null;
  const seconds = Math.max(1, Math.ceil((messages.throttledUntil - now) / 1000));
  return (
    <p role="status" data-testid="send-throttled" className="mb-2 rounded-md bg-amber-50 px-3 py-1.5 text-xs text-amber-800 dark:bg-amber-950/40 dark:text-amber-300">
      You are sending faster than the hub allows. {held === 1 ? 'Your message is kept and goes out by itself' : `Your ${held} messages are kept and go out by themselves`} in {seconds} s.
    </p>
  );
});

/**
 * A channel that opens puts the caret in its composer, as Slack does. Not on a touch screen: there
 * focusing pops the keyboard up over the messages the person came to read.
 */
function useFocusOnOpen(input: RefObject<HTMLTextAreaElement | null>, channelId: string) {
  useEffect(() => {
    if (window.matchMedia?.('(pointer: coarse)').matches) return;
    input.current?.focus({ preventScroll: true });
  }, [input, channelId]);
}

export const Composer = observer(function Composer({ channelId, channelName, agents = [] }: { channelId: string; channelName: string; agents?: Member[] }) {
  const { channels, messages, runs, user } = useStores();
  const queryClient = useQueryClient();
  const realtime = useRealtime();
  const lastTyping = useRef(0);
  const input = useRef<HTMLTextAreaElement>(null);
  const form = useRef<HTMLFormElement>(null);
  useFocusOnOpen(input, channelId);
  const uploads = useAttachmentUploads();
  const attach = (files: File[]) => void uploads.add(channelId, files);
  const dropping = useChannelDrop(form, attach);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const draft = channels.draftFor(channelId);
  const length = [...draft.trim()].length;
  const tooLong = length > MAX_MESSAGE_CHARS;
  const attachments = uploads.readyIds(channelId);
  const sendingFiles = uploads.sending.has(channelId);
  // A message may be files alone; it waits for every file still uploading.
  const canSend = (length > 0 || attachments.length > 0) && !tooLong && !uploads.uploading(channelId) && !sendingFiles;
  const sendError = uploads.sendError.get(channelId);
  const [goalOpen, setGoalOpen] = useState(false);
  const goalMounted = useOpenedOnce(goalOpen);
  const goal = goalCommand(draft);
  const startGoal = useAction((text: string) => runs.start(channelId, { goal: text }), {
    onSuccess: (_run, text) => {
      if (goalCommand(channels.draftFor(channelId)) === text) channels.setDraft(channelId, '');
    },
  });

  const mention = mentionAt(draft, Math.min(caret, draft.length));
  const suggestions =
    mention && dismissed !== mention.start
      ? agents.filter((a) => a.handle?.startsWith(mention.query) || a.name.toLowerCase().startsWith(mention.query)).slice(0, 6)
      : [];
  const open = suggestions.length > 0;

  function send(event?: FormEvent) {
    event?.preventDefault();
    if (goal !== null) {
      if (goal === '') return setGoalOpen(true);
      return startGoal.run(goal);
    }
    if (!canSend) return;
    if (attachments.length > 0) {
      // Sent straight away rather than through the outbox: the files stay in the composer until the server has the message.
      const sent = draft;
      void uploads.sendMessage(channelId, sent).then((ok) => {
        if (ok && channels.draftFor(channelId) === sent) channels.setDraft(channelId, '');
      });
      return;
    }
    messages.send(channelId, draft);
    channels.setDraft(channelId, '');
  }

  /** A pasted image (a screenshot) becomes an attachment; pasted text stays text. */
  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const images = Array.from(event.clipboardData?.files ?? []).filter((file) => file.type.startsWith('image/'));
    if (images.length === 0) return;
    event.preventDefault();
    attach(images);
  }

  function complete(agent: Member) {
    if (!mention) return;
    const before = draft.slice(0, mention.start);
    const after = draft.slice(Math.min(caret, draft.length));
    const inserted = `@${agent.handle} `;
    channels.setDraft(channelId, before + inserted + after.replace(/^\S*\s?/, ''));
    const position = before.length + inserted.length;
    setCaret(position);
    setActive(0);
    requestAnimationFrame(() => input.current?.setSelectionRange(position, position));
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (open) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        return setActive((i) => (i + step + suggestions.length) % suggestions.length);
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && !event.nativeEvent.isComposing) {
        event.preventDefault();
        return complete(suggestions[Math.min(active, suggestions.length - 1)]!);
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        return setDismissed(mention!.start);
      }
    }
    // Up in an empty composer edits one's last message, as in Slack (the history is already in the cache).
    if (event.key === 'ArrowUp' && !draft && !event.shiftKey && !event.altKey && !event.metaKey && !event.ctrlKey) {
      const history = flattenHistory(queryClient.getQueryData<HistoryData>(queryKeys.messages(channelId)));
      const last = history.findLast((message) => message.author.kind === 'user' && message.author.id === user.user?.id);
      if (last) {
        event.preventDefault();
        channels.setEditing(last.id);
      }
      return;
    }
    // Enter sends, Shift+Enter breaks the line (and IME composition is left alone).
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  }

  return (
    <>
      <form ref={form} onSubmit={send} className="relative border-t border-gray-200 px-3 py-3 md:px-5 dark:border-gray-800" data-testid="composer">
        {open && (
          <ul
            role="listbox"
            aria-label="Mention an agent"
            data-testid="mention-suggestions"
            className="absolute bottom-full left-5 mb-1 w-72 overflow-hidden rounded-lg border border-gray-200 bg-white py-1 shadow-lg dark:border-gray-700 dark:bg-gray-800"
          >
            {suggestions.map((agent, index) => (
              <li
                key={agent.id}
                role="option"
                aria-selected={index === active}
                data-testid="mention-option"
                onMouseDown={(event) => {
                  event.preventDefault();
                  complete(agent);
                }}
                className={`flex cursor-pointer items-center gap-2 px-3 py-1.5 text-sm ${index === active ? 'bg-sky-100 dark:bg-sky-900/50' : ''}`}
              >
                <Avatar id={agent.id} name={agent.name} size="sm" agent src={agent.avatar} />
                <span className="font-medium">@{agent.handle}</span>
                <span className="truncate text-gray-500">{agent.name}</span>
              </li>
            ))}
          </ul>
        )}
        {messages.throttledUntil > 0 && <SendThrottled channelId={channelId} />}
        {dropping && <DropOverlay rect={dropping} channelName={channelName} />}
        <PendingAttachments uploads={uploads} channelId={channelId} />
        <ActiveRunBanner channelId={channelId} />
        {startGoal.error && (
          <p role="alert" data-testid="goal-command-error" className="mb-2 rounded-md bg-red-50 px-3 py-1.5 text-xs text-red-700 dark:bg-red-950/40 dark:text-red-300">
            The run did not start: {startGoal.error.message}
          </p>
        )}
        {sendError && (
          <p role="alert" data-testid="attachment-send-error" className="mb-2 rounded-md bg-red-50 px-3 py-1.5 text-xs text-red-700 dark:bg-red-950/40 dark:text-red-300">
            Not sent: {sendError}
          </p>
        )}
        <div className="flex items-end gap-2 rounded-lg border border-gray-300 bg-white p-2 focus-within:border-sky-500 focus-within:ring-1 focus-within:ring-sky-500 dark:border-gray-700 dark:bg-gray-900">
          <AttachButton onFiles={attach} />
          <button
            type="button"
            onClick={() => setGoalOpen(true)}
            aria-label="Give the channel a goal"
            aria-haspopup="dialog"
            title="Start a goal run: the agents plan it, work through it and summarize (or type /goal …)"
            data-testid="goal-button"
            className="inline-flex items-center gap-1 rounded-md p-1.5 text-sm text-gray-500 hover:bg-gray-100 hover:text-gray-900 dark:hover:bg-gray-800 dark:hover:text-gray-100"
          >
            <svg viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth={1.8} aria-hidden>
              <circle cx="12" cy="12" r="8.5" />
              <circle cx="12" cy="12" r="4.5" />
              <circle cx="12" cy="12" r="0.9" fill="currentColor" />
            </svg>
            <span className="hidden sm:inline">Goal</span>
          </button>
          <textarea
            ref={input}
            id={composerInputId}
            aria-label={`Message #${channelName}`}
            aria-autocomplete="list"
            data-testid="composer-input"
            placeholder={agents.length ? `Message #${channelName} · @ to ask an agent` : `Message #${channelName}`}
            rows={Math.min(8, Math.max(1, draft.split('\n').length))}
            className="max-h-48 flex-1 resize-none border-0 bg-transparent p-1 text-sm focus:outline-none focus:ring-0"
            value={draft}
            onChange={(e) => {
              channels.setDraft(channelId, e.target.value);
              if (startGoal.error) startGoal.reset();
              setCaret(e.target.selectionStart);
              setActive(0);
              // Others see "typing" while keys are pressed; one notice a second is plenty.
              if (e.target.value && Date.now() - lastTyping.current > 1000) {
                lastTyping.current = Date.now();
                realtime?.typing(channelId);
              }
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
          />
          <button
            type="submit"
            disabled={goal !== null ? startGoal.pending : !canSend}
            data-testid="composer-send"
            className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-40"
          >
            {goal !== null ? (startGoal.pending ? 'Starting…' : goal ? 'Start run' : 'Goal…') : sendingFiles ? 'Sending…' : 'Send'}
          </button>
        </div>
        <div className="mt-1 flex justify-between text-xs text-gray-500">
          {goal !== null ? (
            <span data-testid="goal-command-hint">{goal ? 'Enter starts a goal run with this goal' : 'Type the goal after /goal, or press Enter for the Goal form'}</span>
          ) : (
            <span>Enter to send · Shift+Enter for a new line · Markdown supported · Drop or paste files to attach<span className="hidden sm:inline"> · /goal to start a run</span></span>
          )}
          {length > MAX_MESSAGE_CHARS - 500 && (
            <span className={tooLong ? 'text-red-500' : ''} data-testid="char-count">
              {length}/{MAX_MESSAGE_CHARS}
            </span>
          )}
        </div>
      </form>
      {/* Outside the composer's form: React events bubble through portals, and the modal's submit must not send a message. */}
      {goalMounted && <StartRunModal show={goalOpen} onClose={() => setGoalOpen(false)} channelId={channelId} channelName={channelName} />}
    </>
  );
});
