import 'server-only';
/** The model provider port: what agents need from any model, OpenAI-compatible or offline. */
export type ChatRole = 'system' | 'user' | 'assistant';
/** A plain-text turn: what a conversation is made of before tools or images join it. */
export type ChatMessage = { role: ChatRole; content: string; name?: string };

/** An image for a vision model: a `data:` URL or an `https:` one. */
export type ImagePart = { type: 'image'; url: string; detail?: 'auto' | 'low' | 'high' };
export type TextPart = { type: 'text'; text: string };
export type ContentPart = TextPart | ImagePart;
/** A user turn that carries images beside its text. */
export type UserPartsMessage = { role: 'user'; content: string | ContentPart[]; name?: string };

/** A call the model asked for: `arguments` is the JSON text it wrote, unparsed and untrusted. */
export type ToolCall = { id: string; name: string; arguments: string };
/** The model's turn that asked for tools (with whatever text it said first). */
export type AssistantToolCallsMessage = { role: 'assistant'; content: string; toolCalls: ToolCall[]; name?: string };
/** A tool's result, answering the call with `toolCallId`. */
export type ToolMessage = { role: 'tool'; toolCallId: string; content: string };

/**
 * Every turn a model may be sent. A `ChatMessage` is one, so conversations built before tools
 * existed are requests as they are; code that reads messages back uses `textOf`.
 */
export type ModelMessage = ChatMessage | UserPartsMessage | AssistantToolCallsMessage | ToolMessage;

/** The text of a turn; images count as `[image]` so token estimates and quotes know they were there. */
export function textOf(message: ModelMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (part.type === 'text' ? part.text : '[image]')).join('\n');
}

/** A JSON Schema object, as OpenAI's function `parameters` takes it. */
export type JSONSchema = { [key: string]: unknown };
/** A tool as the model sees it. */
export type ToolSpec = { name: string; description: string; parameters: JSONSchema };

/**
 * A passage the reply may cite as `[n]`. Its text is already in the messages (delimited as data,
 * lib/knowledge/citations.ts) for a real model; the offline model answers from these directly.
 */
export type SourcePassage = { n: number; title: string; page?: number; heading?: string; content: string };

export type CompletionRequest = {
  model: string;
  messages: ModelMessage[];
  temperature?: number;
  /** Tools the model may call; their calls arrive as `tool_call` events. */
  tools?: ToolSpec[];
  /** Knowledge found for the question: undefined when none was searched, [] when nothing matched. */
  sources?: SourcePassage[];
  /** Cancels the call (a stop control, a closed client). */
  signal?: AbortSignal;
};

export type Usage = { promptTokens: number; completionTokens: number };

/** What a `tool_call` event says it cost: nothing, the call's tokens are counted in `done`. */
export const NO_USAGE: Readonly<Usage> = Object.freeze({ promptTokens: 0, completionTokens: 0 });

/**
 * A streamed reply: text deltas as they come, each complete tool call the model asked for (only
 * when the request offered tools), then exactly one `done` with the usage. A `tool_call` carries
 * a zero `usage` so that code written before tool calls, which treats whatever is not a delta as
 * the end and adds up its usage, still compiles and still counts right; match `done` explicitly
 * in new code.
 */
export type StreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'tool_call'; call: ToolCall; usage: Readonly<Usage> }
  | { type: 'done'; usage: Usage };

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

/** A whole reply: `toolCalls` only when the model called tools. */
export type Completion = { content: string; usage: Usage; toolCalls?: ToolCall[] };

/** Collects a stream of events into the whole reply, the tools it called and its usage. */
export async function collectStream(events: AsyncIterable<StreamEvent>): Promise<Completion> {
  let content = '';
  let usage: Usage = { promptTokens: 0, completionTokens: 0 };
  const toolCalls: ToolCall[] = [];
  for await (const event of events) {
    if (event.type === 'delta') content += event.text;
    else if (event.type === 'tool_call') toolCalls.push(event.call);
    else usage = event.usage;
  }
  return toolCalls.length > 0 ? { content, usage, toolCalls } : { content, usage };
}

/** Collects a provider's reply, for callers that do not stream. */
export function complete(provider: ModelProvider, request: CompletionRequest): Promise<Completion> {
  return collectStream(provider.stream(request));
}
