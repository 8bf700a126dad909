'use client';

import type { MessageSearchResultJson } from '@/lib/contracts/search';

/** Where a search result opens: its channel, centred on the message. */
export const resultHref = (result: MessageSearchResultJson) => `/hub/channels/${result.channel.id}?around=${result.message.id}`;

function formatWhen(iso: string): string {
  const date = new Date(iso);
  const sameYear = date.getFullYear() === new Date().getFullYear();
  return date.toLocaleDateString([], { month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) });
}

/** One message found: channel, author and date on a line, then the snippet with its matches marked. */
export function MessageResult({ result }: { result: MessageSearchResultJson }) {
  return (
    <div className="min-w-0" data-testid="search-result" data-message-id={result.message.id}>
      <div className="flex min-w-0 items-baseline gap-2 text-xs text-gray-500 dark:text-gray-400">
        <span className="truncate font-medium text-gray-700 dark:text-gray-200" data-testid="search-result-channel">#{result.channel.name}</span>
        <span className="truncate" data-testid="search-result-author">{result.message.author.name}</span>
        {result.message.threadId && <span className="shrink-0">in a thread</span>}
        <time className="ml-auto shrink-0" dateTime={result.message.createdAt}>{formatWhen(result.message.createdAt)}</time>
      </div>
      {/* The server escapes the text and adds only <mark> (lib/messages/search), so this is safe as HTML. */}
      <p
        className="mt-0.5 line-clamp-2 break-words text-sm [&_mark]:rounded-sm [&_mark]:bg-amber-200 [&_mark]:px-0.5 [&_mark]:text-gray-900 dark:[&_mark]:bg-amber-500/60 dark:[&_mark]:text-white"
        data-testid="search-result-highlight"
        dangerouslySetInnerHTML={{ __html: result.highlight }}
      />
    </div>
  );
}
