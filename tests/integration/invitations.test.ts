import type { ChannelJson } from '@/lib/contracts/channels';
import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { isIso, person as makePerson, uniqueName, uuidV7 } from '../helpers/people';

describe.each(testDatabaseKinds())('invitations by email (%s)', (kind) => {
  const hub = useHub(kind);
  const person = (name: string) => makePerson(hub, name);
  const newEmail = () => `${uniqueName('invitee')}@Example.com`;

  async function room() {
    const owner = await person('Olga');
    const channel = (await owner.client.post('/api/channels', { name: uniqueName('room') })).json.channel as ChannelJson;
    return { owner, channel, base: `/api/channels/${channel.id}` };
  }

  it('invites an email with no account; the person joins every inviting channel on signing up, and the invitations go', async () => {
    const first = await room();
    const second = await room();
    const email = newEmail();
    const invited = await first.owner.client.post(`${first.base}/members`, { email });
    expect(invited.status).toBe(201);
    expect(invited.json.invitation).toEqual({ id: expect.stringMatching(uuidV7), email: email.toLowerCase(), createdAt: expect.any(String) });
    expect(isIso(invited.json.invitation.createdAt)).toBe(true);
    expect(invited.json.member).toBeUndefined();
    expect((await second.owner.client.post(`${second.base}/members`, { email: email.toLowerCase() })).status).toBe(201);
    // Asking twice for the same email is a conflict, whatever its case.
    expect((await first.owner.client.post(`${first.base}/members`, { email: email.toUpperCase() })).status).toBe(409);
    expect((await first.owner.client.get(`${first.base}/invitations`)).json.invitations.map((i: { email: string }) => i.email)).toEqual([email.toLowerCase()]);
    // Still only the owner: an invitation is not a member.
    expect((await first.owner.client.get(first.base)).json.members).toHaveLength(1);

    const newcomer = hub.client();
    const user = await newcomer.signUp('Newcomer', email.toUpperCase());
    const theirs = ((await newcomer.get('/api/channels')).json.channels as ChannelJson[]).map((c) => c.id).sort();
    expect(theirs).toEqual([first.channel.id, second.channel.id].sort());
    expect((await first.owner.client.get(first.base)).json.members.map((m: { id: string }) => m.id)).toEqual([first.owner.user.id, user.id]);
    expect((await newcomer.post(`${first.base}/messages`, { content: 'thanks for the invite' })).status).toBe(201);
    expect((await first.owner.client.get(`${first.base}/invitations`)).json.invitations).toEqual([]);
    expect((await second.owner.client.get(`${second.base}/invitations`)).json.invitations).toEqual([]);
  });

  it('lets the owner revoke a pending invitation; the person then joins nothing', async () => {
    const { owner, base } = await room();
    const email = newEmail();
    const invitation = (await owner.client.post(`${base}/members`, { email })).json.invitation;
    expect((await owner.client.delete(`${base}/invitations/${invitation.id}`)).status).toBe(204);
    expect((await owner.client.delete(`${base}/invitations/${invitation.id}`)).status).toBe(404);
    expect((await owner.client.delete(`${base}/invitations/not-an-id`)).status).toBe(404);
    const newcomer = hub.client();
    await newcomer.signUp('Late', email);
    expect((await newcomer.get('/api/channels')).json.channels).toEqual([]);
  });

  it('shows and revokes invitations to the owner only (a member is refused, an outsider sees nothing)', async () => {
    const { owner, base } = await room();
    const member = await person('Member');
    const outsider = await person('Outsider');
    await owner.client.post(`${base}/members`, { email: member.user.email });
    // Any member may invite, as with registered people.
    const invitation = (await member.client.post(`${base}/members`, { email: newEmail() })).json.invitation;
    expect(invitation).toBeDefined();
    expect((await member.client.get(`${base}/invitations`)).status).toBe(403);
    expect((await member.client.delete(`${base}/invitations/${invitation.id}`)).status).toBe(403);
    expect((await outsider.client.get(`${base}/invitations`)).status).toBe(404);
    expect((await outsider.client.delete(`${base}/invitations/${invitation.id}`)).status).toBe(404);
    expect((await owner.client.get(`${base}/invitations`)).json.invitations.map((i: { id: string }) => i.id)).toEqual([invitation.id]);
  });
});
