import type { MessageJson } from '@/lib/contracts/messages';
import { queryKeys } from '@/stores/query-keys';
import { RootStore } from '@/stores/root-store';

const message = (extra: Partial<MessageJson> = {}): MessageJson => ({
  id: '01900000-0000-7000-8000-000000000001',
  channelId: 'c1',
  author: { kind: 'user', id: 'u1', name: 'Ada' },
  content: 'Bob, lunch at noon?',
  status: 'complete',
  createdAt: '2026-12-02T10:00:00.000Z',
  ...extra,
});

describe("the history keeps an orchestrator's choice", () => {
  it('when a copy without it (the sender’s own POST answer) lands after message:updated', () => {
    const root = new RootStore();
    root.queryClient.setQueryData(queryKeys.messages('c1'), { pages: [{ messages: [message()], nextCursor: null }], pageParams: [undefined] });
    const routing = { agentId: null, reason: 'Addressed to Bob' };
    expect(root.messages.upsert(message({ routing }))).toBe('replaced');
    expect(root.messages.upsert(message({ content: 'Bob, lunch at noon?', editedAt: undefined }))).toBe('replaced');
    const held = root.queryClient.getQueryData<{ pages: { messages: MessageJson[] }[] }>(queryKeys.messages('c1'))!.pages[0]!.messages[0]!;
    expect(held.routing).toEqual(routing);
    // The query cache's garbage-collection timers would keep the test process alive.
    root.queryClient.clear();
  });
});
