import 'server-only';
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { estimateTokens, ModelError, NO_USAGE, textOf, type CompletionRequest, type ModelMessage, type ModelProvider, type StreamEvent, type ToolCall, type ToolSpec } from './provider';

/** Rough token count for servers that do not report usage: never zero for a call that was made. */
const estimate = (text: string) => Math.max(1, estimateTokens(text));

// By class name as well as instanceof: bundlers and test runners may load two copies of the SDK.
const is = (error: unknown, type: { name: string; prototype: object }) =>
  error instanceof (type as never) || (error as object | undefined)?.constructor?.name === type.name;

/** A provider error as people may see it: what happened, never the upstream's own words. */
function sanitize(error: unknown, signal?: AbortSignal): ModelError {
  if (error instanceof ModelError) return error;
  if (is(error, APIUserAbortError) || signal?.aborted) return new ModelError('cancelled', 'The reply was stopped.');
  if (is(error, APIConnectionTimeoutError)) return new ModelError('timeout', 'The model took too long to answer.');
  if (error instanceof APIError || typeof (error as { status?: unknown })?.status === 'number') {
    const { status } = error as { status?: number };
    if (status === 429) return new ModelError('rate_limited', 'The model provider is rate limiting requests; try again shortly.');
    if (status === 401 || status === 403) return new ModelError('unavailable', 'The model provider refused our credentials.');
    if (status === undefined) return new ModelError('unavailable', 'The model provider could not be reached.');
    return new ModelError('upstream', `The model provider failed (HTTP ${status}).`);
  }
  return new ModelError('unavailable', 'The model provider could not be reached.');
}

/** The port's turns in OpenAI's shapes; a plain-text turn goes out exactly as it came. */
export function toOpenAIMessages(messages: ModelMessage[]): ChatCompletionMessageParam[] {
  return messages.map((message): ChatCompletionMessageParam => {
    const name = 'name' in message && message.name ? { name: message.name } : {};
    if (message.role === 'tool') return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    if (message.role === 'assistant' && 'toolCalls' in message) {
      return {
        role: 'assistant',
        // OpenAI wants null, not "", beside tool calls when the model said nothing.
        content: message.content || null,
        tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
        ...name,
      };
    }
    if (message.role === 'user' && typeof message.content !== 'string') {
      return {
        role: 'user',
        content: message.content.map((part) =>
          part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image_url', image_url: { url: part.url, ...(part.detail ? { detail: part.detail } : {}) } },
        ),
        ...name,
      };
    }
    return { role: message.role, content: message.content as string, ...name } as ChatCompletionMessageParam;
  });
}

const toOpenAITools = (tools: ToolSpec[]): ChatCompletionTool[] =>
  tools.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } }));

// Bounds on what a model may stream as tool calls: past them a call is cut (its arguments then
// fail to parse and the loop answers the model with an error) rather than held without limit.
const MAX_TOOL_CALLS = 128;
const MAX_ARGUMENT_CHARS = 1024 * 1024;

/**
 * Tool calls arrive in fragments, keyed by `index`: the first carries the id and the name, the
 * rest pieces of the arguments' JSON text. This puts them back together.
 */
export function createToolCallAssembler() {
  const calls = new Map<number, ToolCall>();
  return {
    add(fragments: ChatCompletionChunk.Choice.Delta.ToolCall[] | undefined) {
      for (const fragment of fragments ?? []) {
        if (!Number.isSafeInteger(fragment.index) || fragment.index < 0 || fragment.index >= MAX_TOOL_CALLS) continue;
        const call = calls.get(fragment.index) ?? { id: '', name: '', arguments: '' };
        calls.set(fragment.index, call);
        if (fragment.id) call.id = fragment.id;
        if (fragment.function?.name) call.name = fragment.function.name;
        const piece = fragment.function?.arguments;
        if (piece && call.arguments.length < MAX_ARGUMENT_CHARS) call.arguments += piece.slice(0, MAX_ARGUMENT_CHARS - call.arguments.length);
      }
    },
    /** The complete calls in index order; a server that sent no id gets one, so results can answer it. */
    done(): ToolCall[] {
      return [...calls.entries()].sort(([a], [b]) => a - b).map(([index, call]) => ({ ...call, id: call.id || `call_${index}` }));
    },
  };
}

/**
 * OpenAI, or any OpenAI-compatible server (Ollama, vLLM, ...) through `baseURL`, via the official
 * SDK. No retries here: a failed reply is shown with a retry control instead of silently waiting.
 */
export function createOpenAIProvider({ apiKey, baseURL, timeoutMs }: { apiKey: string; baseURL?: string; timeoutMs: number }): ModelProvider {
  // Our own deadline decides "timed out" (the SDK's is only a backstop), so a timeout and a stop
  // are told apart whatever the runtime's abort errors look like.
  const client = new OpenAI({ apiKey, baseURL, timeout: timeoutMs + 5000, maxRetries: 0 });
  return {
    kind: 'openai',
    async *stream({ model, messages, temperature, tools, signal }: CompletionRequest): AsyncIterable<StreamEvent> {
      let completionText = '';
      const toolCalls = createToolCallAssembler();
      let usage: StreamEvent | undefined;
      // An idle deadline: a reply may stream for long, but never go silent for timeoutMs.
      const deadline = new AbortController();
      let idle = setTimeout(() => deadline.abort(), timeoutMs);
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(() => deadline.abort(), timeoutMs);
      };
      const combined = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
      try {
        const stream = await client.chat.completions.create(
          {
            model,
            messages: toOpenAIMessages(messages),
            temperature,
            ...(tools?.length ? { tools: toOpenAITools(tools) } : {}),
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: combined },
        );
        for await (const chunk of stream) {
          touch();
          const text = chunk.choices[0]?.delta?.content;
          if (text) {
            completionText += text;
            yield { type: 'delta', text };
          }
          if (tools?.length) toolCalls.add(chunk.choices[0]?.delta?.tool_calls);
          if (chunk.usage) usage = { type: 'done', usage: { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens } };
        }
      } catch (error) {
        if (deadline.signal.aborted && !signal?.aborted) throw new ModelError('timeout', 'The model took too long to answer.');
        throw sanitize(error, signal);
      } finally {
        clearTimeout(idle);
      }
      if (signal?.aborted) throw sanitize(undefined, signal);
      const calls = toolCalls.done();
      for (const call of calls) yield { type: 'tool_call', call, usage: NO_USAGE };
      yield usage ?? {
        type: 'done',
        usage: {
          promptTokens: estimate(messages.map(textOf).join('\n')),
          completionTokens: estimate(completionText + calls.map((call) => call.name + call.arguments).join('')),
        },
      };
    },
  };
}
