import { setModelProvider } from '@/lib/ai';
import { createOfflineProvider, OFFLINE_LABEL } from '@/lib/ai/offline';
import { repliesSettled } from '@/lib/agents/replies';
import type { ChannelJson } from '@/lib/contracts/channels';
import type { MessageJson } from '@/lib/contracts/messages';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { person as makePerson, uniqueName } from '../helpers/people';

describe.each(testDatabaseKinds())('direct messages over HTTP (%s)', (kind) => {
  const hub = useHub(kind);
  beforeAll(() => setModelProvider(createOfflineProvider({ tokenDelayMs: 0 })));
  afterEach(() => repliesSettled());
  afterAll(() => setModelProvider(undefined));

  const person = (name: string) => makePerson(hub, name);

  /** Ada and Bob, who share a channel (so each may DM the other). */
  async function pair() {
    const ada = await person('Ada');
    const bob = await person('Bob');
    const room = (await ada.client.post('/api/channels', { name: uniqueName('room') })).json.channel;
    expect((await ada.client.post(`/api/channels/${room.id}/members`, { email: bob.user.email })).status).toBe(201);
    return { ada, bob, room };
  }

  const dmsOf = async (client: ApiClient) =>
    ((await client.get('/api/channels')).json.channels as ChannelJson[]).filter((c) => c.kind === 'dm');

  it('opens one DM per pair: 201 the first time, 200 with the same channel after, from either side', async () => {
    const { ada, bob, room } = await pair();
    const first = await ada.client.post('/api/dms', { userId: bob.user.id });
    expect(first.status).toBe(201);
    expect(first.json.channel).toMatchObject({ kind: 'dm', dmWith: { kind: 'user', id: bob.user.id, name: 'Bob' } });
    const again = await ada.client.post('/api/dms', { userId: bob.user.id });
    expect(again.status).toBe(200);
    expect(again.json.channel.id).toBe(first.json.channel.id);
    const fromBob = await bob.client.post('/api/dms', { userId: ada.user.id });
    expect(fromBob.status).toBe(200);
    expect(fromBob.json.channel).toMatchObject({ id: first.json.channel.id, dmWith: { kind: 'user', id: ada.user.id, name: 'Ada' } });

    // Both see it in their list, each named by the other side; ordinary channels say "channel".
    const adaList = (await ada.client.get('/api/channels')).json.channels as ChannelJson[];
    expect(adaList.find((c) => c.id === room.id)?.kind).toBe('channel');
    expect(adaList.find((c) => c.id === room.id)?.dmWith).toBeUndefined();
    expect(await dmsOf(ada.client)).toEqual([expect.objectContaining({ id: first.json.channel.id, dmWith: { kind: 'user', id: bob.user.id, name: 'Bob' } })]);
    expect(await dmsOf(bob.client)).toEqual([expect.objectContaining({ id: first.json.channel.id, dmWith: { kind: 'user', id: ada.user.id, name: 'Ada' } })]);

    const detail = await bob.client.get(`/api/channels/${first.json.channel.id}`);
    expect(detail.json.members.map((m: { id: string; kind: string }) => [m.kind, m.id]).sort()).toEqual([['user', ada.user.id], ['user', bob.user.id]].sort());
    const sent = await bob.client.post(`/api/channels/${first.json.channel.id}/messages`, { content: 'hi Ada' });
    expect(sent.status).toBe(201);
    expect((await ada.client.get(`/api/channels/${first.json.channel.id}/messages`)).json.messages.map((m: MessageJson) => m.content)).toEqual(['hi Ada']);
  });

  it('gives one channel to two simultaneous first requests, from one side or both', async () => {
    const { ada, bob } = await pair();
    const answers = await Promise.all([
      ada.client.post('/api/dms', { userId: bob.user.id }),
      bob.client.post('/api/dms', { userId: ada.user.id }),
      ada.client.post('/api/dms', { userId: bob.user.id }),
      bob.client.post('/api/dms', { userId: ada.user.id }),
    ]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(answers.map((res) => res.json.channel.id)).size).toBe(1);
    expect(await dmsOf(ada.client)).toHaveLength(1);
    expect(await dmsOf(bob.client)).toHaveLength(1);
  });

  it('refuses strangers, unknown ids and foreign agents with the same 404, and bad input with 400', async () => {
    const { ada } = await pair();
    const stranger = await person('Stranger');
    const theirAgent = (await stranger.client.post('/api/agents', { name: 'Hidden', handle: 'hidden', instructions: '' })).json.agent;
    for (const body of [{ userId: stranger.user.id }, { userId: '0190c0de-0000-7000-8000-000000000000' }, { agentId: theirAgent.id }, { agentId: '0190c0de-0000-7000-8000-000000000001' }]) {
      const res = await ada.client.post('/api/dms', body);
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
    for (const body of [{}, { userId: 'nope' }, { userId: ada.user.id, agentId: theirAgent.id }, { email: stranger.user.email }]) {
      const res = await ada.client.post('/api/dms', body);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_request');
    }
    const self = await ada.client.post('/api/dms', { userId: ada.user.id });
    expect(self.status).toBe(400);
    expect(await dmsOf(ada.client)).toEqual([]);
    expect(await dmsOf(stranger.client)).toEqual([]);
  });

  it("lets a person DM an agent they own or one in their channel; the agent answers every message, whatever the answer mode", async () => {
    const { ada, bob, room } = await pair();
    const helper = (await bob.client.post('/api/agents', { name: 'Helper', handle: 'helper', description: 'Answers questions about launches', instructions: '' })).json.agent;
    // Bob's agent is not Ada's: she may DM it only once it is in a channel of hers.
    expect((await ada.client.post('/api/dms', { agentId: helper.id })).status).toBe(404);
    expect((await bob.client.post(`/api/channels/${room.id}/members`, { agentId: helper.id })).status).toBe(201);

    for (const { client, user } of [bob, ada]) {
      const opened = await client.post('/api/dms', { agentId: helper.id });
      expect(opened.status).toBe(201);
      const dm = opened.json.channel as ChannelJson;
      expect(dm).toMatchObject({ kind: 'dm', dmWith: { kind: 'agent', id: helper.id, name: 'Helper' } });
      expect((await client.post('/api/dms', { agentId: helper.id })).json.channel.id).toBe(dm.id);
      const members = (await client.get(`/api/channels/${dm.id}`)).json.members as { id: string; kind: string }[];
      expect(members.map((m) => [m.kind, m.id])).toEqual([['user', user.id], ['agent', helper.id]]);

      // The owner may change the answer mode; a DM answers regardless, and without any @mention.
      expect((await client.patch(`/api/channels/${dm.id}`, { answerMode: 'nobody' })).status).toBe(200);
      for (const content of ['what is a launch plan?', 'thanks']) {
        await client.post(`/api/channels/${dm.id}/messages`, { content });
        await repliesSettled();
      }
      const history = (await client.get(`/api/channels/${dm.id}/messages`)).json.messages as MessageJson[];
      expect(history.map((m) => m.author.kind)).toEqual(['user', 'agent', 'user', 'agent']);
      expect(history.filter((m) => m.author.kind === 'agent').every((m) => m.status === 'complete' && m.content.startsWith(OFFLINE_LABEL))).toBe(true);
      expect(history[1]!.replyTo).toBe(history[0]!.id);
    }
    // Each person has their own DM with the agent.
    const [adaDm] = await dmsOf(ada.client);
    const [bobDm] = await dmsOf(bob.client);
    expect(adaDm!.id).not.toBe(bobDm!.id);
    expect((await bob.client.get(`/api/channels/${adaDm!.id}`)).status).toBe(404);
  });

  it('refuses to rename a DM, add anyone to it, or remove anyone from it (400)', async () => {
    const { ada, bob } = await pair();
    const cleo = await person('Cleo');
    const mine = (await ada.client.post('/api/agents', { name: 'Mine', handle: 'mine', instructions: '' })).json.agent;
    const dm = (await ada.client.post('/api/dms', { userId: bob.user.id })).json.channel as ChannelJson;
    const attempts = [
      await ada.client.patch(`/api/channels/${dm.id}`, { name: 'renamed' }),
      await ada.client.post(`/api/channels/${dm.id}/members`, { email: cleo.user.email }),
      await ada.client.post(`/api/channels/${dm.id}/members`, { email: 'no-account-yet@example.com' }),
      await ada.client.post(`/api/channels/${dm.id}/members`, { agentId: mine.id }),
      await bob.client.delete(`/api/channels/${dm.id}/members/${bob.user.id}`),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_request');
      expect(res.json.error.message).toMatch(/direct message/);
    }
    const members = (await ada.client.get(`/api/channels/${dm.id}`)).json.members as { id: string }[];
    expect(members.map((m) => m.id).sort()).toEqual([ada.user.id, bob.user.id].sort());
    expect((await ada.client.get(`/api/channels/${dm.id}/invitations`)).json.invitations).toEqual([]);
    // Deleting it is the way out; asking again afterwards opens a fresh one.
    expect((await ada.client.delete(`/api/channels/${dm.id}`)).status).toBe(204);
    const reopened = await bob.client.post('/api/dms', { userId: ada.user.id });
    expect(reopened.status).toBe(201);
    expect(reopened.json.channel.id).not.toBe(dm.id);
  });

  it('lists whom the caller may DM: people sharing a channel and reachable agents', async () => {
    const { ada, bob, room } = await pair();
    await person('Stranger');
    const own = (await ada.client.post('/api/agents', { name: 'Own', handle: 'own', instructions: '' })).json.agent;
    const bobs = (await bob.client.post('/api/agents', { name: 'Bobs', handle: 'bobs', instructions: '' })).json.agent;
    await bob.client.post('/api/agents', { name: 'Private', handle: 'private', instructions: '' });
    await bob.client.post(`/api/channels/${room.id}/members`, { agentId: bobs.id });
    const contacts = (await ada.client.get('/api/dms/contacts')).json;
    expect(contacts.people).toEqual([{ id: bob.user.id, name: 'Bob' }]);
    expect(contacts.agents.map((a: { id: string; mine: boolean }) => [a.id, a.mine])).toEqual([
      [bobs.id, false],
      [own.id, true],
    ]);
  });
});
