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
