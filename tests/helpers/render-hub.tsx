import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { User } from '@/lib/api-types';
import { createHttpClient } from '@/lib/http/client';
import { StoreContext } from '@/stores/context';
import { createQueryClient, RootStore } from '@/stores/root-store';

/**
 * A fresh RootStore whose one axios client talks to the real route server over HTTP as the
 * given signed-in user (the session cookie rides along, as a browser's would).
 */
export function createBrowserStore({ baseUrl, cookie, user }: { baseUrl: string; cookie: string; user: User }): RootStore {
  const http = createHttpClient(baseUrl);
  http.defaults.adapter = 'fetch';
  http.defaults.headers.common.cookie = cookie;
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, staleTime: Infinity } });
  return new RootStore({ http, queryClient, user });
}

export function renderWithStore(store: RootStore, ui: ReactNode) {
  return render(
    <StoreContext.Provider value={store}>
      <QueryClientProvider client={store.queryClient}>{ui}</QueryClientProvider>
    </StoreContext.Provider>,
  );
}
