import 'server-only';
import { createHash } from 'node:crypto';
import { withoutMentions } from '@/lib/mentions';
import { ModelError, NO_USAGE, textOf, type CompletionRequest, type ModelMessage, type ModelProvider, type SourcePassage, type StreamEvent, type ToolCall } from './provider';
import { toolResultBodies } from './tools';
import { contentStems } from './words';
import { roleReply, rosterOf, taskReply } from './offline-role';

export const OFFLINE_LABEL = '[offline model]';

const words = (text: string) => text.split(/\s+/).filter(Boolean);

/**
 * What the offline model quotes of the question: its first words, with the @ taken off handles
 * so that quoting a mention never hands the conversation to that agent again.
 */
const quote = (text: string) => withoutMentions(words(text).slice(0, 40).join(' '));

/** Sentences, also cut at line breaks (a PDF's heading line is not part of the sentence after it). */
const sentencesOf = (text: string) =>
  text
    .split(/\n+/)
    .flatMap((line) => line.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z0-9"'(])/))
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);


const where = (source: SourcePassage) => withoutMentions([source.title, source.page ? `page ${source.page}` : '', source.heading ?? ''].filter(Boolean).join(', '));

/**
 * With knowledge: an extractive answer. For each source, the sentence sharing the most words with
 * the question (and the one after it, when short), best sources first, each quoted with its [n]
 * and where it comes from. Honest about what it is: quotes, not a written answer.
 */
function extractiveReply(question: string, sources: SourcePassage[]): string {
  if (sources.length === 0) {
    return `${OFFLINE_LABEL} I searched my knowledge bases for "${quote(question)}" and found nothing that matches. Try other words, or check the documents are ready on the Knowledge page.`;
  }
  const wanted = new Set(contentStems(question));
  const picks = sources
    .map((source, rank) => {
      const sentences = sentencesOf(source.content);
      let best = 0;
      let bestScore = -1;
      sentences.forEach((sentence, index) => {
        const score = new Set(contentStems(sentence).filter((stem) => wanted.has(stem))).size;
        if (score > bestScore) [best, bestScore] = [index, score];
      });
      let text = sentences[best] ?? source.content.slice(0, 300);
      if (text.length < 120 && sentences[best + 1]) text = `${text} ${sentences[best + 1]}`;
      text = withoutMentions(text.replace(/"/g, "'"));
      return { source, rank, score: bestScore, text: text.length > 400 ? `${text.slice(0, 397)}…` : text };
    })
    .sort((a, b) => b.score - a.score || a.rank - b.rank)
    .filter((pick, index) => index === 0 || pick.score > 0)
    .slice(0, 3);
  const lines = picks.map((pick) => `- "${pick.text}" [${pick.source.n}] (${where(pick.source)})`);
  return [`${OFFLINE_LABEL} From your documents:`, '', ...lines, '', 'These are quotes, not a written answer: set OPENAI_API_KEY for one.'].join('\n');
}

/** The tools the offline model knows how to call, in the order it calls them. */
export const OFFLINE_TOOL_POLICY = ['search_knowledge', 'web_search', 'describe_image', 'describe_video'] as const;

/** What the offline model searches for: the question's text without @mentions, cut to 200 characters. */
export const offlineQuery = (text: string) =>
  text
    .replace(/(^|[^\w@])@[a-z0-9-]{2,32}\b/gi, '$1')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);

/**
 * The fixed way the offline model uses tools (with `toolPolicy: 'fixed'`), so every ability can be
 * tried without a key and tests can drive it. Step 1, when no tool result follows the last user
 * message: it calls each offered tool of OFFLINE_TOOL_POLICY once, in that order:
 * `search_knowledge` and `web_search` with `{ query }` (offlineQuery of that message), except
 * that with `deep_research` offered it researches instead of searching (`{ question }`: several
 * searches, the best pages read, so its answer quotes pages and not only snippets),
 * `describe_image` with `{ image: n }` for each image part of that message (n counts from 1),
 * `describe_video` with `{}` (it measures every video of the message),
 * and says nothing else. No known tool offered: it answers as it would without tools.
 */
export function offlineToolCalls(messages: ModelMessage[], offered: string[], digest: string): ToolCall[] {
  const last = messages.findLast((m) => m.role === 'user');
  if (!last) return [];
  const images = typeof last.content === 'string' ? 0 : last.content.filter((part) => part.type === 'image').length;
  const query = offlineQuery(textOf(last));
  const calls: { name: string; args: Record<string, unknown> }[] = [];
  for (const name of OFFLINE_TOOL_POLICY) {
    if (!offered.includes(name)) continue;
    if (name === 'describe_image') for (let n = 1; n <= images; n++) calls.push({ name, args: { image: n } });
    else if (name === 'describe_video') calls.push({ name, args: {} });
    else if (name === 'web_search' && offered.includes('deep_research') && query) calls.push({ name: 'deep_research', args: { question: query } });
    else if (query) calls.push({ name, args: { query } });
  }
  return calls.map((call, index) => ({ id: `offline_${digest}_${index}`, name: call.name, arguments: JSON.stringify(call.args) }));
}

/** The tool results that answer the last user message (those after it), as `<tool_result>` bodies. */
const resultsAfterLastUser = (messages: ModelMessage[]) => {
  const at = messages.findLastIndex((m) => m.role === 'user');
  return messages.slice(at + 1).flatMap((m) => (m.role === 'tool' ? toolResultBodies(m.content) : []));
};

/**
 * Step 2, when tool results follow the last user message (tools offered or not): with numbered
 * sources among them (`request.sources`), the extractive answer quoting them with their [n];
 * otherwise the first words of each result, by tool, and which tools failed.
 */
function toolsReply(question: string, results: ReturnType<typeof resultsAfterLastUser>, sources: SourcePassage[] | undefined): string {
  if (sources && sources.length > 0) return extractiveReply(question, sources);
  const lines = results.map((result) => {
    const flat = withoutMentions(result.body.replace(/\s+/g, ' ').trim()).replace(/"/g, "'");
    const text = flat.length > 300 ? `${flat.slice(0, 297)}…` : flat;
    return result.status === 'error' ? `- ${result.name} failed: ${text}` : `- ${result.name}: "${text}"`;
  });
  return [`${OFFLINE_LABEL} What my tools returned:`, '', ...lines, '', 'These are quotes, not a written answer: set OPENAI_API_KEY for one.'].join('\n');
}

/**
 * Without knowledge or tools: the agent's role shown on the message (lib/ai/offline-role.ts), or
 * for a goal run's brief (the last user turn "Supervisor: ..."), the task done in that role.
 */
function plainReply(messages: ModelMessage[], lastUser: string, digest: string): string {
  const system = messages.find((m) => m.role === 'system');
  const roster = rosterOf(system ? textOf(system) : '');
  const body = lastUser.startsWith('Supervisor: ') ? taskReply(lastUser, roster) : roleReply(lastUser, roster);
  const footer = [system && textOf(system).trim() ? 'I follow the instructions my owner gave me; they stay private.' : '', `Set OPENAI_API_KEY for real answers. (reply ${digest})`];
  return withoutMentions(`${OFFLINE_LABEL} ${body.join('\n')}\n\n${footer.filter(Boolean).join('\n')}`);
}

/**
 * The embedded default when no OPENAI_API_KEY is set: deterministic (the same conversation always
 * gets the same reply), fast, streamed word by word like a real model, and plainly labelled, so
 * every agent feature works offline and nobody mistakes it for a real model. It ignores tools
 * unless `toolPolicy` is 'fixed' (see offlineToolCalls).
 *
 * It never quotes the instructions at the top of the system message, which are the agent owner's
 * alone, while the reply is read by every member of the channel and every API caller; of the
 * system message it reads only the roster the hub writes after them (names and specializations).
 */
export function createOfflineProvider({ tokenDelayMs = 15, toolPolicy = 'none' }: { tokenDelayMs?: number; toolPolicy?: 'none' | 'fixed' } = {}): ModelProvider {
  return {
    kind: 'offline',
    async *stream({ messages, signal, sources, tools }: CompletionRequest): AsyncIterable<StreamEvent> {
      const lastMessage = messages.findLast((m) => m.role === 'user');
      const lastUser = lastMessage ? textOf(lastMessage).trim() : '';
      const digest = createHash('sha256').update(JSON.stringify(messages)).digest('hex').slice(0, 8);
      const promptTokens = words(messages.map(textOf).join(' ')).length;
      const results = toolPolicy === 'fixed' ? resultsAfterLastUser(messages) : [];
      if (toolPolicy === 'fixed' && results.length === 0 && tools?.length) {
        const calls = offlineToolCalls(messages, tools.map((tool) => tool.name), digest);
        if (calls.length > 0) {
          if (signal?.aborted) throw new ModelError('cancelled', 'The reply was stopped.');
          for (const call of calls) yield { type: 'tool_call', call, usage: NO_USAGE };
          return void (yield { type: 'done', usage: { promptTokens, completionTokens: calls.length } });
        }
      }
      const reply = results.length > 0 ? toolsReply(lastUser, results, sources) : sources ? extractiveReply(lastUser, sources) : plainReply(messages, lastUser, digest);
      const tokens = reply.split(/(?<=[ \n])/);
      for (const token of tokens) {
        if (signal?.aborted) throw new ModelError('cancelled', 'The reply was stopped.');
        if (tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, tokenDelayMs));
        yield { type: 'delta', text: token };
      }
      yield { type: 'done', usage: { promptTokens, completionTokens: tokens.length } };
    },
  };
}
