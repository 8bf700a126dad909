'use client';

import { SignOutButton } from '@/components/auth/clerk';
import { observer } from 'mobx-react-lite';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { ThemeToggle } from '@/components/ui/theme-toggle';
import { useAction } from '@/components/ui/use-action';
import { useStores } from '@/stores/context';
import { RealtimeProvider } from '@/components/realtime/realtime-provider';
import { ChannelSidebar } from './channel-sidebar';
import { CommandPalette } from '@/components/search/command-palette';
import { SearchBox } from '@/components/search/search-box';
import { SkipLink, useDrawer } from './hub-drawer';

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
  const drawer = useDrawer(pathname);

  const signOutClass = 'text-xs text-gray-500 hover:text-gray-900 hover:underline dark:hover:text-gray-100';

  return (
    <RealtimeProvider url={realtimeUrl}>
    <SkipLink toComposer={openChannelId !== null} />
    <div className="flex h-dvh overflow-hidden">
      {drawer.open && <div className="fixed inset-0 z-30 bg-black/50 md:hidden" aria-hidden data-testid="drawer-backdrop" onClick={() => drawer.close({ returnFocus: true })} />}
      <aside
        id="hub-sidebar"
        ref={drawer.panel}
        // Below md a drawer: a modal dialog while open, out of the tab order (inert) while shut.
        role={drawer.modal ? 'dialog' : undefined}
        aria-modal={drawer.modal || undefined}
        aria-label={drawer.modal ? 'Menu' : undefined}
        inert={drawer.narrow && !drawer.open}
        data-testid="hub-sidebar"
        data-open={drawer.open}
        // Following a link closes the drawer (the page it opens is what the person wanted).
        onClick={(event) => (event.target as HTMLElement).closest('a') && drawer.close({ returnFocus: false })}
        className={`fixed inset-y-0 left-0 z-40 flex w-72 max-w-[85vw] shrink-0 flex-col border-r border-gray-200 bg-gray-50 duration-200 ease-out motion-reduce:transition-none md:static md:w-64 md:max-w-none md:translate-x-0 md:shadow-none md:transition-none dark:border-gray-800 dark:bg-gray-900 ${
          // Visible at once on opening (so focus can move in), hidden only once it has slid out.
          drawer.open ? 'translate-x-0 shadow-xl transition-[translate]' : '-translate-x-full transition-[translate,visibility] max-md:invisible'
        }`}
      >
        <div className="flex items-center justify-between gap-1 px-4 py-3">
          <span className="mr-auto font-semibold">Neurocache</span>
          <ThemeToggle />
          <button
            type="button"
            ref={drawer.closeButton}
            data-testid="close-menu"
            aria-label="Close the menu"
            onClick={() => drawer.close({ returnFocus: true })}
            className="rounded-lg p-2 text-gray-500 hover:bg-gray-100 md:hidden dark:text-gray-400 dark:hover:bg-gray-800"
          >
            <svg aria-hidden viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round"><path d="M5 5l10 10M15 5L5 15" /></svg>
          </button>
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
      <main id="hub-main" tabIndex={-1} inert={drawer.modal} className="flex min-w-0 flex-1 flex-col focus:outline-none">
        {/* The phone's top bar. Its right end is kept free for header actions (search). */}
        <div className="flex items-center gap-2 border-b border-gray-200 px-3 py-2 md:hidden dark:border-gray-800">
          <button
            type="button"
            ref={drawer.menuButton}
            data-testid="open-menu"
            aria-label="Open the menu"
            aria-controls="hub-sidebar"
            aria-expanded={drawer.open}
            onClick={drawer.show}
            className="rounded-lg p-2 text-gray-600 hover:bg-gray-100 dark:text-gray-300 dark:hover:bg-gray-800"
          >
            <svg aria-hidden viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round"><path d="M3 5h14M3 10h14M3 15h14" /></svg>
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
