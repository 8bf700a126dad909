'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { observer } from 'mobx-react-lite';
import { Avatar } from '@/components/ui/avatar';
import { useStores } from '@/stores/context';
import { flattenHistory } from '@/stores/message-store';
import { historyQuery } from '@/stores/queries';

/** How many of the channel's last messages the canvas's chat card shows. */
export const MINI_CHAT_MESSAGES = 5;

/** The channel's last messages, live (streaming replies as they stream), from the same history cache the chat reads. */
export const MiniChat = observer(function MiniChat({ channelId, onOpenChat }: { channelId: string; onOpenChat?: () => void }) {
  const root = useStores();
  const history = useInfiniteQuery(historyQuery(root, channelId));
  const last = flattenHistory(history.data).slice(-MINI_CHAT_MESSAGES);
  return (
    <div className="space-y-2" data-testid="mini-chat">
      {history.isSuccess && last.length === 0 && <p className="text-xs text-gray-500 dark:text-gray-400">No messages yet.</p>}
      <ol className="nowheel max-h-64 space-y-2 overflow-y-auto" aria-label="Last messages" aria-live="polite">
        {last.map((message) => (
          <li key={message.id} className="flex gap-2" data-testid="mini-chat-message">
            <Avatar id={message.author.id} name={message.author.name} size="sm" agent={message.author.kind === 'agent'} src={message.author.avatar} />
            <div className="min-w-0 text-xs">
              <p className="font-semibold">
                {message.author.name}
                {message.status === 'streaming' && <span className="ml-1 font-normal text-sky-600 dark:text-sky-400">writing…</span>}
              </p>
              <p className="line-clamp-2 break-words text-gray-700 dark:text-gray-300">{root.messages.textOf(message) || '…'}</p>
            </div>
          </li>
        ))}
      </ol>
      {onOpenChat && (
        <button type="button" onClick={onOpenChat} className="nodrag text-xs font-medium text-sky-700 hover:underline dark:text-sky-400">
          Open the chat
        </button>
      )}
    </div>
  );
});
