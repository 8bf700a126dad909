import 'server-only';
import { collectStream, ModelError, type StreamEvent, type ToolCall, type Usage } from '@/lib/ai';
import { AppError } from '@/lib/http/errors';
import { sseResponse, streamErrorBody, type SseFrame } from '@/lib/http/sse';
import { newId } from '@/lib/ids';
import { BudgetExceededError } from '@/lib/usage/budget';
import type { TurnEvent, TurnResult } from '@/lib/agents/turn';
import type { ActivityJson } from '@/lib/contracts/abilities';

/**
 * The HTTP error a model failure is to an API caller: 429 (with Retry-After) for the provider's
 * rate limit and for the caller's own daily budget (until it resets), 503 otherwise.
 */
export function httpErrorOf(error: ModelError): AppError {
  if (error instanceof BudgetExceededError) {
    const seconds = error.retryAfterSeconds;
    return new AppError('rate_limited', error.message, { headers: { 'Retry-After': String(seconds) }, details: { retryAfterSeconds: seconds, resetsAt: error.resetsAt.toISOString() } });
  }
  if (error.code === 'rate_limited') return new AppError('rate_limited', error.message, { headers: { 'Retry-After': '5' } });
  return new AppError('unavailable', error.message);
}

/** A model failure before anything was sent: an HTTP error the caller can act on. */
export function modelFailure(error: unknown): never {
  throw error instanceof ModelError ? httpErrorOf(error) : error;
}

/**
 * Waits for a stream's first event, so a call that fails at once answers with an HTTP error
 * status instead of a 200 stream that only carries the error; then replays it with the rest.
 */
export async function started<T>(events: AsyncGenerator<T>): Promise<AsyncGenerator<T>> {
  let first: IteratorResult<T>;
  try {
    first = await events.next();
  } catch (error) {
    modelFailure(error);
  }
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* events;
  })();
}

/** The whole turn of a non-streaming agent call; a model failure becomes an HTTP error. */
export async function collectTurn(events: AsyncGenerator<TurnEvent>): Promise<TurnResult> {
  try {
    for await (const event of events) if (event.type === 'done') return event.result;
  } catch (error) {
    modelFailure(error);
  }
  throw new Error('The agent turn ended without a result.');
}

/** The whole reply of a non-streaming call; a model failure becomes an HTTP error. */
export function collectChat(events: AsyncGenerator<StreamEvent>): Promise<{ content: string; usage: Usage }> {
  return collectStream(events).catch(modelFailure);
}

/** A call the model asked the API caller to run, in OpenAI's shape. */
const openAiToolCall = (call: ToolCall) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } });

/** OpenAI's chat.completion answer; with tool calls for the caller, finish_reason "tool_calls". */
export function completionJson(model: string, content: string, usage: Usage, extra: Record<string, unknown> = {}, toolCalls: ToolCall[] = []) {
  const calls = toolCalls.length > 0;
  return {
    id: `chatcmpl-${newId()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: calls && !content ? null : content, refusal: null, ...(calls ? { tool_calls: toolCalls.map(openAiToolCall) } : {}) },
        logprobs: null,
        finish_reason: calls ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens },
    ...extra,
  };
}

/**
 * OpenAI's chat.completion.chunk stream: the first delta carries the role, then content deltas,
 * a final chunk with finish_reason "stop", the usage chunk when asked for, then `[DONE]`; the
 * agent's tool steps go between them as `event: activity` chunks with no choices. An error
 * mid-stream is sent as `{error}` (the OpenAI SDKs raise it).
 */
export function completionStream(
  model: string,
  deltas: AsyncGenerator<{ text?: string; usage?: Usage; extra?: Record<string, unknown>; activity?: ActivityJson; toolCall?: ToolCall }>,
  includeUsage: boolean,
): Response {
  const id = `chatcmpl-${newId()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], more: Record<string, unknown> = {}) => ({ data: { id, object: 'chat.completion.chunk', created, model, choices, ...more } });
  async function* frames(): AsyncGenerator<SseFrame> {
    let first = true;
    let calls = 0;
    let usage: Usage | undefined;
    let extra: Record<string, unknown> = {};
    for await (const item of deltas) {
      // A step of the agent's tools: an `activity` event whose data is a chunk with no choices (as
      // the usage chunk is), so OpenAI clients read past it and Neurocache clients show it.
      if (item.activity) yield { event: 'activity', ...chunk([], { neurocache: { activity: item.activity } }) };
      if (item.toolCall) {
        // Each call whole, in one delta (OpenAI's SDKs assemble fragments by index, and take one).
        const delta = { ...(first ? { role: 'assistant' } : {}), tool_calls: [{ index: calls++, ...openAiToolCall(item.toolCall) }] };
        yield chunk([{ index: 0, delta, logprobs: null, finish_reason: null }]);
        first = false;
      }
      if (item.usage) usage = item.usage;
      if (item.extra) extra = { ...extra, ...item.extra };
      if (item.text) {
        yield chunk([{ index: 0, delta: first ? { role: 'assistant', content: item.text } : { content: item.text }, logprobs: null, finish_reason: null }]);
        first = false;
      }
    }
    yield chunk([{ index: 0, delta: first ? { role: 'assistant', content: '' } : {}, logprobs: null, finish_reason: calls > 0 ? 'tool_calls' : 'stop' }], extra);
    if (includeUsage && usage) {
      yield chunk([], { usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens } });
    }
    yield 'done';
  }
  return sseResponse(frames(), (error) => ({ data: streamErrorBody(error) }));
}
