/**
 * @jest-environment ./tests/helpers/jsdom-env.cjs
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
import path from 'node:path';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { McpPage } from '@/components/mcp/mcp-page';
import { testDatabaseKinds } from '../helpers/database';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { createBrowserStore, renderWithStore, settled, watchRequests } from '../helpers/render-hub';
import { useSpawnedHub } from '../helpers/spawned-hub';

/*
 * The MCP page against a real hub process: a real MCP server on loopback (allow-listed for the
 * hub by host:port), and the deployment's stdio server from MCP_SERVERS.
 */

const TOKEN = 'Bearer page-token-5e8d1c7a9b3f';
let guarded: McpTestServer;
let gone: McpTestServer;

beforeAll(async () => {
  [guarded, gone] = await Promise.all([startMcpServer({ requireHeader: { name: 'Authorization', value: TOKEN } }), startMcpServer()]);
  await gone.close();
});
afterAll(() => guarded.close());

describe.each(testDatabaseKinds())('the MCP page (%s)', (kind) => {
  const hub = useSpawnedHub(kind, {
    env: () => ({
      OUTBOUND_ALLOW_HOSTS: `${guarded.hostPort},${gone.hostPort}`,
      OUTBOUND_TIMEOUT_MS: '5000',
      MCP_SECRET_KEY: 'page-test-key-0123456789abcdef',
      MCP_SERVERS: JSON.stringify([{ name: 'Hub tools', command: process.execPath, args: [path.join(process.cwd(), 'tests/helpers/mcp-stdio-server.mjs')] }]),
    }),
  });

  async function setup() {
    const api = hub.client();
    const user = await api.signUp('Mira');
    const store = createBrowserStore({ baseUrl: hub.url, cookie: api.cookie, user });
    const net = watchRequests(store.http);
    const view = renderWithStore(store, <McpPage />);
    await settled(store);
    return { store, net, view, user: userEvent.setup() };
  }

  const card = (name: string) => screen.getAllByTestId('mcp-server').find((item) => within(item).getByTestId('mcp-server-name').textContent === name);

  it('adds a server with a header shown as a name only, lists its tools, shows a refusal and an unreachable server in words, and deletes with a confirmation', async () => {
    const { store, net, view, user } = await setup();
    // The hub's own server is listed, without a delete button.
    const hubTools = card('Hub tools')!;
    expect(within(hubTools).getByText('From the hub')).toBeInTheDocument();
    expect(within(hubTools).queryByTestId('delete-mcp-server')).toBeNull();

    await user.type(screen.getByLabelText('Name'), 'Private');
    await user.type(screen.getByLabelText('URL (Streamable HTTP)'), 'http://10.0.0.7/mcp');
    await user.click(screen.getByTestId('mcp-server-save'));
    await settled(store);
    expect(screen.getByTestId('mcp-error-url')).toHaveTextContent(/not a public address/);

    await user.clear(screen.getByLabelText('Name'));
    await user.type(screen.getByLabelText('Name'), 'Tracker');
    await user.clear(screen.getByLabelText('URL (Streamable HTTP)'));
    await user.type(screen.getByLabelText('URL (Streamable HTTP)'), guarded.url);
    await user.click(screen.getByTestId('mcp-add-header'));
    await user.type(screen.getByLabelText('Header 1 name'), 'Authorization');
    await user.type(screen.getByLabelText('Header 1 value'), TOKEN);
    await user.click(screen.getByTestId('mcp-server-save'));
    await waitFor(() => expect(card('Tracker')).toBeDefined());
    await settled(store);
    const tracker = card('Tracker')!;
    expect(within(tracker).getByTestId('mcp-server-url')).toHaveTextContent(guarded.url);
    expect(within(tracker).getByTestId('mcp-server-headers')).toHaveTextContent('Authorization: ••••');
    expect(view.container.textContent).not.toContain('page-token');
    // The form is empty again, header rows included.
    expect(screen.getByLabelText('Name')).toHaveValue('');
    expect(screen.queryAllByTestId('mcp-header-row')).toEqual([]);

    guarded.requests.length = 0;
    await user.click(within(tracker).getByTestId('mcp-show-tools'));
    await waitFor(() => expect(within(tracker).getAllByTestId('mcp-tool').length).toBeGreaterThan(3));
    expect(within(tracker).getByText('echo')).toBeInTheDocument();
    expect(within(tracker).getByText(/Echoes its text back/)).toBeInTheDocument();
    expect(guarded.requests.every((request) => request.headers.authorization === TOKEN)).toBe(true);
    expect(guarded.requests.length).toBeGreaterThan(0);
    await user.click(within(tracker).getByTestId('mcp-show-tools'));
    expect(within(tracker).queryByTestId('mcp-tool-list')).toBeNull();

    await user.click(within(hubTools).getByTestId('mcp-show-tools'));
    await waitFor(() => expect(within(hubTools).getByText('reverse')).toBeInTheDocument());

    // form.reset() happens outside user-event's own bookkeeping of the fields' values: clear them its way.
    await user.clear(screen.getByLabelText('Name'));
    await user.type(screen.getByLabelText('Name'), 'Gone');
    await user.clear(screen.getByLabelText('URL (Streamable HTTP)'));
    await user.type(screen.getByLabelText('URL (Streamable HTTP)'), gone.url);
    await user.click(screen.getByTestId('mcp-server-save'));
    await waitFor(() => expect(card('Gone')).toBeDefined());
    await user.click(within(card('Gone')!).getByTestId('mcp-show-tools'));
    await waitFor(() => expect(within(card('Gone')!).getByTestId('mcp-tools-error')).toHaveTextContent('The MCP server "Gone" could not be reached.'));
    await settled(store);

    await user.click(within(card('Tracker')!).getByTestId('delete-mcp-server'));
    expect(within(card('Tracker')!).getByText(/Agents using it lose its tools/)).toBeInTheDocument();
    await user.click(within(card('Tracker')!).getByTestId('confirm-delete-mcp-server'));
    await waitFor(() => expect(card('Tracker')).toBeUndefined());
    await settled(store);
    expect(net.sent.filter((line) => line.startsWith('DELETE'))).toEqual([expect.stringMatching(/^DELETE \/api\/mcp-servers\/[0-9a-f-]{36}$/)]);
    expect(net.sent.filter((line) => line.includes('/tools'))).toHaveLength(3);
  });
});
