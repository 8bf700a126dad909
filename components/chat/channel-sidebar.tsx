'use client';

import { Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState } from 'react';
import { useStores } from '@/stores/context';
import { CreateChannelModal } from './create-channel-modal';
import { useChannels } from './use-channels';

const hubLinks = [
  { href: '/hub/agents', label: 'Agents', icon: '✦', testId: 'agents-link' },
  { href: '/hub/knowledge', label: 'Knowledge', icon: '❏', testId: 'knowledge-link' },
  { href: '/hub/mcp', label: 'MCP servers', icon: '◈', testId: 'mcp-link' },
  { href: '/hub/dashboard', label: 'Usage', icon: '▤', testId: 'usage-link' },
  { href: '/hub/keys', label: 'API keys', icon: '◇', testId: 'keys-link' },
  { href: '/hub/docs', label: 'API docs', icon: '⌘', testId: 'docs-link' },
];

/** A section is current on its own page and the pages under it (a knowledge base under Knowledge). */
const isCurrent = (pathname: string, href: string) => pathname === href || pathname.startsWith(`${href}/`);

export const ChannelSidebar = observer(function ChannelSidebar() {
  const { channels: channelStore } = useStores();
  const { data: channels, isPending, isError, refetch } = useChannels();
  const [creating, setCreating] = useState(false);
  const pathname = usePathname();

  return (
    <nav className="flex min-h-0 flex-1 flex-col px-2" aria-label="Channels">
      <ul className="mb-2 flex flex-col gap-0.5" aria-label="Dashboard">
        {hubLinks.map((link) => (
          <li key={link.href}>
            <Link
              href={link.href}
              data-testid={link.testId}
              aria-current={isCurrent(pathname, link.href) ? 'page' : undefined}
              className={`flex items-center gap-2 rounded-md px-2 py-1 text-sm ${isCurrent(pathname, link.href) ? 'bg-sky-600 text-white' : 'text-gray-700 hover:bg-gray-200 dark:text-gray-300 dark:hover:bg-gray-800'}`}
            >
              <span aria-hidden className="w-4 text-center">{link.icon}</span> {link.label}
            </Link>
          </li>
        ))}
      </ul>
      <div className="flex items-center justify-between px-2 py-1 text-xs font-semibold uppercase tracking-wide text-gray-500">
        <span>Channels</span>
        <button type="button" data-testid="new-channel" aria-label="Create a channel" onClick={() => setCreating(true)} className="rounded px-1.5 text-base leading-none hover:bg-gray-200 dark:hover:bg-gray-800">
          +
        </button>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto" data-testid="channel-list">
        {isPending && <Spinner size="sm" className="m-2" aria-label="Loading channels" />}
        {isError && (
          <button type="button" onClick={() => refetch()} className="m-2 text-sm text-red-500 hover:underline">
            Could not load channels. Retry
          </button>
        )}
        {channels?.length === 0 && <p className="px-2 py-1 text-sm text-gray-500">No channels yet.</p>}
        {channels?.map((channel) => {
          const active = channelStore.currentChannelId === channel.id;
          const unread = channelStore.unread.get(channel.id) ?? 0;
          return (
            <Link
              key={channel.id}
              href={`/hub/channels/${channel.id}`}
              data-testid="channel-link"
              aria-current={active ? 'page' : undefined}
              onMouseEnter={() => channelStore.prefetch(channel.id)}
              onFocus={() => channelStore.prefetch(channel.id)}
              className={`flex items-center gap-1 truncate rounded-md px-2 py-1 text-sm ${active ? 'bg-sky-600 text-white' : 'text-gray-700 hover:bg-gray-200 dark:text-gray-300 dark:hover:bg-gray-800'}`}
            >
              <span className="opacity-60">#</span>
              <span className={`flex-1 truncate ${unread ? 'font-semibold' : ''}`}>{channel.name}</span>
              {unread > 0 && (
                <span data-testid="unread-badge" className="rounded-full bg-rose-600 px-1.5 text-xs font-semibold text-white">
                  {unread > 99 ? '99+' : unread}
                </span>
              )}
            </Link>
          );
        })}
      </div>
      <CreateChannelModal show={creating} onClose={() => setCreating(false)} />
    </nav>
  );
});
