import { testDatabaseKinds } from '../helpers/database';
import { withEnv } from '../helpers/env';
import { useHub } from '../helpers/hub';
import { isIso, person as makePerson, uniqueName, uuidV7 } from '../helpers/people';


type Message = { id: string; content: string; clientId?: string; editedAt?: string; createdAt: string };

describe.each(testDatabaseKinds())('messages over HTTP (%s)', (kind) => {
  const hub = useHub(kind);

  const person = (name: string) => makePerson(hub, name);

  /** An owner with a fresh channel and a member in it. */
  async function room() {
    const owner = await person('Olga');
    const member = await person('Mia');
    const res = await owner.client.post('/api/channels', { name: uniqueName('room') });
    const channelId = res.json.channel.id as string;
    const base = `/api/channels/${channelId}`;
    expect((await owner.client.post(`${base}/members`, { email: member.user.email })).status).toBe(201);
    const history = async (viewer = owner) => {
      const page = await viewer.client.get(`${base}/messages?limit=200`);
      expect(page.status).toBe(200);
      return page.json.messages as Message[];
    };
    return { owner, member, channelId, base, history };
  }

  it('sends a message with the exact API.md shape', async () => {
    const { owner, channelId, base, history } = await room();
    const res = await owner.client.post(`${base}/messages`, { content: 'Hello, world', clientId: 'c-shape-1' });
    expect(res.status).toBe(201);
    const { message } = res.json;
    expect(message).toEqual({
      id: expect.stringMatching(uuidV7),
      channelId,
      author: { kind: 'user', id: owner.user.id, name: 'Olga' },
      content: 'Hello, world',
      status: 'complete',
      clientId: 'c-shape-1',
      createdAt: expect.any(String),
    });
    expect(isIso(message.createdAt)).toBe(true);
    expect(Math.abs(Date.parse(message.createdAt) - Date.now())).toBeLessThan(60_000);

    const plain = await owner.client.post(`${base}/messages`, { content: 'no client id' });
    expect(plain.status).toBe(201);
    expect(plain.json.message).not.toHaveProperty('clientId');
    expect(plain.json.message).not.toHaveProperty('editedAt');
    expect(await history()).toEqual([message, plain.json.message]);
  });

  it('enforces 1..4000 characters after trimming and stores the text verbatim', async () => {
    const { owner, base, history } = await room();
    for (const body of [{ content: '' }, { content: '   \n\t  ' }, { content: 'x'.repeat(4001) }, { content: ` ${'y'.repeat(4001)} ` }, {}, { content: 7 }]) {
      const res = await owner.client.post(`${base}/messages`, body);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_request');
      expect(res.json.error.details.content).toEqual([expect.any(String)]);
    }
    expect(await history()).toEqual([]);

    const stored: string[] = [
      'x'.repeat(4000),
      `  \n${'z'.repeat(4000)}\n  `,
      '  padded on both sides  ',
      '<script>alert("hi")</script><img src=x onerror=alert(1)>',
      '😀'.repeat(4000),
    ];
    for (const content of stored) {
      const res = await owner.client.post(`${base}/messages`, { content });
      expect(res.status).toBe(201);
      expect(res.json.message.content).toBe(content);
    }
    expect((await history()).map((m) => m.content)).toEqual(stored);
    expect((await owner.client.post(`${base}/messages`, { content: '😀'.repeat(4001) })).status).toBe(400);
  });

  it('answers a retry with the same clientId with the first copy (200), never a second one', async () => {
    const { owner, base, history } = await room();
    const first = await owner.client.post(`${base}/messages`, { content: 'only once', clientId: 'retry-1' });
    expect(first.status).toBe(201);
    const retry = await owner.client.post(`${base}/messages`, { content: 'only once', clientId: 'retry-1' });
    expect(retry.status).toBe(200);
    expect(retry.json.message).toEqual(first.json.message);
    // Even if the retry carries different text, the stored message wins.
    const changed = await owner.client.post(`${base}/messages`, { content: 'different', clientId: 'retry-1' });
    expect(changed.status).toBe(200);
    expect(changed.json.message.content).toBe('only once');
    expect((await history()).map((m) => m.id)).toEqual([first.json.message.id]);
  });

  it('answers a retry with its stored copy even at the send limit, and a retry takes no send', async () => {
    await withEnv({ SEND_RATE_LIMIT_MESSAGES: '2', SEND_RATE_LIMIT_WINDOW_SECONDS: '3600' }, async () => {
      const { owner, base, history } = await room();
      const first = await owner.client.post(`${base}/messages`, { content: 'one', clientId: 'limit-1' });
      expect(first.status).toBe(201);
      // Retries are free: the second send of the window is still there after three of them.
      for (let i = 0; i < 3; i++) expect((await owner.client.post(`${base}/messages`, { content: 'one', clientId: 'limit-1' })).status).toBe(200);
      expect((await owner.client.post(`${base}/messages`, { content: 'two', clientId: 'limit-2' })).status).toBe(201);
      const refused = await owner.client.post(`${base}/messages`, { content: 'three', clientId: 'limit-3' });
      expect(refused.status).toBe(429);
      // At the limit, a retry of a stored message is still answered with it.
      const retry = await owner.client.post(`${base}/messages`, { content: 'two', clientId: 'limit-2' });
      expect(retry.status).toBe(200);
      expect(retry.json.message.content).toBe('two');
      expect((await history()).map((m) => m.content)).toEqual(['one', 'two']);
    });
  });

  it('stores one copy when 10 retries race', async () => {
    const { owner, base, history } = await room();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => owner.client.post(`${base}/messages`, { content: 'raced', clientId: 'race-1' })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(answers.map((a) => a.json.message.id));
    expect(ids.size).toBe(1);
    const messages = await history();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.id).toBe([...ids][0]);
  });

  it('scopes clientIds per author: reuse in another channel is 409, another user may use the same one', async () => {
    const { owner, member, base, channelId, history } = await room();
    const other = await owner.client.post('/api/channels', { name: `elsewhere-${channelId.slice(-6)}` });
    const otherBase = `/api/channels/${other.json.channel.id}`;
    expect((await owner.client.post(`${base}/messages`, { content: 'here', clientId: 'shared-1' })).status).toBe(201);

    const elsewhere = await owner.client.post(`${otherBase}/messages`, { content: 'there', clientId: 'shared-1' });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.json.error.code).toBe('conflict');
    expect((await owner.client.get(`${otherBase}/messages`)).json.messages).toEqual([]);

    const byMember = await member.client.post(`${base}/messages`, { content: 'mine', clientId: 'shared-1' });
    expect(byMember.status).toBe(201);
    expect(byMember.json.message.author.id).toBe(member.user.id);
    expect((await history()).map((m) => m.content)).toEqual(['here', 'mine']);
  });

  it('gives strictly increasing ids in send order', async () => {
    const { owner, member, base, history } = await room();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const sender = i % 3 === 0 ? member : owner;
      const res = await sender.client.post(`${base}/messages`, { content: `n${i}` });
      expect(res.status).toBe(201);
      ids.push(res.json.message.id);
    }
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    const listed = await history();
    expect(listed.map((m) => m.id)).toEqual(ids);
    expect(listed.map((m) => m.content)).toEqual(ids.map((_, i) => `n${i}`));
  });

  it('lets the author edit their message, and nobody else', async () => {
    const { owner, member, base, history } = await room();
    const mine = (await member.client.post(`${base}/messages`, { content: 'draft', clientId: 'edit-1' })).json.message;

    const edited = await member.client.patch(`${base}/messages/${mine.id}`, { content: '  final text  ' });
    expect(edited.status).toBe(200);
    expect(edited.json.message).toEqual({ ...mine, content: '  final text  ', editedAt: expect.any(String) });
    expect(isIso(edited.json.message.editedAt)).toBe(true);
    expect(Date.parse(edited.json.message.editedAt)).toBeGreaterThanOrEqual(Date.parse(mine.createdAt));
    expect(await history(member)).toEqual([edited.json.message]);

    // Not even the channel's owner may put words in someone's mouth.
    const byOwner = await owner.client.patch(`${base}/messages/${mine.id}`, { content: 'owned' });
    expect(byOwner.status).toBe(403);
    expect(byOwner.json.error.code).toBe('forbidden');

    for (const content of ['', '   ', 'x'.repeat(4001)]) {
      const bad = await member.client.patch(`${base}/messages/${mine.id}`, { content });
      expect(bad.status).toBe(400);
      expect(bad.json.error.details.content).toBeDefined();
    }
    expect((await member.client.patch(`${base}/messages/${mine.id}`, {})).status).toBe(400);

    const stranger = await person('Stan');
    const hidden = await stranger.client.patch(`${base}/messages/${mine.id}`, { content: 'hacked' });
    expect(hidden.status).toBe(404);
    expect(hidden.json.error.code).toBe('not_found');
    for (const id of ['nope', '0190c8a4-7b2e-7c3d-8e4f-a1b2c3d4e5f6']) {
      expect((await member.client.patch(`${base}/messages/${id}`, { content: 'x' })).status).toBe(404);
    }
    expect((await history(member)).map((m) => m.content)).toEqual(['  final text  ']);
  });

  it('finds a message only through its own channel', async () => {
    const { owner, base } = await room();
    const message = (await owner.client.post(`${base}/messages`, { content: 'lives here' })).json.message;
    const other = await owner.client.post('/api/channels', { name: `other-${message.id.slice(-6)}` });
    const otherBase = `/api/channels/${other.json.channel.id}`;
    expect((await owner.client.patch(`${otherBase}/messages/${message.id}`, { content: 'moved' })).status).toBe(404);
    expect((await owner.client.delete(`${otherBase}/messages/${message.id}`)).status).toBe(404);
    expect((await owner.client.get(`${base}/messages`)).json.messages[0].content).toBe('lives here');
  });

  it('deletes for the author and the channel owner only', async () => {
    const { owner, member, base, history } = await room();
    const third = await person('Theo');
    await owner.client.post(`${base}/members`, { email: third.user.email });
    const send = async (who: typeof owner, content: string) =>
      (await who.client.post(`${base}/messages`, { content })).json.message as Message;
    const ownByMember = await send(member, 'member own');
    const memberForOwner = await send(member, 'owner removes this');
    const byThird = await send(third, 'third party');
    const byOwner = await send(owner, 'owner message');

    expect((await member.client.delete(`${base}/messages/${ownByMember.id}`)).status).toBe(204);
    expect((await owner.client.delete(`${base}/messages/${memberForOwner.id}`)).status).toBe(204);
    for (const target of [byThird, byOwner]) {
      const refused = await member.client.delete(`${base}/messages/${target.id}`);
      expect(refused.status).toBe(403);
      expect(refused.json.error.code).toBe('forbidden');
    }
    const stranger = await person('Stan');
    expect((await stranger.client.delete(`${base}/messages/${byThird.id}`)).status).toBe(404);

    expect((await history()).map((m) => m.id)).toEqual([byThird.id, byOwner.id]);
    const again = await member.client.delete(`${base}/messages/${ownByMember.id}`);
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe('not_found');
    expect((await member.client.patch(`${base}/messages/${ownByMember.id}`, { content: 'back?' })).status).toBe(404);
  });

  it('hides the channel from non-members and from members once removed', async () => {
    const { owner, member, base, history } = await room();
    const stranger = await person('Stan');
    await owner.client.post(`${base}/messages`, { content: 'members only' });
    for (const res of [await stranger.client.get(`${base}/messages`), await stranger.client.post(`${base}/messages`, { content: 'let me in' })]) {
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }

    expect((await member.client.post(`${base}/messages`, { content: 'before removal' })).status).toBe(201);
    expect((await owner.client.delete(`${base}/members/${member.user.id}`)).status).toBe(204);
    const afterRemoval = await member.client.post(`${base}/messages`, { content: 'after removal' });
    expect(afterRemoval.status).toBe(404);
    expect(afterRemoval.json.error.code).toBe('not_found');
    expect((await member.client.get(`${base}/messages`)).status).toBe(404);
    expect((await history()).map((m) => m.content)).toEqual(['members only', 'before removal']);
  });
});
