'use client';

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useStores } from '@/stores/context';
import { RealtimeConnection } from '@/stores/realtime';

const RealtimeContext = createContext<RealtimeConnection | null>(null);

/** The hub's one realtime connection, opened while the signed-in hub is shown. */
export function RealtimeProvider({ url, children }: { url: string; children: ReactNode }) {
  const root = useStores();
  const [connection] = useState(() => new RealtimeConnection(root, { url }));
  useEffect(() => {
    connection.start();
    return () => connection.stop();
  }, [connection]);
  return <RealtimeContext.Provider value={connection}>{children}</RealtimeContext.Provider>;
}

export function useRealtime(): RealtimeConnection | null {
  return useContext(RealtimeContext);
}
