/** @jest-environment jsdom */
import { act, screen, waitFor, within } from '@testing-library/react';
import { observable } from 'mobx';
import { observer } from 'mobx-react-lite';
import userEvent from '@testing-library/user-event';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { MessageList } from '@/components/chat/message-list';
import { dayLabel, layoutMessages } from '@/components/chat/message-layout';
import type { Message } from '@/lib/api-types';
import { ApiError, createHttpClient } from '@/lib/http/client';
import { queryKeys } from '@/stores/query-keys';
import { RootStore } from '@/stores/root-store';
import { renderWithStore } from '../helpers/render-hub';

const me = { id: '0190a000-0000-7000-8000-00000000000a', name: 'Rosa', email: 'rosa@example.com' };
const ada = { kind: 'user' as const, id: '0190a000-0000-7000-8000-0000000000ad', name: 'Ada' };
const rosa = { kind: 'user' as const, id: me.id, name: 'Rosa' };
const channelId = '0190a000-0000-7000-8000-0000000000c1';

let seq = 0;
/** A message at a local time; ids grow with the order of creation, like UUIDv7. */
function at(author: Message['author'], when: Date, content = `m${seq}`): Message {
  seq += 1;
  return { id: `0190a000-0000-7000-8000-${String(seq).padStart(12, '0')}`, channelId, author, content, status: 'complete', createdAt: when.toISOString() };
}
const today = (h: number, m: number) => {
  const d = new Date();
  d.setHours(h, m, 0, 0);
  return d;
};
const daysAgo = (n: number, h = 10) => {
  const d = today(h, 0);
  d.setDate(d.getDate() - n);
  return d;
};

/** The list with a read mark that a test can move while the list stays mounted. */
function showList(messages: Message[], lastReadId?: string | null) {
  const store = new RootStore({ user: me });
  store.queryClient.setQueryData(queryKeys.messages(channelId), { pages: [{ messages, nextCursor: null }], pageParams: [undefined] });
  const mark = observable.box(lastReadId);
  const Live = observer(() => <MessageList channelId={channelId} isOwner={false} lastReadId={mark.get()} />);
  renderWithStore(store, <Live />);
  return { store, moveMark: (id: string) => act(() => mark.set(id)) };
}

describe('message list layout', () => {
  it('groups one author within five minutes: later ones show no avatar or name, their time on hover', () => {
    const messages = [at(ada, today(9, 0)), at(ada, today(9, 3)), at(ada, today(9, 7)), at(ada, today(9, 13)), at(rosa, today(9, 14)), at(ada, today(9, 15))];
    showList(messages);
    const items = screen.getAllByTestId('message');
    expect(items.map((item) => item.hasAttribute('data-compact'))).toEqual([false, true, true, false, false, false]);
    // The compact one keeps its time, in the avatar's column, and no name.
    expect(within(items[1]!).queryByText('Ada')).toBeNull();
    expect(within(items[1]!).getByTestId('compact-time').querySelector('time')).toHaveAttribute('dateTime', messages[1]!.createdAt);
    expect(within(items[0]!).getByText('Ada')).toBeInTheDocument();
  });

  it('draws a separator per day: a date, Yesterday, Today', () => {
    const older = daysAgo(9);
    showList([at(ada, older), at(ada, daysAgo(1)), at(ada, daysAgo(1, 11)), at(ada, today(8, 0))]);
    const separators = screen.getAllByTestId('date-separator');
    expect(separators.map((s) => s.textContent)).toEqual([dayLabel(older.toISOString()), 'Yesterday', 'Today']);
    expect(separators[0]!.textContent).toMatch(/\d/);
    // A day boundary also ends a group.
    expect(screen.getAllByTestId('message').map((item) => item.hasAttribute('data-compact'))).toEqual([false, false, false, false]);
  });

  it('labels days in the reader’s own calendar, with the year only for other years', () => {
    const now = new Date(2026, 5, 15, 12);
    expect(dayLabel(new Date(2026, 5, 15, 0, 5).toISOString(), now)).toBe('Today');
    expect(dayLabel(new Date(2026, 5, 14, 23, 55).toISOString(), now)).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 4, 2).toISOString(), now)).not.toMatch(/2026/);
    expect(dayLabel(new Date(2025, 4, 2).toISOString(), now)).toMatch(/2025/);
  });

  it('puts the New messages line above the first message from others after the read mark, and keeps it there', () => {
    const read = at(ada, today(9, 0));
    const mine = at(rosa, today(9, 1));
    const first = at(ada, today(9, 2));
    const second = at(ada, today(9, 3));
    const { moveMark } = showList([read, mine, first, second], read.id);
    const rowsAround = () => {
      const list = screen.getByTestId('message-list').querySelector('ol')!;
      const children = [...list.children];
      const line = children.findIndex((el) => el.getAttribute('data-testid') === 'new-messages-line');
      return { line, next: children[line + 1]?.getAttribute('data-message-id') };
    };
    expect(screen.getAllByTestId('new-messages-line')).toHaveLength(1);
    expect(rowsAround().next).toBe(first.id);
    // The line breaks the group: the first unread shows its author again.
    expect(screen.getAllByTestId('message').find((el) => el.getAttribute('data-message-id') === first.id)).not.toHaveAttribute('data-compact');

    // The mark moves on while the channel stays open (it was read): the line stays where it was.
    moveMark(second.id);
    expect(rowsAround().next).toBe(first.id);
  });

  it('draws no line without a read mark, nor when only my own messages follow it', () => {
    const a = at(ada, today(9, 0));
    const b = at(rosa, today(9, 1));
    expect(layoutMessages([a, b], { lastReadId: null, viewerId: me.id }).some((row) => row.kind === 'new')).toBe(false);
    expect(layoutMessages([a, b], { lastReadId: a.id, viewerId: me.id }).some((row) => row.kind === 'new')).toBe(false);
    expect(layoutMessages([a, b], { lastReadId: a.id, viewerId: 'someone-else' }).some((row) => row.kind === 'new')).toBe(true);
  });
});

describe('reactions on a message', () => {
  type Pending = { config: InternalAxiosRequestConfig; resolve: (r: AxiosResponse) => void; reject: (e: unknown) => void };
  function storeWithServer() {
    const http = createHttpClient('http://hub.test');
    const requests: Pending[] = [];
    // Only reaction calls are held for the test; anything else the chat asks for (its threads' unread
    // state) is answered empty at once.
    http.defaults.adapter = ((config) =>
      config.url?.includes('/reactions/')
        ? new Promise((resolve, reject) => requests.push({ config, resolve, reject }))
        : Promise.resolve({ data: { threads: [] }, status: 200, statusText: 'OK', headers: {}, config })) as AxiosAdapter;
    const store = new RootStore({ http, user: me });
    return { store, requests };
  }
  const reacted = (): Message => ({
    ...at(ada, today(9, 0), 'nice'),
    reactions: [
      { emoji: '👍', count: 2, me: false, userIds: [ada.id, me.id], names: ['Ada', 'Rosa'] },
      { emoji: '🎉', count: 1, me: false, userIds: [ada.id], names: ['Ada'] },
    ],
  });
  function show(store: RootStore, message: Message) {
    store.queryClient.setQueryData(queryKeys.messages(channelId), { pages: [{ messages: [message], nextCursor: null }], pageParams: [undefined] });
    return renderWithStore(store, <MessageList channelId={channelId} isOwner={false} />);
  }
  const chip = (emoji: string) => screen.getAllByTestId('reaction-chip').find((el) => el.getAttribute('data-emoji') === emoji)!;

  it('shows chips with counts, mine highlighted (from userIds), and who reacted', () => {
    const { store } = storeWithServer();
    show(store, reacted());
    expect(chip('👍')).toHaveAttribute('aria-pressed', 'true');
    expect(chip('👍')).toHaveAttribute('title', 'Ada and You reacted with 👍');
    expect(within(chip('👍')).getByTestId('reaction-count')).toHaveTextContent('2');
    expect(chip('🎉')).toHaveAttribute('aria-pressed', 'false');
    expect(chip('🎉')).toHaveAttribute('title', 'Ada reacted with 🎉');
  });

  it('toggles optimistically, then takes the change back when the server refuses', async () => {
    const { store, requests } = storeWithServer();
    const message = reacted();
    show(store, message);
    await userEvent.click(chip('🎉'));
    expect(within(chip('🎉')).getByTestId('reaction-count')).toHaveTextContent('2');
    expect(chip('🎉')).toHaveAttribute('aria-pressed', 'true');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.config.method).toBe('put');
    expect(requests[0]!.config.url).toBe(`/api/channels/${channelId}/messages/${message.id}/reactions/${encodeURIComponent('🎉')}`);
    await act(async () => requests[0]!.reject(new ApiError(404, 'not_found', 'Message not found.')));
    expect(within(chip('🎉')).getByTestId('reaction-count')).toHaveTextContent('1');
    expect(chip('🎉')).toHaveAttribute('aria-pressed', 'false');
    expect(screen.getByRole('alert')).toHaveTextContent('Message not found.');
  });

  it('adds from the picker (keyboard reachable) and refuses typed text that is not one emoji', async () => {
    const { store, requests } = storeWithServer();
    const message = at(ada, today(9, 0), 'plain');
    show(store, message);
    const add = screen.getByTestId('toolbar-add-reaction');
    add.focus();
    await userEvent.keyboard('{Enter}');
    const picker = screen.getByTestId('reaction-picker');
    await userEvent.type(within(picker).getByTestId('picker-input'), 'abc{Enter}');
    expect(within(picker).getByRole('alert')).toHaveTextContent('not one emoji');
    expect(requests).toHaveLength(0);
    await userEvent.clear(within(picker).getByTestId('picker-input'));
    await userEvent.type(within(picker).getByTestId('picker-input'), '🦄{Enter}');
    expect(screen.queryByTestId('reaction-picker')).toBeNull();
    expect(chip('🦄')).toHaveAttribute('aria-pressed', 'true');
    expect(requests[0]!.config.url).toBe(`/api/channels/${channelId}/messages/${message.id}/reactions/${encodeURIComponent('🦄')}`);
    await act(async () =>
      requests[0]!.resolve({ data: { reactions: [{ emoji: '🦄', count: 1, me: true, userIds: [me.id], names: ['Rosa'] }] }, status: 200, statusText: 'OK', headers: {}, config: requests[0]!.config }),
    );
    expect(within(chip('🦄')).getByTestId('reaction-count')).toHaveTextContent('1');
  });

  it('applies a live message:reactions list to the message', async () => {
    const { store } = storeWithServer();
    const message = reacted();
    show(store, message);
    act(() => store.messages.receiveReactions(channelId, message.id, [{ emoji: '🚀', count: 3, me: false, userIds: [ada.id, 'x', 'y'], names: ['Ada', 'X', 'Y'] }]));
    // React Query tells React on its next tick.
    await waitFor(() => expect(screen.getAllByTestId('reaction-chip').map((el) => el.getAttribute('data-emoji'))).toEqual(['🚀']));
    expect(chip('🚀')).toHaveAttribute('aria-pressed', 'false');
  });
});
