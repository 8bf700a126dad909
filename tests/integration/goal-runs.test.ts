import { eq } from 'drizzle-orm';
import { setModelProvider } from '@/lib/ai';
import { createOfflineProvider } from '@/lib/ai/offline';
import { createOpenAIProvider } from '@/lib/ai/openai';
import { repliesSettled } from '@/lib/agents/replies';
import type { MessageJson } from '@/lib/contracts/messages';
import type { RunJson } from '@/lib/contracts/runs';
import { runs, usageEvents } from '@/lib/db/schema';
import { broadcastPublisher } from '@/lib/realtime/publisher';
import { runsSettled } from '@/lib/teams/runs';
import { startOpenAIServer, type FixtureRequest } from '../fixtures/openai-server';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { uniqueName } from '../helpers/people';
import { connectSocket, emitAck, realtimeToken, record, startRealtimeNode, until, type TestSocket } from '../helpers/realtime';

/** Which agent a channel turn is for: its system prompt names it as "(@handle)". */
const handleOf = (request: FixtureRequest) => request.messages[0]?.content.match(/You are .+? \(@([a-z0-9-]+)\)/)?.[1];
const lastUser = (request: FixtureRequest) => request.messages.findLast((m) => m.role === 'user')?.content ?? '';
const isPlan = (request: FixtureRequest) => request.messages[0]?.content.includes('Write a plan for the goal');
const isReview = (request: FixtureRequest) => request.messages[0]?.content.includes("You check one task's result");

async function readEvents(res: Response): Promise<[string, { run: RunJson }][]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => [/^event: (.+)$/m.exec(block)?.[1] ?? 'message', JSON.parse(/^data: (.+)$/m.exec(block)?.[1] ?? 'null')]);
}

describe.each(testDatabaseKinds())('goal runs (%s)', (kind) => {
  /** The scripted team: the plan, each agent's results, which reviews send a result back. */
  const script = {
    plan: '',
    results: {} as Record<string, (request: FixtureRequest) => string>,
    review: (() => 'ACCEPT') as (request: FixtureRequest) => string,
  };
  let model: Awaited<ReturnType<typeof startOpenAIServer>>;
  let node: Awaited<ReturnType<typeof startRealtimeNode>>;
  /** Gates the fixture's tokens: a test may hold a turn mid-stream. */
  let gate: ((request: FixtureRequest) => Promise<void>) | undefined;
  const hub = useHub(kind, { publisher: () => broadcastPublisher(() => node?.io as never) });
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    model = await startOpenAIServer({
      reply: (request) => {
        if (isPlan(request)) return script.plan;
        if (isReview(request)) return script.review(request);
        return script.results[handleOf(request) ?? '']?.(request) ?? 'No script.';
      },
      pace: (_index, request) => gate?.(request) ?? Promise.resolve(),
    });
    setModelProvider(createOpenAIProvider({ apiKey: 'sk-test', baseURL: model.baseURL, timeoutMs: 5000 }));
    node = await startRealtimeNode();
  });
  afterEach(async () => {
    gate = undefined;
    await runsSettled();
    await repliesSettled();
    sockets.splice(0).forEach((socket) => socket.close());
    setModelProvider(createOpenAIProvider({ apiKey: 'sk-test', baseURL: model.baseURL, timeoutMs: 5000 }));
  });
  afterAll(async () => {
    setModelProvider(undefined);
    await node?.close();
    await model?.close();
  });

  async function team(agents: { handle: string; description: string }[], { lead }: { lead?: string } = {}) {
    const api: ApiClient = hub.client();
    const user = await api.signUp('Ada');
    const channel = (await api.post('/api/channels', { name: uniqueName('launch'), description: 'Ship the launch' })).json.channel;
    const ids: Record<string, string> = {};
    for (const agent of agents) {
      const name = agent.handle[0]!.toUpperCase() + agent.handle.slice(1);
      const created = await api.post('/api/agents', { name, instructions: `Private notes of ${agent.handle}.`, model: 'fixture-model', ...agent });
      expect(created.status).toBe(201);
      ids[agent.handle] = created.json.agent.id;
      expect((await api.post(`/api/channels/${channel.id}/members`, { agentId: created.json.agent.id })).status).toBe(201);
    }
    if (lead) expect((await api.patch(`/api/channels/${channel.id}`, { leadAgentId: ids[lead], answerMode: 'lead' })).status).toBe(200);
    const socket = await connectSocket(node.url, { token: await realtimeToken(api) });
    sockets.push(socket);
    expect(await emitAck(socket, 'channel:join', channel.id)).toEqual({ ok: true });
    const runUpdates = record(socket, 'run:updated');
    const start = async (body: Record<string, unknown>) => api.post(`/api/channels/${channel.id}/runs`, body);
    const getRun = async (runId: string) => (await api.get(`/api/channels/${channel.id}/runs/${runId}`)).json.run as RunJson;
    const history = async () => (await api.get(`/api/channels/${channel.id}/messages?limit=200`)).json.messages as MessageJson[];
    return { api, user, channelId: channel.id as string, ids, socket, runUpdates, start, getRun, history };
  }

  const trio = [
    { handle: 'scout', description: 'Research: finds facts and sources' },
    { handle: 'quill', description: 'Writing: drafts posts and copy' },
    { handle: 'lead', description: 'Editing and coordination' },
  ];

  it('plans, assigns, has a result redone once with the reason, and ends with the lead summary, live', async () => {
    const t = await team(trio, { lead: 'lead' });
    script.plan = '```json\n{"tasks":[{"title":"Find three facts about the launch","agent":"scout"},{"title":"Draft the launch post from the facts","agent":"@quill"}]}\n```';
    let reviews = 0;
    script.review = () => (++reviews === 2 ? 'REVISE: The draft does not cite the facts.' : 'ACCEPT');
    let drafts = 0;
    script.results = {
      scout: () => 'Fact one. Fact two. Fact three.',
      quill: (request) => (++drafts === 1 ? 'A first draft.' : `A second draft citing the facts. ${lastUser(request).includes('sent back: The draft does not cite the facts.') ? '(saw the reason)' : ''}`),
      lead: () => 'Summary: the facts were found and the post drafted.',
    };
    const started = await t.start({ goal: 'Draft the launch post' });
    expect(started.status).toBe(201);
    const run = started.json.run as RunJson;
    expect(run).toMatchObject({ goal: 'Draft the launch post', status: 'planning', tasks: [], supervisorAgentId: t.ids.lead, startedBy: t.user.id, budget: { steps: 40, tokens: 200_000, seconds: 900 } });

    await until(() => t.runUpdates.some((u) => u.run.id === run.id && u.run.status === 'done'), 15_000, 'the run to end');
    await runsSettled();
    const done = await t.getRun(run.id);
    expect(done.status).toBe('done');
    expect(done.summary).toBe('Summary: the facts were found and the post drafted.');
    expect(done.tasks.map((task) => [task.title, task.agentId, task.status, task.attempts])).toEqual([
      ['Find three facts about the launch', t.ids.scout, 'done', 1],
      ['Draft the launch post from the facts', t.ids.quill, 'done', 2],
    ]);
    expect(done.tasks[1]).toMatchObject({ review: 'The draft does not cite the facts.', result: 'A second draft citing the facts. (saw the reason)' });
    // Plan 1, attempts 3, reviews 2 (a redo is not reviewed again), the lead's summary 1.
    expect(done.usage.steps).toBe(7);
    expect(done.usage.tokens).toBeGreaterThan(0);
    expect(done.endedAt).toBeDefined();

    // Live: the states went out in order, ending with the stored run.
    const states = t.runUpdates.filter((u) => u.run.id === run.id).map((u) => u.run.status);
    expect(states[0]).toBe('planning');
    expect(states).toContain('running');
    expect(states.at(-1)).toBe('done');
    expect(t.runUpdates.filter((u) => u.run.id === run.id).at(-1)!.run).toEqual(done);
    const quillStates = t.runUpdates.map((u) => u.run.tasks[1]?.status).filter(Boolean);
    expect(quillStates).toEqual(expect.arrayContaining(['doing', 'review', 'done']));

    // In the channel: the run's message, then each attempt and the summary, as replies to it.
    const messages = await t.history();
    const runMessage = messages.find((m) => m.id === done.messageId)!;
    expect(runMessage).toMatchObject({ content: 'Goal: Draft the launch post', runId: run.id, author: { kind: 'user', id: t.user.id } });
    const replies = messages.filter((m) => m.author.kind === 'agent');
    expect(replies.map((m) => [m.author.handle, m.content])).toEqual([
      ['scout', 'Fact one. Fact two. Fact three.'],
      ['quill', 'A first draft.'],
      ['quill', 'A second draft citing the facts. (saw the reason)'],
      ['lead', 'Summary: the facts were found and the post drafted.'],
    ]);
    expect(replies.every((m) => m.runId === run.id && m.replyTo === runMessage.id && m.status === 'complete')).toBe(true);
    expect(done.tasks[1]!.messageId).toBe(replies[2]!.id);

    // The second task's brief carried the first task's result as data; no agent was handed to by mention.
    const quillTurn = model.requests.findLast((r) => handleOf(r) === 'quill')!;
    expect(lastUser(quillTurn)).toMatch(/^Supervisor: We are working on a goal as a team: Draft the launch post/);
    expect(lastUser(quillTurn)).toContain('<result task="1" by="Scout">\nFact one. Fact two. Fact three.\n</result>');
    expect(lastUser(quillTurn)).toContain('Your task, Quill: Draft the launch post from the facts');

    // Every model call was metered to the starter, as source "run".
    const rows = await hub.db.db.select().from(usageEvents).where(eq(usageEvents.channelId, t.channelId));
    expect(rows).toHaveLength(7);
    expect(rows.every((row) => row.source === 'run' && row.ownerId === t.user.id)).toBe(true);
  });

  it('takes what people say mid-run into its next step', async () => {
    const t = await team(trio.slice(0, 2));
    // An orchestrator channel: outside a run, a message naming no agent would be routed to one.
    expect((await t.api.patch(`/api/channels/${t.channelId}`, { answerMode: 'orchestrator' })).status).toBe(200);
    script.plan = '{"tasks":[{"title":"Find facts","agent":"scout"},{"title":"Write the post","agent":"quill"}]}';
    script.review = () => 'ACCEPT';
    script.results = { scout: () => 'Facts found.', quill: () => 'Post written.' };
    // Hold the first task's turn until a person has commented.
    let release!: () => void;
    const commented = new Promise<void>((resolve) => (release = resolve));
    gate = (request) => (handleOf(request) === 'scout' ? commented : Promise.resolve());
    const run = (await t.start({ goal: 'Write the launch post' })).json.run as RunJson;
    await until(() => t.runUpdates.some((u) => u.run.tasks[0]?.status === 'doing'), 10_000, 'the first task');
    expect((await t.api.post(`/api/channels/${t.channelId}/messages`, { content: 'Keep it under 100 words, please.' })).status).toBe(201);
    release();
    await until(() => t.runUpdates.some((u) => u.run.id === run.id && u.run.endedAt), 10_000, 'the run to end');
    const quillTurn = model.requests.findLast((r) => handleOf(r) === 'quill')!;
    expect(lastUser(quillTurn)).toContain('<comments>\nAda: Keep it under 100 words, please.\n</comments>');
    // Without a lead, the built-in supervisor sums up on the run (no channel message).
    const done = await t.getRun(run.id);
    expect(done.status).toBe('done');
    expect(done.supervisorAgentId).toBeNull();
    // The comment was for the run: no agent answered it on the side, and it was not routed.
    const history = await t.history();
    expect(history.filter((m) => m.author.kind === 'agent').map((m) => m.author.handle)).toEqual(['scout', 'quill']);
    expect(history.find((m) => m.content === 'Keep it under 100 words, please.')!.routing).toBeUndefined();
    expect(model.requests.some((r) => r.messages[0]?.content.startsWith('You route messages'))).toBe(false);
  });

  it('stops at its step budget, and when a person stops it', async () => {
    const t = await team(trio.slice(0, 2));
    script.plan = '{"tasks":[{"title":"Find facts","agent":"scout"},{"title":"Write the post","agent":"quill"}]}';
    script.review = () => 'ACCEPT';
    script.results = { scout: () => 'Facts found.', quill: () => 'Post written.' };
    // Plan, the first attempt, its review: the fourth step is refused.
    const budgeted = (await t.start({ goal: 'Write the launch post', budget: { steps: 3 } })).json.run as RunJson;
    await until(() => t.runUpdates.some((u) => u.run.id === budgeted.id && u.run.endedAt), 10_000, 'the budget stop');
    const ended = await t.getRun(budgeted.id);
    expect(ended).toMatchObject({ status: 'stopped', stopReason: 'Reached its budget of 3 steps.', usage: { steps: 3 } });
    expect(ended.tasks.map((task) => task.status)).toEqual(['done', 'todo']);

    // Tokens: the plan and the first attempt spend more than 100, so the run stops before the review.
    const frugal = (await t.start({ goal: 'Write the launch post', budget: { tokens: 100 } })).json.run as RunJson;
    await until(() => t.runUpdates.some((u) => u.run.id === frugal.id && u.run.endedAt), 10_000, 'the token stop');
    const spent = await t.getRun(frugal.id);
    expect(spent).toMatchObject({ status: 'stopped', stopReason: 'Reached its budget of 100 tokens.' });
    expect(spent.usage.tokens).toBeGreaterThanOrEqual(100);
    expect(spent.tasks.at(-1)!.status).toBe('todo');

    // Time: a turn held past the run's seconds is cut off, and so is the run.
    let late!: () => void;
    gate = (request) => (handleOf(request) === 'scout' ? new Promise<void>((resolve) => (late = resolve)) : Promise.resolve());
    const timed = (await t.start({ goal: 'Write the launch post', budget: { seconds: 5 } })).json.run as RunJson;
    await until(() => t.runUpdates.some((u) => u.run.id === timed.id && u.run.endedAt), 10_000, 'the time stop');
    late();
    expect(await t.getRun(timed.id)).toMatchObject({ status: 'stopped', stopReason: 'Reached its time budget of 5 seconds.', tasks: [{ status: 'failed' }, { status: 'todo' }] });

    // A person's stop: the task in progress ends failed, its reply stopped.
    let hold!: () => void;
    const held = new Promise<void>((resolve) => (hold = resolve));
    gate = (request) => (handleOf(request) === 'scout' ? held : Promise.resolve());
    const run = (await t.start({ goal: 'Another post' })).json.run as RunJson;
    await until(() => t.runUpdates.some((u) => u.run.id === run.id && u.run.tasks[0]?.status === 'doing'), 10_000, 'the first task');
    // One run at a time in a channel.
    const second = await t.start({ goal: 'A third' });
    expect(second.status).toBe(409);
    expect(second.json.error.message).toMatch(/already going/);
    const stopped = await t.api.post(`/api/channels/${t.channelId}/runs/${run.id}/stop`);
    hold();
    expect(stopped.status).toBe(200);
    expect(stopped.json.run).toMatchObject({ status: 'stopped', stopReason: 'Stopped by Ada.' });
    expect(stopped.json.run.tasks.map((task: { status: string }) => task.status)).toEqual(['failed', 'todo']);
    await runsSettled();
    await repliesSettled();
    const reply = (await t.history()).filter((m) => m.author.kind === 'agent' && m.runId === run.id).at(-1)!;
    expect(reply).toMatchObject({ status: 'error', error: { code: 'cancelled' } });
    expect((await t.getRun(run.id)).status).toBe('stopped');
    // Stopping again changes nothing; a new run may start now.
    expect((await t.api.post(`/api/channels/${t.channelId}/runs/${run.id}/stop`)).json.run.stopReason).toBe('Stopped by Ada.');
    const listed = (await t.api.get(`/api/channels/${t.channelId}/runs`)).json.runs as RunJson[];
    expect(listed.map((r) => r.id)).toEqual([run.id, timed.id, frugal.id, budgeted.id]);
  });

  it('stops at its next write when a stop lands from another process, writing nothing after it', async () => {
    const t = await team(trio.slice(0, 2));
    script.plan = '{"tasks":[{"title":"Find facts","agent":"scout"},{"title":"Write the post","agent":"quill"}]}';
    script.review = () => 'ACCEPT';
    script.results = { scout: () => 'Facts found.', quill: () => 'Post written.' };
    let hold!: () => void;
    const held = new Promise<void>((resolve) => (hold = resolve));
    gate = (request) => (handleOf(request) === 'scout' ? held : Promise.resolve());
    const run = (await t.start({ goal: 'Write the launch post' })).json.run as RunJson;
    await until(() => t.runUpdates.some((u) => u.run.id === run.id && u.run.tasks[0]?.status === 'doing'), 10_000, 'the first task');
    // What a stop in another process writes (this process's executor is not told).
    await hub.db.db.update(runs).set({ status: 'stopped', stopReason: 'Stopped by Bob.', endedAt: new Date() }).where(eq(runs.id, run.id));
    const calls = model.requests.length;
    hold();
    await runsSettled();
    await repliesSettled();
    const ended = await t.getRun(run.id);
    expect(ended).toMatchObject({ status: 'stopped', stopReason: 'Stopped by Bob.' });
    // The result came back after the stop: it was not put up for review, and no review was asked for.
    expect(ended.tasks.map((task) => task.status)).toEqual(['failed', 'todo']);
    expect(model.requests.slice(calls).some(isReview)).toBe(false);
    expect(t.runUpdates.filter((u) => u.run.id === run.id).some((u) => u.run.tasks[0]?.status === 'review')).toBe(false);
  });

  it('refuses bad input with clear errors, and hides runs from non-members', async () => {
    const t = await team(trio.slice(0, 1));
    for (const [body, message] of [
      [{ goal: '   ' }, 'Give the run a goal.'],
      [{ goal: 'x'.repeat(2001) }, 'A goal is at most 2000 characters.'],
      [{ goal: 'ok', budget: { steps: 1 } }, 'A run needs at least 2 steps'],
      [{ goal: 'ok', budget: { seconds: 99_999 } }, 'At most 3600 seconds.'],
      [{ goal: 'ok', extra: true }, ''],
    ] as const) {
      const res = await t.start(body);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_request');
      if (message) expect(JSON.stringify(res.json.error)).toContain(message);
    }
    const empty = (await t.api.post('/api/channels', { name: uniqueName('empty') })).json.channel;
    const noAgents = await t.api.post(`/api/channels/${empty.id}/runs`, { goal: 'Anything' });
    expect(noAgents.status).toBe(409);
    expect(noAgents.json.error.message).toMatch(/no agents/);

    script.plan = '{"tasks":[{"title":"Find facts","agent":"scout"}]}';
    script.results = { scout: () => 'Facts found.' };
    const run = (await t.start({ goal: 'Facts' })).json.run as RunJson;
    const stranger = hub.client();
    await stranger.signUp('Eve');
    expect((await stranger.get(`/api/channels/${t.channelId}/runs/${run.id}`)).status).toBe(404);
    expect((await stranger.post(`/api/channels/${t.channelId}/runs/${run.id}/stop`)).status).toBe(404);
    expect((await stranger.post(`/api/channels/${t.channelId}/runs`, { goal: 'Mine now' })).status).toBe(404);
    expect((await t.api.get(`/api/channels/${t.channelId}/runs/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}`)).status).toBe(404);
    expect((await t.api.get(`/api/channels/${t.channelId}/runs/not-an-id`)).status).toBe(404);
  });

  it('runs through the API with a key: SSE of its events, then GET', async () => {
    const t = await team(trio.slice(0, 2));
    script.plan = '{"tasks":[{"title":"Find facts","agent":"scout"},{"title":"Write the copy","agent":"nobody-here"}]}';
    script.review = () => 'ACCEPT';
    script.results = { scout: () => 'Facts found.', quill: () => 'Post written.' };
    const secret = (await t.api.post('/api/keys', { name: 'runs', scopes: ['channels:query'] })).json.secret as string;
    const v1 = (path: string, init: RequestInit = {}) => fetch(`${hub.server.url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } });
    const res = await v1(`/channels/${t.channelId}/runs`, { method: 'POST', body: JSON.stringify({ goal: 'Write the post', stream: true }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = await readEvents(res);
    expect(events[0]![0]).toBe('run');
    expect(events[0]![1].run.status).toBe('planning');
    const [last, final] = events.at(-1)!;
    expect(last).toBe('done');
    expect(final.run.status).toBe('done');
    // An unknown handle in the plan goes to the agent whose specialization fits the task.
    expect(final.run.tasks.map((task) => task.agentId)).toEqual([t.ids.scout, t.ids.quill]);
    expect(events.filter(([event]) => event === 'run').length).toBeGreaterThan(4);
    const fetched = await v1(`/channels/${t.channelId}/runs/${final.run.id}`);
    expect(fetched.status).toBe(200);
    expect((await fetched.json()).run).toEqual(final.run);
    // A key without the scope is refused.
    const narrow = (await t.api.post('/api/keys', { name: 'narrow', scopes: ['agents:read'] })).json.secret as string;
    const refused = await fetch(`${hub.server.url}/api/v1/channels/${t.channelId}/runs`, { method: 'POST', headers: { authorization: `Bearer ${narrow}`, 'content-type': 'application/json' }, body: JSON.stringify({ goal: 'x' }) });
    expect(refused.status).toBe(403);
  });

  it('works offline: a plan by specialization, each agent working in its role, a summary', async () => {
    setModelProvider(createOfflineProvider({ tokenDelayMs: 0 }));
    const t = await team([
      { handle: 'scout', description: 'Research: finds facts and sources' },
      { handle: 'quill', description: 'Writing: drafts launch posts and copy' },
    ]);
    const run = (await t.start({ goal: 'Draft the launch post' })).json.run as RunJson;
    await until(() => t.runUpdates.some((u) => u.run.id === run.id && u.run.endedAt), 10_000, 'the offline run');
    const done = await t.getRun(run.id);
    expect(done.status).toBe('done');
    // The writer's specialization shares "launch" and "posts" with the goal: it goes first.
    expect(done.tasks.map((task) => [task.title, task.agentId])).toEqual([
      ['Writing: Draft the launch post', t.ids.quill],
      ['Research: Draft the launch post', t.ids.scout],
    ]);
    expect(done.tasks.every((task) => task.status === 'done' && task.result)).toBe(true);
    expect(done.summary).toMatch(/^\[offline supervisor\] Goal: Draft the launch post\. 2 of 2 tasks done\./);
    expect(done.summary).toContain('- Writing: Draft the launch post: Quill, done');
    // Each agent did its task in its role, and the second read the first one's result.
    const replies = (await t.history()).filter((m) => m.author.kind === 'agent');
    expect(replies.map((m) => m.author.handle)).toEqual(['quill', 'scout']);
    expect(replies[0]!.content).toContain('on the supervisor\'s task: "Writing: Draft the launch post"');
    expect(replies[0]!.content).toContain('Done, in my role (writing: drafts launch posts and copy):');
    expect(replies[1]!.content).toContain("- Read 1 teammate's result so far.");
    expect(replies.every((m) => !m.content.includes('@'))).toBe(true);
  });
});
