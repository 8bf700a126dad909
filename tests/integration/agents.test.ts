import { testDatabaseKinds } from '../helpers/database';
import { useHub } from '../helpers/hub';
import { isIso, person as makePerson, uuidV7 } from '../helpers/people';

describe.each(testDatabaseKinds())('agent roster over HTTP (%s)', (kind) => {
  const hub = useHub(kind);
  const person = (name: string) => makePerson(hub, name);
  const researcher = { name: 'Researcher', handle: 'researcher', instructions: 'Find sources and cite them.' };

  it('creates an agent with defaults, lists, reads, edits and deletes it', async () => {
    const { client } = await person('Owner');
    const created = await client.post('/api/agents', { ...researcher, handle: ' Researcher ', description: 'Digs up facts' });
    expect(created.status).toBe(201);
    const agent = created.json.agent;
    expect(agent).toEqual({
      id: expect.stringMatching(uuidV7),
      ownerId: expect.any(String),
      name: 'Researcher',
      handle: 'researcher',
      description: 'Digs up facts',
      instructions: 'Find sources and cite them.',
      model: 'gpt-4o-mini',
      temperature: 0.7,
      avatar: null,
      knowledgeBaseIds: [],
      abilities: [],
      mcpServerIds: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(isIso(agent.createdAt)).toBe(true);

    await client.post('/api/agents', { name: 'Critic', handle: 'critic', instructions: 'Find the flaws.', model: 'llama3.1', temperature: 0.2 });
    expect((await client.get('/api/agents')).json.agents.map((a: { handle: string }) => a.handle)).toEqual(['critic', 'researcher']);
    expect((await client.get(`/api/agents/${agent.id}`)).json.agent).toEqual(agent);

    const patched = await client.patch(`/api/agents/${agent.id}`, { temperature: 1.2, instructions: 'Cite primary sources only.' });
    expect(patched.status).toBe(200);
    expect(patched.json.agent).toMatchObject({ temperature: 1.2, instructions: 'Cite primary sources only.', handle: 'researcher' });

    expect((await client.delete(`/api/agents/${agent.id}`)).status).toBe(204);
    expect((await client.get(`/api/agents/${agent.id}`)).status).toBe(404);
    expect((await client.get('/api/agents')).json.agents).toHaveLength(1);
  });

  it('keeps handles unique per owner, case-insensitively, but not across owners', async () => {
    const ada = await person('Ada');
    const bob = await person('Bob');
    expect((await ada.client.post('/api/agents', researcher)).status).toBe(201);
    const again = await ada.client.post('/api/agents', { ...researcher, handle: 'RESEARCHER' });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('conflict');
    expect((await bob.client.post('/api/agents', researcher)).status).toBe(201);
    const critic = (await ada.client.post('/api/agents', { name: 'Critic', handle: 'critic', instructions: '' })).json.agent;
    expect((await ada.client.patch(`/api/agents/${critic.id}`, { handle: 'researcher' })).status).toBe(409);
  });

  it('refuses bad input with field errors', async () => {
    const { client } = await person('Val');
    const bad = await client.post('/api/agents', { name: '', handle: 'a', instructions: 5, temperature: 3, avatar: 'javascript:alert(1)' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.details).sort()).toEqual(['avatar', 'handle', 'instructions', 'name', 'temperature']);
    expect((await client.post('/api/agents', { ...researcher, handle: 'no spaces!' })).status).toBe(400);
    const agent = (await client.post('/api/agents', researcher)).json.agent;
    expect((await client.patch(`/api/agents/${agent.id}`, {})).status).toBe(400);
  });

  it('hides one owner’s agents from everyone else (404), and requires a session', async () => {
    const ada = await person('Ada');
    const eve = await person('Eve');
    const agent = (await ada.client.post('/api/agents', researcher)).json.agent;
    expect((await eve.client.get('/api/agents')).json.agents).toEqual([]);
    expect((await eve.client.get(`/api/agents/${agent.id}`)).status).toBe(404);
    expect((await eve.client.patch(`/api/agents/${agent.id}`, { name: 'Mine now' })).status).toBe(404);
    expect((await eve.client.delete(`/api/agents/${agent.id}`)).status).toBe(404);
    expect((await eve.client.get('/api/agents/not-a-uuid')).status).toBe(404);
    expect((await hub.client().get('/api/agents')).status).toBe(401);
    expect((await ada.client.get(`/api/agents/${agent.id}`)).json.agent.name).toBe('Researcher');
  });
});
