import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { person as makePerson, uniqueName } from '../helpers/people';

describe.each(testDatabaseKinds())('channel members over HTTP (%s)', (kind) => {
  const hub = useHub(kind);

  const person = (name: string) => makePerson(hub, name);

  /** An owner with a fresh channel, plus a helper to see who is in it. */
  async function room() {
    const owner = await person('Olga');
    const res = await owner.client.post('/api/channels', { name: uniqueName('room') });
    expect(res.status).toBe(201);
    const channelId = res.json.channel.id as string;
    const memberIds = async () =>
      ((await owner.client.get(`/api/channels/${channelId}`)).json.members as { id: string }[]).map((m) => m.id);
    return { owner, channelId, memberIds, base: `/api/channels/${channelId}` };
  }

  it('invites a registered user by email; they can then read and send', async () => {
    const { owner, channelId, base, memberIds } = await room();
    const bob = await person('Bob');

    const invited = await owner.client.post(`${base}/members`, { email: bob.user.email.toUpperCase() });
    expect(invited.status).toBe(201);
    expect(invited.json.member).toEqual(expect.objectContaining({ id: bob.user.id, kind: 'user', name: 'Bob', role: 'member' }));
    expect(await memberIds()).toEqual([owner.user.id, bob.user.id]);

    expect((await bob.client.get('/api/channels')).json.channels.map((c: { id: string }) => c.id)).toEqual([channelId]);
    const detail = await bob.client.get(base);
    expect(detail.status).toBe(200);
    expect(detail.json.members.map((m: { role: string }) => m.role)).toEqual(['owner', 'member']);

    await owner.client.post(`${base}/messages`, { content: 'welcome, Bob' });
    const sent = await bob.client.post(`${base}/messages`, { content: 'thanks!' });
    expect(sent.status).toBe(201);
    const history = await bob.client.get(`${base}/messages`);
    expect(history.status).toBe(200);
    expect(history.json.messages.map((m: { content: string }) => m.content)).toEqual(['welcome, Bob', 'thanks!']);
    expect((await owner.client.get(`${base}/messages`)).json.messages.at(-1).author).toEqual({ kind: 'user', id: bob.user.id, name: 'Bob' });
  });

  it('invites unknown emails (a pending invitation, see invitations.test.ts), refuses existing members (409) and malformed input (400)', async () => {
    const { owner, base, memberIds } = await room();
    const bob = await person('Bob');
    expect((await owner.client.post(`${base}/members`, { email: bob.user.email })).status).toBe(201);

    const unknown = await owner.client.post(`${base}/members`, { email: 'nobody-here@example.com' });
    expect(unknown.status).toBe(201);
    expect(unknown.json.invitation.email).toBe('nobody-here@example.com');

    for (const email of [bob.user.email, owner.user.email]) {
      const again = await owner.client.post(`${base}/members`, { email });
      expect(again.status).toBe(409);
      expect(again.json.error.code).toBe('conflict');
    }

    for (const body of [{ email: 'not-an-email' }, { email: '' }, {}, { email: 42 }]) {
      const bad = await owner.client.post(`${base}/members`, body);
      expect(bad.status).toBe(400);
      expect(bad.json.error.code).toBe('invalid_request');
      expect(bad.json.error.details).toBeDefined();
    }
    expect(await memberIds()).toEqual([owner.user.id, bob.user.id]);
  });

  it('hides the channel from non-members who try to invite', async () => {
    const { base, memberIds, owner } = await room();
    const mallory = await person('Mallory');
    const friend = await person('Friend');
    for (const email of [friend.user.email, mallory.user.email]) {
      const res = await mallory.client.post(`${base}/members`, { email });
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
    expect(await memberIds()).toEqual([owner.user.id]);
    expect((await mallory.client.get(base)).status).toBe(404);
  });

  it('lets any member invite others', async () => {
    const { owner, base, memberIds } = await room();
    const bob = await person('Bob');
    const cleo = await person('Cleo');
    await owner.client.post(`${base}/members`, { email: bob.user.email });
    const byMember = await bob.client.post(`${base}/members`, { email: cleo.user.email });
    expect(byMember.status).toBe(201);
    expect(byMember.json.member.id).toBe(cleo.user.id);
    expect(await memberIds()).toEqual([owner.user.id, bob.user.id, cleo.user.id]);
  });

  it('removes a member: the owner may (204) and the removed user loses access at once', async () => {
    const { owner, channelId, base, memberIds } = await room();
    const bob = await person('Bob');
    await owner.client.post(`${base}/members`, { email: bob.user.email });
    const bobsMessage = (await bob.client.post(`${base}/messages`, { content: 'hello' })).json.message;

    const removed = await owner.client.delete(`${base}/members/${bob.user.id}`);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect(await memberIds()).toEqual([owner.user.id]);

    const answers = [
      await bob.client.get(base),
      await bob.client.get(`${base}/messages`),
      await bob.client.post(`${base}/messages`, { content: 'still here?' }),
      await bob.client.patch(`${base}/messages/${bobsMessage.id}`, { content: 'edited' }),
      await bob.client.delete(`${base}/messages/${bobsMessage.id}`),
      await bob.client.post(`${base}/members`, { email: bob.user.email }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
    expect((await bob.client.get('/api/channels')).json.channels.map((c: { id: string }) => c.id)).not.toContain(channelId);
    // Removing someone who is no longer a member is a 404; the message they left stays.
    expect((await owner.client.delete(`${base}/members/${bob.user.id}`)).status).toBe(404);
    expect((await owner.client.get(`${base}/messages`)).json.messages.map((m: { content: string }) => m.content)).toEqual(['hello']);

    // They can be invited back.
    expect((await owner.client.post(`${base}/members`, { email: bob.user.email })).status).toBe(201);
    expect((await bob.client.get(base)).status).toBe(200);
  });

  it("refuses a member removing someone else (403), but lets them leave (204)", async () => {
    const { owner, base, memberIds } = await room();
    const bob = await person('Bob');
    const cleo = await person('Cleo');
    await owner.client.post(`${base}/members`, { email: bob.user.email });
    await owner.client.post(`${base}/members`, { email: cleo.user.email });

    const kick = await bob.client.delete(`${base}/members/${cleo.user.id}`);
    expect(kick.status).toBe(403);
    expect(kick.json.error.code).toBe('forbidden');
    expect(await memberIds()).toEqual([owner.user.id, bob.user.id, cleo.user.id]);

    const leave = await bob.client.delete(`${base}/members/${bob.user.id}`);
    expect(leave.status).toBe(204);
    expect(await memberIds()).toEqual([owner.user.id, cleo.user.id]);
    expect((await bob.client.get(base)).status).toBe(404);
    expect((await cleo.client.get(base)).status).toBe(200);
  });

  it('never removes the owner: 409 for the owner, 403 for a member', async () => {
    const { owner, base, memberIds } = await room();
    const bob = await person('Bob');
    await owner.client.post(`${base}/members`, { email: bob.user.email });
    const byOwner = await owner.client.delete(`${base}/members/${owner.user.id}`);
    expect(byOwner.status).toBe(409);
    expect(byOwner.json.error.code).toBe('conflict');
    // A member may not remove anyone else, the owner included.
    const byMember = await bob.client.delete(`${base}/members/${owner.user.id}`);
    expect(byMember.status).toBe(403);
    expect(byMember.json.error.code).toBe('forbidden');
    expect(await memberIds()).toEqual([owner.user.id, bob.user.id]);
    // A stranger learns nothing, not even that the owner cannot be removed.
    const stranger = await person('Stranger');
    expect((await stranger.client.delete(`${base}/members/${owner.user.id}`)).status).toBe(404);
  });
});
