import 'server-only';
/** The model provider port: what agents need from any model, OpenAI-compatible or offline. */
export type ChatRole = 'system' | 'user' | 'assistant';
export type ChatMessage = { role: ChatRole; content: string; name?: string };

/**
 * A passage the reply may cite as `[n]`. Its text is already in the messages (delimited as data,
 * lib/knowledge/citations.ts) for a real model; the offline model answers from these directly.
 */
export type SourcePassage = { n: number; title: string; page?: number; heading?: string; content: string };

export type CompletionRequest = {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  /** Knowledge found for the question: undefined when none was searched, [] when nothing matched. */
  sources?: SourcePassage[];
  /** Cancels the call (a stop control, a closed client). */
  signal?: AbortSignal;
};

export type Usage = { promptTokens: number; completionTokens: number };

/** A streamed reply: text deltas as they come, then exactly one `done` with the usage. */
export type StreamEvent = { type: 'delta'; text: string } | { type: 'done'; usage: Usage };

export interface ModelProvider {
  readonly kind: 'openai' | 'offline';
  stream(request: CompletionRequest): AsyncIterable<StreamEvent>;
}

export type ModelErrorCode = 'timeout' | 'cancelled' | 'rate_limited' | 'upstream' | 'unavailable' | 'budget_exceeded';

/**
 * The one error a provider throws. Its message is written for people and safe to show: never
 * the upstream body, a key, or a stack.
 */
export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

/** About four characters a token: close enough for English text, for budgets and for servers that report no usage. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/** Collects a stream of events into the whole reply and its usage. */
export async function collectStream(events: AsyncIterable<StreamEvent>): Promise<{ content: string; usage: Usage }> {
  let content = '';
  let usage: Usage = { promptTokens: 0, completionTokens: 0 };
  for await (const event of events) {
    if (event.type === 'delta') content += event.text;
    else usage = event.usage;
  }
  return { content, usage };
}

/** Collects a provider's reply, for callers that do not stream. */
export function complete(provider: ModelProvider, request: CompletionRequest): Promise<{ content: string; usage: Usage }> {
  return collectStream(provider.stream(request));
}
