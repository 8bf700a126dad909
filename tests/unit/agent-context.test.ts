import { buildContext } from '@/lib/agents/context';
import { estimateTokens } from '@/lib/ai/provider';
import { parseMentions } from '@/lib/mentions';
import { chooseByOverlap } from '@/lib/agents/routing';
import type { Agent } from '@/lib/db/schema';
import type { MessageJson } from '@/lib/contracts/messages';

describe('mentions', () => {
  it('finds @handles once each, in order, case-insensitively, never inside emails or words', () => {
    expect(parseMentions('@Planner and @critic, then @planner again. (@ops-2)')).toEqual(['planner', 'critic', 'ops-2']);
    expect(parseMentions('mail ada@example.com or x@y; a@b')).toEqual([]);
    expect(parseMentions('@a is too short, @' + 'x'.repeat(33) + ' too long, @under_score no')).toEqual([]);
    expect(parseMentions('line start\n@writer: go')).toEqual(['writer']);
  });
});

const agent = (handle: string, description: string, instructions = ''): Agent => ({
  id: `id-${handle}`,
  ownerId: 'owner',
  name: handle[0]!.toUpperCase() + handle.slice(1),
  handle,
  description,
  instructions,
  model: 'm',
  temperature: 0.7,
  avatar: null,
  abilities: [],
  createdAt: new Date(),
  updatedAt: new Date(),
});

describe('the offline orchestrator', () => {
  const team = [agent('researcher', 'Finds sources, papers and facts'), agent('writer', 'Drafts blog posts and release notes'), agent('coder', '', 'Writes TypeScript code')];
  it('picks the agent whose description shares the most words with the message, or nobody when none does', () => {
    expect(chooseByOverlap(team, 'Find papers about caching')?.handle).toBe('researcher');
    expect(chooseByOverlap(team, 'Draft the release notes')?.handle).toBe('writer');
    expect(chooseByOverlap(team, 'hello')).toBeUndefined();
    expect(chooseByOverlap([], 'hello')).toBeUndefined();
  });

  it("never lets an agent's private instructions decide, so the choice reveals nothing of them", () => {
    // Only the coder's instructions mention TypeScript; routing must not be an oracle on them.
    expect(chooseByOverlap(team, 'Fix this typescript code')).toBeUndefined();
  });
});

describe('an agent’s context', () => {
  const me = { id: 'a1', name: 'Planner', handle: 'planner', description: 'Plans', instructions: 'Be brief.' };
  const message = (id: number, author: MessageJson['author'], content: string, status: MessageJson['status'] = 'complete'): MessageJson => ({
    id: String(id),
    channelId: 'c',
    author,
    content,
    status,
    createdAt: new Date(0).toISOString(),
  });
  const ada = { kind: 'user' as const, id: 'u1', name: 'Ada' };
  const self = { kind: 'agent' as const, id: 'a1', name: 'Planner' };

  it('gives instructions, goal and members, then who said what, its own turns as the assistant', () => {
    const context = buildContext({
      agent: me,
      channel: { name: 'launch', description: 'Ship v2' },
      members: [ada, { kind: 'agent', id: 'a1', name: 'Planner', handle: 'planner', description: 'Plans' }],
      history: [message(1, ada, 'hi'), message(2, self, 'hello Ada'), message(3, self, '', 'streaming'), message(4, ada, '@planner plan it')],
      tokenBudget: 1000,
    });
    expect(context[0]!.role).toBe('system');
    expect(context[0]!.content).toMatch(/^Be brief\./);
    expect(context[0]!.content).toMatch(/#launch/);
    expect(context[0]!.content).toMatch(/goal: Ship v2/);
    expect(context[0]!.content).toMatch(/- Ada \(person\)\n- Planner \(@planner, AI agent\) - you: Plans/);
    expect(context.slice(1)).toEqual([
      { role: 'user', content: 'Ada: hi' },
      { role: 'assistant', content: 'hello Ada' },
      { role: 'user', content: 'Ada: @planner plan it' },
    ]);
  });

  it('keeps the newest messages that fit the budget, and always the one being answered', () => {
    const history = Array.from({ length: 50 }, (_, i) => message(i, ada, `message number ${i} `.repeat(10)));
    const context = buildContext({ agent: me, channel: { name: 'c', description: '' }, members: [], history, tokenBudget: 400 });
    const total = context.reduce((n, m) => n + estimateTokens(m.content), 0);
    expect(total).toBeLessThanOrEqual(400);
    expect(context.length).toBeGreaterThan(2);
    expect(context.at(-1)!.content).toContain('message number 49');
    const huge = buildContext({ agent: me, channel: { name: 'c', description: '' }, members: [], history: [message(1, ada, 'x'.repeat(10_000))], tokenBudget: 300 });
    expect(huge).toHaveLength(2);
  });
});
