'use client';

import { Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState } from 'react';
import type { Channel } from '@/lib/api-types';
import { Avatar } from '@/components/ui/avatar';
import { useOpenedOnce } from '@/components/ui/use-opened-once';
import { useStores } from '@/stores/context';
import { useChannels } from './use-channels';
import { useReadState } from './use-read-state';

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

const capped = (count: number) => (count > 99 ? '99+' : String(count));

/**
 * One channel or DM of the list: bold with a quiet count when it has unread messages, and a red
 * badge for what is addressed to you (mentions in a channel; every unread message in a DM).
 */
const ChannelRow = observer(function ChannelRow({ channel }: { channel: Channel }) {
  const { channels: channelStore } = useStores();
  const active = channelStore.currentChannelId === channel.id;
  const unread = active ? 0 : (channel.unreadCount ?? 0);
  const mentions = active ? 0 : (channel.mentionCount ?? 0);
  const dm = channel.kind === 'dm';
  const name = dm ? (channel.dmWith?.name ?? channel.name) : channel.name;
  const label = [name, unread ? `${capped(unread)} unread` : '', mentions ? `${capped(mentions)} mentioning you` : ''].filter(Boolean).join(', ');
  return (
    <Link
      href={`/hub/channels/${channel.id}`}
      data-testid={dm ? 'dm-link' : 'channel-link'}
      aria-current={active ? 'page' : undefined}
      aria-label={label}
      onMouseEnter={() => channelStore.prefetch(channel.id)}
      onFocus={() => channelStore.prefetch(channel.id)}
      className={`flex items-center gap-1.5 truncate rounded-md px-2 py-1 text-sm ${active ? 'bg-sky-600 text-white' : 'text-gray-700 hover:bg-gray-200 dark:text-gray-300 dark:hover:bg-gray-800'}`}
    >
      {dm ? (
        <Avatar id={channel.dmWith?.id || channel.id} name={name} size="sm" agent={channel.dmWith?.kind === 'agent'} src={channel.dmWith?.avatar} />
      ) : (
        <span className="opacity-60">#</span>
      )}
      <span className={`flex-1 truncate ${unread ? 'font-semibold text-gray-900 dark:text-white' : ''}`}>{name}</span>
      {mentions > 0 && (
        <span data-testid="mention-badge" title={`${mentions} mentioning you`} className="rounded-full bg-rose-600 px-1.5 text-xs font-semibold text-white">
          @{capped(mentions)}
        </span>
      )}
      {unread > 0 && (
        <span
          data-testid="unread-badge"
          title={`${unread} unread`}
          className={dm ? 'rounded-full bg-rose-600 px-1.5 text-xs font-semibold text-white' : 'rounded-full bg-gray-300 px-1.5 text-xs font-semibold text-gray-800 dark:bg-gray-700 dark:text-gray-100'}
        >
          {capped(unread)}
        </span>
      )}
    </Link>
  );
});

const NotificationToggle = observer(function NotificationToggle() {
  const { channels } = useStores();
  const state = channels.notifications;
  if (state === 'unsupported') return null;
  const text = state === 'on' ? 'Notifications on' : state === 'denied' ? 'Notifications blocked' : 'Notify me';
  const title =
    state === 'denied'
      ? 'The browser blocks notifications for this site; allow them in its site settings.'
      : 'Browser notifications for mentions and direct messages, while this tab is hidden or another channel is open.';
  return (
    <button
      type="button"
      data-testid="notifications-toggle"
      aria-pressed={state === 'on'}
      disabled={state === 'denied'}
      title={title}
      onClick={() => void channels.toggleNotifications()}
      className="mx-2 mt-1 flex items-center gap-1 rounded px-2 py-1 text-xs text-gray-500 hover:bg-gray-200 disabled:opacity-60 dark:hover:bg-gray-800"
    >
      <span aria-hidden>{state === 'on' ? '●' : '○'}</span> {text}
    </button>
  );
});

// The modals (and the floating-ui under flowbite's Modal) load with their first opening, not with the hub.
const CreateChannelModal = dynamic(() => import('./create-channel-modal').then((module) => module.CreateChannelModal), { ssr: false });
const NewMessageModal = dynamic(() => import('./new-message-modal').then((module) => module.NewMessageModal), { ssr: false });

export const ChannelSidebar = observer(function ChannelSidebar() {
  const { data: channels, isPending, isError, refetch } = useChannels();
  const [creating, setCreating] = useState(false);
  const [messaging, setMessaging] = useState(false);
  const createMounted = useOpenedOnce(creating);
  const messageMounted = useOpenedOnce(messaging);
  const pathname = usePathname();
  useReadState(channels);
  const rooms = channels?.filter((c) => c.kind !== 'dm');
  const dms = channels?.filter((c) => c.kind === 'dm');
  const sectionHead = 'flex items-center justify-between px-2 py-1 text-xs font-semibold uppercase tracking-wide text-gray-500';
  const plus = 'rounded px-1.5 text-base leading-none hover:bg-gray-200 dark:hover:bg-gray-800';

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
      <div className="min-h-0 flex-1 overflow-y-auto">
        <div className={sectionHead}>
          <span>Channels</span>
          <button type="button" data-testid="new-channel" aria-label="Create a channel" onClick={() => setCreating(true)} className={plus}>
            +
          </button>
        </div>
        <div data-testid="channel-list">
          {isPending && <Spinner size="sm" className="m-2" aria-label="Loading channels" />}
          {isError && (
            <button type="button" onClick={() => refetch()} className="m-2 text-sm text-red-500 hover:underline">
              Could not load channels. Retry
            </button>
          )}
          {rooms?.length === 0 && <p className="px-2 py-1 text-sm text-gray-500">No channels yet.</p>}
          {rooms?.map((channel) => <ChannelRow key={channel.id} channel={channel} />)}
        </div>
        <div className={`${sectionHead} mt-3`}>
          <span>Direct messages</span>
          <button type="button" data-testid="new-message" aria-label="New message" title="New message" onClick={() => setMessaging(true)} className={plus}>
            +
          </button>
        </div>
        <div data-testid="dm-list">
          {dms?.length === 0 && (
            <button type="button" onClick={() => setMessaging(true)} className="px-2 py-1 text-left text-sm text-gray-500 hover:underline">
              New message…
            </button>
          )}
          {dms?.map((channel) => <ChannelRow key={channel.id} channel={channel} />)}
        </div>
        <NotificationToggle />
      </div>
      {createMounted && <CreateChannelModal show={creating} onClose={() => setCreating(false)} />}
      {messageMounted && <NewMessageModal show={messaging} onClose={() => setMessaging(false)} />}
    </nav>
  );
});
