/**
 * @jest-environment ./tests/helpers/jsdom-env.cjs
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// Node's export conditions, not the browser's: socket.io-client's CommonJS build (the one Jest
// loads) opens its WebSocket with the `ws` package, whose browser entry is only a stub.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Composer, mentionAt } from '@/components/chat/composer';
import { MessageList } from '@/components/chat/message-list';
import { RealtimeProvider } from '@/components/realtime/realtime-provider';
import type { Member, Message } from '@/lib/api-types';
import { queryKeys } from '@/stores/query-keys';
import { RootStore } from '@/stores/root-store';
import { startOpenAIServer } from '../fixtures/openai-server';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { uniqueName } from '../helpers/people';
import { createBrowserStore, renderWithStore, settled, watchRequests } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

const me = { id: '0190a000-0000-7000-8000-00000000000a', name: 'Rosa', email: 'rosa@example.com' };
const agent = (handle: string, name: string): Member => ({ id: `id-${handle}`, kind: 'agent', name, handle, avatar: null, role: 'member', joinedAt: new Date(0).toISOString() });

describe('@mention autocomplete', () => {
  it('finds the @partial before the caret', () => {
    expect(mentionAt('ask @res', 8)).toEqual({ start: 4, query: 'res' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('mail a@res', 10)).toBeNull();
    expect(mentionAt('ask @res now', 12)).toBeNull();
  });

  it('suggests the channel’s agents, completes with Enter or a click, and closes on Escape', async () => {
    const store = new RootStore({ user: me });
    renderWithStore(store, <Composer channelId="c1" channelName="team" agents={[agent('researcher', 'Researcher'), agent('writer', 'Writer'), agent('reviewer', 'Reviewer')]} />);
    const input = screen.getByTestId('composer-input') as HTMLTextAreaElement;
    await userEvent.click(input);
    await userEvent.type(input, 'hey @re');
    expect(screen.getAllByTestId('mention-option').map((o) => o.textContent)).toEqual(['R@researcherResearcher', 'R@reviewerReviewer']);
    await userEvent.keyboard('{ArrowDown}{Enter}');
    expect(input.value).toBe('hey @reviewer ');
    expect(screen.queryByTestId('mention-suggestions')).toBeNull();
    // Enter with no suggestion open sends as usual; nothing was sent by the completion.
    expect(store.messages.outbox.size).toBe(0);

    // The caret is placed after the completion on the next frame, as in a browser.
    await act(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    expect(input.selectionStart).toBe('hey @reviewer '.length);
    await userEvent.type(input, 'and @w', { initialSelectionStart: input.selectionStart!, initialSelectionEnd: input.selectionStart! });
    fireEvent.mouseDown(screen.getByTestId('mention-option'));
    expect(input.value).toBe('hey @reviewer and @writer ');
    await userEvent.type(input, '@');
    expect(screen.getAllByTestId('mention-option')).toHaveLength(3);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByTestId('mention-suggestions')).toBeNull();
  });
});

/** Lets the model server write its stream's tokens only when the test says so. */
function tokenTap() {
  let allowed = 0;
  const waiting: Array<() => void> = [];
  return {
    pace: () => (allowed > 0 ? (allowed--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve))),
    allow(count = 1) {
      for (let i = 0; i < count; i++) {
        const next = waiting.shift();
        if (next) next();
        else allowed++;
      }
    },
    /** Lets every stream still waiting run to its end, and starts the next test holding again. */
    drain() {
      allowed = 0;
      waiting.splice(0).forEach((resolve) => resolve());
    },
  };
}

// The live path end to end: the real routes and a realtime node in a hub process, the agent's
// model the local OpenAI-compatible server (through the official SDK), and in the component the
// real RealtimeConnection (socket.io-client) delivering message:created, agent:token and
// message:updated into the rendered list. Nothing is handed to the components by the test.
describe.each(testDatabaseKinds())('an agent’s reply arriving over the live socket (%s)', (kind) => {
  const tap = tokenTap();
  let model: Awaited<ReturnType<typeof startOpenAIServer>>;
  beforeAll(async () => {
    model = await startOpenAIServer({ reply: () => 'Step one. Done.', pace: () => tap.pace() });
  });
  const hub = useSpawnedHub(kind, { realtime: true, env: () => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: model.baseURL }) });
  afterEach(() => tap.drain());
  afterAll(() => model?.close());

  /** Rosa's channel with her agent @planner, open in a page whose socket has joined it. */
  async function live(agentModel = 'fixture-model') {
    const api: ApiClient = hub.client();
    const user = await api.signUp('Rosa');
    const channelId: string = (await api.post('/api/channels', { name: uniqueName('live') })).json.channel.id;
    const agent = (await api.post('/api/agents', { name: 'Planner', handle: 'planner', instructions: 'Plan the work.', model: agentModel })).json.agent;
    expect((await api.post(`/api/channels/${channelId}/members`, { agentId: agent.id })).status).toBe(201);
    const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
    const net = watchRequests(store.http);
    // The sidebar's list: the socket joins every channel in it.
    await store.queryClient.fetchQuery({ queryKey: queryKeys.channels, queryFn: () => store.channels.list() });
    renderWithStore(
      store,
      <RealtimeProvider url={hub.realtimeUrl}>
        <MessageList channelId={channelId} isOwner />
        <Composer channelId={channelId} channelName="live" />
      </RealtimeProvider>,
    );
    // Joined: the room's presence, with Rosa online, came back over the socket.
    await waitFor(() => expect(store.channels.presence.get(channelId)).toContain(user.id), { timeout: 10_000 });
    await settled(store);
    const ask = async (text: string) => {
      await userEvent.type(screen.getByTestId('composer-input'), `${text}{Enter}`);
      // The reply's message arrives by message:created, empty and streaming.
      return waitFor(() => {
        const reply = screen.getAllByTestId('message').find((el) => within(el).queryByTestId('agent-badge'));
        if (!reply) throw new Error('no reply yet');
        return reply;
      });
    };
    const serverCopy = async () =>
      ((await api.get(`/api/channels/${channelId}/messages?limit=200`)).json.messages as Message[]).find((m) => m.author.kind === 'agent')!;
    return { api, store, net, channelId, agent, ask, serverCopy };
  }

  it('shows thinking, then each streamed token, keeps them across a refetch, then the final text', async () => {
    const { store, net, channelId, ask, serverCopy } = await live();
    const reply = await ask('@planner plan the launch');
    expect(within(reply).getByTestId('agent-badge')).toHaveTextContent('AI · @planner');
    expect(within(reply).getByTestId('thinking')).toBeInTheDocument();
    expect(within(reply).getByTestId('stop-reply')).toBeInTheDocument();

    tap.allow(1);
    await waitFor(() => expect(within(reply).getByTestId('message-body')).toHaveTextContent('Step'));
    expect(within(reply).queryByTestId('thinking')).toBeNull();
    tap.allow(1);
    await waitFor(() => expect(within(reply).getByTestId('message-body')).toHaveTextContent('Step one.'));

    // A history refetch mid-stream brings the server's copy, still streaming and without the
    // tokens: the streamed text stays on screen.
    const fetches = net.count(/^GET \/api\/channels\/.+\/messages/);
    await act(() => store.queryClient.refetchQueries({ queryKey: queryKeys.messages(channelId) }));
    expect(net.count(/^GET \/api\/channels\/.+\/messages/)).toBe(fetches + 1);
    expect(await serverCopy()).toMatchObject({ status: 'streaming', content: '' });
    expect(within(reply).getByTestId('message-body')).toHaveTextContent('Step one.');

    tap.allow(1);
    await waitFor(() => expect(within(reply).queryByTestId('stop-reply')).toBeNull());
    expect(within(reply).getByTestId('message-body')).toHaveTextContent('Step one. Done.');
    expect(store.messages.streams.size).toBe(0);
    await settled(store);
    expect(await serverCopy()).toMatchObject({ status: 'complete', content: 'Step one. Done.' });
  });

  it('stops a reply once on a double click: the text so far stays, marked stopped, with Retry', async () => {
    const { store, net, ask, serverCopy } = await live();
    const reply = await ask('@planner go');
    tap.allow(1);
    await waitFor(() => expect(within(reply).getByTestId('message-body')).toHaveTextContent('Step'));
    const stop = within(reply).getByTestId('stop-reply');
    act(() => {
      stop.click();
      stop.click();
    });
    await waitFor(() => expect(within(reply).getByTestId('reply-error')).toHaveTextContent(/stopped/i));
    expect(within(reply).getByTestId('message-body')).toHaveTextContent('Step');
    expect(within(reply).getByTestId('retry-reply')).toBeInTheDocument();
    await settled(store);
    expect(net.count(/\/stop$/)).toBe(1);
    expect(screen.queryByText(/not found|conflict/i)).toBeNull();
    expect(await serverCopy()).toMatchObject({ status: 'error', error: { code: 'cancelled' } });
  });

  it('shows a failed reply’s reason, and a double click on Retry runs it again once, to the end', async () => {
    const { api, store, net, agent, ask, serverCopy } = await live('fixture-500');
    const reply = await ask('@planner try');
    await waitFor(() => expect(within(reply).getByTestId('reply-error')).toBeInTheDocument());
    // The provider's own words (and its secret) never reach the page.
    expect(within(reply).getByTestId('reply-error')).not.toHaveTextContent('sk-upstream');
    expect((await api.patch(`/api/agents/${agent.id}`, { model: 'fixture-model' })).status).toBe(200);

    const retry = within(reply).getByTestId('retry-reply');
    act(() => {
      retry.click();
      retry.click();
    });
    // Streaming again in the same message (message:updated), thinking until the first token.
    await waitFor(() => expect(within(reply).getByTestId('thinking')).toBeInTheDocument());
    tap.allow(3);
    await waitFor(() => expect(within(reply).getByTestId('message-body')).toHaveTextContent('Step one. Done.'));
    await waitFor(() => expect(within(reply).queryByTestId('stop-reply')).toBeNull());
    await settled(store);
    expect(within(reply).queryByTestId('reply-error')).toBeNull();
    expect(net.count(/\/retry$/)).toBe(1);
    expect(await serverCopy()).toMatchObject({ status: 'complete', content: 'Step one. Done.' });
  });
});
