import 'server-only';
import { getModelProvider, ModelError, type CompletionRequest, type ContentPart, type ModelMessage, type ToolCall, type ToolSpec, type Usage } from '@/lib/ai';
import { runToolLoop } from '@/lib/ai/tool-loop';
import type { ActivityJson, AttachmentJson } from '@/lib/contracts/abilities';
import type { CitationJson } from '@/lib/contracts/citations';
import type { Database } from '@/lib/db';
import type { Agent } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { citationsFor, type Source } from '@/lib/knowledge/citations';
import { meteredStream, type Metered } from '@/lib/usage/metered';
import { linksOfAgent } from './index';
import { mediaFor } from './media';
import { agentTools } from './tools';

/*
 * One turn of an agent, wherever it answers (a channel reply, the API): its tools from its
 * abilities, the model called once or in the tool loop, every call metered, each step reported
 * as it happens, and the sources its text cites. The caller builds the conversation (and the
 * knowledge passages given up front) and says where the text and the steps go.
 */

export type TurnResult = {
  content: string;
  usage: Usage;
  activities: ActivityJson[];
  /** The sources the text cites: knowledge passages given up front, then what tools found. */
  citations: CitationJson[];
  /** With `callerTools`: the calls the model asked the caller to run (none of them ran here). */
  toolCalls: ToolCall[];
};

export type TurnOptions = {
  db: Database;
  agent: Agent;
  request: Omit<CompletionRequest, 'tools' | 'signal'>;
  /** Knowledge the conversation was given up front (numbered 1..n in `request`), and the bases searched. */
  knowledge: { knowledgeBaseIds: string[]; sources?: Source[] };
  meter: Metered;
  /** Stops the model call, the loop, and the tools it waits on; its reason is what the turn throws. */
  signal: AbortSignal;
  onDelta: (text: string) => void;
  onActivity?: (activity: ActivityJson) => void;
  /**
   * Tools the caller runs itself (an API caller using the agent as its model): offered instead of
   * the agent's own, and their calls handed back through `onToolCall` and `toolCalls`.
   */
  callerTools?: ToolSpec[];
  onToolCall?: (call: ToolCall) => void;
  /** The answered message's files: shown to an agent with vision or video (lib/agents/media). */
  attachments?: AttachmentJson[];
};

export async function runAgentTurn(options: TurnOptions): Promise<TurnResult> {
  if (options.callerTools) return callerToolsTurn(options);
  const { db, agent, knowledge, meter, signal, onDelta, onActivity } = options;
  const activities = new Map<string, ActivityJson>();
  const report = (activity: ActivityJson) => {
    activities.set(activity.id, activity);
    onActivity?.(activity);
  };
  const media = await mediaFor(db, agent, options.attachments, { offline: getModelProvider().kind === 'offline', signal });
  for (const activity of media.activities) report(activity);
  const request = media.parts.length > 0 ? { ...options.request, messages: withParts(options.request.messages, media.parts) } : options.request;
  const bookkeepings: Promise<void>[] = [];
  // Its MCP servers are looked up only for an agent with the ability: most turns need no query for them.
  const mcpServerIds = agent.abilities.includes('mcp') ? (await linksOfAgent(db, agent.id)).mcpServerIds : [];
  const abilities = await agentTools(agent, { db, knowledgeBaseIds: knowledge.knowledgeBaseIds, mcpServerIds, given: knowledge.sources, signal });
  Object.assign(abilities.tools, media.tools);
  try {
    // An ability that brought no tools (no search provider, a server down) is said, not hidden.
    for (const activity of abilities.unavailable) report(activity);
    let content = '';
    let usage: Usage = { promptTokens: 0, completionTokens: 0 };
    if (Object.keys(abilities.tools).length === 0) {
      for await (const event of meteredStream({ ...request, signal }, meter)) {
        if (signal.aborted) break;
        if (event.type === 'delta') {
          content += event.text;
          onDelta(event.text);
        } else if (event.type === 'done') usage = event.usage;
      }
    } else {
      // Every model call of the loop is metered and paid like a turn's one call; a step's
      // bookkeeping is written while its tools run, and all of it before the turn ends.
      const result = await runToolLoop({
        stream: (step) => meteredStream(step, { ...meter, defer: (bookkeeping) => void bookkeepings.push(bookkeeping) }),
        request,
        tools: abilities.tools,
        maxSteps: env().AGENT_MAX_TOOL_STEPS,
        toolTimeoutMs: env().AGENT_TOOL_TIMEOUT_MS,
        signal,
        describeError: abilities.describeError,
        onDelta: (text) => {
          if (signal.aborted) return;
          content += text;
          onDelta(text);
        },
        onActivity: report,
      });
      usage = result.usage;
    }
    if (signal.aborted) throw signal.reason instanceof ModelError ? signal.reason : new ModelError('cancelled', 'The reply was stopped.');
    const citations = [...(knowledge.sources ? citationsFor(knowledge.sources, content) : []), ...abilities.numbering.cited(content)];
    return { content, usage, activities: [...activities.values()], citations, toolCalls: [] };
  } finally {
    await Promise.all([
      abilities.close().catch((error: unknown) => console.error('[agents] closing tools failed', error instanceof Error ? error.message : error)),
      ...bookkeepings,
    ]);
  }
}

/** The conversation with `parts` (images, frames) joined to its last user turn. */
function withParts(messages: ModelMessage[], parts: ContentPart[]): ModelMessage[] {
  const at = messages.findLastIndex((m) => m.role === 'user');
  if (at < 0) return [...messages, { role: 'user', content: parts }];
  const turn = messages[at]!;
  const text: ContentPart[] = typeof turn.content === 'string' ? (turn.content ? [{ type: 'text', text: turn.content }] : []) : (turn.content as ContentPart[]);
  return [...messages.slice(0, at), { role: 'user', content: [...text, ...parts], ...('name' in turn && turn.name ? { name: turn.name } : {}) }, ...messages.slice(at + 1)];
}

/** One model call with the caller's tools: the model's calls go back to the caller, who runs them. */
async function callerToolsTurn({ request, knowledge, meter, signal, onDelta, onToolCall, callerTools }: TurnOptions): Promise<TurnResult> {
  let content = '';
  let usage: Usage = { promptTokens: 0, completionTokens: 0 };
  const toolCalls: ToolCall[] = [];
  for await (const event of meteredStream({ ...request, tools: callerTools, signal }, meter)) {
    if (event.type === 'delta') {
      content += event.text;
      onDelta(event.text);
    } else if (event.type === 'tool_call') {
      toolCalls.push(event.call);
      onToolCall?.(event.call);
    } else if (event.type === 'done') usage = event.usage;
  }
  if (signal.aborted) throw signal.reason instanceof ModelError ? signal.reason : new ModelError('cancelled', 'The reply was stopped.');
  return { content, usage, activities: [], citations: knowledge.sources ? citationsFor(knowledge.sources, content) : [], toolCalls };
}

/** A turn in progress, as a stream (the API's). */
export type TurnEvent =
  | { type: 'delta'; text: string }
  | { type: 'activity'; activity: ActivityJson }
  | { type: 'tool_call'; call: ToolCall }
  | { type: 'done'; result: TurnResult };

/**
 * A turn as a stream of events (the API's streams): text and steps as they happen, then the
 * whole result; a failure is thrown from the stream.
 */
export async function* turnEvents(start: (handlers: Pick<TurnOptions, 'onDelta' | 'onActivity' | 'onToolCall'>) => Promise<TurnResult>): AsyncGenerator<TurnEvent> {
  const queue: TurnEvent[] = [];
  let wake: (() => void) | undefined;
  let ended: { result?: TurnResult; error?: unknown } | undefined;
  const push = (event: TurnEvent) => {
    queue.push(event);
    wake?.();
  };
  start({
    onDelta: (text) => push({ type: 'delta', text }),
    onActivity: (activity) => push({ type: 'activity', activity }),
    onToolCall: (call) => push({ type: 'tool_call', call }),
  }).then(
    (result) => {
      ended = { result };
      wake?.();
    },
    (error: unknown) => {
      ended = { error };
      wake?.();
    },
  );
  for (;;) {
    while (queue.length > 0) yield queue.shift()!;
    if (ended) {
      if ('error' in ended && ended.error !== undefined) throw ended.error;
      yield { type: 'done', result: ended.result! };
      return;
    }
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
}
