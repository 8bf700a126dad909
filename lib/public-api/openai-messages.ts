import 'server-only';
import { z } from 'zod';
import type { ChatMessage, ContentPart, ModelMessage, ToolSpec } from '@/lib/ai';

/**
 * Every message shape OpenAI's chat completions API accepts, and its faithful conversion to the
 * model port's plain-text turns. OpenAI clients send whole conversations: tool calls and their
 * results, images, audio and files, so nothing here is capped tighter than the route's body cap
 * (API_MAX_BODY_BYTES, 8 MiB by default) already caps it; these bounds only stop absurd shapes.
 */
const MAX_TEXT_CHARS = 8 * 1024 * 1024;
export const MAX_MESSAGES = 10_000;

const text = (what: string) => z.string({ error: `${what} must be a string.` }).max(MAX_TEXT_CHARS, `${what} is too long.`);

const part = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('text'), text: text('text') }),
    z.looseObject({ type: z.literal('refusal'), refusal: text('refusal') }),
    z.looseObject({ type: z.literal('image_url'), image_url: z.looseObject({ url: z.string(), detail: z.string().optional() }) }),
    z.looseObject({ type: z.literal('input_audio'), input_audio: z.looseObject({ data: z.string(), format: z.string() }) }),
    z.looseObject({ type: z.literal('file'), file: z.looseObject({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() }) }),
  ],
  { error: 'A content part is text, image_url, input_audio, file or refusal.' },
);
type Part = z.infer<typeof part>;

const call = z.looseObject({ name: z.string(), arguments: z.string() });
const toolCall = z.discriminatedUnion('type', [
  z.looseObject({ id: z.string(), type: z.literal('function'), function: call }),
  z.looseObject({ id: z.string(), type: z.literal('custom'), custom: z.looseObject({ name: z.string(), input: z.string() }) }),
]);

export const openAiMessage = z
  .looseObject({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function'], { error: 'role must be system, developer, user, assistant, tool or function.' }),
    // null for an assistant turn that only calls tools (and for legacy function results).
    content: z.union([text('content'), z.array(part).max(MAX_MESSAGES)], { error: 'content must be a string or an array of content parts.' }).nullish(),
    name: z.string().max(256).optional(),
    refusal: text('refusal').nullish(),
    audio: z.looseObject({ id: z.string() }).nullish(),
    tool_calls: z.array(toolCall).max(MAX_MESSAGES).nullish(),
    function_call: call.nullish(),
    tool_call_id: z.string().max(256).optional(),
  })
  .superRefine((message, ctx) => {
    if (message.role === 'tool' && !message.tool_call_id) ctx.addIssue({ code: 'custom', path: ['tool_call_id'], message: 'A tool message needs the tool_call_id it answers.' });
    if (message.role === 'function' && !message.name) ctx.addIssue({ code: 'custom', path: ['name'], message: 'A function message needs the function name.' });
    const said = message.content != null || message.tool_calls?.length || message.function_call || message.refusal || message.audio;
    if (!said && message.role !== 'function') ctx.addIssue({ code: 'custom', path: ['content'], message: 'content is required (it may be null only beside tool_calls).' });
  });

export type OpenAiMessage = z.infer<typeof openAiMessage>;

/** What a part says as text; what text cannot carry is named, so the model knows it was there. */
function partText(item: Part): string {
  switch (item.type) {
    case 'text':
      return item.text;
    case 'refusal':
      return item.refusal;
    case 'image_url':
      return '[image]';
    case 'input_audio':
      return '[audio]';
    case 'file':
      return item.file.filename ? `[file: ${item.file.filename}]` : '[file]';
  }
}

const contentText = (content: OpenAiMessage['content']) => (content == null ? '' : typeof content === 'string' ? content : content.map(partText).join('\n'));
const lines = (...parts: (string | false | undefined)[]) => parts.filter(Boolean).join('\n');

/** An assistant turn as the model will read it back: what it said, refused, and which tools it called. */
function assistantText(message: OpenAiMessage): string {
  const calls = (message.tool_calls ?? []).map((c) =>
    c.type === 'function' ? `[tool call ${c.id}: ${c.function.name}(${c.function.arguments})]` : `[tool call ${c.id}: ${c.custom.name}(${c.custom.input})]`,
  );
  return lines(
    contentText(message.content),
    message.refusal ? `[refusal] ${message.refusal}` : undefined,
    message.audio ? '[audio reply]' : undefined,
    ...calls,
    message.function_call ? `[function call: ${message.function_call.name}(${message.function_call.arguments})]` : undefined,
  );
}

// Names reach the provider as OpenAI's `name` field, which allows only these characters.
const providerName = (name: string | undefined) => (name && /^[A-Za-z0-9_-]{1,64}$/.test(name) ? { name } : {});

/** Turns that carry a tool's or a function's result (user turns for the model, but no one's question). */
export const toolResults = new WeakSet<ChatMessage>();

const toolResult = (message: ChatMessage): ChatMessage => {
  toolResults.add(message);
  return message;
};

/**
 * The conversation as plain-text turns: developer is system; tool and function results become
 * user turns that say which call they answer (by the tool's name when an earlier turn called it).
 */
export function toChatMessages(messages: OpenAiMessage[]): ChatMessage[] {
  const toolNames = new Map<string, string>();
  return messages.map((message): ChatMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: contentText(message.content), ...providerName(message.name) };
      case 'user':
        return { role: 'user', content: contentText(message.content), ...providerName(message.name) };
      case 'assistant':
        for (const c of message.tool_calls ?? []) toolNames.set(c.id, c.type === 'function' ? c.function.name : c.custom.name);
        return { role: 'assistant', content: assistantText(message), ...providerName(message.name) };
      case 'tool': {
        const tool = toolNames.get(message.tool_call_id!);
        return toolResult({ role: 'user', content: lines(`[result of tool call ${message.tool_call_id}${tool ? ` (${tool})` : ''}]`, contentText(message.content)) });
      }
      case 'function':
        return toolResult({ role: 'user', content: lines(`[result of function ${message.name}]`, contentText(message.content)) });
    }
  });
}

/** The `messages` of a chat request, in OpenAI's shapes: read as plain-text turns or as model turns by the service (openAiTurns). */
export const chatMessages = z.array(openAiMessage).min(1, 'Send at least one message.').max(MAX_MESSAGES, `Send at most ${MAX_MESSAGES} messages.`);

/**
 * The conversation as the agent's model is given it: plain-text turns, unless the caller brings
 * its own tools (their turns stay tool turns) or the agent has vision (images stay images).
 */
export function openAiTurns(messages: OpenAiMessage[], { structured }: { structured: boolean }): ModelMessage[] {
  return structured ? toModelMessages(messages) : toChatMessages(messages);
}

/** What a user turn's parts say to a model that takes images: text and images as parts, the rest named in text. */
function userParts(content: OpenAiMessage['content']): string | ContentPart[] {
  if (content == null || typeof content === 'string') return content ?? '';
  if (!content.some((item) => item.type === 'image_url')) return contentText(content);
  return content.map((item): ContentPart => {
    if (item.type !== 'image_url') return { type: 'text', text: partText(item) };
    const detail = item.image_url.detail;
    return { type: 'image', url: item.image_url.url, ...(detail === 'low' || detail === 'high' || detail === 'auto' ? { detail } : {}) };
  });
}

/**
 * The conversation for a caller who brings its own tools (the agent as a framework's model): tool
 * calls and their results stay turns of their own, as the model wrote and the caller ran them, and
 * images reach the model as images. Legacy function turns become text, as in toChatMessages.
 */
export function toModelMessages(messages: OpenAiMessage[]): ModelMessage[] {
  return messages.map((message): ModelMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: contentText(message.content), ...providerName(message.name) };
      case 'user':
        return { role: 'user', content: userParts(message.content), ...providerName(message.name) };
      case 'assistant': {
        const calls = (message.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : []));
        const text = lines(contentText(message.content), message.refusal ? `[refusal] ${message.refusal}` : undefined);
        return calls.length > 0 ? { role: 'assistant', content: text, toolCalls: calls, ...providerName(message.name) } : { role: 'assistant', content: assistantText(message), ...providerName(message.name) };
      }
      case 'tool':
        return { role: 'tool', toolCallId: message.tool_call_id!, content: contentText(message.content) };
      case 'function':
        return { role: 'user', content: lines(`[result of function ${message.name}]`, contentText(message.content)) };
    }
  });
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** OpenAI's `tools` (function tools), as a caller sends them to use the agent as its model. */
export const callerTools = z
  .array(
    z.looseObject({
      type: z.literal('function', { error: 'Only function tools are supported.' }),
      function: z.looseObject({
        name: z.string().regex(TOOL_NAME, 'A tool name is 1 to 64 letters, digits, underscores or hyphens.'),
        description: z.string().max(8192).optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
      }),
    }),
  )
  .max(128, 'Send at most 128 tools.')
  .superRefine((tools, ctx) => {
    const seen = new Set<string>();
    tools.forEach((tool, index) => {
      if (seen.has(tool.function.name)) ctx.addIssue({ code: 'custom', path: [index, 'function', 'name'], message: `The tool ${tool.function.name} is given twice.` });
      seen.add(tool.function.name);
    });
  })
  .transform((tools): ToolSpec[] =>
    tools.map((tool) => ({ name: tool.function.name, description: tool.function.description ?? '', parameters: tool.function.parameters ?? { type: 'object', properties: {} } })),
  );

