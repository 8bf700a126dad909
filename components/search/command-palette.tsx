'use client';

import { useQuery } from '@tanstack/react-query';
import { observer } from 'mobx-react-lite';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { useChannels } from '@/components/chat/use-channels';
import { useStores } from '@/stores/context';
import { agentsQuery } from '@/stores/queries';
import { messageSearchQuery, peopleSearchQuery } from '@/stores/search-queries';
import { MessageResult, resultHref } from './message-result';
import { useCombobox, type ComboOption } from './use-combobox';
import { useDebounced } from './use-debounced';

const OPEN_EVENT = 'nc:open-switcher';

/** Opens the switcher from anywhere (the search box's ⌘K button), as the shortcut does. */
export function openSwitcher() {
  window.dispatchEvent(new Event(OPEN_EVENT));
}

type Item = ComboOption & { section: 'Channels' | 'People' | 'Agents' | 'Messages'; render: ReactNode };

const matches = (name: string, q: string) => name.toLowerCase().includes(q.toLowerCase());
/** How `from:` names someone: as typed when it is one word, quoted when it has spaces. */
const fromFilter = (name: string) => (/\s/.test(name) ? `from:@"${name}" ` : `from:@${name} `);

/**
 * Ctrl+K / Cmd+K: a modal that finds channels, people and agents by name as one types, and
 * messages last. Up and Down move across every section, Enter opens, Escape closes and gives focus
 * back. A channel opens; a person or an agent turns the query into `from:` them, showing their messages.
 */
export const CommandPalette = observer(function CommandPalette() {
  const root = useStores();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const listId = useId();
  const q = text.trim();
  const settled = useDebounced(q);

  useEffect(() => {
    const show = () => {
      returnFocus.current = document.activeElement as HTMLElement | null;
      setText('');
      setOpen(true);
    };
    const onKey = (event: KeyboardEvent) => {
      if ((event.metaKey || event.ctrlKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        show();
      }
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener(OPEN_EVENT, show);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener(OPEN_EVENT, show);
    };
  }, []);
  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    returnFocus.current?.focus?.();
  };
  const go = (href: string) => {
    setOpen(false);
    router.push(href);
  };

  const channels = useChannels().data ?? [];
  const agents = useQuery({ ...agentsQuery(root), enabled: open }).data ?? [];
  // Filters typed (from:, in:) are for messages; names are looked for in what is left.
  const nameQuery = settled.includes(':') ? '' : settled;
  const people = useQuery({ ...peopleSearchQuery(root, nameQuery), enabled: open && nameQuery.length > 0 }).data ?? [];
  const found = useQuery({ ...messageSearchQuery(root, settled, 8), enabled: open && settled.length > 0 });
  const messages = settled ? (found.data ?? []) : [];

  const items: Item[] = [];
  if (!q.includes(':')) {
    for (const channel of channels.filter((c) => matches(c.dmWith?.name ?? c.name, q)).slice(0, q ? 6 : 8)) {
      const label = channel.kind === 'dm' ? (channel.dmWith?.name ?? channel.name) : `# ${channel.name}`;
      items.push({ key: `channel:${channel.id}`, section: 'Channels', select: () => go(`/hub/channels/${channel.id}`), render: <span className="truncate" data-testid="switcher-channel">{label}</span> });
    }
  }
  if (nameQuery && nameQuery === q) {
    for (const person of people.filter((p) => p.id !== root.user.user?.id).slice(0, 5)) {
      items.push({
        key: `person:${person.id}`,
        section: 'People',
        select: () => setText(fromFilter(person.name)),
        render: (
          <span className="flex min-w-0 items-center gap-2">
            <Avatar id={person.id} name={person.name} size="sm" />
            <span className="truncate">{person.name}</span>
            <span className="ml-auto shrink-0 text-xs text-gray-500">their messages</span>
          </span>
        ),
      });
    }
    for (const agent of agents.filter((a) => matches(a.name, q) || matches(a.handle, q)).slice(0, 5)) {
      items.push({
        key: `agent:${agent.id}`,
        section: 'Agents',
        select: () => setText(fromFilter(agent.handle)),
        render: (
          <span className="flex min-w-0 items-center gap-2">
            <Avatar id={agent.id} name={agent.name} size="sm" agent src={agent.avatar} />
            <span className="truncate">{agent.name}</span>
            <span className="shrink-0 text-xs text-gray-500">@{agent.handle}</span>
            <span className="ml-auto shrink-0 text-xs text-gray-500">its messages</span>
          </span>
        ),
      });
    }
  }
  for (const result of messages) {
    items.push({ key: `message:${result.message.id}`, section: 'Messages', select: () => go(resultHref(result)), render: <MessageResult result={result} /> });
  }

  const combo = useCombobox(`${listId}-option`, items, close);
  useEffect(() => {
    if (combo.activeDescendant) document.getElementById(combo.activeDescendant)?.scrollIntoView({ block: 'nearest' });
  }, [combo.activeDescendant]);

  if (!open) return null;
  const sections = (['Channels', 'People', 'Agents', 'Messages'] as const).map((section) => ({ section, items: items.filter((item) => item.section === section) })).filter((s) => s.items.length);

  return (
    <div className="fixed inset-0 z-50 flex items-start justify-center bg-black/50 p-3 pt-[10vh]" onMouseDown={(event) => event.target === event.currentTarget && close()}>
      <div role="dialog" aria-modal="true" aria-label="Jump to" data-testid="switcher" className="w-full max-w-xl overflow-hidden rounded-xl border border-gray-200 bg-white shadow-2xl dark:border-gray-700 dark:bg-gray-900">
        <input
          ref={input}
          type="text"
          role="combobox"
          aria-label="Jump to a channel, person, agent or message"
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={combo.activeDescendant}
          data-testid="switcher-input"
          placeholder="Jump to a channel, person, agent, or search messages…"
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            // Focus stays in the dialog: Tab has nowhere else to go.
            if (event.key === 'Tab') event.preventDefault();
            combo.onKeyDown(event);
          }}
          className="w-full border-0 border-b border-gray-200 bg-transparent px-4 py-3 text-base focus:outline-none focus:ring-0 dark:border-gray-700"
        />
        <ul id={listId} role="listbox" aria-label="Matches" aria-busy={found.isPlaceholderData} className="max-h-[60vh] overflow-y-auto py-1" data-testid="switcher-results">
          {sections.map(({ section, items: sectionItems }) => (
            <li key={section} role="presentation">
              <div id={`${listId}-${section}`} role="presentation" className="px-4 pb-1 pt-2 text-xs font-semibold uppercase tracking-wide text-gray-500">
                {section}
              </div>
              <ul role="group" aria-labelledby={`${listId}-${section}`}>
                {sectionItems.map((item) => (
                  <li
                    key={item.key}
                    id={combo.optionId(item.key)}
                    role="option"
                    aria-selected={combo.activeKey === item.key}
                    onMouseEnter={() => combo.setActiveKey(item.key)}
                    onMouseDown={(event) => event.preventDefault()}
                    onClick={item.select}
                    className="flex cursor-pointer items-center px-4 py-2 text-sm aria-selected:bg-sky-50 dark:aria-selected:bg-sky-900/40"
                  >
                    {item.render}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
        <p className="border-t border-gray-100 px-4 py-2 text-xs text-gray-500 dark:border-gray-800" role="status">
          {q && !items.length ? (found.isFetching ? 'Searching…' : 'Nothing matches.') : '↑↓ to move · Enter to open · Esc to close'}
        </p>
      </div>
    </div>
  );
});
