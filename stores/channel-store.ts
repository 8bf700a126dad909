import { makeAutoObservable, runInAction } from 'mobx';
import type { Channel, Member, Message } from '@/lib/api-types';
import type { InvitationJson } from '@/lib/contracts/channels';
import { flattenHistory } from './message-store';
import { channelQuery, historyQuery } from './queries';
import { queryKeys } from './query-keys';
import type { RootStore } from './root-store';

/** How long a typing notice shows without a fresh one (the server relays at most one a second). */
export const TYPING_TTL_MS = 4000;

/** Whom the "New message" picker offers (GET /api/dms/contacts). */
export type DmContacts = { people: { id: string; name: string }[]; agents: { id: string; name: string; handle: string; avatar: string | null; mine: boolean }[] };

export type NotificationState = 'unsupported' | 'denied' | 'off' | 'on';
const NOTIFY_KEY = 'nc-notify-mentions';

/** What the tab title counts: mentions in channels, and every unread message of a DM (both are addressed to you). */
export const attentionOf = (channel: Channel) => (channel.kind === 'dm' ? (channel.unreadCount ?? 0) : (channel.mentionCount ?? 0));

/**
 * Channels as server data live in React Query (read state and counts too: `lastReadId`,
 * `unreadCount`, `mentionCount` on each channel of the list, moved live by `noteIncoming`); this
 * store holds what is the browser's own: which channel is open, the read mark it had when it was
 * opened (where the "New messages" line goes), the unsent draft of each channel, and whether to
 * show browser notifications.
 */
export class ChannelStore {
  currentChannelId: string | null = null;
  drafts = new Map<string, string>();
  /** channelId -> userId -> who is typing and until when. */
  typing = new Map<string, Map<string, { name: string; until: number }>>();
  /** channelId -> ids of members online in it. */
  presence = new Map<string, string[]>();
  /** channelId -> the read mark the channel had when it was opened (null: never read), for the "New messages" line. */
  openedReadMark = new Map<string, string | null>();
  /** Browser notifications for mentions and DMs: opt-in, remembered per browser. */
  notifications: NotificationState = 'off';
  /** The router's push, given by the hub's UI: a click on a notification opens its channel. */
  navigate?: (href: string) => void;
  /** The message whose edit box is open (one at a time), so the composer's Up arrow can open it. */
  editingMessageId: string | null = null;
  /** Bumps every second while someone types, so typing notices expire on screen. */
  clock = Date.now();
  private ticker?: ReturnType<typeof setInterval>;

  constructor(private readonly root: RootStore) {
    makeAutoObservable<ChannelStore, 'root' | 'ticker'>(this, { root: false, ticker: false, navigate: false });
    if (typeof window !== 'undefined' && typeof Notification !== 'undefined') {
      this.notifications = Notification.permission === 'denied' ? 'denied' : Notification.permission === 'granted' && window.localStorage.getItem(NOTIFY_KEY) === 'on' ? 'on' : 'off';
    } else if (typeof window !== 'undefined') {
      this.notifications = 'unsupported';
    }
  }

  /** Opening a channel marks it read up to its newest message (once its history is loaded). */
  open(channelId: string | null) {
    if (this.currentChannelId && this.currentChannelId !== channelId) this.openedReadMark.delete(this.currentChannelId);
    this.currentChannelId = channelId;
    if (channelId) void this.readOpened(channelId);
  }

  setNavigate(navigate: (href: string) => void) {
    this.navigate = navigate;
  }

  /** The read mark the open channel had when it was opened: undefined until known, null when never read. */
  readMarkAtOpen(channelId: string): string | null | undefined {
    return this.openedReadMark.get(channelId);
  }

  /** Top-level messages from others after the read mark, as the sidebar counts them. */
  unreadIn(channelId: string): number {
    return this.cached(channelId)?.unreadCount ?? 0;
  }

  private cached(channelId: string): Channel | undefined {
    return this.root.queryClient.getQueryData<Channel[]>(queryKeys.channels)?.find((c) => c.id === channelId);
  }

  private patchCached(channelId: string, patch: (channel: Channel) => Partial<Channel>) {
    this.root.queryClient.setQueryData<Channel[]>(queryKeys.channels, (old) => old?.map((c) => (c.id === channelId ? { ...c, ...patch(c) } : c)));
  }

  private async readOpened(channelId: string) {
    try {
      const list = await this.root.queryClient.ensureQueryData({ queryKey: queryKeys.channels, queryFn: () => this.list() });
      if (this.currentChannelId !== channelId) return;
      const mark = list.find((c) => c.id === channelId)?.lastReadId ?? null;
      runInAction(() => {
        if (!this.openedReadMark.has(channelId)) this.openedReadMark.set(channelId, mark);
      });
      await this.readToNewest(channelId);
    } catch {
      // A channel that cannot be loaded shows its own error; its read mark stays as it was.
    }
  }

  /** Marks the channel read up to the newest message loaded (the open channel, when the tab shows again). */
  async readToNewest(channelId: string) {
    const history = await this.root.queryClient.ensureInfiniteQueryData(historyQuery(this.root, channelId));
    const newest = flattenHistory(history).at(-1);
    if (newest) await this.markRead(channelId, newest.id);
  }

  /**
   * Moves the read mark forward (the server keeps it, for every device): counts clear at once
   * here, and the PUT tells this person's other tabs and devices (`channel:read`).
   */
  async markRead(channelId: string, messageId: string) {
    const channel = this.cached(channelId);
    const ahead = !channel?.lastReadId || channel.lastReadId < messageId;
    if (!ahead && !channel?.unreadCount && !channel?.mentionCount) return;
    this.patchCached(channelId, (c) => ({ lastReadId: ahead ? messageId : c.lastReadId, unreadCount: 0, mentionCount: 0 }));
    if (!ahead) return;
    try {
      await this.root.http.put(`/api/channels/${channelId}/read`, { lastReadId: messageId });
    } catch {
      // Not kept this time: the next message read moves the mark again, and counts refresh on reconnect.
    }
  }

  /** Another tab or device of this person read the channel: take the server's counts. */
  receiveRead(channelId: string, lastReadId: string) {
    const channel = this.cached(channelId);
    if (channel?.lastReadId && channel.lastReadId >= lastReadId) return;
    void this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channels, exact: true });
  }

  /**
   * A new message from someone else: read at once in the channel on screen, else counted in the
   * sidebar (a thread reply only when it mentions you), and a browser notification for a mention
   * or a DM while the tab is hidden or another channel is open.
   */
  noteIncoming(message: Message) {
    const me = this.root.user.user?.id;
    if (message.author.kind === 'user' && message.author.id === me) return;
    const visible = typeof document === 'undefined' || document.visibilityState === 'visible';
    const reply = Boolean(message.threadId);
    if (message.channelId === this.currentChannelId && visible) {
      if (!reply) void this.markRead(message.channelId, message.id);
      return;
    }
    const mentionsMe = Boolean(me && message.mentions?.includes(me));
    this.patchCached(message.channelId, (c) => ({
      unreadCount: (c.unreadCount ?? 0) + (reply ? 0 : 1),
      mentionCount: (c.mentionCount ?? 0) + (mentionsMe ? 1 : 0),
    }));
    const channel = this.cached(message.channelId);
    if (mentionsMe || channel?.kind === 'dm') this.notify(message, channel);
  }

  private notify(message: Message, channel: Channel | undefined) {
    if (this.notifications !== 'on' || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    const where = channel?.kind === 'dm' ? 'Direct message' : `#${channel?.name ?? 'channel'}`;
    // An agent's reply starts empty and streams in: the notice says who, not what.
    const body = message.content.trim() ? message.content.slice(0, 140) : 'is replying…';
    const notice = new Notification(`${message.author.name} · ${where}`, { body, tag: message.id });
    notice.onclick = () => {
      window.focus();
      this.navigate?.(`/hub/channels/${message.channelId}`);
    };
  }

  /** The notifications toggle: turning it on asks the browser's permission first. */
  async toggleNotifications() {
    if (this.notifications === 'unsupported') return;
    if (this.notifications === 'on') {
      window.localStorage.setItem(NOTIFY_KEY, 'off');
      this.notifications = 'off';
      return;
    }
    const permission = await Notification.requestPermission();
    runInAction(() => {
      this.notifications = permission === 'granted' ? 'on' : permission === 'denied' ? 'denied' : 'off';
    });
    window.localStorage.setItem(NOTIFY_KEY, permission === 'granted' ? 'on' : 'off');
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

  /** A registered person joins at once (`member`); an email with no account is invited (`invitation`). */
  async invite(channelId: string, email: string): Promise<{ member: Member } | { invitation: InvitationJson }> {
    const { data } = await this.root.http.post<{ member: Member } | { invitation: InvitationJson }>(`/api/channels/${channelId}/members`, { email });
    await this.root.queryClient.invalidateQueries({ queryKey: 'member' in data ? queryKeys.channel(channelId) : queryKeys.invitations(channelId), exact: true });
    return data;
  }

  async invitations(channelId: string): Promise<InvitationJson[]> {
    return (await this.root.http.get<{ invitations: InvitationJson[] }>(`/api/channels/${channelId}/invitations`)).data.invitations;
  }

  async revokeInvitation(channelId: string, invitationId: string): Promise<void> {
    await this.root.http.delete(`/api/channels/${channelId}/invitations/${invitationId}`);
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.invitations(channelId), exact: true });
  }

  /** Opens (or finds) the DM with a person or an agent; the sidebar gains it. */
  async openDm(target: { userId: string } | { agentId: string }): Promise<Channel> {
    const { data } = await this.root.http.post<{ channel: Channel }>('/api/dms', target);
    await this.root.queryClient.invalidateQueries({ queryKey: queryKeys.channels, exact: true });
    return data.channel;
  }

  async dmContacts(): Promise<DmContacts> {
    return (await this.root.http.get<DmContacts>('/api/dms/contacts')).data;
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
    this.openedReadMark.delete(channelId);
    this.typing.delete(channelId);
    this.presence.delete(channelId);
    if (this.currentChannelId === channelId) this.currentChannelId = null;
  }
}
