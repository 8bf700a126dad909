import { runs } from '@/lib/db/schema';
import { newId } from '@/lib/ids';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { record, until } from '../helpers/realtime';
import { realtimeSuite } from '../helpers/realtime';
import { uniqueName } from '../helpers/people';

const canvasOf = (channelId: string) => `/api/channels/${channelId}/canvas`;
const nodesOf = (channelId: string) => `/api/channels/${channelId}/canvas/nodes`;
const put = (client: ApiClient, channelId: string, body: unknown) => client.request('PUT', nodesOf(channelId), body);

describe.each(testDatabaseKinds())('the team canvas over HTTP and a socket (%s)', (kind) => {
  const rt = realtimeSuite(kind);

  async function agentOf(client: ApiClient, handle: string, extra: Record<string, unknown> = {}) {
    const res = await client.post('/api/agents', { name: handle, handle, instructions: 'Help.', ...extra });
    expect(res.status).toBe(201);
    return res.json.agent as { id: string };
  }

  async function runIn(channelId: string, startedBy: string) {
    const id = newId();
    const zero = { steps: 0, promptTokens: 0, completionTokens: 0, tokens: 0, seconds: 0 };
    await rt.hub.db.db.insert(runs).values({ id, channelId, startedBy, goal: 'Ship it', status: 'running', budget: { steps: 10, tokens: 1000, seconds: 60 }, usage: zero });
    return id;
  }

  it('saves positions and notes, keeps them, and shows every move to the other members live', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const scout = await agentOf(ada.api, 'scout', { abilities: ['web_search'] });
    expect((await ada.api.post(`/api/channels/${channelId}/members`, { agentId: scout.id })).status).toBe(201);

    const empty = await ada.api.get(canvasOf(channelId));
    expect(empty.status).toBe(200);
    expect(empty.json.canvas).toEqual({ channelId, nodes: [], agents: [{ id: scout.id, abilities: ['web_search'], knowledgeBaseIds: [], knowledgeBaseCount: 0 }], knowledgeBases: [] });

    const seenByBob = record(bob.socket, 'canvas:updated');
    const noteId = `note:${newId()}`;
    const saved = await put(ada.api, channelId, {
      nodes: [
        { id: `agent:${scout.id}`, x: 120.5, y: -40 },
        { id: `user:${bob.user.id}`, x: 0, y: 300 },
        { id: 'chat', x: 600, y: 0 },
        { id: noteId, x: -200, y: 80, data: { text: 'Launch on Friday', color: 'yellow' } },
      ],
    });
    expect(saved.status).toBe(200);
    expect(saved.json.canvas.nodes).toHaveLength(4);
    expect(saved.json.canvas.nodes).toEqual(expect.arrayContaining([{ id: `agent:${scout.id}`, x: 120.5, y: -40 }, { id: noteId, x: -200, y: 80, data: { text: 'Launch on Friday', color: 'yellow' } }]));

    await until(() => seenByBob.length === 1, 5000, 'canvas:updated on Bob\'s socket');
    expect(seenByBob[0]).toEqual({ channelId, by: ada.user.id, nodes: expect.arrayContaining([{ id: 'chat', x: 600, y: 0 }]) });
    expect(seenByBob[0]!.nodes).toHaveLength(4);

    // Bob drags the note and recolours it: its text stays, and Ada sees the move.
    const seenByAda = record(ada.socket, 'canvas:updated');
    const moved = await put(bob.api, channelId, { nodes: [{ id: noteId, x: -180, y: 95, data: { color: 'blue' } }] });
    expect(moved.status).toBe(200);
    await until(() => seenByAda.length === 1, 5000, 'canvas:updated on Ada\'s socket');
    expect(seenByAda[0]).toEqual({ channelId, by: bob.user.id, nodes: [{ id: noteId, x: -180, y: 95, data: { text: 'Launch on Friday', color: 'blue' } }] });

    // A move without data keeps the note's data; and everything persists for a fresh read.
    expect((await put(ada.api, channelId, { nodes: [{ id: noteId, x: -170, y: 99 }] })).status).toBe(200);
    const again = await bob.api.get(canvasOf(channelId));
    expect(again.json.canvas.nodes).toEqual(
      expect.arrayContaining([{ id: noteId, x: -170, y: 99, data: { text: 'Launch on Friday', color: 'blue' } }, { id: `user:${bob.user.id}`, x: 0, y: 300 }]),
    );
  });

  it("tells the channel when a member agent's knowledge or abilities change, so every open canvas shows it", async () => {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const scout = await agentOf(ada.api, 'scout', { abilities: ['web_search'] });
    expect((await ada.api.post(`/api/channels/${channelId}/members`, { agentId: scout.id })).status).toBe(201);
    const base = (await ada.api.post('/api/knowledge', { name: uniqueName('Ada docs') })).json.knowledgeBase.id as string;
    const told = record(bob.socket, 'channel:updated');
    const linked = await ada.api.patch(`/api/agents/${scout.id}`, { knowledgeBaseIds: [base], abilities: ['web_search', 'knowledge'] });
    expect(linked.status).toBe(200);
    await until(() => told.some((event) => event.channelId === channelId), 5000, "channel:updated on Bob's socket");
    // The agent's card now counts the base (named only once the base itself is on the canvas).
    const seen = await bob.api.get(canvasOf(channelId));
    expect(seen.json.canvas.agents).toEqual([{ id: scout.id, abilities: ['knowledge', 'web_search'], knowledgeBaseIds: [], knowledgeBaseCount: 1 }]);
  });

  it('answers 400 with the field for each malformed node', async () => {
    const { ada, channelId } = await rt.sharedChannel({ join: false });
    const note = () => `note:${newId()}`;
    const cases: Array<[unknown, string]> = [
      [{}, 'nodes'],
      [{ nodes: [] }, 'nodes'],
      [{ nodes: [{ id: 'robot:1', x: 0, y: 0 }] }, 'nodes.0.id'],
      [{ nodes: [{ id: 'agent:not-a-uuid', x: 0, y: 0 }] }, 'nodes.0.id'],
      [{ nodes: [{ id: note(), x: 100_001, y: 0 }] }, 'nodes.0.x'],
      [{ nodes: [{ id: note(), x: 0, y: -100_001 }] }, 'nodes.0.y'],
      [{ nodes: [{ id: note(), x: '5', y: 0 }] }, 'nodes.0.x'],
      [{ nodes: [{ id: note(), x: 0, y: 0, data: { text: 'x'.repeat(2001) } }] }, 'nodes.0.data.text'],
      [{ nodes: [{ id: note(), x: 0, y: 0, data: { color: 'chartreuse' } }] }, 'nodes.0.data.color'],
      [{ nodes: [{ id: 'chat', x: 0, y: 0, data: { text: 'hi' } }] }, 'nodes.0.data'],
      [{ nodes: [{ id: 'chat', x: 0, y: 0, z: 1 }] }, 'nodes.0'],
      [{ nodes: [{ id: 'chat', x: 0, y: 0 }, { id: 'chat', x: 1, y: 1 }] }, 'nodes.1.id'],
      [{ nodes: Array.from({ length: 201 }, () => ({ id: note(), x: 0, y: 0 })) }, 'nodes'],
    ];
    for (const [body, field] of cases) {
      const res = await put(ada.api, channelId, body);
      expect([res.status, res.json.error.code]).toEqual([400, 'invalid_request']);
      expect(Object.keys(res.json.error.details)).toContain(field);
    }
    // JSON has no Infinity, but 1e999 parses to it.
    const infinite = await put(ada.api, channelId, '{"nodes":[{"id":"chat","x":1e999,"y":0}]}');
    expect(infinite.status).toBe(400);
    expect(Object.keys(infinite.json.error.details)).toEqual(['nodes.0.x']);
    // Exactly 2000 characters, exactly ±100000 and 200 nodes are fine; none of the refusals left a node.
    expect((await ada.api.get(canvasOf(channelId))).json.canvas.nodes).toEqual([]);
    expect((await put(ada.api, channelId, { nodes: [{ id: note(), x: 100_000, y: -100_000, data: { text: 'y'.repeat(2000) } }] })).status).toBe(200);
    expect((await put(ada.api, channelId, { nodes: Array.from({ length: 200 }, (_, i) => ({ id: note(), x: i, y: i })) })).status).toBe(200);
    expect((await ada.api.get(canvasOf(channelId))).json.canvas.nodes).toHaveLength(201);
  });

  it('takes only agents, people, runs of this channel and knowledge bases the caller may put there', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel({ join: false });
    const carol = await rt.member('Carol');
    const inside = await agentOf(ada.api, 'inside');
    const outside = await agentOf(ada.api, 'outside');
    const carols = await agentOf(carol.api, 'carols');
    await ada.api.post(`/api/channels/${channelId}/members`, { agentId: inside.id });
    const otherChannel = (await carol.api.post('/api/channels', { name: uniqueName('other') })).json.channel.id as string;
    const foreignRun = await runIn(otherChannel, carol.user.id);
    const ownRun = await runIn(channelId, ada.user.id);
    const adaBase = (await ada.api.post('/api/knowledge', { name: uniqueName('Ada docs') })).json.knowledgeBase.id as string;
    const carolBase = (await carol.api.post('/api/knowledge', { name: uniqueName('Carol docs') })).json.knowledgeBase.id as string;

    const refused = await put(ada.api, channelId, {
      nodes: [
        { id: `agent:${inside.id}`, x: 0, y: 0 },
        { id: `agent:${outside.id}`, x: 0, y: 0 },
        { id: `agent:${carols.id}`, x: 0, y: 0 },
        { id: `user:${carol.user.id}`, x: 0, y: 0 },
        { id: `run:${foreignRun}`, x: 0, y: 0 },
        { id: `kb:${carolBase}`, x: 0, y: 0 },
        { id: `kb:${newId()}`, x: 0, y: 0 },
      ],
    });
    expect(refused.status).toBe(400);
    expect(Object.keys(refused.json.error.details).sort()).toEqual(['nodes.1.id', 'nodes.2.id', 'nodes.3.id', 'nodes.4.id', 'nodes.5.id', 'nodes.6.id']);
    // A base that is not yours reads the same whether or not it exists.
    expect(refused.json.error.details['nodes.5.id']).toEqual(refused.json.error.details['nodes.6.id']);

    // Ada puts her base, the run and her agent (id typed in capitals) there; Bob may then move her base.
    const ok = await put(ada.api, channelId, {
      nodes: [
        { id: `agent:${inside.id.toUpperCase()}`, x: 10, y: 10 },
        { id: `run:${ownRun}`, x: 20, y: 20 },
        { id: `kb:${adaBase}`, x: 30, y: 30 },
      ],
    });
    expect(ok.status).toBe(200);
    expect(ok.json.canvas.nodes.map((n: { id: string }) => n.id).sort()).toEqual([`agent:${inside.id}`, `kb:${adaBase}`, `run:${ownRun}`].sort());
    expect(ok.json.canvas.knowledgeBases).toEqual([expect.objectContaining({ id: adaBase, ownerId: ada.user.id, documentCount: 0 })]);
    expect((await put(bob.api, channelId, { nodes: [{ id: `kb:${adaBase}`, x: 35, y: 40 }] })).status).toBe(200);

    // Linking the base to Ada's agent shows on the card; her other (unplaced) links are only counted.
    const hidden = (await ada.api.post('/api/knowledge', { name: uniqueName('Private') })).json.knowledgeBase.id as string;
    expect((await ada.api.patch(`/api/agents/${inside.id}`, { knowledgeBaseIds: [adaBase, hidden] })).status).toBe(200);
    const seen = await bob.api.get(canvasOf(channelId));
    expect(seen.json.canvas.agents).toEqual([{ id: inside.id, abilities: ['knowledge'], knowledgeBaseIds: [adaBase], knowledgeBaseCount: 2 }]);
    expect(seen.json.canvas.knowledgeBases.map((b: { id: string }) => b.id)).toEqual([adaBase]);

    // An agent that leaves takes its node with it (it comes back to its place if it rejoins).
    expect((await ada.api.delete(`/api/channels/${channelId}/members/${inside.id}`)).status).toBe(204);
    expect((await ada.api.get(canvasOf(channelId))).json.canvas.nodes.map((n: { id: string }) => n.id)).not.toContain(`agent:${inside.id}`);
    await ada.api.post(`/api/channels/${channelId}/members`, { agentId: inside.id });
    expect((await ada.api.get(canvasOf(channelId))).json.canvas.nodes).toContainEqual({ id: `agent:${inside.id}`, x: 10, y: 10 });
  });

  it('removes a node for everyone (204), then answers 404 for it', async () => {
    const { ada, bob, channelId } = await rt.sharedChannel();
    const noteId = `note:${newId()}`;
    await put(ada.api, channelId, { nodes: [{ id: noteId, x: 1, y: 2, data: { text: 'temporary' } }, { id: 'chat', x: 5, y: 5 }] });
    const removedForBob = record(bob.socket, 'canvas:removed');
    const gone = await bob.api.delete(`${nodesOf(channelId)}/${encodeURIComponent(noteId)}`);
    expect(gone.status).toBe(204);
    await until(() => removedForBob.length === 1, 5000, 'canvas:removed');
    expect(removedForBob[0]).toEqual({ channelId, nodeId: noteId, by: bob.user.id });
    expect((await ada.api.get(canvasOf(channelId))).json.canvas.nodes).toEqual([{ id: 'chat', x: 5, y: 5 }]);
    for (const path of [`${nodesOf(channelId)}/${encodeURIComponent(noteId)}`, `${nodesOf(channelId)}/nonsense`]) {
      const res = await ada.api.delete(path);
      expect([res.status, res.json.error.code]).toEqual([404, 'not_found']);
    }
  });

  it('is not found for someone outside the channel, and needs a session', async () => {
    const { ada, channelId } = await rt.sharedChannel({ join: false });
    await put(ada.api, channelId, { nodes: [{ id: 'chat', x: 1, y: 1 }] });
    const mallory = await rt.member('Mallory');
    for (const res of [
      await mallory.api.get(canvasOf(channelId)),
      await put(mallory.api, channelId, { nodes: [{ id: 'chat', x: 9, y: 9 }] }),
      await mallory.api.delete(`${nodesOf(channelId)}/chat`),
      await mallory.api.get(canvasOf(newId())),
    ]) {
      expect([res.status, res.json.error.code]).toEqual([404, 'not_found']);
    }
    expect((await rt.hub.client().get(canvasOf(channelId))).status).toBe(401);
    // Nothing Mallory sent moved anything.
    expect((await ada.api.get(canvasOf(channelId))).json.canvas.nodes).toEqual([{ id: 'chat', x: 1, y: 1 }]);
  });
});
