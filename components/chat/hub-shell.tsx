'use client';

import { SignOutButton } from '@clerk/nextjs';
import { observer } from 'mobx-react-lite';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { ThemeToggle } from '@/components/ui/theme-toggle';
import { useAction } from '@/components/ui/use-action';
import { useStores } from '@/stores/context';
import { RealtimeProvider } from '@/components/realtime/realtime-provider';
import { ChannelSidebar } from './channel-sidebar';
import { CommandPalette } from '@/components/search/command-palette';
import { SearchBox } from '@/components/search/search-box';

export const HubShell = observer(function HubShell({ realtimeUrl, children }: { realtimeUrl: string; children: ReactNode }) {
  const { user, channels } = useStores();
  const router = useRouter();
  const pathname = usePathname();
  // The open channel is whatever the URL says: one source, whatever stays mounted between routes.
  const openChannelId = /^\/hub\/channels\/([^/]+)/.exec(pathname)?.[1] ?? null;
  useEffect(() => channels.open(openChannelId), [channels, openChannelId]);
  const signOut = useAction(() => user.signOut(), {
    final: true,
    onSuccess: () => {
      router.replace('/sign-in');
      router.refresh();
    },
  });
  const signOutError = signOut.error?.message;
  // On a phone the sidebar is a drawer over the page, opened from the top bar.
  const [menuOpen, setMenuOpen] = useState(false);

  const signOutClass = 'text-xs text-gray-500 hover:text-gray-900 hover:underline dark:hover:text-gray-100';

  return (
    <RealtimeProvider url={realtimeUrl}>
    <div className="flex h-dvh overflow-hidden">
      {menuOpen && <div className="fixed inset-0 z-30 bg-black/50 md:hidden" aria-hidden onClick={() => setMenuOpen(false)} />}
      <aside
        id="hub-sidebar"
        // Following a link closes the drawer (the page it opens is what the person wanted).
        onClick={(event) => (event.target as HTMLElement).closest('a') && setMenuOpen(false)}
        className={`${menuOpen ? 'fixed inset-y-0 left-0 z-40 flex shadow-xl' : 'hidden'} w-64 shrink-0 flex-col border-r border-gray-200 bg-gray-50 md:static md:flex md:shadow-none dark:border-gray-800 dark:bg-gray-900`}
      >
        <div className="flex items-center justify-between px-4 py-3">
          <span className="font-semibold">Neurocache</span>
          <ThemeToggle />
        </div>
        <SearchBox />
        <ChannelSidebar />
        {user.user && (
          <div className="flex items-center gap-2 border-t border-gray-200 px-4 py-3 dark:border-gray-800">
            <Avatar id={user.user.id} name={user.user.name} size="sm" />
            <div className="min-w-0 flex-1">
              <div className="truncate text-sm font-medium" data-testid="current-user-name">{user.user.name}</div>
              <div className="truncate text-xs text-gray-500">{user.user.email}</div>
            </div>
            {user.authProvider === 'clerk' ? (
              <SignOutButton redirectUrl="/">
                <button type="button" className={signOutClass}>Sign out</button>
              </SignOutButton>
            ) : (
              <button
                type="button"
                onClick={() => signOut.run()}
                disabled={signOut.pending}
                data-testid="sign-out"
                title={signOutError}
                className={signOutError ? `${signOutClass} text-red-500` : signOutClass}
              >
                {signOut.pending ? 'Signing out…' : signOutError ? 'Retry sign out' : 'Sign out'}
              </button>
            )}
          </div>
        )}
      </aside>
      <main className="flex min-w-0 flex-1 flex-col">
        <div className="flex items-center gap-2 border-b border-gray-200 px-3 py-2 md:hidden dark:border-gray-800">
          <button
            type="button"
            data-testid="open-menu"
            aria-label="Open the menu"
            aria-controls="hub-sidebar"
            aria-expanded={menuOpen}
            onClick={() => setMenuOpen(true)}
            className="rounded-lg px-2 py-1 text-lg leading-none text-gray-600 hover:bg-gray-100 dark:text-gray-300 dark:hover:bg-gray-800"
          >
            ☰
          </button>
          <span className="font-semibold">Neurocache</span>
        </div>
        {user.connection === 'offline' && (
          <div role="status" data-testid="offline-banner" className="bg-amber-500 px-4 py-1 text-center text-sm font-medium text-black">
            Offline: reconnecting… Messages you send are kept and retried.
          </div>
        )}
        {children}
      </main>
      <CommandPalette />
    </div>
    </RealtimeProvider>
  );
});
