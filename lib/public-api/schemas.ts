import { z } from 'zod';

const chatMessage = z.object({
  role: z.enum(['system', 'user', 'assistant'], { error: 'role must be system, user or assistant.' }),
  content: z.string({ error: 'content must be a string.' }).max(32_000, 'Use at most 32000 characters per message.'),
});

export const chatInput = z.object({
  messages: z.array(chatMessage).min(1, 'Send at least one message.').max(200, 'Send at most 200 messages.'),
  stream: z.boolean().optional(),
});

export const queryInput = z.object({
  question: z.string({ error: 'question must be a string.' }).trim().min(1, 'Ask a question.').max(8000, 'Use at most 8000 characters.'),
  stream: z.boolean().optional(),
});

/** OpenAI's chat completions request; fields we do not use (max_tokens, top_p, ...) are accepted and ignored. */
export const completionsInput = z.looseObject({
  model: z.string({ error: 'model must be agent:<id> or channel:<id>.' }).regex(/^(agent|channel):[0-9a-f-]{36}$/i, 'Use a model from GET /v1/models: agent:<id> or channel:<id>.'),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'user', 'assistant', 'developer'], { error: 'role must be system, developer, user or assistant.' }),
        content: z.union([z.string().max(32_000), z.array(z.looseObject({ type: z.string(), text: z.string().max(32_000).optional() }))]),
      }),
    )
    .min(1, 'Send at least one message.')
    .max(200, 'Send at most 200 messages.'),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
});

// Answers, described once: the OpenAPI document is generated from these, and the tests check
// real answers against them, so the document cannot drift from the API.
const usage = z.object({ promptTokens: z.number().int(), completionTokens: z.number().int() });

export const errorBody = z.object({
  error: z.object({ code: z.string().describe('snake_case, e.g. unauthenticated, rate_limited'), message: z.string(), details: z.unknown().optional() }),
});

export const agentOut = z.object({
  id: z.uuid(),
  ownerId: z.uuid(),
  name: z.string(),
  handle: z.string(),
  description: z.string(),
  instructions: z.string(),
  model: z.string(),
  temperature: z.number(),
  avatar: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const agentsOut = z.object({ agents: z.array(agentOut) });

export const chatOut = z.object({ message: z.object({ role: z.literal('assistant'), content: z.string() }), usage });

export const contributionOut = z.object({
  agentId: z.uuid(),
  name: z.string(),
  content: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const queryOut = z.object({ answer: z.string(), contributions: z.array(contributionOut), usage });

export const modelsOut = z.object({
  object: z.literal('list'),
  data: z.array(z.looseObject({ id: z.string().describe('agent:<id> or channel:<id>'), object: z.literal('model'), created: z.number().int(), owned_by: z.string() })),
});

export const completionOut = z.looseObject({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(z.looseObject({ index: z.number().int(), message: z.looseObject({ role: z.literal('assistant'), content: z.string() }), finish_reason: z.string() })),
  usage: z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() }),
});
