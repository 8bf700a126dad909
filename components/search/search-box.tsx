'use client';

import { useQuery } from '@tanstack/react-query';
import { observer } from 'mobx-react-lite';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';
import { messageSearchQuery } from '@/stores/search-queries';
import { MessageResult, resultHref } from './message-result';
import { useCombobox } from './use-combobox';
import { useDebounced } from './use-debounced';
import { openSwitcher } from './command-palette';

const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/**
 * The sidebar's message search: results appear under it as one types (a combobox and its
 * listbox), each opening its channel at the message. Filters as in Slack: in:#channel,
 * from:@name, before:/after:/on:YYYY-MM-DD, "phrases".
 */
export const SearchBox = observer(function SearchBox() {
  const root = useStores();
  const router = useRouter();
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const q = useDebounced(text.trim());
  const search = useQuery({ ...messageSearchQuery(root, q), enabled: open && q.length > 0 });
  const results = q ? (search.data ?? []) : [];
  const listId = useId();
  const boxRef = useRef<HTMLDivElement>(null);

  const close = () => setOpen(false);
  const combo = useCombobox(
    `${listId}-option`,
    results.map((result) => ({
      key: result.message.id,
      select: () => {
        close();
        router.push(resultHref(result));
      },
    })),
    () => (text ? setText('') : close()),
  );
  useEffect(() => {
    if (combo.activeDescendant) document.getElementById(combo.activeDescendant)?.scrollIntoView({ block: 'nearest' });
  }, [combo.activeDescendant]);

  const showList = open && text.trim().length > 0;
  const error = search.error ? toApiError(search.error) : undefined;

  return (
    <div
      ref={boxRef}
      className="relative px-3 pb-2"
      // Focus leaving the box (and its results) closes them; a click on a result lands first.
      onBlur={(event) => !boxRef.current?.contains(event.relatedTarget as Node | null) && close()}
    >
      <div className="relative">
        <input
          type="search"
          role="combobox"
          aria-label="Search messages"
          aria-expanded={showList}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={showList ? combo.activeDescendant : undefined}
          data-testid="search-input"
          placeholder="Search messages"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onKeyDown={combo.onKeyDown}
          className="w-full rounded-lg border border-gray-300 bg-white py-1.5 pl-2.5 pr-12 text-sm placeholder:text-gray-400 focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 dark:border-gray-700 dark:bg-gray-800"
        />
        <button
          type="button"
          onClick={openSwitcher}
          title="Jump to a channel, person or agent"
          className="absolute right-1.5 top-1/2 -translate-y-1/2 rounded border border-gray-300 px-1 text-[0.65rem] text-gray-500 hover:bg-gray-100 dark:border-gray-600 dark:hover:bg-gray-700"
        >
          {isMac() ? '⌘K' : 'Ctrl K'}
        </button>
      </div>
      {showList && (
        <div className="absolute left-3 top-full z-50 mt-1 w-[min(28rem,calc(100vw-1.5rem))] overflow-hidden rounded-lg border border-gray-200 bg-white shadow-xl dark:border-gray-700 dark:bg-gray-900">
          <ul
            id={listId}
            role="listbox"
            aria-label="Messages found"
            aria-busy={search.isPlaceholderData}
            // Results of what was typed before stay, dimmed, until the new ones arrive.
            className={`max-h-[60vh] overflow-y-auto py-1 ${search.isPlaceholderData ? 'opacity-60' : ''}`}
            data-testid="search-results"
          >
            {results.map((result) => {
              const id = combo.optionId(result.message.id);
              const active = combo.activeKey === result.message.id;
              return (
                <li
                  key={result.message.id}
                  id={id}
                  role="option"
                  aria-selected={active}
                  tabIndex={-1}
                  onMouseEnter={() => combo.setActiveKey(result.message.id)}
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={() => {
                    close();
                    router.push(resultHref(result));
                  }}
                  className="cursor-pointer px-3 py-2 aria-selected:bg-sky-50 dark:aria-selected:bg-sky-900/40"
                >
                  <MessageResult result={result} />
                </li>
              );
            })}
          </ul>
          <p className="border-t border-gray-100 px-3 py-1.5 text-xs text-gray-500 dark:border-gray-800" role="status" data-testid="search-status">
            {error
              ? error.message
              : search.isFetching && !results.length
                ? 'Searching…'
                : results.length
                  ? `${results.length} ${results.length === 1 ? 'message' : 'messages'}, newest first · ↑↓ to move, Enter to open`
                  : q
                    ? 'No messages match.'
                    : 'Keep typing…'}
            {!error && !results.length && <span className="block">Try in:#channel, from:@name, before:2026-01-31, &quot;a phrase&quot;</span>}
          </p>
        </div>
      )}
    </div>
  );
});
