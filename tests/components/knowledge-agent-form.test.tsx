/** @jest-environment ./tests/helpers/jsdom-env.cjs */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AgentRoster } from '@/components/agents/agent-roster';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { createBrowserStore, renderWithStore, settled, watchRequests } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

const modalSettled = () => waitFor(() => expect(screen.getByRole('dialog')).toContainElement(document.activeElement as HTMLElement));

// The agent form's knowledge picker against the real routes: what it lists, and what saving sends.
describe.each(testDatabaseKinds())('knowledge bases in the agent form (%s)', (kind) => {
  const hub = useSpawnedHub(kind);

  async function signedIn(name: string) {
    const api: ApiClient = hub.client();
    const user = await api.signUp(name);
    const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
    return { api, store, net: watchRequests(store.http) };
  }

  it('points to the Knowledge page when the person has no knowledge base', async () => {
    const { store } = await signedIn('Noor');
    renderWithStore(store, <AgentRoster />);
    await userEvent.click(await screen.findByTestId('new-agent'));
    await modalSettled();
    const empty = await screen.findByTestId('agent-knowledge-empty');
    expect(within(empty).getByRole('link', { name: /Create one/ })).toHaveAttribute('href', '/hub/knowledge');
    expect(screen.queryByTestId('agent-knowledge-option')).toBeNull();
    await settled(store);
  });

  it('gives a new agent the bases checked, and an edit changes them', async () => {
    const { api, store, net } = await signedIn('Lior');
    const handbook = (await api.post('/api/knowledge', { name: 'Handbook' })).json.knowledgeBase;
    const pricing = (await api.post('/api/knowledge', { name: 'Pricing' })).json.knowledgeBase;
    renderWithStore(store, <AgentRoster />);
    await userEvent.click(await screen.findByTestId('new-agent'));
    await modalSettled();
    await userEvent.type(screen.getByLabelText('Name'), 'Clerk');
    await userEvent.type(screen.getByLabelText('Instructions'), 'Answer from the handbook.');
    const options = await screen.findAllByTestId('agent-knowledge-option');
    expect(options).toHaveLength(2);
    expect(options.every((box) => !(box as HTMLInputElement).checked)).toBe(true);
    await userEvent.click(screen.getByLabelText(/^Handbook/));
    await userEvent.click(screen.getByTestId('agent-save'));
    await waitFor(() => expect(screen.getAllByTestId('agent-card')).toHaveLength(1));
    let agents = (await api.get('/api/agents')).json.agents;
    expect(agents[0].knowledgeBaseIds).toEqual([handbook.id]);

    await userEvent.click(screen.getByTestId('edit-agent'));
    await modalSettled();
    expect(screen.getByLabelText(/^Handbook/)).toBeChecked();
    expect(screen.getByLabelText(/^Pricing/)).not.toBeChecked();
    await userEvent.click(screen.getByLabelText(/^Handbook/));
    await userEvent.click(screen.getByLabelText(/^Pricing/));
    await userEvent.click(screen.getByTestId('agent-save'));
    await waitFor(() => expect(screen.queryByTestId('agent-form')).toBeNull());
    await settled(store);
    agents = (await api.get('/api/agents')).json.agents;
    expect(agents[0].knowledgeBaseIds).toEqual([pricing.id]);
    expect(net.count(/^PATCH \/api\/agents\//)).toBe(1);
  });

  it('leaves an agent’s bases alone when saved before they are listed', async () => {
    const { api, store, net } = await signedIn('Ayla');
    const handbook = (await api.post('/api/knowledge', { name: 'Handbook' })).json.knowledgeBase;
    const agent = (await api.post('/api/agents', { name: 'Scout', handle: 'scout', instructions: 'Look around.', knowledgeBaseIds: [handbook.id] })).json.agent;
    expect(agent.knowledgeBaseIds).toEqual([handbook.id]);
    renderWithStore(store, <AgentRoster />);
    // The list of bases is slow to come: a save before it goes without knowledgeBaseIds.
    const release = net.hold(/^GET \/api\/knowledge$/);
    await userEvent.click(await screen.findByTestId('edit-agent'));
    await modalSettled();
    expect(screen.getByRole('status', { name: 'Loading knowledge bases' })).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Name'), ' Two');
    await userEvent.click(screen.getByTestId('agent-save'));
    await waitFor(() => expect(screen.getByTestId('agent-card')).toHaveTextContent('Scout Two'));
    release();
    await settled(store);
    expect((await api.get('/api/agents')).json.agents[0].knowledgeBaseIds).toEqual([handbook.id]);
  });
});
