import type { Team } from '@/lib/agents/routing';
import type { Agent, Channel } from '@/lib/db/schema';
import { offlinePlan, offlineReview, parsePlan, parseVerdict } from '@/lib/teams/runs';

const agent = (handle: string, description: string): Agent =>
  ({ id: `id-${handle}`, handle, name: handle[0]!.toUpperCase() + handle.slice(1), description, abilities: [], model: 'm' }) as unknown as Agent;

function teamOf(agents: Agent[], leadAgentId: string | null = null): Team {
  return { channel: { id: 'c', name: 'launch', description: '', leadAgentId } as Channel, agents, members: [] };
}

describe("the supervisor: reading a model's plan and verdicts, and deciding offline", () => {
  const scout = agent('scout', 'Research: finds facts and sources');
  const quill = agent('quill', 'Writing: drafts launch posts and copy');
  const lead = agent('lead', 'Editing and coordination');

  it('reads a plan in JSON, fenced or among words, matching agents by handle, then by words', () => {
    const team = teamOf([scout, quill]);
    const text = 'Here is the plan:\n```json\n{"tasks":[{"title":"Find sources","agent":"@scout"},{"title":"Write the copy","agent":"ghost"},{"title":"Anything"}]}\n```';
    expect(parsePlan(text, team, 10)!.map((task) => [task.title, task.agent.handle])).toEqual([
      ['Find sources', 'scout'],
      ['Write the copy', 'quill'],
      ['Anything', 'scout'],
    ]);
    expect(parsePlan(text, team, 2)).toHaveLength(2);
  });

  it('refuses what is not a plan, so the caller falls back to the offline one', () => {
    const team = teamOf([scout]);
    for (const text of ['no json here', '{"tasks": []}', '{"tasks": "all"}', '{not json}', '{"steps":[{"title":"x"}]}']) expect(parsePlan(text, team, 10)).toBeUndefined();
  });

  it('reads ACCEPT and REVISE with its reason; anything else accepts', () => {
    expect(parseVerdict('ACCEPT')).toEqual({ accept: true, reason: 'Accepted.' });
    expect(parseVerdict('**REVISE**: Cite the numbers.\nMore text')).toEqual({ accept: false, reason: 'Cite the numbers.' });
    expect(parseVerdict('revise - too long')).toEqual({ accept: false, reason: 'too long' });
    expect(parseVerdict('REVISE')).toEqual({ accept: false, reason: 'It does not do the task yet.' });
    expect(parseVerdict('Looks fine to me')).toEqual({ accept: true, reason: 'Accepted.' });
  });

  it('plans offline: one task per agent by specialization, best match first, the lead last, at most max', () => {
    const plan = offlinePlan(teamOf([lead, scout, quill], lead.id), 'Draft the launch post', 10);
    expect(plan.map((task) => [task.title, task.agent.handle])).toEqual([
      ['Writing: Draft the launch post', 'quill'],
      ['Research: Draft the launch post', 'scout'],
      ['Editing and coordination: Draft the launch post', 'lead'],
    ]);
    expect(offlinePlan(teamOf([lead, scout, quill]), 'x', 2)).toHaveLength(2);
  });

  it('reviews offline: too short, or off the task, is sent back with the reason', () => {
    expect(offlineReview('Draft the launch post', 'Done.')).toEqual({ accept: false, reason: 'The result is too short to do the task.' });
    expect(offlineReview('Draft the launch post', 'Here are some thoughts about the weather this week.')).toMatchObject({ accept: false, reason: 'The result does not address "Draft the launch post".' });
    expect(offlineReview('Draft the launch post', 'A draft of the launch post, with a headline and three paragraphs.').accept).toBe(true);
  });
});
