/** @jest-environment ./tests/helpers/jsdom-env.cjs */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AgentRoster } from '@/components/agents/agent-roster';
import { AuthForm } from '@/components/auth/auth-form';
import { CreateChannelModal } from '@/components/chat/create-channel-modal';
import { ApiKeys } from '@/components/dashboard/api-keys';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { uniqueName } from '../helpers/people';
import { createBrowserStore, renderWithStore, settled, watchRequests } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

/**
 * Two clicks in one task: nothing renders and no microtask runs between them, so this is faster
 * than any person's double click. The action must start once whatever React has drawn yet.
 */
const clickTwice = (element: HTMLElement) =>
  act(() => {
    element.click();
    element.click();
  });

/** A modal moves focus into itself a frame after it opens; typing before that would lose keys. */
const modalSettled = () => waitFor(() => expect(screen.getByRole('dialog')).toContainElement(document.activeElement as HTMLElement));

// Real components, stores and axios against the real route handlers in a hub server process.
describe.each(testDatabaseKinds())('double submits (%s)', (kind) => {
  const hub = useSpawnedHub(kind);

  async function signedIn(name: string) {
    const api: ApiClient = hub.client();
    const user = await api.signUp(name);
    const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
    return { api, user, store, net: watchRequests(store.http) };
  }

  describe('API keys', () => {
    it('a double click on Create key makes one key, and the secret shown is that key’s', async () => {
      const { api, store, net } = await signedIn('Kira');
      renderWithStore(store, <ApiKeys />);
      await screen.findByText('No keys yet.');
      await userEvent.type(screen.getByLabelText('Name'), 'backend');
      await userEvent.dblClick(screen.getByTestId('create-key'));

      const secret = (await screen.findByTestId('secret-value')).textContent!;
      await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(1));
      await settled(store);
      expect(screen.getByTestId('create-key')).toBeEnabled();
      expect(net.count(/^POST \/api\/keys$/)).toBe(1);
      const { keys } = (await api.get('/api/keys')).json;
      expect(keys).toHaveLength(1);
      // The one key on the server is the one whose secret is on screen: it authenticates.
      const [head, tail] = (keys[0].partial as string).split('…');
      expect(secret.startsWith(head!) && secret.endsWith(tail!)).toBe(true);
      const call = await fetch(`${hub.url}/api/v1/agents`, { headers: { authorization: `Bearer ${secret}` } });
      expect(call.status).toBe(200);
    });

    it('shows Create key pending while it runs, and two clicks in one task still make one key', async () => {
      const { api, store, net } = await signedIn('Kemal');
      renderWithStore(store, <ApiKeys />);
      await screen.findByText('No keys yet.');
      await userEvent.type(screen.getByLabelText('Name'), 'worker');
      const release = net.hold(/^POST \/api\/keys$/);
      const button = screen.getByTestId('create-key');
      clickTwice(button);
      await waitFor(() => expect(button).toBeDisabled());
      expect(button).toHaveTextContent('Creating…');
      fireEvent.submit(screen.getByTestId('create-key-form')); // Enter in the name field
      release();
      await screen.findByTestId('secret-value');
      await settled(store);
      expect(button).toBeEnabled();
      expect(button).toHaveTextContent('Create key');
      expect(net.count(/^POST \/api\/keys$/)).toBe(1);
      expect((await api.get('/api/keys')).json.keys).toHaveLength(1);
    });

    it('revokes a key once on a double click, without an error for the second click', async () => {
      const { api, store, net } = await signedIn('Rhea');
      expect((await api.post('/api/keys', { name: 'old' })).status).toBe(201);
      renderWithStore(store, <ApiKeys />);
      await userEvent.click(await screen.findByTestId('revoke-key'));
      const release = net.hold(/^DELETE \/api\/keys\//);
      const confirm = screen.getByTestId('confirm-revoke');
      clickTwice(confirm);
      await waitFor(() => expect(confirm).toBeDisabled());
      expect(confirm).toHaveTextContent('Revoking…');
      release();
      await screen.findByText('No keys yet.');
      await settled(store);
      expect(net.count(/^DELETE \/api\/keys\//)).toBe(1);
      expect(screen.queryByRole('alert')).toBeNull();
      expect((await api.get('/api/keys')).json.keys).toEqual([]);
    });

    it('shows a failed Create key and lets it be tried again', async () => {
      const { api, store } = await signedIn('Faye');
      renderWithStore(store, <ApiKeys />);
      await screen.findByText('No keys yet.');
      await hub.injectFault({ method: 'POST', path: '/api/keys$', kind: 'status', status: 503 });
      await userEvent.type(screen.getByLabelText('Name'), 'flaky');
      await userEvent.click(screen.getByTestId('create-key'));
      expect(await screen.findByTestId('action-error')).toHaveTextContent('Injected failure.');
      expect(screen.getByTestId('create-key')).toBeEnabled();
      await userEvent.click(screen.getByTestId('create-key'));
      await screen.findByTestId('secret-value');
      await settled(store);
      expect(screen.queryByTestId('action-error')).toBeNull();
      expect((await api.get('/api/keys')).json.keys).toHaveLength(1);
    });
  });

  describe('agents', () => {
    async function fillAgent(name: string) {
      await userEvent.type(screen.getByLabelText('Name'), name);
      await userEvent.type(screen.getByLabelText('Instructions'), 'Plan the work.');
    }

    it('creates one agent from a double click on Create agent, showing it pending', async () => {
      const { api, store, net } = await signedIn('Ari');
      renderWithStore(store, <AgentRoster />);
      await screen.findByText(/No agents yet/);
      await userEvent.click(screen.getByTestId('new-agent'));
      await modalSettled();
      await fillAgent('Planner');
      const release = net.hold(/^POST \/api\/agents$/);
      const save = screen.getByTestId('agent-save');
      clickTwice(save);
      await waitFor(() => expect(save).toBeDisabled());
      expect(save).toHaveTextContent('Creating…');
      release();
      await waitFor(() => expect(screen.getAllByTestId('agent-card')).toHaveLength(1));
      await settled(store);
      expect(screen.queryByTestId('agent-form')).toBeNull();
      expect(net.count(/^POST \/api\/agents$/)).toBe(1);
      expect((await api.get('/api/agents')).json.agents.map((a: { handle: string }) => a.handle)).toEqual(['planner']);
    });

    it('saves an edit once and deletes once on double clicks', async () => {
      const { api, store, net } = await signedIn('Edda');
      expect((await api.post('/api/agents', { name: 'Scout', handle: 'scout', instructions: 'Look around.' })).status).toBe(201);
      renderWithStore(store, <AgentRoster />);
      await userEvent.click(await screen.findByTestId('edit-agent'));
      await modalSettled();
      const name = screen.getByLabelText('Name');
      await userEvent.clear(name);
      await userEvent.type(name, 'Scout Two');
      const release = net.hold(/^PATCH \/api\/agents\//);
      const save = screen.getByTestId('agent-save');
      clickTwice(save);
      await waitFor(() => expect(save).toHaveTextContent('Saving…'));
      expect(save).toBeDisabled();
      release();
      await waitFor(() => expect(screen.getByTestId('agent-card')).toHaveTextContent('Scout Two'));
      expect(net.count(/^PATCH \/api\/agents\//)).toBe(1);

      await userEvent.click(screen.getByTestId('delete-agent'));
      clickTwice(screen.getByTestId('confirm-delete-agent'));
      await screen.findByText(/No agents yet/);
      await settled(store);
      expect(net.count(/^DELETE \/api\/agents\//)).toBe(1);
      expect(screen.queryByRole('alert')).toBeNull();
      expect((await api.get('/api/agents')).json.agents).toEqual([]);
    });
  });

  describe('channels', () => {
    it('creates one channel from a double click on Create, then opens it once', async () => {
      const { api, store, net } = await signedIn('Cleo');
      const name = uniqueName('plan');
      const { router } = renderWithStore(store, <CreateChannelModal show onClose={() => undefined} />);
      await modalSettled();
      await userEvent.type(screen.getByLabelText('Name'), name);
      const release = net.hold(/^POST \/api\/channels$/);
      const create = within(screen.getByTestId('create-channel-form')).getByRole('button', { name: 'Create' });
      clickTwice(create);
      await waitFor(() => expect(create).toBeDisabled());
      expect(create).toHaveTextContent('Creating…');
      release();
      await waitFor(() => expect(router.visits).toHaveLength(1));
      await settled(store);
      const channels = (await api.get('/api/channels')).json.channels as { id: string; name: string }[];
      expect(channels.map((c) => c.name)).toEqual([name]);
      expect(router.visits).toEqual([`push /hub/channels/${channels[0]!.id}`]);
      expect(net.count(/^POST \/api\/channels$/)).toBe(1);
    });
  });

  describe('signing in and up', () => {
    it('signs up once from a double click, with no “email taken” for the second click', async () => {
      const store = createBrowserStore({ baseUrl: hub.url });
      const net = watchRequests(store.http);
      const { router } = renderWithStore(store, <AuthForm mode="sign-up" />);
      const email = `${uniqueName('una')}@example.com`;
      await userEvent.type(screen.getByLabelText('Name'), 'Una');
      await userEvent.type(screen.getByLabelText('Email'), email);
      await userEvent.type(screen.getByLabelText('Password'), 'a good long password');
      const release = net.hold(/^POST \/api\/auth\/sign-up$/);
      const submit = screen.getByTestId('auth-submit');
      clickTwice(submit);
      await waitFor(() => expect(submit).toBeDisabled());
      expect(submit).toHaveTextContent('Creating your account…');
      release();
      await waitFor(() => expect(router.visits).toEqual(['replace /hub', 'refresh']));
      await settled(store);
      expect(submit).toBeDisabled(); // it stays pending while the page goes to the hub
      expect(net.count(/^POST \/api\/auth\/sign-up$/)).toBe(1);
      expect(screen.queryByTestId('auth-error')).toBeNull();
      expect(store.user.user?.email).toBe(email);
      expect((await hub.client().post('/api/auth/sign-in', { email, password: 'a good long password' })).status).toBe(200);
    });

    it('signs in once from two submits, and shows a wrong password', async () => {
      const api = hub.client();
      const user = await api.signUp('Ines');
      const store = createBrowserStore({ baseUrl: hub.url });
      const net = watchRequests(store.http);
      const { router } = renderWithStore(store, <AuthForm mode="sign-in" />);
      await userEvent.type(screen.getByLabelText('Email'), user.email);
      await userEvent.type(screen.getByLabelText('Password'), 'not the password');
      await userEvent.click(screen.getByTestId('auth-submit'));
      expect(await screen.findByTestId('auth-error')).toHaveTextContent(/email or password/i);
      expect(screen.getByTestId('auth-submit')).toBeEnabled();

      const password = screen.getByLabelText('Password');
      await userEvent.clear(password);
      await userEvent.type(password, 'correct horse battery');
      const form = screen.getByTestId('sign-in-form');
      act(() => {
        fireEvent.submit(form);
        fireEvent.submit(form); // Enter pressed twice
      });
      await waitFor(() => expect(router.visits).toEqual(['replace /hub', 'refresh']));
      await settled(store);
      expect(net.count(/^POST \/api\/auth\/sign-in$/)).toBe(2); // the wrong password, then one
      expect(store.user.user?.id).toBe(user.id);
    });
  });
});
