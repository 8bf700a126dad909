'use client';

import { SignOutButton } from '@clerk/nextjs';
import { observer } from 'mobx-react-lite';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { Avatar } from '@/components/ui/avatar';
import { ThemeToggle } from '@/components/ui/theme-toggle';
import { useAction } from '@/components/ui/use-action';
import { useStores } from '@/stores/context';
import { RealtimeProvider } from '@/components/realtime/realtime-provider';
import { ChannelSidebar } from './channel-sidebar';

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

  const signOutClass = 'text-xs text-gray-500 hover:text-gray-900 hover:underline dark:hover:text-gray-100';

  return (
    <RealtimeProvider url={realtimeUrl}>
    <div className="flex h-screen overflow-hidden">
      <aside className="flex w-64 shrink-0 flex-col border-r border-gray-200 bg-gray-50 dark:border-gray-800 dark:bg-gray-900">
        <div className="flex items-center justify-between px-4 py-3">
          <span className="font-semibold">Neurocache</span>
          <ThemeToggle />
        </div>
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
        {user.connection === 'offline' && (
          <div role="status" data-testid="offline-banner" className="bg-amber-500 px-4 py-1 text-center text-sm font-medium text-black">
            Offline: reconnecting… Messages you send are kept and retried.
          </div>
        )}
        {children}
      </main>
    </div>
    </RealtimeProvider>
  );
});
