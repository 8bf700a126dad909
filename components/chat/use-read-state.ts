'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import type { Channel } from '@/lib/api-types';
import { useStores } from '@/stores/context';
import { attentionOf } from '@/stores/channel-store';

const COUNTED_TITLE = /^\(\d+\+?\) /;

/**
 * What the hub does with read state outside the sidebar's list: the tab title counts what is
 * addressed to you ("(3) Neurocache Hub": mentions and unread DMs), and the open channel is read
 * again when the tab comes back into view (messages that arrived while hidden stayed unread).
 */
export function useReadState(channels: Channel[] | undefined) {
  const { channels: store } = useStores();
  const router = useRouter();
  const total = (channels ?? []).reduce((sum, channel) => sum + attentionOf(channel), 0);

  // Next.js puts its own title back after a navigation, sometimes after this renders: the count
  // is put in again whenever the title changes.
  useEffect(() => {
    const apply = () => {
      const base = document.title.replace(COUNTED_TITLE, '');
      const wanted = total > 0 ? `(${total > 99 ? '99+' : total}) ${base}` : base;
      if (document.title !== wanted) document.title = wanted;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => observer.disconnect();
  }, [total]);

  useEffect(() => {
    store.setNavigate((href) => router.push(href));
    const onVisible = () => {
      if (document.visibilityState === 'visible' && store.currentChannelId) void store.readToNewest(store.currentChannelId).catch(() => undefined);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [store, router]);
}
