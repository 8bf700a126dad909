'use client';

import { useEffect } from 'react';
import type { Message } from '@/lib/api-types';
import { useStores } from '@/stores/context';

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
