/** @jest-environment ./tests/helpers/jsdom-env.cjs */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ChannelView } from '@/components/chat/channel-view';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { uniqueName } from '../helpers/people';
import { createBrowserStore, renderWithStore, settled, watchRequests } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

/** Two clicks (or submits) in one task: nothing is drawn between them, faster than any person. */
const twice = (fire: () => void) =>
  act(() => {
    fire();
    fire();
  });

// A channel's settings and messages: real components, stores and axios against the real routes.
describe.each(testDatabaseKinds())('channel actions clicked twice (%s)', (kind) => {
  const hub = useSpawnedHub(kind);

  /** Olga owns a channel with Pia in it and one agent of her own not yet in it. */
  async function channel(as: 'owner' | 'member' = 'owner') {
    const owner: ApiClient = hub.client();
    const olga = await owner.signUp('Olga');
    const other: ApiClient = hub.client();
    const pia = await other.signUp('Pia');
    const channelId: string = (await owner.post('/api/channels', { name: uniqueName('ops') })).json.channel.id;
    expect((await owner.post(`/api/channels/${channelId}/members`, { email: pia.email })).status).toBe(201);
    const agent = (await owner.post('/api/agents', { name: 'Scout', handle: 'scout', instructions: 'Look around.' })).json.agent;
    const me = as === 'owner' ? { api: owner, user: olga } : { api: other, user: pia };
    const store = createBrowserStore({ baseUrl: hub.url, cookie: me.api.cookie, user: me.user });
    const net = watchRequests(store.http);
    const { router } = renderWithStore(store, <ChannelView channelId={channelId} />);
    await screen.findByTestId('history-start');
    await userEvent.click(screen.getByTestId('channel-settings'));
    const modal = await screen.findByTestId('channel-settings-modal');
    await waitFor(() => expect(screen.getByRole('dialog')).toContainElement(document.activeElement as HTMLElement));
    const members = async () => (await owner.get(`/api/channels/${channelId}`)).json.members as { id: string; kind: string; name: string }[];
    return { owner, olga, pia, agent, channelId, store, net, router, modal, members };
  }

  it('saves the name and the answer settings once each, showing each pending', async () => {
    const { owner, channelId, store, net, modal } = await channel();
    const name = within(modal).getByLabelText('Name');
    await userEvent.clear(name);
    await userEvent.type(name, 'renamed');
    const release = net.hold(/^PATCH /);
    const save = within(modal).getByTestId('save-channel');
    twice(() => save.click());
    await waitFor(() => expect(save).toHaveTextContent('Saving…'));
    expect(save).toBeDisabled();
    release();
    await within(modal).findByText('Saved.');
    await waitFor(() => expect(screen.getByTestId('channel-title')).toHaveTextContent('# renamed'));

    await userEvent.selectOptions(within(modal).getByLabelText('Unmentioned messages'), 'orchestrator');
    const form = within(modal).getByTestId('answer-settings-form');
    twice(() => fireEvent.submit(form));
    await within(modal).findByText('Saved.');
    await settled(store);
    expect(net.count(/^PATCH \/api\/channels\//)).toBe(2);
    expect((await owner.get(`/api/channels/${channelId}`)).json.channel).toMatchObject({ name: 'renamed', answerMode: 'orchestrator' });
  });

  it('invites a person and adds an agent once each, with no conflict shown for the second click', async () => {
    const { agent, store, net, modal, members } = await channel();
    const rex = await hub.client().signUp('Rex');
    await userEvent.type(within(modal).getByLabelText('Email to invite'), rex.email);
    const release = net.hold(/^POST \/api\/channels\/.+\/members$/);
    const invite = within(modal).getByTestId('invite-submit');
    twice(() => invite.click());
    await waitFor(() => expect(invite).toHaveTextContent('Inviting…'));
    expect(invite).toBeDisabled();
    release();
    await within(modal).findByText(`Invited ${rex.email}.`);
    await waitFor(() => expect(within(modal).getAllByTestId('member')).toHaveLength(3));

    const add = within(modal).getByTestId('add-agent-submit');
    await waitFor(() => expect(add).toBeEnabled()); // the roster has loaded
    twice(() => add.click());
    await within(modal).findByText('@scout joined #' + screen.getByTestId('channel-title').textContent!.slice(2) + '.');
    await waitFor(() => expect(within(modal).getAllByTestId('agent-member-badge')).toHaveLength(1));
    await settled(store);
    expect(screen.queryByTestId('settings-error')).toBeNull();
    expect(net.count(/^POST \/api\/channels\/.+\/members$/)).toBe(2);
    expect((await members()).map((m) => m.id).sort()).toEqual(expect.arrayContaining([rex.id, agent.id]));
    expect(await members()).toHaveLength(4);
  });

  it('removes a member once, with no “not found” for the second click', async () => {
    const { pia, store, net, modal, members } = await channel();
    const row = within(modal).getAllByTestId('member').find((el) => el.textContent?.includes(pia.email))!;
    const remove = within(row).getByTestId('remove-member');
    const release = net.hold(/^DELETE /);
    twice(() => remove.click());
    await waitFor(() => expect(remove).toHaveTextContent('Removing…'));
    release();
    await within(modal).findByText('Removed Pia.');
    await waitFor(() => expect(within(modal).getAllByTestId('member')).toHaveLength(1));
    await settled(store);
    expect(screen.queryByTestId('settings-error')).toBeNull();
    expect(net.count(/^DELETE /)).toBe(1);
    expect((await members()).map((m) => m.name)).toEqual(['Olga']);
  });

  it('shows why an invite failed', async () => {
    const { store, modal, members, pia } = await channel();
    await userEvent.type(within(modal).getByLabelText('Email to invite'), pia.email);
    await userEvent.click(within(modal).getByTestId('invite-submit'));
    expect(await screen.findByTestId('settings-error')).toHaveTextContent('Pia is already a member of this channel.');
    await settled(store);
    expect(within(modal).getByTestId('invite-submit')).toBeEnabled();
    expect(await members()).toHaveLength(2);
  });

  it('invites an email with no account as pending, lists it for the owner and revokes it', async () => {
    const { store, modal, members } = await channel();
    const email = `${uniqueName('later')}@example.com`;
    await userEvent.type(within(modal).getByLabelText('Email to invite'), email);
    await userEvent.click(within(modal).getByTestId('invite-submit'));
    expect(await within(modal).findByTestId('settings-notice')).toHaveTextContent(`Invited ${email}. They'll join when they sign up with this email.`);
    expect(await within(modal).findByTestId('invitation')).toHaveTextContent(email);
    await userEvent.click(within(modal).getByTestId('revoke-invitation'));
    await within(modal).findByText('Invitation revoked.');
    await waitFor(() => expect(within(modal).queryByTestId('invitation')).toBeNull());
    await settled(store);
    expect(await members()).toHaveLength(2);
  });

  it('deletes the channel once from a double click, then goes to the hub once', async () => {
    const { owner, channelId, store, net, router, modal } = await channel();
    await userEvent.click(within(modal).getByTestId('delete-channel'));
    const confirm = within(modal).getByTestId('confirm-delete-channel');
    const release = net.hold(/^DELETE /);
    twice(() => confirm.click());
    await waitFor(() => expect(confirm).toHaveTextContent('Deleting…'));
    release();
    await waitFor(() => expect(router.visits).toEqual(['push /hub']));
    await settled(store);
    expect(net.count(/^DELETE /)).toBe(1);
    expect((await owner.get(`/api/channels/${channelId}`)).status).toBe(404);
  });

  it('leaves the channel once from a double click, then goes to the hub once', async () => {
    const { pia, store, net, router, modal, members } = await channel('member');
    const leave = within(modal).getByTestId('leave-channel');
    twice(() => leave.click());
    await waitFor(() => expect(router.visits).toEqual(['push /hub']));
    await settled(store);
    expect(net.count(/^DELETE /)).toBe(1);
    expect(screen.queryByTestId('settings-error')).toBeNull();
    expect((await members()).map((m) => m.id)).not.toContain(pia.id);
  });
});
