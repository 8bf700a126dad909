'use client';

import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import type { User } from '@/lib/api-types';
import { StoreContext } from '@/stores/context';
import { RootStore } from '@/stores/root-store';
import type { Theme } from '@/stores/theme';

type Props = { user: User | null; theme: Theme; authProvider: 'local' | 'clerk'; children: ReactNode };

export function Providers({ user, theme, authProvider, children }: Props) {
  // One store per browser tab, created on first render (never a module-level singleton).
  const [store] = useState(() => new RootStore({ user, theme, authProvider }));
  // The server's view of the user wins after navigations (a Clerk sign-in happens client-side).
  useEffect(() => store.user.setUser(user), [store, user]);
  return (
    <StoreContext.Provider value={store}>
      <QueryClientProvider client={store.queryClient}>{children}</QueryClientProvider>
    </StoreContext.Provider>
  );
}
