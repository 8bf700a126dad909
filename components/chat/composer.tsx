'use client';

import { observer } from 'mobx-react-lite';
import type { FormEvent, KeyboardEvent } from 'react';
import { useRef } from 'react';
import { useRealtime } from '@/components/realtime/realtime-provider';
import { MAX_MESSAGE_CHARS } from '@/lib/messages/schemas';
import { useStores } from '@/stores/context';

export const Composer = observer(function Composer({ channelId, channelName }: { channelId: string; channelName: string }) {
  const { channels, messages } = useStores();
  const realtime = useRealtime();
  const lastTyping = useRef(0);
  const draft = channels.draftFor(channelId);
  const length = [...draft.trim()].length;
  const tooLong = length > MAX_MESSAGE_CHARS;
  const canSend = length > 0 && !tooLong;

  function send(event?: FormEvent) {
    event?.preventDefault();
    if (!canSend) return;
    messages.send(channelId, draft);
    channels.setDraft(channelId, '');
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter breaks the line (and IME composition is left alone).
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  }

  return (
    <form onSubmit={send} className="border-t border-gray-200 px-5 py-3 dark:border-gray-800" data-testid="composer">
      <div className="flex items-end gap-2 rounded-lg border border-gray-300 bg-white p-2 focus-within:border-sky-500 dark:border-gray-700 dark:bg-gray-900">
        <textarea
          aria-label={`Message #${channelName}`}
          data-testid="composer-input"
          placeholder={`Message #${channelName}`}
          rows={Math.min(8, Math.max(1, draft.split('\n').length))}
          className="max-h-48 flex-1 resize-none border-0 bg-transparent p-1 text-sm focus:outline-none focus:ring-0"
          value={draft}
          onChange={(e) => {
            channels.setDraft(channelId, e.target.value);
            // Others see "typing" while keys are pressed; one notice a second is plenty.
            if (e.target.value && Date.now() - lastTyping.current > 1000) {
              lastTyping.current = Date.now();
              realtime?.typing(channelId);
            }
          }}
          onKeyDown={onKeyDown}
        />
        <button type="submit" disabled={!canSend} data-testid="composer-send" className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-40">
          Send
        </button>
      </div>
      <div className="mt-1 flex justify-between text-xs text-gray-500">
        <span>Enter to send · Shift+Enter for a new line · Markdown supported</span>
        {length > MAX_MESSAGE_CHARS - 500 && (
          <span className={tooLong ? 'text-red-500' : ''} data-testid="char-count">
            {length}/{MAX_MESSAGE_CHARS}
          </span>
        )}
      </div>
    </form>
  );
});
