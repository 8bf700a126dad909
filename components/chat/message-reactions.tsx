'use client';

import { observer } from 'mobx-react-lite';
import { useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import type { Message } from '@/lib/api-types';
import type { ReactionJson } from '@/lib/contracts/messages';
import { isSingleEmoji } from '@/lib/contracts/reactions';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { reactedBy, reactorsLabel } from '@/stores/reaction-list';

/** The picker's quick choices: what people reach for most in chat. */
export const COMMON_EMOJIS = ['👍', '❤️', '😂', '🎉', '🙏', '👀', '✅', '🔥', '😮', '😢', '🚀', '💯', '👏', '🤔', '👎', '😄'];

/**
 * The viewer's reactions, optimistic; a refusal comes back through `onError`. A chip toggles; the
 * picker only adds (picking an emoji you already used keeps it, as the PUT does).
 */
function useReact(message: Message, onError: (text: string) => void) {
  const { messages, user } = useStores();
  const send = (emoji: string, on: boolean) => messages.react(message.channelId, message.id, emoji, on, message.threadId).catch((error: unknown) => onError(toApiError(error).message));
  return {
    add: (emoji: string) => void send(emoji, true),
    toggle: (emoji: string) => {
      const existing = message.reactions?.find((reaction) => reaction.emoji === emoji);
      void send(emoji, !(existing && reactedBy(existing, user.user?.id)));
    },
  };
}

/** The nearest ancestor that scrolls or clips (a message list), which would cut off a picker. */
function clippingAncestor(element: HTMLElement | null): HTMLElement | null {
  for (let node = element?.parentElement; node; node = node.parentElement) {
    if (/(auto|scroll|hidden)/.test(getComputedStyle(node).overflowY)) return node;
  }
  return null;
}

/**
 * "Add reaction": a button that opens a small picker of common emojis and a field for any emoji.
 * It is a real button in the tab order (not a hover-only control); Escape closes the picker and
 * gives focus back to the button.
 */
export function ReactionPicker({ onPick, className = '', label = 'Add reaction', testId = 'add-reaction' }: { onPick: (emoji: string) => void; className?: string; label?: string; testId?: string }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [invalid, setInvalid] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const panelId = useId();
  // Opens upwards, or downwards when the list's top edge (or the window's) would cut it off there:
  // the first message of a channel has no room above it.
  const [below, setBelow] = useState(false);
  useLayoutEffect(() => {
    if (!open || !panel.current || !trigger.current) return;
    const top = Math.max(0, clippingAncestor(wrapper.current)?.getBoundingClientRect().top ?? 0);
    setBelow(trigger.current.getBoundingClientRect().top - panel.current.offsetHeight - 4 < top);
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!wrapper.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  function close() {
    setOpen(false);
    setTyped('');
    setInvalid(false);
    trigger.current?.focus();
  }

  function pick(emoji: string) {
    onPick(emoji);
    close();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const emoji = typed.trim();
    if (!isSingleEmoji(emoji)) return setInvalid(true);
    pick(emoji);
  }

  return (
    <div ref={wrapper} className={`relative inline-flex ${className}`} onKeyDown={(event) => event.key === 'Escape' && open && (event.stopPropagation(), close())}>
      <button
        ref={trigger}
        type="button"
        aria-label={label}
        title={label}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => (open ? close() : setOpen(true))}
        data-testid={testId}
        className="inline-flex h-6 items-center gap-0.5 rounded-full border border-gray-200 px-1.5 text-xs text-gray-500 hover:border-gray-400 hover:text-gray-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:border-gray-700 dark:text-gray-400 dark:hover:text-gray-100"
      >
        <span aria-hidden>☺</span>
        <span aria-hidden className="text-[0.7rem] leading-none">+</span>
      </button>
      {open && (
        <div
          ref={panel}
          id={panelId}
          role="dialog"
          aria-label="Pick a reaction"
          data-testid="reaction-picker"
          data-placement={below ? 'below' : 'above'}
          className={`absolute right-0 z-30 ${below ? 'top-full mt-1' : 'bottom-full mb-1'} w-64 max-w-[calc(100vw-2rem)] rounded-lg border border-gray-200 bg-white p-2 shadow-lg dark:border-gray-700 dark:bg-gray-800`}
        >
          <div className="grid grid-cols-8 gap-0.5">
            {COMMON_EMOJIS.map((emoji, i) => (
              <button
                key={emoji}
                type="button"
                autoFocus={i === 0}
                onClick={() => pick(emoji)}
                aria-label={`React with ${emoji}`}
                data-testid="picker-emoji"
                className="rounded p-1 text-lg leading-none hover:bg-gray-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:hover:bg-gray-700"
              >
                {emoji}
              </button>
            ))}
          </div>
          <form onSubmit={submit} className="mt-2 flex gap-1">
            <input
              value={typed}
              onChange={(event) => {
                setTyped(event.target.value);
                setInvalid(false);
              }}
              aria-label="Any emoji"
              aria-invalid={invalid}
              placeholder="Type or paste any emoji"
              data-testid="picker-input"
              className="min-w-0 flex-1 rounded border border-gray-300 bg-white px-2 py-1 text-sm dark:border-gray-600 dark:bg-gray-900"
            />
            <button type="submit" data-testid="picker-add" className="rounded bg-sky-600 px-2 text-xs font-medium text-white hover:bg-sky-700">
              Add
            </button>
          </form>
          {invalid && (
            <p role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400">
              That is not one emoji.
            </p>
          )}
        </div>
      )}
    </div>
  );
}

function ReactionChip({ reaction, viewerId, onToggle }: { reaction: ReactionJson; viewerId?: string; onToggle: (emoji: string) => void }) {
  const mine = reactedBy(reaction, viewerId);
  const label = reactorsLabel(reaction, viewerId);
  return (
    <button
      type="button"
      aria-pressed={mine}
      aria-label={`${label}. ${mine ? 'Remove your reaction' : 'React too'}`}
      title={label}
      onClick={() => onToggle(reaction.emoji)}
      data-testid="reaction-chip"
      data-emoji={reaction.emoji}
      data-mine={mine || undefined}
      className={`inline-flex h-6 items-center gap-1 rounded-full border px-2 text-xs focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 ${
        mine
          ? 'border-sky-400 bg-sky-50 text-sky-800 dark:border-sky-500 dark:bg-sky-900/50 dark:text-sky-100'
          : 'border-gray-200 bg-gray-50 text-gray-700 hover:border-gray-400 dark:border-gray-700 dark:bg-gray-800 dark:text-gray-200'
      }`}
    >
      <span aria-hidden className="text-sm leading-none">{reaction.emoji}</span>
      <span className="font-medium tabular-nums" data-testid="reaction-count">{reaction.count}</span>
    </button>
  );
}

/** The chips under a message (emoji and count; mine highlighted; click toggles), with its own "add" button. */
export const ReactionBar = observer(function ReactionBar({ message, onError }: { message: Message; onError: (text: string) => void }) {
  const { user } = useStores();
  const { add, toggle } = useReact(message, onError);
  const reactions = message.reactions ?? [];
  if (reactions.length === 0) return null;
  return (
    <div className="mt-1 flex flex-wrap items-center gap-1" data-testid="reactions" role="group" aria-label="Reactions">
      {reactions.map((reaction) => (
        <ReactionChip key={reaction.emoji} reaction={reaction} viewerId={user.user?.id} onToggle={toggle} />
      ))}
      <ReactionPicker onPick={add} />
    </div>
  );
});

/** The message toolbar's "add reaction", for a message with none yet. */
export function AddReactionButton({ message, onError }: { message: Message; onError: (text: string) => void }) {
  const { add } = useReact(message, onError);
  return <ReactionPicker onPick={add} testId="toolbar-add-reaction" />;
}
