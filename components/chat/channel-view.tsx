'use client';

import { Spinner } from 'flowbite-react';
import { observer } from 'mobx-react-lite';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { toApiError } from '@/lib/http/client';
import { useOpenedOnce } from '@/components/ui/use-opened-once';
import { useStores } from '@/stores/context';
import { Composer } from './composer';
import { MessageList } from './message-list';
import { ThreadPanel, useThreadInAddress } from './thread-panel';
import { TypingIndicator } from './typing-indicator';
import { useChannel } from './use-channels';
import { AroundList } from '@/components/search/around-list';

// The canvas (and React Flow with it) loads only when someone opens it.
const TeamCanvas = dynamic(() => import('@/components/canvas/team-canvas').then((mod) => mod.TeamCanvas), {
  ssr: false,
  loading: () => <Spinner className="m-auto" aria-label="Loading the canvas" />,
});

// The settings (and the floating-ui under flowbite's Modal) load with their first opening.
const ChannelSettingsModal = dynamic(() => import('./channel-settings-modal').then((mod) => mod.ChannelSettingsModal), { ssr: false });

type View = 'chat' | 'canvas';

/** Chat or Canvas, kept in the address (`?view=canvas`) so a reload or a shared link opens the same view. */
function useView(): [View, (view: View) => void] {
  const view: View = useSearchParams()?.get('view') === 'canvas' ? 'canvas' : 'chat';
  const setView = (next: View) => {
    const url = new URL(window.location.href);
    if (next === 'canvas') url.searchParams.set('view', 'canvas');
    else url.searchParams.delete('view');
    // The App Router follows history.replaceState into useSearchParams, without a server round
    // trip, for state that is not its own (null: a state carrying its marker would be ignored).
    window.history.replaceState(null, '', url);
  };
  return [view, setView];
}

function ViewSwitch({ view, onChange }: { view: View; onChange: (view: View) => void }) {
  const option = (value: View, label: string) => (
    <button
      type="button"
      aria-pressed={view === value}
      data-testid={`view-${value}`}
      onClick={() => onChange(value)}
      className="px-3 py-1.5 text-sm aria-pressed:bg-gray-900 aria-pressed:text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 dark:aria-pressed:bg-gray-100 dark:aria-pressed:text-gray-900"
    >
      {label}
    </button>
  );
  return (
    <div role="group" aria-label="View" className="flex shrink-0 overflow-hidden rounded-lg border border-gray-300 dark:border-gray-700">
      {option('chat', 'Chat')}
      {option('canvas', 'Canvas')}
    </div>
  );
}

type ChannelViewProps = {
  channelId: string;
  /** A side panel beside the chat (a thread): a column on a wide screen, the whole view on a phone. */
  panel?: ReactNode;
  /** Escape within the panel closes it. */
  onClosePanel?: () => void;
};

export const ChannelView = observer(function ChannelView({ channelId, panel, onClosePanel }: ChannelViewProps) {
  const { channels, user } = useStores();
  const { data, error, isPending } = useChannel(channelId);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const settingsMounted = useOpenedOnce(settingsOpen);
  const [view, setView] = useView();
  // Opened at a message (?around=<id>, from search): history centred on it instead of the live tail.
  const around = useSearchParams()?.get('around');
  useThreadInAddress(channelId);

  const gone = error ? toApiError(error).status === 404 : false;
  useEffect(() => {
    // Deleted, or we were removed: drop it from the sidebar too.
    if (gone) channels.forget(channelId);
  }, [gone, channels, channelId]);

  if (isPending) return <Spinner className="m-auto" aria-label="Loading channel" />;
  if (error) {
    const apiError = toApiError(error);
    return (
      <div className="m-auto max-w-sm p-8 text-center" data-testid="channel-error">
        <h2 className="mb-2 text-lg font-semibold">{apiError.status === 404 ? 'Channel not found' : 'Could not open this channel'}</h2>
        <p className="mb-4 text-gray-500">{apiError.status === 404 ? 'It may have been deleted, or you are no longer a member.' : apiError.message}</p>
        <Link href="/hub" className="text-sky-600 hover:underline dark:text-sky-400">Back to the hub</Link>
      </div>
    );
  }

  const { channel, members } = data;
  const isOwner = channel.ownerId === user.user?.id;
  return (
    <div className="flex min-h-0 flex-1">
    {/* With a panel open a phone shows the panel alone; the chat comes back when it closes. */}
    <section aria-label={`#${channel.name}`} className={`flex min-w-0 flex-1 flex-col ${panel ? 'max-md:hidden' : ''}`}>
      {/* On a narrow screen the view switch and settings wrap below the name rather than squeeze it. */}
      <header className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 border-b border-gray-200 px-3 py-3 md:px-5 dark:border-gray-800">
        <div className="min-w-0 flex-1 basis-40">
          <h1 className="truncate text-lg font-semibold" data-testid="channel-title">{channel.kind === 'dm' ? (channel.dmWith?.name ?? channel.name) : `# ${channel.name}`}</h1>
          {channel.description && <p className="truncate text-sm text-gray-500 dark:text-gray-400" data-testid="channel-description">{channel.description}</p>}
          <p className="text-xs text-gray-500" data-testid="online-count">
            <span className="mr-1 inline-block h-2 w-2 rounded-full bg-emerald-500" aria-hidden />
            {channels.presence.get(channel.id)?.length ?? 0} online
          </p>
        </div>
        <div className="flex shrink-0 items-center gap-2">
          <ViewSwitch view={view} onChange={setView} />
          <button
            type="button"
            data-testid="channel-settings"
            onClick={() => setSettingsOpen(true)}
            className="shrink-0 rounded-lg border border-gray-300 px-3 py-1.5 text-sm hover:bg-gray-100 dark:border-gray-700 dark:hover:bg-gray-800"
          >
            {members.length} {members.length === 1 ? 'member' : 'members'} · Settings
          </button>
        </div>
      </header>
      {view === 'canvas' ? (
        <TeamCanvas key={channel.id} channel={channel} members={members} onOpenChat={() => setView('chat')} />
      ) : (
        // The open thread sits beside the chat from 768 px (and over it, full screen, below).
        <div className="flex min-h-0 flex-1">
          <div className="flex min-w-0 flex-1 flex-col">
            {/* The log role announces new messages to a screen reader as they arrive. */}
            <div role="log" aria-live="polite" aria-label={`Messages in #${channel.name}`} className="flex min-h-0 flex-1 flex-col">
              {around ? (
                <AroundList key={`${channel.id}:${around}`} channelId={channel.id} messageId={around} isOwner={isOwner} />
              ) : (
                <MessageList key={channel.id} channelId={channel.id} isOwner={isOwner} lastReadId={channel.lastReadId} />
              )}
            </div>
            <TypingIndicator channelId={channel.id} />
            <Composer channelId={channel.id} channelName={channel.name} agents={members.filter((m) => m.kind === 'agent')} />
          </div>
          <ThreadPanel channelId={channel.id} isOwner={isOwner} />
        </div>
      )}
    </section>
    {panel && (
      <aside
        data-testid="channel-panel"
        onKeyDown={(event) => {
          if (event.key !== 'Escape' || event.defaultPrevented || !onClosePanel) return;
          event.preventDefault();
          onClosePanel();
        }}
        className="flex min-h-0 w-full min-w-0 flex-col md:w-96 md:shrink-0 md:border-l md:border-gray-200 md:dark:border-gray-800"
      >
        {panel}
      </aside>
    )}
      {settingsMounted && <ChannelSettingsModal show={settingsOpen} onClose={() => setSettingsOpen(false)} channel={channel} members={members} />}
    </div>
  );
});
