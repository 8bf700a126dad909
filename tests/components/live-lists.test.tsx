/** @jest-environment jsdom */
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { ThreadPanel } from '@/components/chat/thread-panel';
import { AroundList } from '@/components/search/around-list';
import type { Message } from '@/lib/api-types';
import type { ReactionJson } from '@/lib/contracts/messages';
import { createHttpClient } from '@/lib/http/client';
import type { AroundData } from '@/stores/message-lists';
import { queryKeys } from '@/stores/query-keys';
import { RootStore } from '@/stores/root-store';
import type { ThreadData } from '@/stores/thread-store';
import { renderWithStore } from '../helpers/render-hub';

/*
 * The around view (a search jump) and the thread panel are as live as the channel's own list:
 * the same MessageStore writers apply the socket's events to them.
 */

const me = { id: '0190a000-0000-7000-8000-00000000000a', name: 'Rosa', email: 'rosa@example.com' };
const ada = { kind: 'user' as const, id: '0190a000-0000-7000-8000-0000000000ad', name: 'Ada' };
const rosa = { kind: 'user' as const, id: me.id, name: 'Rosa' };
const channelId = '0190a000-0000-7000-8000-0000000000c1';

let seq = 0;
/** A message at a local time; ids grow with the order of creation, like UUIDv7. */
function at(author: Message['author'], when: Date, content = `m${seq}`, extra: Partial<Message> = {}): Message {
  seq += 1;
  return { id: `0190a000-0000-7000-8000-${String(seq).padStart(12, '0')}`, channelId, author, content, status: 'complete', createdAt: when.toISOString(), ...extra };
}
const today = (h: number, m: number) => {
  const d = new Date();
  d.setHours(h, m, 0, 0);
  return d;
};
const yesterday = (h: number) => {
  const d = today(h, 0);
  d.setDate(d.getDate() - 1);
  return d;
};
const ok = (config: InternalAxiosRequestConfig, data: unknown): AxiosResponse => ({ data, status: 200, statusText: 'OK', headers: {}, config });

/** A store whose server answers reactions with what it was sent, and everything else (read marks, unread threads) empty. */
function store() {
  const http = createHttpClient('http://hub.test');
  const sent: string[] = [];
  http.defaults.adapter = (async (config) => {
    sent.push(`${config.method?.toUpperCase()} ${config.url}`);
    if (config.url?.includes('/reactions/')) return ok(config, { reactions: [{ emoji: decodeURIComponent(config.url.split('/').at(-1)!), count: 1, me: true, userIds: [me.id], names: ['Rosa'] }] });
    return ok(config, { threads: [] });
  }) as AxiosAdapter;
  return { root: new RootStore({ http, user: me }), sent };
}

const emojisOf = (item: HTMLElement) => within(item).queryAllByTestId('reaction-chip').map((chip) => chip.getAttribute('data-emoji'));
const item = (id: string) => screen.getAllByTestId('message').find((el) => el.getAttribute('data-message-id') === id)!;
const reaction = (emoji: string, userIds: string[]): ReactionJson => ({ emoji, count: userIds.length, me: false, userIds, names: userIds.map(() => 'Someone') });

describe('the around view (a search jump)', () => {
  beforeAll(() => {
    // jsdom lays nothing out.
    Element.prototype.scrollIntoView = () => {};
  });

  function showAround(pages: AroundData['pages'], targetId: string) {
    const { root } = store();
    root.queryClient.setQueryData<AroundData>(queryKeys.around(channelId, targetId), { pages, pageParams: pages.map((_, i) => (i === 0 ? { around: targetId } : { after: 'x' })) });
    renderWithStore(root, <AroundList channelId={channelId} messageId={targetId} isOwner={false} />);
    return root;
  }

  it('groups one author’s messages and separates days, as the channel’s list does', () => {
    const old = at(ada, yesterday(10));
    const a = at(ada, today(9, 0));
    const b = at(ada, today(9, 2), 'the one found');
    const c = at(rosa, today(9, 3));
    showAround([{ messages: [old, a, b, c], older: null, newer: null, targetId: b.id }], b.id);
    expect(screen.getAllByTestId('date-separator').map((s) => s.textContent)).toEqual(['Yesterday', 'Today']);
    expect(screen.getAllByTestId('message').map((el) => el.hasAttribute('data-compact'))).toEqual([false, false, true, false]);
    // The one jumped to is marked, grouped or not.
    expect(item(b.id)).toHaveAttribute('data-jump-target', 'highlighted');
    // No "New messages" line: the view is not where reading left off.
    expect(screen.queryByTestId('new-messages-line')).toBeNull();
  });

  it('shows new messages at its end once it reaches the present, and edits, deletions and reactions anywhere', async () => {
    const a = at(ada, today(9, 0));
    const b = at(ada, today(9, 1), 'the one found');
    const root = showAround([{ messages: [a, b], older: null, newer: null, targetId: b.id }], b.id);

    const fresh = at(ada, today(9, 2), 'just arrived');
    act(() => root.messages.receive(fresh));
    await waitFor(() => expect(screen.getAllByTestId('message').map((el) => el.getAttribute('data-message-id'))).toEqual([a.id, b.id, fresh.id]));
    // It continues Ada's group.
    expect(item(fresh.id)).toHaveAttribute('data-compact', 'true');

    act(() => root.messages.receiveUpdate({ ...a, content: 'edited words', editedAt: today(9, 5).toISOString() }));
    await waitFor(() => expect(item(a.id)).toHaveTextContent('edited words'));

    act(() => root.messages.receiveReactions(channelId, b.id, [reaction('🚀', [ada.id])]));
    await waitFor(() => expect(emojisOf(item(b.id))).toEqual(['🚀']));

    act(() => root.messages.receiveDelete(channelId, a.id));
    await waitFor(() => expect(screen.getAllByTestId('message')).toHaveLength(2));
    // With Ada's first message gone, the one found heads her group.
    expect(item(b.id)).not.toHaveAttribute('data-compact');

    act(() => root.threads.receiveSummary(channelId, b.id, { replyCount: 3, lastReplyAt: today(9, 6).toISOString(), participants: [ada] }));
    await waitFor(() => expect(within(item(b.id)).getByTestId('thread-reply-count')).toHaveTextContent('3 replies'));
  });

  it('leaves a new message out while newer history is still to load (it comes with that page)', async () => {
    const a = at(ada, today(9, 0), 'the one found');
    const b = at(ada, today(9, 1));
    const root = showAround([{ messages: [a, b], older: null, newer: b.id, targetId: a.id }], a.id);
    act(() => root.messages.receive(at(ada, today(9, 2), 'far ahead')));
    act(() => root.messages.receiveReactions(channelId, b.id, [reaction('👀', [ada.id])]));
    await waitFor(() => expect(emojisOf(item(b.id))).toEqual(['👀']));
    expect(screen.getAllByTestId('message')).toHaveLength(2);
  });
});

describe('the thread panel', () => {
  function showThread() {
    const { root, sent } = store();
    const parent = at(ada, today(9, 0), 'Ship Friday?', { thread: { replyCount: 2, lastReplyAt: today(9, 2).toISOString(), participants: [ada, rosa] } });
    const first = at(rosa, today(9, 1), 'Yes', { threadId: parent.id });
    const second = at(ada, today(9, 2), 'Great', { threadId: parent.id });
    root.queryClient.setQueryData<ThreadData>(queryKeys.thread(channelId, parent.id), {
      pages: [{ messages: [first, second], nextCursor: null, parent, read: { lastReadId: second.id, unreadCount: 0, unread: false } }],
      pageParams: [undefined],
    });
    root.threads.open(parent.id);
    renderWithStore(root, <ThreadPanel channelId={channelId} isOwner={false} />);
    return { root, sent, parent, first, second };
  }
  const inPanel = (testId: string) => within(screen.getByTestId(testId));

  it('applies a reaction on a reply, and on the parent, as the other browser made it', async () => {
    const { root, parent, first } = showThread();
    const reply = () => inPanel('thread-replies').getAllByTestId('message').find((el) => el.getAttribute('data-message-id') === first.id)!;
    act(() => root.messages.receiveReactions(channelId, first.id, [reaction('🎉', [ada.id])], parent.id));
    await waitFor(() => expect(emojisOf(reply())).toEqual(['🎉']));
    expect(within(reply()).getByTestId('reaction-chip')).toHaveAttribute('aria-pressed', 'false');

    // Taken away again: the chip goes.
    act(() => root.messages.receiveReactions(channelId, first.id, [], parent.id));
    await waitFor(() => expect(emojisOf(reply())).toEqual([]));

    // The parent at the head of the thread is the channel's message: its event carries no threadId.
    act(() => root.messages.receiveReactions(channelId, parent.id, [reaction('👍', [ada.id, me.id])]));
    await waitFor(() => expect(emojisOf(inPanel('thread-parent').getByTestId('message'))).toEqual(['👍']));
    expect(inPanel('thread-parent').getByTestId('reaction-chip')).toHaveAttribute('aria-pressed', 'true');
  });

  it('shows the viewer’s own reaction on a reply at once, and sends it for that reply', async () => {
    const { sent, second } = showThread();
    const reply = () => inPanel('thread-replies').getAllByTestId('message').find((el) => el.getAttribute('data-message-id') === second.id)!;
    await userEvent.click(within(reply()).getByTestId('toolbar-add-reaction'));
    await userEvent.click(screen.getByRole('button', { name: 'React with 🔥' }));
    await waitFor(() => expect(emojisOf(reply())).toEqual(['🔥']));
    expect(within(reply()).getByTestId('reaction-chip')).toHaveAttribute('aria-pressed', 'true');
    expect(sent).toContain(`PUT /api/channels/${channelId}/messages/${second.id}/reactions/${encodeURIComponent('🔥')}`);
  });
});
