import 'server-only';
import { and, count, desc, eq, getTableColumns, isNull, lte, or, sql } from 'drizzle-orm';
import pLimit, { type LimitFunction } from 'p-limit';
import { runInBackground } from '@/lib/background';
import { getModelProvider, ModelError, type Usage } from '@/lib/ai';
import type { Metered } from '@/lib/usage/metered';
import type { Payer } from '@/lib/usage/payer';
import { getCache } from '@/lib/cache';
import { cacheNewMessage, invalidateWindow } from '@/lib/cache/channel-cache';
import { requireMember } from '@/lib/channels/access';
import { getDb, type Database } from '@/lib/db';
import { describeError, isForeignKeyViolation } from '@/lib/db/errors';
import { messages, type Agent } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { conflict } from '@/lib/http/errors';
import { agentNamesOf, getMessage, selectMessages, toMessageJson, withAttachments } from '@/lib/messages/format';
import { throttleSend } from '@/lib/messages';
import { insertInOrder } from '@/lib/messages/insert';
import { endStaleReplies, INTERRUPTED } from '@/lib/messages/stale-replies';
import { getPublisher } from '@/lib/realtime/publisher';
import { findSources, sourcePassages, sourcesPrompt, type Source } from '@/lib/knowledge/citations';
import type { ActivityJson } from '@/lib/contracts/abilities';
import type { CitationJson } from '@/lib/contracts/citations';
import { runAgentTurn } from './turn';
import { buildContext } from './context';
import { linksOfAgent } from './index';
import { streamingQuoteDetector, WITHHELD } from './privacy';
import { activeRunId, answerersFor, handOffAgents, loadTeam, mentionedAgents, type Team } from './routing';
import { publishReply, recordReply } from '@/lib/messages/threads';
import type { ThreadSummaryJson } from '@/lib/contracts/messages';
import type { MessageJson } from '@/lib/contracts/messages';

/**
 * Agent replies in channels. A person's message is routed to the agents that should answer; each
 * reply is a message created with status "streaming", whose tokens go out as `agent:token`
 * events, and which ends "complete" (or "error", with a reason safe to show) and is published as
 * `message:updated`. A reply that mentions other agents hands off to them, one hop deeper, up to
 * the channel's hop limit. At most AGENT_CONCURRENCY_PER_CHANNEL replies run at once in a
 * channel; the rest wait their turn.
 *
 * Replies run in the process that accepted the message, as work that outlives the response
 * (`runInBackground`: Next's `after()`, so a Vercel function lives until the chain of replies and
 * hand-offs it started has ended). Each reply is cut off at AGENT_REPLY_MAX_SECONDS, which is what
 * lets any process tell a reply that was interrupted from one still running. Stop and retry act
 * through the database (a reply's final write only lands while it is still "streaming"), so they
 * hold across processes.
 */

type Job = {
  channelId: string;
  agentId: string;
  /** The message being answered. */
  triggerId: string;
  /** How many agent replies deep this one is in its chain (1 answers a person). */
  hop: number;
  /** Who pays for every call of the chain: the person whose message started it, or who retried. */
  payer: Payer;
  /**
   * Shared by every reply of one chain: how many it has made, against AGENT_CHAIN_MAX_REPLIES, and
   * the agents answering in it (a hand-off never goes back to one of them).
   */
  chain: Chain;
  /** A retry reuses its failed message instead of creating one. */
  messageId?: string;
  /** The channel as just loaded by the dispatch, reused if the reply starts at once. */
  team?: Team;
  /** A goal run's turn (lib/teams/runs): what the supervisor asks, after the history; such a reply hands off to nobody. */
  task?: TaskBrief;
  /** A reply in a thread: it goes into that thread, with the thread (not the channel) as its context. */
  threadId?: string;
};

/**
 * What a goal run asks of an agent: the brief (given as the supervisor's turn), the run it belongs
 * to, what its knowledge search looks for, and the run's stop. `conversation` is shared by the
 * run's turns, which all answer its goal message: that conversation is loaded by the first turn
 * and reused by the rest (what people say during the run reaches them through the brief).
 */
export type TaskBrief = {
  runId: string;
  brief: string;
  question: string;
  signal: AbortSignal;
  conversation?: { history?: MessageJson[] };
  /** Takes the turn's usage bookkeeping, for the run to await before it ends, instead of the turn waiting for it. */
  defer?: Metered['defer'];
};

/** How an agent's message ended: its text, the failure (if any), the tokens it used, and the message as published. */
export type ReplyOutcome = { messageId?: string; content: string; failure?: ModelError; usage: Usage; message?: MessageJson };

type Chain = { replies: number; involved: Set<string> };
const newChain = (): Chain => ({ replies: 0, involved: new Set() });

type Running = { controller: AbortController; done: Promise<void> };

// On globalThis: route handlers (Next's bundles) start replies, the custom server stops them at shutdown.
type RepliesGlobal = { running: Map<string, Running>; limits: Map<string, LimitFunction>; tasks: Set<Promise<unknown>> };
const state = ((globalThis as { __neurocacheReplies?: RepliesGlobal }).__neurocacheReplies ??= {
  running: new Map(),
  limits: new Map(),
  tasks: new Set(),
});

const STOPPED = 'The reply was stopped.';

/** A chain of replies started by one request: kept alive past the response, and awaited at shutdown. */
function track(task: Promise<unknown>): void {
  const guarded = task.catch((error: unknown) => console.error('[agents] reply failed', describeError(error)));
  state.tasks.add(guarded);
  void guarded.finally(() => state.tasks.delete(guarded));
  runInBackground(guarded, 'agent replies');
}

/** Resolves once no reply is running or waiting (tests, benchmarks, shutdown). */
export async function repliesSettled(): Promise<void> {
  while (state.tasks.size > 0) await Promise.allSettled([...state.tasks]);
}

/**
 * Queues a reply behind the channel's concurrency limit. Resolves when the reply and every
 * hand-off it led to have ended; hand-offs queue after the reply leaves its slot, so a chain
 * never waits on a slot it holds itself.
 */
async function enqueue(job: Job): Promise<void> {
  // A person's mention (hop 1) and a retry are always answered; a hand-off only while its agent
  // has posted fewer than AGENT_MAX_REPLIES_IN_A_ROW messages since a person last wrote.
  if (job.hop > 1 && !job.messageId && (await repliesInARow(job)) >= env().AGENT_MAX_REPLIES_IN_A_ROW) return;
  // Hand-offs can fan out (each reply may mention several agents): the chain as a whole is capped.
  if (job.chain.replies >= env().AGENT_CHAIN_MAX_REPLIES) return;
  job.chain.replies += 1;
  job.chain.involved.add(job.agentId);
  const handOffs = await inTurn(job, runReply);
  await Promise.all(handOffs.map(enqueue));
}

/**
 * How many of the channel's messages since the last one by a person the job's agent posted
 * (counted across chains: a retry starts a new one), so a pair of agents cannot keep going. A
 * goal run's task replies are not counted: the run's own budget bounds them.
 */
async function repliesInARow(job: Job): Promise<number> {
  const db = await getDb();
  const lastByPerson = db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.channelId, job.channelId), eq(messages.authorKind, 'user')))
    .orderBy(desc(messages.id))
    .limit(1);
  const [row] = await db
    .select({ n: count() })
    .from(messages)
    .where(and(eq(messages.channelId, job.channelId), eq(messages.authorAgentId, job.agentId), isNull(messages.runId), sql`${messages.id} > coalesce((${lastByPerson}), '00000000-0000-0000-0000-000000000000'::uuid)`));
  return row?.n ?? 0;
}

/** Runs `work` for a job in the channel's turn: at most AGENT_CONCURRENCY_PER_CHANNEL at once. */
function inTurn<T>(job: Job, work: (job: Job) => Promise<T>): Promise<T> {
  const queued = performance.now();
  let limit = state.limits.get(job.channelId);
  if (!limit) {
    limit = pLimit(env().AGENT_CONCURRENCY_PER_CHANNEL);
    state.limits.set(job.channelId, limit);
  }
  const channelLimit = limit;
  // A reply that waited its turn reloads the channel: its agents or settings may have changed.
  return channelLimit(() => work(performance.now() - queued < 50 ? job : { ...job, team: undefined })).finally(() => {
    if (channelLimit.activeCount === 0 && channelLimit.pendingCount === 0) state.limits.delete(job.channelId);
  });
}

/**
 * A goal run's turn for one agent (a task's attempt, or the lead's summary): a reply to the run's
 * message, streamed and published like any reply, in the channel's turn, that hands off to
 * nobody. Resolves with how it ended; a stop of the run (the brief's signal) stops it.
 */
export async function taskReply(args: { channelId: string; agentId: string; triggerId: string; payer: Payer; task: TaskBrief; team?: Team }): Promise<ReplyOutcome> {
  const job: Job = { ...args, hop: 1, chain: newChain() };
  return inTurn(job, async (job) => {
    const db = await getDb();
    const team = job.team ?? (await loadTeam(db, job.channelId));
    const agent = team?.agents.find((a) => a.id === job.agentId);
    if (!team || !agent) return { content: '', usage: NO_TOKENS, failure: new ModelError('unavailable', 'That agent is no longer in this channel.') };
    const prepared = prepare(db, agent, job);
    const started = startMessage(db, job, agent);
    const outcome = await produceReply(db, team, agent, job, started, prepared);
    const messageId = await started.catch(() => undefined);
    if (!messageId) return { content: '', usage: NO_TOKENS, failure: new ModelError('unavailable', 'The channel is gone.') };
    return { messageId, ...outcome };
  });
}

const NO_TOKENS: Usage = { promptTokens: 0, completionTokens: 0 };

/** After a person's message committed: starts the replies it calls for (in the background). */
export function dispatchReplies(message: MessageJson): void {
  track(
    (async () => {
      const db = await getDb();
      const team = await loadTeam(db, message.channelId);
      if (!team || team.agents.length === 0) return;
      const { threadId } = message;
      // In a thread only the agents it mentions answer (in the thread): the channel's answer
      // mode is for its top-level conversation, which a side discussion should not set going.
      const { agents: answerers, routing } = threadId ? { agents: mentionedAgents(team, message.content), routing: undefined } : await answerersFor(getModelProvider(), team, {
        content: message.content,
        authorId: message.author.id,
        runGoing: async () => Boolean(await activeRunId(db, message.channelId)),
      });
      // The orchestrator's choice (an agent or nobody, and why) stays on the message, for members to see.
      if (routing) {
        const [updated] = await db.update(messages).set({ routing }).where(eq(messages.id, message.id)).returning();
        if (updated) {
          await invalidateWindow(getCache(), { channelId: message.channelId });
          const routed = toMessageJson({ message: updated, userName: message.author.name, attachments: message.attachments });
          getPublisher().toChannel(message.channelId, 'message:updated', { message: routed });
        }
      }
      const chain = newChain();
      const payer = { userId: message.author.id };
      await Promise.all(answerers.map((agent) => enqueue({ channelId: message.channelId, agentId: agent.id, triggerId: message.id, hop: 1, team, payer, chain, threadId })));
    })(),
  );
}

const agentNames = (agent: Agent) => ({ agentName: agent.name, agentHandle: agent.handle, agentAvatar: agent.avatar });

/**
 * The conversation up to (and including) the message being answered, oldest first: the channel's
 * top-level messages, or in a thread its parent and replies (never the rest of the channel).
 */
async function historyUpTo(db: Database, channelId: string, messageId: string, threadId?: string): Promise<MessageJson[]> {
  const scope = threadId ? or(eq(messages.id, threadId), eq(messages.threadId, threadId)) : isNull(messages.threadId);
  const rows = await selectMessages(db)
    .where(and(eq(messages.channelId, channelId), scope, lte(messages.id, messageId)))
    .orderBy(desc(messages.id))
    .limit(env().AGENT_CONTEXT_MESSAGES);
  // With their files: an agent with vision or video is shown those of the message it answers.
  return withAttachments(db, rows.reverse());
}

/**
 * Ends a reply: its final text (when given) and status "complete", or "error" with a reason safe
 * to show. Only a reply still "streaming" is ended, so a stop, a deletion or another process's
 * end that came first wins. The one place a reply ends: the cached window is dropped and the
 * message published.
 */
async function endReply(
  db: Database,
  messageId: string,
  values: { content?: string; failure?: ModelError; citations?: CitationJson[]; activities?: ActivityJson[] },
): Promise<MessageJson | undefined> {
  const [updated] = await db
    .update(messages)
    .set({
      ...(values.content === undefined ? {} : { content: values.content }),
      citations: values.citations?.length ? values.citations : null,
      ...(values.activities ? { activities: values.activities.length ? values.activities : null } : {}),
      status: values.failure ? 'error' : 'complete',
      errorCode: values.failure?.code ?? null,
      errorMessage: values.failure?.message ?? null,
    })
    .where(and(eq(messages.id, messageId), eq(messages.status, 'streaming')))
    // The message as published, with its agent's names, from the same round trip.
    .returning({ message: getTableColumns(messages), userName: sql<null>`null`, ...agentNamesOf(messages.authorAgentId) });
  if (!updated) return undefined;
  // A reply in a thread lives in the thread's window; its parent's summary is unchanged by its end.
  await invalidateWindow(getCache(), { channelId: updated.message.channelId, threadId: updated.message.threadId ?? undefined });
  const message = toMessageJson(updated);
  getPublisher().toChannel(updated.message.channelId, 'message:updated', { message });
  return message;
}

/** The passages of the agent's knowledge bases that best match the message; undefined for an agent without knowledge. */
async function knowledgeFor(db: Database, agent: Agent, question: string): Promise<{ knowledgeBaseIds: string[]; sources?: Source[] }> {
  if (!agent.abilities.includes('knowledge')) return { knowledgeBaseIds: [] };
  const { knowledgeBaseIds } = await linksOfAgent(db, agent.id);
  if (knowledgeBaseIds.length === 0) return { knowledgeBaseIds };
  return { knowledgeBaseIds, sources: await findSources({ db, knowledgeBaseIds, query: question, limit: env().KNOWLEDGE_CONTEXT_PASSAGES }) };
}

/** Runs one reply; answers the hand-offs it calls for, for the caller to queue. */
async function runReply(job: Job): Promise<Job[]> {
  const db = await getDb();
  const team = job.team ?? (await loadTeam(db, job.channelId));
  const agent = team?.agents.find((a) => a.id === job.agentId);
  if (!team || !agent) {
    // The agent left (or the channel went) while this reply waited its turn.
    if (job.messageId) await endReply(db, job.messageId, { failure: new ModelError('unavailable', 'That agent is no longer in this channel.') });
    return [];
  }
  const prepared = prepare(db, agent, job);
  // A retry stopped while it waited calls no model; a new reply's model is called while its message is stored (see produceReply).
  const restarted = job.messageId && (await restartMessage(db, job.messageId));
  if (job.messageId && !restarted) return [];
  const started = restarted ? Promise.resolve(restarted) : startMessage(db, job, agent);
  const { content, failure, message } = await produceReply(db, team, agent, job, started, prepared);
  const messageId = await started.catch(() => undefined);
  if (!messageId) return [];
  // Hand-offs: the agents this reply mentions answer it next, one hop deeper, never itself.
  if (!message || failure || job.hop >= team.channel.hopLimit) return [];
  return handOffAgents(team, content, { from: agent.id, busy: job.chain.involved }).map((next) => ({
    channelId: job.channelId,
    agentId: next.id,
    triggerId: messageId,
    hop: job.hop + 1,
    payer: job.payer,
    chain: job.chain,
    threadId: job.threadId,
  }));
}

/**
 * A retry's message, marked as streaming from now, not from when it was queued; undefined for a
 * retry that was stopped while it waited (it is over before it started).
 */
async function restartMessage(db: Database, messageId: string): Promise<string | undefined> {
  const [row] = await db
    .update(messages)
    .set({ streamStartedAt: sql`now()` })
    .where(and(eq(messages.id, messageId), eq(messages.status, 'streaming')))
    .returning({ id: messages.id });
  return row?.id;
}

/** Creates the reply's message, "streaming" and empty: members see the agent thinking. */
async function startMessage(db: Database, job: Job, agent: Agent): Promise<string | undefined> {
  let thread: ThreadSummaryJson | null = null;
  const inThread = job.threadId ? async (tx: Database, row: typeof messages.$inferSelect) => void (thread = await recordReply(tx, row)) : undefined;
  const [inserted] = await insertInOrder(db, job.channelId, {
    authorKind: 'agent',
    authorAgentId: agent.id,
    content: '',
    status: 'streaming',
    replyToId: job.triggerId,
    hop: job.hop,
    runId: job.task?.runId ?? null,
    // The database's clock, which every process shares, marks when the reply started streaming.
    streamStartedAt: sql`now()`,
    threadId: job.threadId ?? null,
  }, inThread).catch((error: unknown) => {
    // The channel (or the thread) was deleted meanwhile: nobody is left to answer.
    if (isForeignKeyViolation(error)) return [];
    throw error;
  });
  if (!inserted) return undefined;
  const message = toMessageJson({ message: inserted, userName: null, ...agentNames(agent) });
  if (job.threadId) {
    await publishReply(message, thread);
    return message.id;
  }
  await cacheNewMessage(getCache(), { channelId: job.channelId, id: message.id, json: JSON.stringify(message) });
  getPublisher().toChannel(job.channelId, 'message:created', { message });
  return message.id;
}

/** What a reply reads before its model call: the conversation it answers and its knowledge passages. */
type Prepared = { history: MessageJson[]; knowledge: Awaited<ReturnType<typeof knowledgeFor>> };

/**
 * Starts reading what a reply needs (see Prepared) alongside the insert of its message, which
 * does not change it: the model is called as soon as both are done, not one after the other. A
 * failure is the reply's, met when produceReply awaits it.
 */
function prepare(db: Database, agent: Agent, job: Job): Promise<Prepared> {
  const reading = (async () => {
    const shared = job.task?.conversation;
    const history = shared?.history ?? (await historyUpTo(db, job.channelId, job.triggerId, job.threadId));
    if (shared) shared.history = history;
    return { history, knowledge: await knowledgeFor(db, agent, job.task?.question ?? history.at(-1)?.content ?? '') };
  })();
  reading.catch(() => undefined); // not unhandled while the insert runs, or when the reply never starts
  return reading;
}

/**
 * Streams one reply into its message and ends it. The model call does not wait for the message
 * (`started`, its id once it is stored and published, undefined when there is none to answer
 * into): what the reply sends before then (tokens, steps) waits in order and goes out right after
 * the message's `message:created`, so members never see a token for a message they do not have.
 */
async function produceReply(db: Database, team: Team, agent: Agent, job: Job, started: Promise<string | undefined>, prepared: Promise<Prepared>): Promise<Omit<ReplyOutcome, 'messageId'>> {
  const controller = new AbortController();
  const maxSeconds = env().AGENT_REPLY_MAX_SECONDS;
  const cutOff = setTimeout(() => controller.abort(new ModelError('timeout', `The reply ran longer than ${maxSeconds} seconds and was ended; retry it.`)), maxSeconds * 1000);
  const runStop = job.task?.signal;
  const stopWithRun = () => controller.abort(runStop?.reason instanceof ModelError ? runStop.reason : new ModelError('cancelled', STOPPED));
  if (runStop?.aborted) stopWithRun();
  runStop?.addEventListener('abort', stopWithRun, { once: true });
  let usage: Usage = NO_TOKENS;
  let settle!: () => void;
  const running: Running = { controller, done: new Promise<void>((resolve) => (settle = resolve)) };
  const publisher = getPublisher();
  // Until the message is published, what would go out waits here, in order.
  let messageId: string | undefined;
  let waiting: (() => void)[] | undefined = [];
  const send = (event: () => void) => (waiting ? waiting.push(event) : event());
  const stored = started.then(
    (id) => {
      if (!id) throw new ModelError('unavailable', 'The channel is gone.');
      messageId = id;
      state.running.set(id, running);
      const queued = waiting!;
      waiting = undefined;
      for (const event of queued) event();
      return id;
    },
    (error: unknown) => {
      throw error instanceof ModelError ? error : new ModelError('unavailable', 'Something went wrong on our side.');
    },
  );
  stored.catch((error: unknown) => controller.abort(error));
  const tokens = batched((delta) => send(() => publisher.toChannel(job.channelId, 'agent:token', { channelId: job.channelId, messageId: messageId!, delta })));
  let content = '';
  let failure: ModelError | undefined;
  const activities = new Map<string, ActivityJson>();
  let citations: CitationJson[] = [];
  try {
    const { history, knowledge } = await prepared;
    const sources = knowledge.sources;
    const context = buildContext({
      agent,
      channel: team.channel,
      members: team.members,
      history,
      tokenBudget: env().AGENT_CONTEXT_TOKENS,
      knowledge: sources && sourcesPrompt(sources),
      brief: job.task?.brief,
      inThread: Boolean(job.threadId),
    });
    const request = { model: agent.model, temperature: agent.temperature, messages: context, sources: sources && sourcePassages(sources) };
    const quotesInstructions = streamingQuoteDetector(agent.instructions);
    const turn = await runAgentTurn({
      db,
      agent,
      request,
      knowledge,
      attachments: history.at(-1)?.attachments,
      meter: { payer: job.payer, agentId: agent.id, channelId: job.channelId, source: job.task ? 'run' : 'channel', defer: job.task?.defer },
      signal: controller.signal,
      onDelta: (text) => {
        content += text;
        // Checked before the token goes out: a quote of the instructions stops short of its last word.
        if (quotesInstructions(content)) {
          content = '';
          tokens.flush(); // what came before this token passed the check
          controller.abort(new ModelError('upstream', WITHHELD));
          return;
        }
        tokens.push(text);
      },
      onActivity: (activity) => {
        tokens.flush(); // the text before a step goes out before it
        activities.set(activity.id, activity);
        send(() => publisher.toChannel(job.channelId, 'agent:activity', { channelId: job.channelId, messageId: messageId!, activity }));
      },
    });
    citations = turn.citations;
    usage = turn.usage;
    if (!failure && !content.trim()) failure = new ModelError('upstream', 'The model returned an empty reply.');
  } catch (error) {
    // A stop or a shutdown says why through the abort's reason; the provider only sees "aborted".
    const reason: unknown = controller.signal.reason;
    if (controller.signal.aborted && reason instanceof ModelError) failure = reason;
    else if (error instanceof ModelError) failure = error;
    else {
      console.error('[agents] reply failed', describeError(error));
      failure = new ModelError('unavailable', 'Something went wrong on our side.');
    }
  } finally {
    tokens.flush();
    clearTimeout(cutOff);
    runStop?.removeEventListener('abort', stopWithRun);
  }
  try {
    const id = await stored.catch(() => undefined);
    // No message to end: the channel went (or the retry was stopped) before it could be stored.
    if (!id) return { content, failure: failure ?? new ModelError('unavailable', 'The channel is gone.'), usage };
    state.running.delete(id);
    const message = await endReply(db, id, { content, failure, citations: failure ? undefined : citations, activities: [...activities.values()] });
    // A stop or another process's end that came first: the reply is over, as that says.
    if (!message) return { content, failure: failure ?? new ModelError('cancelled', STOPPED), usage };
    return { content, failure, usage, message };
  } finally {
    settle();
  }
}

/**
 * A reply's text as it streams, sent in pieces: what arrives within one turn of the event loop
 * (a model's tokens read from one network chunk) goes out as one `agent:token`, at the end of
 * that turn, so a burst costs every member one event instead of one per token, and a model that
 * streams token by token is still shown token by token.
 */
function batched(send: (text: string) => void) {
  let pending = '';
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    const text = pending;
    pending = '';
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (text) send(text);
  };
  return {
    push(text: string) {
      pending += text;
      scheduled ??= setImmediate(flush);
    },
    flush,
  };
}

/** Aborts a reply running in this process, if it is (deleting a message does this). */
export function abortReply(messageId: string, reason = new ModelError('cancelled', STOPPED)): Running | undefined {
  const running = state.running.get(messageId);
  running?.controller.abort(reason);
  return running;
}

async function requireAgentReply(args: { userId: string; channelId: string; messageId: string }) {
  const db = await getDb();
  await requireMember(db, args);
  const row = await getMessage(db, args);
  if (row.message.authorKind !== 'agent') throw conflict('Only agent replies can be stopped or retried.');
  return { db, row };
}

/**
 * Stops a reply in progress: what was written so far stays, marked stopped (status "error",
 * code "cancelled") with a retry control. Stopping a reply that already ended changes nothing.
 */
export async function stopReply(args: { userId: string; channelId: string; messageId: string }): Promise<MessageJson> {
  const { db, row } = await requireAgentReply(args);
  if (row.message.status === 'streaming') {
    const running = abortReply(args.messageId);
    if (running) {
      await running.done;
    } else {
      // Waiting its turn, or running in another process: its final write will find it stopped.
      await endReply(db, args.messageId, { failure: new ModelError('cancelled', STOPPED) });
    }
  }
  return toMessageJson(await getMessage(db, args));
}

/** Runs a failed or stopped reply again, in the same message (same place in the history). */
export async function retryReply(args: { userId: string; channelId: string; messageId: string }): Promise<MessageJson> {
  const { db, row } = await requireAgentReply(args);
  if (row.message.status !== 'error') throw conflict('Only a failed or stopped reply can be retried.');
  // A retry sets a model call going like a message does, so it counts against the same send limit.
  await throttleSend(args.userId);
  const team = await loadTeam(db, args.channelId);
  const agent = team?.agents.find((a) => a.id === row.message.authorAgentId);
  if (!agent) throw conflict('That agent is no longer in this channel.');
  const [updated] = await db
    .update(messages)
    .set({ content: '', status: 'streaming', errorCode: null, errorMessage: null, streamStartedAt: sql`now()` })
    .where(and(eq(messages.id, args.messageId), eq(messages.status, 'error')))
    .returning();
  if (!updated) throw conflict('That reply is already being retried.');
  const message = toMessageJson({ ...row, message: updated });
  await invalidateWindow(getCache(), { channelId: args.channelId, threadId: updated.threadId ?? undefined });
  getPublisher().toChannel(args.channelId, 'message:updated', { message });
  // Whoever retries pays: a member cannot spend the original asker's budget by retrying.
  const job = { channelId: args.channelId, agentId: agent.id, triggerId: updated.replyToId ?? updated.id, hop: updated.hop ?? 1, messageId: updated.id, threadId: updated.threadId ?? undefined };
  track(enqueue({ ...job, payer: { userId: args.userId }, chain: newChain() }));
  return message;
}

/** Shutdown: ends every reply in progress with a retryable error, then waits for them to settle. */
export async function stopAllReplies(timeoutMs = 5000): Promise<void> {
  for (const messageId of [...state.running.keys()]) abortReply(messageId, new ModelError('unavailable', INTERRUPTED));
  await Promise.race([repliesSettled(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}

/**
 * At start: ends replies left "streaming" by a process that died. The embedded database belongs
 * to this process alone, so every such reply is over; on a shared Postgres only those streaming
 * longer than any reply may (the other processes' replies are still running). History reads and
 * the maintenance schedule do the same on deployments that never start a process (Vercel).
 */
export async function recoverInterruptedReplies({ olderThanMs }: { olderThanMs?: number } = {}): Promise<number> {
  return endStaleReplies(await getDb(), { olderThanMs });
}
