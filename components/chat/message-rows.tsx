'use client';

import { observer } from 'mobx-react-lite';
import { useMemo, type ReactNode } from 'react';
import type { Message } from '@/lib/api-types';
import { useStores } from '@/stores/context';
import { MessageItem } from './message-item';
import { layoutMessages } from './message-layout';

/**
 * Top-level messages as a channel draws them, wherever it does (the live list, the around view of
 * a search jump): date separators, the "New messages" line after `lastReadId`, and each author's
 * consecutive messages grouped (layoutMessages). `target`: the message a jump landed on. Whatever
 * `children` holds (the outbox's pending messages) comes after the last row.
 */
export const MessageRows = observer(function MessageRows({
  messages,
  isOwner,
  lastReadId,
  target,
  children,
}: {
  messages: Message[];
  isOwner: boolean;
  lastReadId?: string | null;
  target?: { id: string; highlighted: boolean };
  children?: ReactNode;
}) {
  const viewerId = useStores().user.user?.id;
  const rows = useMemo(() => layoutMessages(messages, { lastReadId, viewerId }), [messages, lastReadId, viewerId]);
  return (
    <ol className="flex flex-col">
      {rows.map((row) =>
        row.kind === 'date' ? (
          <li key={row.key} className="my-2 flex items-center gap-3 text-xs font-semibold text-gray-500 dark:text-gray-400" data-testid="date-separator" role="separator" aria-label={row.label}>
            <span className="h-px flex-1 bg-gray-200 dark:bg-gray-700" />
            <span className="rounded-full border border-gray-200 px-2 py-0.5 dark:border-gray-700">{row.label}</span>
            <span className="h-px flex-1 bg-gray-200 dark:bg-gray-700" />
          </li>
        ) : row.kind === 'new' ? (
          <li key={row.key} className="my-1 flex items-center gap-2 text-xs font-semibold text-red-600 dark:text-red-400" data-testid="new-messages-line" role="separator" aria-label="New messages">
            <span className="h-px flex-1 bg-red-500/70" />
            <span>New messages</span>
          </li>
        ) : (
          <MessageItem
            key={row.key}
            message={row.message}
            canDelete={isOwner}
            compact={row.compact}
            highlighted={row.message.id === target?.id && target.highlighted}
            jumpTarget={row.message.id === target?.id}
          />
        ),
      )}
      {children}
    </ol>
  );
});
