/** @jest-environment ./tests/helpers/jsdom-env.cjs */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AgentRoster } from '@/components/agents/agent-roster';
import type { ApiClient } from '../helpers/api-client';
import { testDatabaseKinds } from '../helpers/database';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { createBrowserStore, renderWithStore, settled } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

const modalSettled = () => waitFor(() => expect(screen.getByRole('dialog')).toContainElement(document.activeElement as HTMLElement));

// The agent form's abilities against the real routes: what this deployment can do, what it says
// of what it cannot, and what saving sends. The spawned hub has no search provider configured.
describe.each(testDatabaseKinds())('abilities in the agent form (%s)', (kind) => {
  let mcp: McpTestServer;
  // Before the hub starts: its environment lets this loopback server through.
  beforeAll(async () => {
    mcp = await startMcpServer();
  });
  const hub = useSpawnedHub(kind, { env: () => ({ OUTBOUND_ALLOW_HOSTS: mcp.hostPort, SEARXNG_URL: '' }) });
  afterAll(async () => {
    await mcp?.close();
  });

  async function signedIn(name: string) {
    const api: ApiClient = hub.client();
    const user = await api.signUp(name);
    return { api, store: createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user }) };
  }

  it('lists the abilities, says why web search is off, and saves the ones checked with an MCP server', async () => {
    const { api, store } = await signedIn('Imre');
    const server = (await api.post('/api/mcp-servers', { name: 'Tools', url: mcp.url })).json.mcpServer;
    renderWithStore(store, <AgentRoster />);
    await userEvent.click(await screen.findByTestId('new-agent'));
    await modalSettled();
    await userEvent.type(screen.getByLabelText('Name'), 'Analyst');
    await userEvent.type(screen.getByLabelText('Instructions'), 'Look closely.');
    const rows = await screen.findAllByTestId('agent-ability');
    expect(rows.map((row) => row.dataset.ability)).toEqual(['knowledge', 'web_search', 'vision', 'video', 'mcp']);
    const web = rows.find((row) => row.dataset.ability === 'web_search')!;
    expect(web.dataset.available).toBe('false');
    expect(within(web).getByRole('checkbox')).toBeDisabled();
    expect(within(web).getByTestId('agent-ability-reason')).toHaveTextContent('SEARXNG_URL');

    await userEvent.click(screen.getByLabelText(/^Vision/));
    expect(screen.queryByTestId('agent-mcp-servers')).toBeNull();
    await userEvent.click(screen.getByLabelText(/^MCP tools/));
    await userEvent.click(await screen.findByLabelText(/^Tools/));
    await userEvent.click(screen.getByTestId('agent-save'));
    await waitFor(() => expect(screen.getAllByTestId('agent-card')).toHaveLength(1));
    const [agent] = (await api.get('/api/agents')).json.agents;
    expect(agent.abilities).toEqual(['vision', 'mcp']);
    expect(agent.mcpServerIds).toEqual([server.id]);

    await userEvent.click(screen.getByTestId('edit-agent'));
    await modalSettled();
    expect(await screen.findByLabelText(/^Vision/)).toBeChecked();
    await userEvent.click(screen.getByLabelText(/^Vision/));
    await userEvent.click(screen.getByTestId('agent-save'));
    await waitFor(() => expect(screen.queryByTestId('agent-form')).toBeNull());
    await settled(store);
    expect((await api.get(`/api/agents/${agent.id}`)).json.agent.abilities).toEqual(['mcp']);
  });
});
