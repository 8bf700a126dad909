'use client';

import { observer } from 'mobx-react-lite';
import { useEffect, useState } from 'react';
import type { Message } from '@/lib/api-types';
import { useStores } from '@/stores/context';

const actionClass = 'rounded px-1.5 py-0.5 text-xs text-gray-500 hover:bg-gray-200 hover:text-gray-900 dark:hover:bg-gray-700 dark:hover:text-gray-100';

/** The composer's text box, where focus goes back once an edit is saved or cancelled. */
export const composerInputId = 'composer-input';

export function focusComposer() {
  document.getElementById(composerInputId)?.focus();
}

/**
 * Whether this message's edit box is open. It lives in the channel store rather than in the
 * message, so the composer's Up arrow can open the last one; closing it hands focus back to the
 * composer, where the person was typing.
 */
export function useEditing(message: Message, onOpen: () => void): [boolean, (editing: boolean) => void] {
  const { channels } = useStores();
  const editing = channels.editingMessageId === message.id;
  // However it opened (its Edit button, the composer's Up arrow), the box starts from the saved text.
  useEffect(() => {
    if (editing) onOpen();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only on opening, not on each render's new callback
  }, [editing]);
  const setEditing = (next: boolean) => {
    if (next) return channels.setEditing(message.id);
    if (channels.editingMessageId !== message.id) return;
    channels.setEditing(null);
    requestAnimationFrame(focusComposer);
  };
  return [editing, setEditing];
}

type Props = {
  message: Message;
  mine: boolean;
  confirmingDelete: boolean;
  deleting: boolean;
  onEdit: () => void;
  onAskDelete: (asking: boolean) => void;
  onDelete: () => void;
};

/**
 * Edit and delete for one message. With a mouse they show on hover; they are always in the tab
 * order and show on focus, so a keyboard reaches them. On a phone (or any touch screen) there is no
 * hover: a "More actions" button opens them instead.
 */
export const MessageActions = observer(function MessageActions({ message, mine, confirmingDelete, deleting, onEdit, onAskDelete, onDelete }: Props) {
  const [open, setOpen] = useState(false);
  const toolbarId = `message-actions-${message.id}`;
  const shown = open || confirmingDelete;
  return (
    <div className="absolute right-2 top-1 flex items-start gap-1" onBlur={(event) => !event.currentTarget.contains(event.relatedTarget) && setOpen(false)}>
      <div
        id={toolbarId}
        role="toolbar"
        aria-label={`Actions for the message from ${message.author.name}`}
        data-testid="message-actions"
        onKeyDown={(event) => {
          if (event.key !== 'Escape') return;
          // Escape backs out of the delete question first, then closes the menu.
          event.stopPropagation();
          if (confirmingDelete) onAskDelete(false);
          else setOpen(false);
        }}
        className={`gap-1 rounded-md border border-gray-200 bg-white px-1 shadow-sm dark:border-gray-700 dark:bg-gray-800 ${
          shown
            ? 'flex'
            : // Phones and touch screens: only through the menu button. A mouse: on hover or focus, but always tabbable.
              'hidden md:pointer-fine:flex md:pointer-fine:opacity-0 md:pointer-fine:group-hover:opacity-100 md:pointer-fine:focus-within:opacity-100'
        }`}
      >
        {confirmingDelete ? (
          <>
            <span className="px-1 text-xs">Delete?</span>
            {/* The question replaces the Delete button that had focus: focus moves onto its answer. */}
            <button type="button" className={`${actionClass} text-red-600`} onClick={onDelete} disabled={deleting} data-testid="confirm-delete" autoFocus>
              {deleting ? 'Deleting…' : 'Delete'}
            </button>
            <button type="button" className={actionClass} onClick={() => onAskDelete(false)} data-testid="cancel-delete">Cancel</button>
          </>
        ) : (
          <>
            {mine && (
              <button
                type="button"
                className={actionClass}
                onClick={() => {
                  setOpen(false);
                  onEdit();
                }}
                data-testid="edit-message"
              >
                Edit
              </button>
            )}
            <button type="button" className={actionClass} onClick={() => onAskDelete(true)} data-testid="delete-message">Delete</button>
          </>
        )}
      </div>
      <button
        type="button"
        aria-label="More actions"
        aria-haspopup="true"
        aria-expanded={shown}
        aria-controls={toolbarId}
        data-testid="more-actions"
        onClick={() => setOpen((was) => !was)}
        className="rounded-md border border-gray-200 bg-white px-2 text-sm leading-6 text-gray-500 shadow-sm md:pointer-fine:hidden dark:border-gray-700 dark:bg-gray-800"
      >
        <span aria-hidden>⋯</span>
      </button>
    </div>
  );
});
