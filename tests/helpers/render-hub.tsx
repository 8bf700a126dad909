import { QueryClientProvider } from '@tanstack/react-query';
import { act, configure, render, waitFor } from '@testing-library/react';
import type { AxiosInstance } from 'axios';
import { AppRouterContext, type AppRouterInstance } from 'next/dist/shared/lib/app-router-context.shared-runtime';
import type { ReactNode } from 'react';
import type { User } from '@/lib/api-types';
import { createHttpClient } from '@/lib/http/client';
import { StoreContext } from '@/stores/context';
import { createQueryClient, RootStore } from '@/stores/root-store';

// These components talk to a real hub process over HTTP and sockets; on two busy cores (CI runs two
// suites at once) a first page can take longer than testing-library's 1 s default to arrive.
configure({ asyncUtilTimeout: 5000 });

/**
 * A fresh RootStore whose one axios client talks to the real route server over HTTP as the
 * given signed-in user (the session cookie rides along, as a browser's would). Without a user,
 * a signed-out visitor (the sign-in and sign-up pages).
 */
export function createBrowserStore({ baseUrl, cookie = '', user = null }: { baseUrl: string; cookie?: string; user?: User | null }): RootStore {
  const http = createHttpClient(baseUrl);
  http.defaults.adapter = 'fetch';
  if (cookie) http.defaults.headers.common.cookie = cookie;
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, staleTime: Infinity } });
  return new RootStore({ http, queryClient, user });
}

/** The App Router as components see it through `useRouter()`, writing down where they navigate. */
export type RecordingRouter = AppRouterInstance & { visits: string[] };

export function recordingRouter(): RecordingRouter {
  const visits: string[] = [];
  return {
    visits,
    push: (href: string) => void visits.push(`push ${href}`),
    replace: (href: string) => void visits.push(`replace ${href}`),
    refresh: () => void visits.push('refresh'),
    back: () => void visits.push('back'),
    forward: () => void visits.push('forward'),
    prefetch: () => undefined,
    bfcacheId: '_b_0_',
  };
}

export function renderWithStore(store: RootStore, ui: ReactNode, router: RecordingRouter = recordingRouter()) {
  const view = render(
    <AppRouterContext.Provider value={router}>
      <StoreContext.Provider value={store}>
        <QueryClientProvider client={store.queryClient}>{ui}</QueryClientProvider>
      </StoreContext.Provider>
    </AppRouterContext.Provider>,
  );
  return { ...view, router };
}

/**
 * Waits until the store has nothing in flight (no query fetching, no mutation running, no message
 * being sent) and React has drawn the outcome. React Query tells React on its next tick (a
 * `setTimeout`), so that tick is let through inside act: a test that goes on to ask the server
 * something, or ends, leaves no update landing outside act behind it.
 */
export async function settled(store: RootStore) {
  await waitFor(() => {
    const sending = [...store.messages.outbox.values()].filter((entry) => entry.state === 'sending').length;
    if (store.queryClient.isFetching() + store.queryClient.isMutating() + sending > 0) throw new Error('still in flight');
  });
  await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

/**
 * Every request a store's axios client sends (`METHOD /path`), as the network sees them; `hold`
 * keeps matching requests in flight, as a slow network would, until the returned release is
 * called, so a test can act while an action is still pending.
 */
export function watchRequests(http: AxiosInstance) {
  const sent: string[] = [];
  let held: { pattern: RegExp; until: Promise<void> } | undefined;
  http.interceptors.request.use(async (config) => {
    const line = `${(config.method ?? 'get').toUpperCase()} ${config.url}`;
    sent.push(line);
    if (held?.pattern.test(line)) await held.until;
    return config;
  });
  return {
    sent,
    count: (pattern: RegExp) => sent.filter((line) => pattern.test(line)).length,
    hold(pattern: RegExp): () => void {
      let release!: () => void;
      held = { pattern, until: new Promise<void>((resolve) => (release = resolve)) };
      return () => {
        held = undefined;
        release();
      };
    },
  };
}

/** A FormData of Node's own (jsdom has none that an HTTP client can read). */
export const nodeFormData = () => new Response('', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }).formData();

/**
 * jsdom 26's Blob has neither stream() nor arrayBuffer(), so no HTTP client can read the bytes
 * of a jsdom File. For upload tests the page's FormData and the dropped files are Node's own
 * (what a browser's are to its own network stack), sent by axios' Node adapter, whose
 * onUploadProgress reports bytes as they leave, as the browser's XHR adapter does.
 */
export async function withNodeFormData<T>(run: () => Promise<T>): Promise<T> {
  const NodeFormData = (await nodeFormData()).constructor as typeof FormData;
  const jsdomFormData = window.FormData;
  window.FormData = NodeFormData;
  try {
    return await run();
  } finally {
    window.FormData = jsdomFormData;
  }
}
