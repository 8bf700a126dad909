/**
 * @jest-environment ./tests/helpers/jsdom-env.cjs
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// Node's export conditions: socket.io-client's CommonJS build opens its WebSocket with `ws` (see agent-ui.test.tsx).
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ChannelView } from '@/components/chat/channel-view';
import { MessageItem } from '@/components/chat/message-item';
import { RealtimeProvider } from '@/components/realtime/realtime-provider';
import { RunChecklist } from '@/components/runs/run-checklist';
import type { Member, Message } from '@/lib/api-types';
import type { RunJson, RunTaskJson } from '@/lib/contracts/runs';
import { queryKeys } from '@/stores/query-keys';
import { RootStore } from '@/stores/root-store';
import { startOpenAIServer, type FixtureRequest } from '../fixtures/openai-server';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { uniqueName } from '../helpers/people';
import { createBrowserStore, renderWithStore, settled, watchRequests } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

const me = { id: '0190a000-0000-7000-8000-00000000000a', name: 'Rosa', email: 'rosa@example.com' };
const channelId = '0190a000-0000-7000-8000-0000000000c1';
const scout = '0190a000-0000-7000-8000-0000000000a1';
const quill = '0190a000-0000-7000-8000-0000000000a2';
const member = (id: string, name: string, handle: string): Member => ({ id, kind: 'agent', name, handle, avatar: null, role: 'member', joinedAt: new Date(0).toISOString() });
const members = [member(scout, 'Scout', 'scout'), member(quill, 'Quill', 'quill')];

const task = (n: number, status: RunTaskJson['status'], extra: Partial<RunTaskJson> = {}): RunTaskJson => ({
  id: `0190a000-0000-7000-8000-0000000000t${n}`,
  title: `Task title ${n}`,
  agentId: n % 2 ? scout : quill,
  status,
  attempts: status === 'todo' ? 0 : 1,
  ...extra,
});

function run(status: RunJson['status'], tasks: RunTaskJson[], extra: Partial<RunJson> = {}): RunJson {
  return {
    id: '0190a000-0000-7000-8000-0000000000r1',
    channelId,
    goal: 'Draft the launch post',
    status,
    tasks,
    usage: { steps: 3, promptTokens: 900, completionTokens: 300, tokens: 1200, seconds: 42 },
    budget: { steps: 40, tokens: 200_000, seconds: 900 },
    supervisorAgentId: null,
    startedBy: me.id,
    messageId: '0190a000-0000-7000-8000-0000000000m1',
    createdAt: new Date().toISOString(),
    ...extra,
  };
}

/** A store that knows the channel's members (what useChannel would fetch), and optionally its runs. */
function storeWith(runs?: RunJson[]) {
  const store = new RootStore({ user: me });
  // Nothing to fetch: the fixtures are all there is (no server behind this store).
  store.queryClient.setDefaultOptions({ queries: { retry: false, staleTime: Infinity } });
  store.queryClient.setQueryData(queryKeys.channel(channelId), { channel: { id: channelId, name: 'launch' }, members });
  if (runs) store.queryClient.setQueryData(queryKeys.runs(channelId), runs);
  return store;
}

const bob = '0190a000-0000-7000-8000-00000000000b';
/** React Query tells React of a change on its next tick: the event, then that tick, inside act. */
const land = (fire: () => void) =>
  act(async () => {
    fire();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });

const tasksOf = () => within(screen.getByTestId('run-tasks')).getAllByTestId('run-task');

describe('a goal run as a checklist', () => {
  it('shows a planning run with its goal, its badge, no tasks yet, its budget and a Stop button', () => {
    renderWithStore(storeWith(), <RunChecklist run={run('planning', [], { usage: { steps: 0, promptTokens: 0, completionTokens: 0, tokens: 0, seconds: 0 } })} />);
    const checklist = screen.getByRole('region', { name: 'Draft the launch post' });
    expect(checklist).toHaveAttribute('data-status', 'planning');
    expect(within(checklist).getByTestId('run-status')).toHaveTextContent('Planning');
    expect(within(checklist).getByTestId('run-progress')).toHaveTextContent('Writing the plan… · supervised by the built-in supervisor');
    expect(screen.queryByTestId('run-tasks')).toBeNull();
    expect(screen.getByTestId('run-usage-steps')).toHaveTextContent('0 / 40');
    expect(screen.getByTestId('run-usage-tokens')).toHaveTextContent('0 / 200k');
    expect(screen.getByTestId('run-usage-time')).toHaveTextContent('/ 15 min');
    expect(screen.getByRole('status')).toHaveTextContent('Goal run planning: Draft the launch post');
    expect(screen.getByTestId('stop-run')).toHaveAccessibleName('Stop the goal run: Draft the launch post');
  });

  it('shows each task of a running run with its state in words, its assignee, and the send-back reason on a redone task', () => {
    const tasks = [
      task(1, 'done', { result: 'Found **three** angles.' }),
      task(2, 'doing', { attempts: 2, review: 'Cite the benchmark figures.', result: 'First draft.' }),
      task(3, 'review', { result: 'A headline.' }),
      task(4, 'todo'),
      task(5, 'failed', { agentId: null }),
    ];
    renderWithStore(storeWith(), <RunChecklist run={run('running', tasks, { supervisorAgentId: quill })} />);
    const items = tasksOf();
    expect(items.map((item) => item.dataset.status)).toEqual(['done', 'doing', 'review', 'todo', 'failed']);
    expect(screen.getByRole('list', { name: 'Tasks of the goal run, 1 of 5 tasks done' })).toBeInTheDocument();
    expect(items[0]).toHaveTextContent('Done: 1. Task title 1');
    expect(items[1]).toHaveTextContent('In progress: 2. Task title 2');
    expect(items[2]).toHaveTextContent('Being reviewed: 3. Task title 3');
    expect(items[3]).toHaveTextContent('To do: 4. Task title 4');
    expect(within(items[0]!).getByTestId('run-task-assignee')).toHaveTextContent('Assigned to Scout');
    expect(within(items[1]!).getByTestId('run-task-assignee')).toHaveTextContent('Assigned to Quill');
    expect(within(items[4]!).getByTestId('run-task-assignee')).toHaveTextContent('Not assigned yet');
    expect(within(items[1]!).getByTestId('run-task-review')).toHaveTextContent('Sent back by the supervisor: Cite the benchmark figures.');
    expect(within(items[1]!).getByTestId('run-task-attempts')).toHaveTextContent('attempt 2');
    expect(within(items[0]!).queryByTestId('run-task-review')).toBeNull();
    expect(screen.getByTestId('run-progress')).toHaveTextContent('1 of 5 tasks done · supervised by Quill');
    expect(screen.getByRole('status')).toHaveTextContent('Goal run running. 1 of 5 tasks done. Task 2, Task title 2: in progress.');
    expect(screen.getByTestId('run-usage-tokens')).toHaveTextContent('1.2k / 200k');
  });

  it('keeps a result folded until asked, then shows it as sanitized markdown', async () => {
    renderWithStore(storeWith(), <RunChecklist run={run('running', [task(1, 'done', { result: 'Found **three** angles.<img src=x onerror="alert(1)">' })])} />);
    const toggle = screen.getByRole('button', { name: 'Show result of task 1' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByTestId('run-task-result')).not.toBeVisible();
    await userEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const result = screen.getByTestId('run-task-result');
    expect(result).toBeVisible();
    expect(result.querySelector('strong')).toHaveTextContent('three');
    expect(result.querySelector('img')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Hide result of task 1' }));
    expect(screen.getByTestId('run-task-result')).not.toBeVisible();
  });

  it('shows the summary of a done run, and no Stop', () => {
    renderWithStore(storeWith(), <RunChecklist run={run('done', [task(1, 'done'), task(2, 'done')], { summary: 'The post is **ready**.', endedAt: new Date().toISOString() })} />);
    expect(screen.getByTestId('run-status')).toHaveTextContent('Done');
    expect(screen.getByTestId('run-summary')).toHaveTextContent('The post is ready.');
    expect(screen.getByTestId('run-summary').querySelector('strong')).toHaveTextContent('ready');
    expect(screen.getByTestId('run-usage-time')).toHaveTextContent('42 s / 15 min');
    expect(screen.getByRole('status')).toHaveTextContent('Goal run done. 2 of 2 tasks done.');
    expect(screen.queryByTestId('stop-run')).toBeNull();
  });

  it('says why a stopped or failed run ended', () => {
    const { unmount } = renderWithStore(storeWith(), <RunChecklist run={run('stopped', [task(1, 'done'), task(2, 'todo')], { stopReason: 'Stopped by Rosa.', usage: { steps: 1, promptTokens: 0, completionTokens: 0, tokens: 0, seconds: 0 }, createdAt: '2026-01-01T10:00:00.000Z', endedAt: '2026-01-01T10:01:30.000Z' })} />);
    expect(screen.getByTestId('run-status')).toHaveTextContent('Stopped');
    expect(screen.getByTestId('run-stop-reason')).toHaveTextContent('Stopped by Rosa.');
    expect(screen.getByRole('status').textContent).toBe('Goal run stopped: Stopped by Rosa.');
    // Stopped between two steps, before the server counted any time: the time it ran, start to end.
    expect(screen.getByTestId('run-usage-time')).toHaveTextContent('1:30 / 15 min');
    expect(screen.queryByTestId('run-summary')).toBeNull();
    expect(screen.queryByTestId('stop-run')).toBeNull();
    unmount();
    renderWithStore(storeWith(), <RunChecklist run={run('failed', [task(1, 'failed')], { stopReason: 'Reached its budget of 40 steps', usage: { steps: 40, promptTokens: 0, completionTokens: 0, tokens: 0, seconds: 0 } })} />);
    expect(screen.getByTestId('run-status')).toHaveTextContent('Failed');
    expect(screen.getByTestId('run-stop-reason')).toHaveTextContent('Reached its budget of 40 steps');
    expect(screen.getByTestId('run-usage-steps')).toHaveTextContent('40 / 40');
  });
});

function message(extra: Partial<Message>): Message {
  return { id: '0190a000-0000-7000-8000-0000000000m9', channelId, author: { kind: 'user', id: bob, name: 'Bob' }, content: 'Bob, lunch at noon?', status: 'complete', createdAt: new Date(0).toISOString(), ...extra };
}

describe('goal runs and routing in the channel', () => {
  it('shows the run message as its checklist, live as run:updated lands, and tags each task reply with its task', async () => {
    const first = run('running', [task(1, 'doing'), task(2, 'todo')]);
    const store = storeWith([first]);
    const runMessage = message({ id: first.messageId!, content: 'Goal: Draft the launch post', runId: first.id });
    const attempt = message({ id: '0190a000-0000-7000-8000-0000000000m2', author: { kind: 'agent', id: scout, name: 'Scout', handle: 'scout' }, content: 'Three angles.', replyTo: first.messageId, runId: first.id });
    const summary = message({ id: '0190a000-0000-7000-8000-0000000000m3', author: { kind: 'agent', id: quill, name: 'Quill', handle: 'quill' }, content: 'All done.', replyTo: first.messageId, runId: first.id });
    renderWithStore(
      store,
      <ul>
        <MessageItem message={runMessage} canDelete={false} />
        <MessageItem message={attempt} canDelete={false} />
        <MessageItem message={summary} canDelete={false} />
      </ul>,
    );
    const [shown, reply, summed] = screen.getAllByTestId('message');
    expect(within(shown!).getByTestId('run-checklist')).toHaveAttribute('data-status', 'running');
    // The checklist heads the goal; the message's own "Goal: …" text is not shown twice.
    expect(within(shown!).queryByTestId('message-body')).toBeNull();
    expect(within(reply!).getByTestId('run-task-tag')).toHaveTextContent('Goal run');

    await land(() => store.runs.receive({ ...first, tasks: [task(1, 'done', { result: 'Three angles.', messageId: attempt.id }), task(2, 'doing')] }));
    expect(within(shown!).getAllByTestId('run-task').map((item) => item.dataset.status)).toEqual(['done', 'doing']);
    expect(within(reply!).getByTestId('run-task-tag')).toHaveTextContent('Task 1 · Task title 1');

    await land(() => store.runs.receive({ ...first, status: 'done', summary: 'All done.', tasks: [task(1, 'done'), task(2, 'done')] }));
    expect(within(shown!).getByTestId('run-checklist')).toHaveAttribute('data-status', 'done');
    expect(within(shown!).getByTestId('run-summary')).toHaveTextContent('All done.');
    // The lead's summary reply is the run's summary.
    expect(within(summed!).getByTestId('run-task-tag')).toHaveTextContent('Summary');
  });

  it('shows an orchestrator\'s choice quietly, its reason on keyboard focus and on hover, hidden again on Escape', async () => {
    const store = storeWith();
    renderWithStore(
      store,
      <ul>
        <MessageItem message={message({ routing: { agentId: null, reason: 'Addressed to a person.' } })} canDelete={false} />
        <MessageItem message={message({ id: '0190a000-0000-7000-8000-0000000000m8', content: 'Find sources on tides', routing: { agentId: scout, reason: 'Scout finds sources.' } })} canDelete={false} />
      </ul>,
    );
    const [nobody, toScout] = screen.getAllByTestId('routing-indicator');
    expect(nobody).toHaveTextContent('→ nobody');
    expect(nobody).toHaveAccessibleName('Routed to nobody');
    expect(toScout).toHaveTextContent('→ Scout');
    // The reason is the indicator's description for screen readers, and hidden to the eye until asked.
    expect(toScout).toHaveAccessibleDescription('The orchestrator chose Scout: Scout finds sources.');
    expect(screen.queryByRole('tooltip')).toBeNull();

    await userEvent.tab();
    expect(nobody).toHaveFocus();
    expect(screen.getByRole('tooltip')).toHaveTextContent('The orchestrator chose no agent: Addressed to a person.');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('tooltip')).toBeNull();

    await userEvent.hover(toScout!);
    expect(screen.getByRole('tooltip')).toHaveTextContent('The orchestrator chose Scout: Scout finds sources.');
    await userEvent.unhover(toScout!);
    expect(screen.queryByRole('tooltip')).toBeNull();
  });

  it('shows no indicator on a message nobody routed', () => {
    renderWithStore(storeWith(), <ul><MessageItem message={message({})} canDelete={false} /></ul>);
    expect(screen.queryByTestId('routing-indicator')).toBeNull();
    expect(screen.queryByTestId('run-checklist')).toBeNull();
  });
});

const isPlan = (request: FixtureRequest) => request.messages[0]?.content.includes('Write a plan for the goal');
const isReview = (request: FixtureRequest) => request.messages[0]?.content.includes("You check one task's result");
const isSummary = (request: FixtureRequest) => request.messages.at(-1)?.content.includes("The run's tasks are finished");
const handleOf = (request: FixtureRequest) => request.messages[0]?.content.match(/You are .+? \(@([a-z0-9-]+)\)/)?.[1];

// The whole path: the real routes and a realtime node in a hub process, the team's model the local
// OpenAI-compatible server, and in the components the real stores, axios and socket.io-client.
describe.each(testDatabaseKinds())('goal runs started and stopped from the channel (%s)', (kind) => {
  /** While held, the model writes nothing: a run stays where it is until the test lets it go. */
  let held = false;
  const waiting: Array<() => void> = [];
  let model: Awaited<ReturnType<typeof startOpenAIServer>>;
  beforeAll(async () => {
    model = await startOpenAIServer({
      reply: (request) => {
        if (isPlan(request)) return '{"tasks":[{"title":"Find three facts","agent":"scout"},{"title":"Draft the post","agent":"quill"}]}';
        if (isReview(request)) return 'ACCEPT';
        if (isSummary(request)) return 'The facts were found and the post drafted.';
        return handleOf(request) === 'scout' ? 'Fact one. Fact two. Fact three.' : 'A draft citing the facts.';
      },
      pace: () => (held ? new Promise<void>((resolve) => waiting.push(resolve)) : Promise.resolve()),
    });
  });
  const hub = useSpawnedHub(kind, { realtime: true, env: () => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: model.baseURL }) });
  afterEach(() => {
    held = false;
    waiting.splice(0).forEach((resolve) => resolve());
  });
  afterAll(() => model?.close());

  /** Rosa's channel with @scout and @quill, open in a page whose socket has joined it. */
  async function channel() {
    const api: ApiClient = hub.client();
    const user = await api.signUp('Rosa');
    const channelId: string = (await api.post('/api/channels', { name: uniqueName('launch') })).json.channel.id;
    for (const [name, handle, description] of [['Scout', 'scout', 'Research: finds facts'], ['Quill', 'quill', 'Writing: drafts posts']]) {
      const agent = (await api.post('/api/agents', { name, handle, description, instructions: `You are ${name}.`, model: 'fixture-model' })).json.agent;
      expect((await api.post(`/api/channels/${channelId}/members`, { agentId: agent.id })).status).toBe(201);
    }
    const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
    const net = watchRequests(store.http);
    // The sidebar's list: the socket joins every channel in it.
    await store.queryClient.fetchQuery({ queryKey: queryKeys.channels, queryFn: () => store.channels.list() });
    renderWithStore(
      store,
      <RealtimeProvider url={hub.realtimeUrl}>
        <ChannelView channelId={channelId} />
      </RealtimeProvider>,
    );
    await waitFor(() => expect(store.channels.presence.get(channelId)).toContain(user.id), { timeout: 10_000 });
    await screen.findByTestId('history-start');
    await settled(store);
    const serverRuns = async () => (await api.get(`/api/channels/${channelId}/runs`)).json.runs as RunJson[];
    return { api, store, net, channelId, serverRuns };
  }

  it('starts a run from the Goal form, shows the server refusing a bad budget there, then the checklist live until its summary', async () => {
    const { store, net, serverRuns } = await channel();
    await userEvent.click(screen.getByTestId('goal-button'));
    const form = await screen.findByTestId('start-run-form');
    const start = within(form).getByTestId('start-run-submit');
    expect(start).toBeDisabled();
    await userEvent.type(within(form).getByLabelText('Goal'), 'Draft the launch post');
    expect(within(form).getByLabelText('Steps')).toHaveAttribute('placeholder', '40');
    expect(within(form).getByLabelText('Tokens')).toHaveAttribute('placeholder', '200000');
    expect(within(form).getByLabelText('Minutes')).toHaveAttribute('placeholder', '15');
    await userEvent.type(within(form).getByLabelText('Steps'), '1');
    await userEvent.click(start);
    // The server's reason, under the field it is about.
    expect(await within(form).findByTestId('run-budget-steps-error')).toHaveTextContent('A run needs at least 2 steps (a plan and a task).');
    expect(within(form).getByLabelText('Steps')).toHaveAccessibleDescription('A run needs at least 2 steps (a plan and a task).');
    expect(await serverRuns()).toEqual([]);

    await userEvent.clear(within(form).getByLabelText('Steps'));
    await userEvent.type(within(form).getByLabelText('Minutes'), '2');
    await userEvent.click(start);
    await waitFor(() => expect(screen.queryByTestId('start-run-form')).toBeNull());
    expect(net.count(/^POST \/api\/channels\/.+\/runs$/)).toBe(2);

    // The run's message arrives over the socket and shows the checklist, which follows run:updated to the end.
    const checklist = await screen.findByTestId('run-checklist');
    expect(within(checklist).getByTestId('run-goal')).toHaveTextContent('Draft the launch post');
    await waitFor(() => expect(checklist).toHaveAttribute('data-status', 'done'), { timeout: 15_000 });
    expect(within(checklist).getAllByTestId('run-task').map((task) => [task.dataset.status, task.textContent])).toEqual([
      ['done', expect.stringMatching(/1\. Find three facts.*Assigned to Scout/)],
      ['done', expect.stringMatching(/2\. Draft the post.*Assigned to Quill/)],
    ]);
    expect(within(checklist).getByTestId('run-summary')).toHaveTextContent('The facts were found and the post drafted.');
    expect(within(checklist).getByTestId('run-usage-time')).toHaveTextContent('/ 2 min');
    expect(screen.queryByTestId('active-run-banner')).toBeNull();
    // Each task's reply is tagged with its task.
    await waitFor(() => expect(screen.getAllByTestId('run-task-tag').map((tag) => tag.textContent)).toEqual(['Task 1 · Find three facts', 'Task 2 · Draft the post']));
    await settled(store);
    const [stored] = await serverRuns();
    expect(stored).toMatchObject({ status: 'done', goal: 'Draft the launch post', budget: { steps: 40, seconds: 120 } });
  });

  it('starts a run with /goal, says why a second one cannot start, and stops it once from the banner', async () => {
    const { store, net, serverRuns } = await channel();
    held = true;
    const input = screen.getByTestId('composer-input');
    await userEvent.type(input, '/goal Draft the post');
    expect(screen.getByTestId('goal-command-hint')).toHaveTextContent('Enter starts a goal run with this goal');
    expect(screen.getByTestId('composer-send')).toHaveTextContent('Start run');
    await userEvent.keyboard('{Enter}');
    const banner = await screen.findByTestId('active-run-banner');
    expect(banner).toHaveTextContent('Draft the post');
    expect(input).toHaveValue('');
    // Sent as a run, not as a message of its own: the one message is the run's.
    expect(net.count(/^POST \/api\/channels\/.+\/messages$/)).toBe(0);
    const checklist = await screen.findByTestId('run-checklist');
    expect(checklist).toHaveAttribute('data-status', 'planning');

    await userEvent.type(input, '/goal Another one{Enter}');
    expect(await screen.findByTestId('goal-command-error')).toHaveTextContent('The run did not start: A run is already going in this channel.');
    expect(input).toHaveValue('/goal Another one');

    const stop = within(banner).getByTestId('stop-run');
    act(() => {
      stop.click();
      stop.click();
    });
    await waitFor(() => expect(checklist).toHaveAttribute('data-status', 'stopped'));
    expect(within(checklist).getByTestId('run-stop-reason')).toHaveTextContent('Stopped by Rosa.');
    expect(within(checklist).queryByTestId('stop-run')).toBeNull();
    expect(screen.queryByTestId('active-run-banner')).toBeNull();
    await settled(store);
    expect(net.count(/\/runs\/.+\/stop$/)).toBe(1);
    const runs = await serverRuns();
    expect(runs.map((run) => [run.goal, run.status])).toEqual([['Draft the post', 'stopped']]);

    // Editing the draft clears the refusal.
    fireEvent.change(input, { target: { value: '/goal Another one, later' } });
    expect(screen.queryByTestId('goal-command-error')).toBeNull();
  });
});

describe('copies of a run arriving out of order', () => {
  it('keeps the newer copy when an older one lands after it (the start answer after the first run:updated)', () => {
    const planning = run('planning', [], { usage: { steps: 0, promptTokens: 0, completionTokens: 0, tokens: 0, seconds: 0 } });
    const working = run('running', [task(1, 'doing'), task(2, 'todo')], { usage: { steps: 1, promptTokens: 10, completionTokens: 5, tokens: 15, seconds: 1 } });
    const redoing = { ...working, tasks: [task(1, 'doing', { attempts: 2, review: 'Cite it.' }), task(2, 'todo')] };
    const store = storeWith([working]);
    store.runs.receive(planning);
    expect(store.runs.find(channelId, planning.id)).toEqual(working);
    // A task sent back and begun again moves the run on, though its state reads "doing" again.
    store.runs.receive(redoing);
    expect(store.runs.find(channelId, planning.id)).toEqual(redoing);
    store.runs.receive(working);
    expect(store.runs.find(channelId, planning.id)).toEqual(redoing);
    const stopped = { ...redoing, status: 'stopped' as const, stopReason: 'Stopped by Rosa.', tasks: [task(1, 'failed', { attempts: 2 }), task(2, 'todo')] };
    store.runs.receive(stopped);
    expect(store.runs.find(channelId, planning.id)).toEqual(stopped);
  });
});
