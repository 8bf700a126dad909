'use client';

import { observer } from 'mobx-react-lite';
import { Fragment, useEffect, useRef, useState } from 'react';
import { useAction } from '@/components/ui/use-action';
import type { Message } from '@/lib/api-types';
import { useStores } from '@/stores/context';
import { AddReactionButton } from './message-reactions';
import { ReplyInThreadButton } from './thread-summary';

export const actionClass = 'rounded px-1.5 py-0.5 text-xs text-gray-500 hover:bg-gray-200 hover:text-gray-900 dark:hover:bg-gray-700 dark:hover:text-gray-100';

/**
 * A message's actions in one small toolbar (react, reply in thread, edit, delete). It is
 * faded out rather than removed until the message is hovered or holds focus, so every button
 * stays in the tab order. Where there is no hover (touch screens), tapping a message focuses it
 * (MessageItem) and shows its toolbar; tapping elsewhere hides it again, so the toolbars do not
 * cover every message's name and time. Faded out there, it lets taps through to the message.
 */
export const MessageToolbar = observer(function MessageToolbar({
  message,
  mine,
  canDelete,
  onEdit,
  onError,
}: {
  message: Message;
  mine: boolean;
  canDelete: boolean;
  onEdit: () => void;
  onError: (text: string | null) => void;
}) {
  const { messages } = useStores();
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const backingOut = useRef(false);
  useEffect(() => {
    // Once the question is gone, focus goes back to the Delete button it replaced.
    if (confirmingDelete || !backingOut.current) return;
    backingOut.current = false;
    deleteButton.current?.focus();
  }, [confirmingDelete]);
  const remove = useAction(() => messages.remove(message.channelId, message.id), {
    onError: (apiError) => {
      onError(apiError.message);
      setConfirmingDelete(false);
    },
  });
  return (
    <div
      className="absolute right-2 top-1 flex items-center gap-1 rounded-md border border-gray-200 bg-white px-1 py-0.5 opacity-0 shadow-sm focus-within:opacity-100 group-hover:opacity-100 [@media(hover:none)]:pointer-events-none [@media(hover:none)]:focus-within:pointer-events-auto [@media(hover:none)]:group-focus-within:pointer-events-auto [@media(hover:none)]:group-focus-within:opacity-100 dark:border-gray-700 dark:bg-gray-800"
      data-testid="message-toolbar"
      onKeyDown={(event) => {
        // Escape backs out of the delete question, back onto the Delete button.
        if (event.key !== 'Escape' || !confirmingDelete) return;
        event.preventDefault();
        event.stopPropagation();
        backingOut.current = true;
        setConfirmingDelete(false);
      }}
    >
      {/* Keyed, so the question's buttons are new elements (autoFocus applies) rather than the old ones reused. */}
      {confirmingDelete ? (
        <Fragment key="confirm">
          <span className="px-1 text-xs">Delete?</span>
          <button
            type="button"
            className={`${actionClass} text-red-600`}
            onClick={() => {
              onError(null);
              remove.run();
            }}
            disabled={remove.pending}
            data-testid="confirm-delete"
            // The question replaces the Delete button that had focus: focus moves onto its answer.
            autoFocus
          >
            {remove.pending ? 'Deleting…' : 'Delete'}
          </button>
          <button type="button" className={actionClass} onClick={() => setConfirmingDelete(false)} data-testid="cancel-delete">Cancel</button>
        </Fragment>
      ) : (
        <Fragment key="actions">
          <AddReactionButton message={message} onError={onError} />
          <ReplyInThreadButton message={message} className={actionClass} />
          {mine && (
            <button type="button" className={actionClass} onClick={onEdit} data-testid="edit-message">Edit</button>
          )}
          {(mine || canDelete) && (
            <button type="button" ref={deleteButton} className={actionClass} onClick={() => setConfirmingDelete(true)} data-testid="delete-message">Delete</button>
          )}
        </Fragment>
      )}
    </div>
  );
});
