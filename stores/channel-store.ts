import { makeAutoObservable } from 'mobx';
import type { Channel, Member } from '@/lib/api-types';
import { channelQuery, historyQuery } from './queries';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

/**
 * Channels as server data live in React Query; this store holds what is the browser's own:
 * which channel is open and the unsent draft of each channel.
 */
/** How long a typing notice shows without a fresh one (the server relays at most one a second). */
export const TYPING_TTL_MS = 4000;

export class ChannelStore {
  currentChannelId: string | null = null;
  drafts = new Map<string, string>();
  /** channelId -> userId -> who is typing and until when. */
  typing = new Map<string, Map<string, { name: string; until: number }>>();
  /** channelId -> ids of members online in it. */
  presence = new Map<string, string[]>();
  /** channelId -> messages from others that arrived while it was not open. */
  unread = new Map<string, number>();
  /** The message whose edit box is open (one at a time), so the composer's Up arrow can open it. */
  editingMessageId: string | null = null;
  /** Bumps every second while someone types, so typing notices expire on screen. */
  clock = Date.now();
  private ticker?: ReturnType<typeof setInterval>;

  constructor(private readonly root: RootStore) {
    makeAutoObservable<ChannelStore, 'root' | 'ticker'>(this, { root: false, ticker: false });
  }

  open(channelId: string | null) {
    this.currentChannelId = channelId;
    if (channelId) this.unread.delete(channelId);
  }

  noteUnread(channelId: string) {
    if (channelId === this.currentChannelId && (typeof document === 'undefined' || document.visibilityState === 'visible')) return;
    this.unread.set(channelId, (this.unread.get(channelId) ?? 0) + 1);
  }

  noteTyping(channelId: string, user: { id: string; name: string }) {
    if (user.id === this.root.user.user?.id) return;
    const inChannel = this.typing.get(channelId) ?? new Map<string, { name: string; until: number }>();
    inChannel.set(user.id, { name: user.name, until: Date.now() + TYPING_TTL_MS });
    this.typing.set(channelId, inChannel);
    this.ticker ??= setInterval(() => this.tick(), 1000);
  }

  private tick() {
    this.clock = Date.now();
    for (const [channelId, users] of this.typing) {
      for (const [userId, entry] of users) if (entry.until <= this.clock) users.delete(userId);
      if (users.size === 0) this.typing.delete(channelId);
    }
    if (this.typing.size === 0) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  /** Names of the people typing in a channel right now. */
  typingIn(channelId: string): string[] {
    const now = this.clock;
    return [...(this.typing.get(channelId)?.values() ?? [])].filter((entry) => entry.until > now).map((entry) => entry.name);
  }

  setPresence(channelId: string, online: string[]) {
    this.presence.set(channelId, online);
  }

  isOnline(channelId: string, userId: string): boolean {
    return this.presence.get(channelId)?.includes(userId) ?? false;
  }

  draftFor(channelId: string): string {
    return this.drafts.get(channelId) ?? '';
  }

  setDraft(channelId: string, text: string) {
    if (text) this.drafts.set(channelId, text);
    else this.drafts.delete(channelId);
  }

  setEditing(messageId: string | null) {
    this.editingMessageId = messageId;
  }

  // Transport: plain functions React Query calls, so the stores test without a browser.
  async list(): Promise<Channel[]> {
    return (await this.root.http.get<{ channels: Channel[] }>('/api/channels')).data.channels;
  }

  async get(channelId: string): Promise<{ channel: Channel; members: Member[] }> {
    return (await this.root.http.get<{ channel: Channel; members: Member[] }>(`/api/channels/${channelId}`)).data;
  }

  async create(input: { name: string; description?: string }): Promise<Channel> {
    const { data } = await this.root.http.post<{ channel: Channel }>('/api/channels', input);
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channels, exact: true });
    return data.channel;
  }

  async update(channelId: string, input: Partial<Pick<Channel, 'name' | 'description' | 'answerMode' | 'leadAgentId' | 'hopLimit'>>): Promise<Channel> {
    const { data } = await this.root.http.patch<{ channel: Channel }>(`/api/channels/${channelId}`, input);
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channels, exact: true });
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channel(channelId), exact: true });
    return data.channel;
  }

  async remove(channelId: string): Promise<void> {
    await this.root.http.delete(`/api/channels/${channelId}`);
    this.forget(channelId);
  }

  async invite(channelId: string, email: string): Promise<Member> {
    const { data } = await this.root.http.post<{ member: Member }>(`/api/channels/${channelId}/members`, { email });
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channel(channelId), exact: true });
    return data.member;
  }

  async removeMember(channelId: string, memberId: string): Promise<void> {
    await this.root.http.delete(`/api/channels/${channelId}/members/${memberId}`);
    if (memberId === this.root.user.user?.id) this.forget(channelId);
    else await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channel(channelId), exact: true });
  }

  /** Warms a channel the pointer rests on: its details and newest history page. */
  prefetch(channelId: string) {
    void this.root.queryClient.prefetchQuery(channelQuery(this.root, channelId));
    void this.root.queryClient.prefetchInfiniteQuery(historyQuery(this.root, channelId));
  }

  /** Drops everything the browser holds about a channel it can no longer see. */
  forget(channelId: string) {
    this.root.queryClient.setQueryData<Channel[]>(queryKeys.channels, (old) => old?.filter((c) => c.id !== channelId));
    this.root.queryClient.removeQueries({ queryKey: queryKeys.channel(channelId) });
    this.drafts.delete(channelId);
    this.unread.delete(channelId);
    this.typing.delete(channelId);
    this.presence.delete(channelId);
    if (this.currentChannelId === channelId) this.currentChannelId = null;
  }
}
