import { makeAutoObservable, runInAction } from 'mobx';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';
import type { KeyJson } from '@/lib/contracts/keys';
import type { UsageRange, UsageSummary } from '@/lib/contracts/usage';

export type NewKey = { name: string; scopes: KeyJson['scopes']; expiresAt: string | null };

/**
 * The dashboard: the chosen usage range, the transport for usage and API keys (server data in
 * React Query), the secret of a key just made (shown once, never stored), and live usage: each
 * `usage:recorded` event refreshes the charts, at most once a second.
 */
export class DashboardStore {
  range: UsageRange = '24h';
  /** The secret of the key just created; cleared when the page is left or the secret dismissed. */
  freshSecret: { keyId: string; secret: string } | null = null;
  liveEvents = 0;
  private refreshTimer?: ReturnType<typeof setTimeout>;

  constructor(private readonly root: RootStore) {
    makeAutoObservable<DashboardStore, 'root' | 'refreshTimer'>(this, { root: false, refreshTimer: false });
  }

  setRange(range: UsageRange) {
    this.range = range;
  }

  async usage(range: UsageRange): Promise<UsageSummary> {
    return (await this.root.http.get<UsageSummary>('/api/usage', { params: { range } })).data;
  }

  async keys(): Promise<KeyJson[]> {
    return (await this.root.http.get<{ keys: KeyJson[] }>('/api/keys')).data.keys;
  }

  async createKey(input: NewKey): Promise<KeyJson> {
    const { data } = await this.root.http.post<{ key: KeyJson; secret: string }>('/api/keys', { ...input, expiresAt: input.expiresAt || undefined });
    runInAction(() => (this.freshSecret = { keyId: data.key.id, secret: data.secret }));
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.keys });
    return data.key;
  }

  async revokeKey(keyId: string): Promise<void> {
    await this.root.http.delete(`/api/keys/${keyId}`);
    if (this.freshSecret?.keyId === keyId) runInAction(() => (this.freshSecret = null));
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.keys });
  }

  dismissSecret() {
    this.freshSecret = null;
  }

  /** A model call of ours was recorded somewhere (hub or API): the charts catch up. */
  noteUsage() {
    this.liveEvents += 1;
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.usageAll });
    }, 1000);
  }
}
