import 'server-only';
import { z } from 'zod';
import { abilityIds, activityStatuses } from '@/lib/contracts/abilities';
import { isBlank } from '@/lib/validation/text';
import { callerTools, chatMessages } from './openai-messages';

export const chatInput = z.object({
  messages: chatMessages,
  stream: z.boolean().optional(),
});

export const queryInput = z.object({
  question: z
    .string({ error: 'question must be a string.' })
    .trim()
    .max(8000, 'Use at most 8000 characters.')
    .refine((value) => !isBlank(value), 'Ask a question.'),
  stream: z.boolean().optional(),
});

/**
 * OpenAI's chat completions request; fields we do not use (max_tokens, top_p, ...) are accepted
 * and ignored. `messages` stay in OpenAI's shapes here: the route reads them as plain-text turns,
 * or, when the caller brings `tools`, with tool turns and images as they are.
 */
export const completionsInput = z.looseObject({
  // Any case (`agent:<ID>`): kept canonical, so the id reaches the service as every id is stored.
  model: z
    .string({ error: 'model must be agent:<id> or channel:<id>.' })
    .regex(/^(agent|channel):[0-9a-f-]{36}$/i, 'Use a model from GET /v1/models: agent:<id> or channel:<id>.')
    .overwrite((value) => value.toLowerCase()),
  messages: chatMessages,
  tools: callerTools.nullish(),
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
  knowledgeBaseIds: z.array(z.uuid()).describe('The knowledge bases the agent answers from'),
  abilities: z.array(z.enum(abilityIds)).describe('What the agent may do beyond talking: its tools'),
  mcpServerIds: z.array(z.uuid()).describe('The MCP servers whose tools the agent may use (with the mcp ability)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const agentsOut = z.object({ agents: z.array(agentOut) });

export const citationOut = z.object({
  n: z.number().int().describe('The number the answer cites as [n]'),
  documentId: z.uuid().optional(),
  documentName: z.string().optional(),
  knowledgeBaseId: z.uuid().optional(),
  chunkId: z.uuid().optional(),
  url: z.string().optional(),
  title: z.string().optional(),
  excerpt: z.string(),
  page: z.number().int().optional(),
  heading: z.string().optional(),
});

export const activityOut = z.object({
  id: z.string(),
  tool: z.string(),
  status: z.enum(activityStatuses),
  title: z.string().describe('What the agent did, in words'),
  detail: z.string().optional(),
});

export const chatOut = z.object({
  message: z.object({ role: z.literal('assistant'), content: z.string() }),
  usage,
  citations: z.array(citationOut).describe('The sources the answer cites: passages of the agent\'s knowledge bases, web pages (with `url`)'),
  activities: z.array(activityOut).describe('The tool calls the agent made for this answer, in order'),
});

export const knowledgeBaseOut = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  documentCount: z.number().int(),
  chunkCount: z.number().int(),
  bytes: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const knowledgeBasesOut = z.object({
  knowledgeBases: z.array(knowledgeBaseOut),
  retrieval: z.looseObject({ kind: z.enum(['full-text', 'hybrid']), model: z.string().optional() }).describe('full-text, or hybrid with an embeddings model'),
});

export const documentOut = z.object({
  id: z.uuid(),
  knowledgeBaseId: z.uuid(),
  name: z.string(),
  mimeType: z.string(),
  bytes: z.number().int(),
  status: z.enum(['queued', 'processing', 'ready', 'error']),
  progress: z.number(),
  chunkCount: z.number().int(),
  pageCount: z.number().int().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  sourceUrl: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const documentsOut = z.object({ documents: z.array(documentOut) });

export const searchOut = z.object({
  results: z.array(
    z.object({
      documentId: z.uuid(),
      documentName: z.string(),
      chunkId: z.uuid(),
      content: z.string(),
      score: z.number(),
      page: z.number().int().optional(),
      heading: z.string().optional(),
    }),
  ),
});

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

const runTaskOut = z.object({
  id: z.uuid(),
  title: z.string(),
  agentId: z.uuid().nullable(),
  status: z.enum(['todo', 'doing', 'review', 'done', 'failed']),
  result: z.string().optional().describe("The latest attempt's result"),
  review: z.string().optional().describe('Why the supervisor sent the first attempt back'),
  attempts: z.number().int(),
  messageId: z.uuid().optional().describe('The channel message holding the latest attempt'),
});

export const runOut = z.object({
  run: z.object({
    id: z.uuid(),
    channelId: z.uuid(),
    goal: z.string(),
    status: z.enum(['planning', 'running', 'done', 'stopped', 'failed']),
    tasks: z.array(runTaskOut),
    summary: z.string().optional(),
    usage: z.object({ steps: z.number().int(), promptTokens: z.number().int(), completionTokens: z.number().int(), tokens: z.number().int(), seconds: z.number() }),
    budget: z.object({ steps: z.number().int(), tokens: z.number().int(), seconds: z.number().int() }),
    stopReason: z.string().optional(),
    supervisorAgentId: z.uuid().nullable().describe("The channel's lead agent, or null for the built-in supervisor"),
    startedBy: z.uuid(),
    messageId: z.uuid().optional().describe('The channel message that shows the run'),
    createdAt: z.string(),
    endedAt: z.string().optional(),
  }),
});
