import 'server-only';
import { withoutMentions } from '@/lib/mentions';
import { contentWords, isSmallTalk, stemOf } from './words';

/**
 * The offline model's plain replies in a channel: a demonstration of the agent's role (who it is,
 * what it would do with the message, whom it would hand to), or, for a goal run's brief, the task
 * done in that role. It reads only what every member may read: the roster and the conversation.
 * The instructions at the top of the system message are never quoted, and no @handle is written,
 * so the offline model never hands off by itself.
 */

type Teammate = { name: string; description: string };
/** Who the agent is and who else is in the channel, from the system message (lib/agents/context.ts). */
export type Roster = { me?: Teammate; teammates: Teammate[]; people: string[] };

const AGENT_LINE = /^- (.+?) \(@[a-z0-9-]{2,32}, AI agent\)( - you)?(?:: (.*))?$/;
const PERSON_LINE = /^- (.+) \(person\)$/;

/**
 * The roster of the system message: its last "Members:" block, which the hub writes after the
 * agent's instructions (so instructions shaped like a roster are never read as one). Without one
 * (the public API names only the agent), just the name from the last "You are <name> (@handle)".
 */
export function rosterOf(system: string): Roster {
  const roster: Roster = { teammates: [], people: [] };
  const at = system.lastIndexOf('\nMembers:\n');
  if (at >= 0) {
    for (const line of system.slice(at + '\nMembers:\n'.length).split('\n')) {
      const agent = AGENT_LINE.exec(line);
      const person = PERSON_LINE.exec(line);
      if (agent) {
        const mate = { name: agent[1]!, description: (agent[3] ?? '').trim() };
        if (agent[2]) roster.me = mate;
        else roster.teammates.push(mate);
      } else if (person) roster.people.push(person[1]!);
      else break;
    }
  }
  if (!roster.me) {
    const named = [...system.matchAll(/You are (.+?) \(@[a-z0-9-]{2,32}\)/g)].at(-1);
    if (named) roster.me = { name: named[1]!, description: '' };
  }
  return roster;
}

/** "a", "a and b", "a, b and c" */
const series = (words: string[]) => (words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`);
const quoted = (words: string[]) => series(words.slice(0, 3).map((word) => `"${word}"`));
/** Text safe to say back: no @ that would hand off, no double quote that would end the quotation. */
const plain = (text: string) => withoutMentions(text).replace(/"/g, "'").replace(/\s+/g, ' ').trim();
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
const cut = (text: string, words: number) => {
  const all = text.split(' ');
  return all.length > words ? `${all.slice(0, words).join(' ')}…` : text;
};

/** The words of `text` whose stems are among `of`'s. */
const sharedWords = (words: string[], of: string) => {
  const stems = new Set(contentWords(of).map(stemOf));
  return words.filter((word) => stems.has(stemOf(word)));
};

/**
 * What was asked: the last user turn without its "Name: " prefix (a member's, or the supervisor's)
 * and without mentions (neither the @ nor the handle: "@planner plan it" asks to "plan it").
 */
export function askedText(turn: string, roster: Roster): string {
  const speakers = [...roster.people, ...roster.teammates.map((mate) => mate.name), 'Supervisor'];
  const prefix = speakers.find((name) => turn.startsWith(`${name}: `));
  const text = prefix ? turn.slice(prefix.length + 2) : turn;
  return plain(text.replace(/(^|[^\w@])@[a-z0-9-]{2,32}\b/gi, '$1'));
}

function whoIAm(me: Teammate | undefined): string {
  if (!me) return "I'm an AI agent.";
  return me.description ? `I'm ${plain(me.name)}, the AI agent here for: ${sentence(plain(me.description))}` : `I'm ${plain(me.name)}, an AI agent here; my owner gave me no specialization.`;
}

/** The teammate whose name and specialization share the most words with the message (the first on a tie), if any does. */
function bestTeammate(words: string[], teammates: Teammate[]): { mate: Teammate; shared: string[] } | undefined {
  let best: { mate: Teammate; shared: string[] } | undefined;
  for (const mate of teammates) {
    const shared = sharedWords(words, `${mate.name} ${mate.description}`);
    if (shared.length > 0 && (!best || shared.length > best.shared.length)) best = { mate, shared };
  }
  return best;
}

const namesOf = (roster: Roster) => [roster.me?.name ?? '', ...roster.people, ...roster.teammates.map((mate) => mate.name)];

/** The words of the message worth naming: its content words, members' names left out. */
function topicWords(asked: string, roster: Roster): string[] {
  const names = new Set(contentWords(namesOf(roster).join(' ')).map(stemOf));
  return contentWords(asked).filter((word) => !names.has(stemOf(word)));
}

const lowerFirst = (text: string) => text.replace(/^./, (c) => c.toLowerCase());

/** A plain reply: who the agent is, a short plan for the message, and whom it would hand it to. */
export function roleReply(turn: string, roster: Roster): string[] {
  const asked = askedText(turn, roster);
  const words = topicWords(asked, roster);
  const specialization = plain(roster.me?.description ?? '');
  // Nothing but greetings, thanks or names: there is no work in it to plan.
  if (isSmallTalk(asked, namesOf(roster))) {
    const about = contentWords(specialization).slice(0, 3).map((word) => word.toLowerCase());
    return [whoIAm(roster.me), '', about.length ? `Ask me about ${series(about)} and I will say how I would go about it.` : 'Ask me something to work on and I will say how I would go about it.'];
  }
  const mine = specialization ? sharedWords(words, specialization) : [];
  const plan = [
    `- Pin down what is needed on ${series(words.slice(0, 3))}.`,
    mine.length > 0
      ? `- Start from ${series(mine.slice(0, 3))}, the part closest to my specialization.`
      : specialization
        ? `- Bring my specialization to it: ${sentence(lowerFirst(specialization))}`
        : '- Work it through with what I know.',
    words.length > 3 ? `- Then cover ${series(words.slice(3, 6))}, and say what is still open.` : '- Answer in one message, and say what is still open.',
  ];
  const best = bestTeammate(words, roster.teammates);
  const handTo = !roster.teammates.length
    ? ''
    : best && best.shared.length > mine.length
      ? `I would hand it to ${plain(best.mate.name)}, whose specialization matches ${quoted(best.shared)}.`
      : best
        ? `I would keep it, as my specialization; ${plain(best.mate.name)} could help with ${quoted(best.shared)}.`
        : "I would hand it to nobody: no teammate's specialization matches it.";
  return [whoIAm(roster.me), '', `What I would do with "${cut(asked, 20)}":`, ...plan, ...(handTo ? ['', handTo] : [])];
}

/**
 * A goal run's turn ("Supervisor: <brief>", lib/teams/runs): the task (its "Your task, Name: …"
 * line, else the brief's first line) done in the agent's role, saying what of the brief it read:
 * the teammates' results so far, what people said, a result sent back.
 */
export function taskReply(turn: string, roster: Roster): string[] {
  const line = /^Your task, [^:\n]+: (.+)$/m.exec(turn)?.[1] ?? turn.split('\n')[0]!;
  const task = cut(askedText(line, roster), 25) || 'the task';
  const results = (turn.match(/^<result /gm) ?? []).length;
  const comments = /<comments>\n([\s\S]*?)\n<\/comments>/.exec(turn)?.[1]?.split('\n').length ?? 0;
  const sentBack = /Your first result was sent back: (.+?) Do the task again/.exec(turn)?.[1];
  const read = [
    results ? `${results} ${results === 1 ? "teammate's result" : "teammates' results"} so far` : '',
    comments ? `${comments} ${comments === 1 ? 'comment' : 'comments'} from people` : '',
    sentBack ? `why my first result was sent back ("${cut(plain(sentBack), 20)}")` : '',
  ].filter(Boolean);
  const words = topicWords(task, roster);
  const specialization = plain(roster.me?.description ?? '');
  const name = plain(roster.me?.name ?? 'this agent');
  const mine = specialization ? sharedWords(words, specialization) : [];
  const topic = series(words.slice(0, 3)) || 'the task';
  return [
    `${name}, on the supervisor's task: "${task}"`,
    '',
    specialization ? `Done, in my role (${lowerFirst(specialization).replace(/[.!?]$/, '')}):` : 'Done:',
    ...(read.length ? [`- Read ${series(read)}.`] : []),
    `- Went through ${topic}.`,
    mine.length > 0 ? `- Worked on ${series(mine.slice(0, 3))} with what I know best.` : `- Worked it from ${name}'s side.`,
    `- Result: a first pass on ${topic}, ready for the supervisor to check.`,
  ];
}
