import 'server-only';
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { estimateTokens, ModelError, type CompletionRequest, type ModelProvider, type StreamEvent } from './provider';

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
    async *stream({ model, messages, temperature, signal }: CompletionRequest): AsyncIterable<StreamEvent> {
      let completionText = '';
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
          { model, messages, temperature, stream: true, stream_options: { include_usage: true } },
          { signal: combined },
        );
        for await (const chunk of stream) {
          touch();
          const text = chunk.choices[0]?.delta?.content;
          if (text) {
            completionText += text;
            yield { type: 'delta', text };
          }
          if (chunk.usage) usage = { type: 'done', usage: { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens } };
        }
      } catch (error) {
        if (deadline.signal.aborted && !signal?.aborted) throw new ModelError('timeout', 'The model took too long to answer.');
        throw sanitize(error, signal);
      } finally {
        clearTimeout(idle);
      }
      if (signal?.aborted) throw sanitize(undefined, signal);
      yield usage ?? {
        type: 'done',
        usage: { promptTokens: estimate(messages.map((m) => m.content).join('\n')), completionTokens: estimate(completionText) },
      };
    },
  };
}
