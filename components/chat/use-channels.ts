'use client';

import { useQuery } from '@tanstack/react-query';
import { useStores } from '@/stores/context';
import { channelQuery } from '@/stores/queries';
import { queryKeys } from '@/stores/query-keys';

export function useChannels() {
  const { channels } = useStores();
  return useQuery({ queryKey: queryKeys.channels, queryFn: () => channels.list() });
}

export function useChannel(channelId: string) {
  return useQuery(channelQuery(useStores(), channelId));
}
