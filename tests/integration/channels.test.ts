import { eq } from 'drizzle-orm';
import { channelMembers, messages } from '@/lib/db/schema';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { isIso, person as makePerson, uniqueName, uuidV7 } from '../helpers/people';


describe.each(testDatabaseKinds())('channels over HTTP (%s)', (kind) => {
  const hub = useHub(kind);

  const person = (name: string) => makePerson(hub, name);

  async function channelOf(client: ApiClient, name = uniqueName('room'), description?: string) {
    const res = await client.post('/api/channels', { name, ...(description === undefined ? {} : { description }) });
    expect(res.status).toBe(201);
    return res.json.channel as { id: string; name: string; description: string; ownerId: string; createdAt: string };
  }

  it('creates a channel with a trimmed name; the creator is its owner and first member', async () => {
    const alice = await person('Alice');
    const res = await alice.client.post('/api/channels', { name: '  General  ', description: 'Everything else' });
    expect(res.status).toBe(201);
    const { channel } = res.json;
    expect(channel).toEqual(
      expect.objectContaining({ id: expect.stringMatching(uuidV7), name: 'General', description: 'Everything else', ownerId: alice.user.id }),
    );
    expect(isIso(channel.createdAt)).toBe(true);

    const detail = await alice.client.get(`/api/channels/${channel.id}`);
    expect(detail.status).toBe(200);
    expect(detail.json.channel).toEqual(expect.objectContaining({ id: channel.id, name: 'General', description: 'Everything else' }));
    expect(detail.json.members).toHaveLength(1);
    expect(detail.json.members[0]).toEqual(expect.objectContaining({ id: alice.user.id, kind: 'user', name: 'Alice', role: 'owner' }));

    // Without a description the channel gets an empty one.
    const bare = await channelOf(alice.client, 'No description');
    expect(bare.description).toBe('');
  });

  it('answers 400 with field details for a missing, empty or too long name', async () => {
    const { client } = await person('Bea');
    for (const body of [{}, { name: '' }, { name: '    ' }, { name: 'x'.repeat(81) }, { name: 42 }]) {
      const res = await client.post('/api/channels', body);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_request');
      expect(typeof res.json.error.message).toBe('string');
      expect(res.json.error.details.name).toEqual([expect.any(String)]);
    }
    const longDescription = await client.post('/api/channels', { name: 'ok', description: 'd'.repeat(1001) });
    expect(longDescription.status).toBe(400);
    expect(Object.keys(longDescription.json.error.details)).toEqual(['description']);
    // Exactly 80 characters is still fine, and none of the refused attempts left a channel behind.
    expect((await client.post('/api/channels', { name: 'n'.repeat(80) })).status).toBe(201);
    expect((await client.get('/api/channels')).json.channels.map((c: { name: string }) => c.name)).toEqual(['n'.repeat(80)]);
  });

  it('refuses a duplicate name from the same owner, case-insensitively, but not from another owner', async () => {
    const carl = await person('Carl');
    await channelOf(carl.client, 'Design');
    for (const name of ['Design', 'design', '  DESIGN ']) {
      const again = await carl.client.post('/api/channels', { name });
      expect(again.status).toBe(409);
      expect(again.json.error.code).toBe('conflict');
    }
    const dora = await person('Dora');
    expect((await dora.client.post('/api/channels', { name: 'design' })).status).toBe(201);
    expect((await carl.client.get('/api/channels')).json.channels).toHaveLength(1);
  });

  it("lists only the caller's channels", async () => {
    const eve = await person('Eve');
    const finn = await person('Finn');
    const e1 = await channelOf(eve.client, 'eve one');
    const e2 = await channelOf(eve.client, 'eve two');
    const f1 = await channelOf(finn.client, 'finn one');

    const eveList = await eve.client.get('/api/channels');
    expect(eveList.status).toBe(200);
    expect(eveList.json.channels.map((c: { id: string }) => c.id).sort()).toEqual([e1.id, e2.id].sort());
    for (const channel of eveList.json.channels) {
      expect(channel).toEqual(expect.objectContaining({ id: expect.any(String), name: expect.any(String), description: expect.any(String) }));
      expect(isIso(channel.createdAt)).toBe(true);
    }
    expect((await finn.client.get('/api/channels')).json.channels.map((c: { id: string }) => c.id)).toEqual([f1.id]);

    // Being invited adds the channel to the list.
    expect((await eve.client.post(`/api/channels/${e1.id}/members`, { email: finn.user.email })).status).toBe(201);
    expect((await finn.client.get('/api/channels')).json.channels.map((c: { id: string }) => c.id).sort()).toEqual([e1.id, f1.id].sort());
  });

  it('returns the channel with its members and roles to members only', async () => {
    const gus = await person('Gus');
    const hana = await person('Hana');
    const outsider = await person('Ivo');
    const channel = await channelOf(gus.client, 'team');
    await gus.client.post(`/api/channels/${channel.id}/members`, { email: hana.user.email });

    for (const viewer of [gus, hana]) {
      const res = await viewer.client.get(`/api/channels/${channel.id}`);
      expect(res.status).toBe(200);
      expect(res.json.channel.id).toBe(channel.id);
      expect(res.json.members).toEqual([
        expect.objectContaining({ id: gus.user.id, kind: 'user', name: 'Gus', role: 'owner' }),
        expect.objectContaining({ id: hana.user.id, kind: 'user', name: 'Hana', role: 'member' }),
      ]);
    }
    const hidden = await outsider.client.get(`/api/channels/${channel.id}`);
    expect(hidden.status).toBe(404);
    expect(hidden.json).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    // A channel that does not exist looks exactly like one the caller may not see.
    const missing = await outsider.client.get('/api/channels/0190c8a4-7b2e-7c3d-8e4f-a1b2c3d4e5f6');
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toBe(hidden.json.error.message);
  });

  it('lets only the owner rename or describe a channel', async () => {
    const jo = await person('Jo');
    const kim = await person('Kim');
    const stranger = await person('Lou');
    const channel = await channelOf(jo.client, 'old name', 'old description');
    await jo.client.post(`/api/channels/${channel.id}/members`, { email: kim.user.email });

    const renamed = await jo.client.patch(`/api/channels/${channel.id}`, { name: '  new name ' });
    expect(renamed.status).toBe(200);
    expect(renamed.json.channel).toEqual(expect.objectContaining({ id: channel.id, name: 'new name', description: 'old description' }));

    const described = await jo.client.patch(`/api/channels/${channel.id}`, { description: 'fresh' });
    expect(described.status).toBe(200);
    expect(described.json.channel).toEqual(expect.objectContaining({ name: 'new name', description: 'fresh' }));
    // Changing only the case of its own name is not a conflict with itself.
    expect((await jo.client.patch(`/api/channels/${channel.id}`, { name: 'NEW NAME' })).json.channel.name).toBe('NEW NAME');

    const byMember = await kim.client.patch(`/api/channels/${channel.id}`, { name: 'hijacked' });
    expect(byMember.status).toBe(403);
    expect(byMember.json.error.code).toBe('forbidden');
    const byStranger = await stranger.client.patch(`/api/channels/${channel.id}`, { name: 'hijacked' });
    expect(byStranger.status).toBe(404);
    expect(byStranger.json.error.code).toBe('not_found');

    for (const body of [{}, { name: '' }, { name: 'x'.repeat(81) }]) {
      const bad = await jo.client.patch(`/api/channels/${channel.id}`, body);
      expect(bad.status).toBe(400);
      expect(bad.json.error.code).toBe('invalid_request');
      expect(bad.json.error.details).toBeDefined();
    }
    const noBody = await jo.client.request('PATCH', `/api/channels/${channel.id}`);
    expect(noBody.status).toBe(400);

    const after = await kim.client.get(`/api/channels/${channel.id}`);
    expect(after.json.channel).toEqual(expect.objectContaining({ name: 'NEW NAME', description: 'fresh' }));
  });

  it('refuses a rename onto another channel name the owner already uses', async () => {
    const max = await person('Max');
    await channelOf(max.client, 'Alpha');
    const beta = await channelOf(max.client, 'Beta');
    const clash = await max.client.patch(`/api/channels/${beta.id}`, { name: 'alpha' });
    expect(clash.status).toBe(409);
    expect(clash.json.error.code).toBe('conflict');
    expect((await max.client.get(`/api/channels/${beta.id}`)).json.channel.name).toBe('Beta');
  });

  it('deletes a channel for everyone, with its members and messages, and only by the owner', async () => {
    const nia = await person('Nia');
    const oto = await person('Oto');
    const channel = await channelOf(nia.client, 'doomed');
    await nia.client.post(`/api/channels/${channel.id}/members`, { email: oto.user.email });
    expect((await nia.client.post(`/api/channels/${channel.id}/messages`, { content: 'first' })).status).toBe(201);
    expect((await oto.client.post(`/api/channels/${channel.id}/messages`, { content: 'second' })).status).toBe(201);

    const byMember = await oto.client.delete(`/api/channels/${channel.id}`);
    expect(byMember.status).toBe(403);
    expect(byMember.json.error.code).toBe('forbidden');
    expect((await nia.client.get(`/api/channels/${channel.id}`)).status).toBe(200);

    const deleted = await nia.client.delete(`/api/channels/${channel.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    for (const viewer of [nia, oto]) {
      expect((await viewer.client.get(`/api/channels/${channel.id}`)).status).toBe(404);
      expect((await viewer.client.get(`/api/channels/${channel.id}/messages`)).status).toBe(404);
      expect((await viewer.client.post(`/api/channels/${channel.id}/messages`, { content: 'anyone?' })).status).toBe(404);
      expect((await viewer.client.get('/api/channels')).json.channels).toEqual([]);
    }
    expect((await nia.client.delete(`/api/channels/${channel.id}`)).status).toBe(404);

    const db = hub.db.db;
    expect(await db.select().from(messages).where(eq(messages.channelId, channel.id))).toEqual([]);
    expect(await db.select().from(channelMembers).where(eq(channelMembers.channelId, channel.id))).toEqual([]);
  });

  it('answers 404, never 500, for ids that are not uuids or do not exist', async () => {
    const pia = await person('Pia');
    const channel = await channelOf(pia.client, 'real');
    const badIds = ['not-a-uuid', '123', "1' or '1'='1", '00000000-0000-0000-0000-000000000000', '0190c8a4-7b2e-7c3d-8e4f-a1b2c3d4e5f6'];
    for (const id of badIds) {
      const path = `/api/channels/${encodeURIComponent(id)}`;
      const answers = [
        await pia.client.get(path),
        await pia.client.patch(path, { name: 'x' }),
        await pia.client.delete(path),
        await pia.client.post(`${path}/members`, { email: pia.user.email }),
        await pia.client.delete(`${path}/members/${pia.user.id}`),
        await pia.client.get(`${path}/messages`),
        await pia.client.post(`${path}/messages`, { content: 'hello' }),
        await pia.client.patch(`${path}/messages/${channel.id}`, { content: 'hello' }),
        await pia.client.delete(`${path}/messages/${channel.id}`),
      ];
      for (const res of answers) {
        expect(res.status).toBe(404);
        expect(res.json.error.code).toBe('not_found');
      }
    }
    for (const memberId of ['not-a-uuid', '0190c8a4-7b2e-7c3d-8e4f-a1b2c3d4e5f6']) {
      const res = await pia.client.delete(`/api/channels/${channel.id}/members/${memberId}`);
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
  });

  it('answers 401 with the error body to requests without a session', async () => {
    const quinn = await person('Quinn');
    const channel = await channelOf(quinn.client, 'private');
    const sent = await quinn.client.post(`/api/channels/${channel.id}/messages`, { content: 'secret' });
    const anonymous = hub.client();
    const base = `/api/channels/${channel.id}`;
    const answers = [
      await anonymous.get('/api/channels'),
      await anonymous.post('/api/channels', { name: 'sneaky' }),
      await anonymous.get(base),
      await anonymous.patch(base, { name: 'sneaky' }),
      await anonymous.delete(base),
      await anonymous.post(`${base}/members`, { email: quinn.user.email }),
      await anonymous.delete(`${base}/members/${quinn.user.id}`),
      await anonymous.get(`${base}/messages`),
      await anonymous.post(`${base}/messages`, { content: 'hi' }),
      await anonymous.patch(`${base}/messages/${sent.json.message.id}`, { content: 'hi' }),
      await anonymous.delete(`${base}/messages/${sent.json.message.id}`),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    }
    // Nothing the anonymous requests asked for happened.
    const detail = await quinn.client.get(base);
    expect(detail.json.channel.name).toBe('private');
    expect((await quinn.client.get(`${base}/messages`)).json.messages.map((m: { content: string }) => m.content)).toEqual(['secret']);
  });
});
