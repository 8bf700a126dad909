import 'server-only';
import { z } from 'zod';
import { addDocumentInput, searchInput } from '@/lib/knowledge/schemas';
import { startRunInput } from '@/lib/teams/schemas';
import { agentsOut, chatInput, chatOut, completionOut, completionsInput, documentsOut, errorBody, knowledgeBasesOut, modelsOut, queryInput, queryOut, runOut, searchOut } from './schemas';

const schema = (type: z.ZodType, io: 'input' | 'output') => {
  const generated = z.toJSONSchema(type, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete generated.$schema; // the document's dialect is OpenAPI 3.1's own
  return generated;
};
const jsonBody = (type: z.ZodType) => ({ required: true, content: { 'application/json': { schema: schema(type, 'input') } } });
const ok = (type: z.ZodType, description: string, streams?: string) => ({
  description,
  content: { 'application/json': { schema: schema(type, 'output') }, ...(streams ? { 'text/event-stream': { schema: { type: 'string', description: streams } } } : {}) },
});
const error = (description: string) => ({ description, content: { 'application/json': { schema: schema(errorBody, 'output') } } });
const errors = {
  '400': error('invalid_request: the body or a parameter is invalid (details name the fields)'),
  '401': error('unauthenticated: a missing, malformed, unknown, revoked or expired key'),
  '403': error('forbidden: the key lacks the scope'),
  '404': error('not_found: no such agent, channel or knowledge base for this key'),
  '429': error('rate_limited: see Retry-After and RateLimit-* headers'),
  '503': error('unavailable: the model failed or timed out (a reason safe to show)'),
};
// Every POST: the body is JSON within the route's cap (chat routes: API_MAX_BODY_BYTES, 8 MiB by default).
const bodyErrors = {
  '413': error('payload_too_large: the body is over the route cap (answered before reading it when Content-Length says so)'),
  '415': error('unsupported_media_type: send the body as application/json'),
};
const pathId = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });

/** The OpenAPI 3.1 document of the public API, generated from the zod schemas the routes use. */
export function openApiDocument(serverUrl: string) {
  const keyed = (scope: string | null) => ({ security: [{ apiKey: [] }], ...(scope ? { 'x-scope': scope } : {}) });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Neurocache API',
      version: '1.0.0',
      description:
        'Reach your agents, and whole channels of agents, from any codebase. Authenticate with `Authorization: Bearer nc_...` (make keys on the API keys page). Every answer carries RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset and RateLimit-Policy headers. The OpenAI-compatible endpoints work with the official OpenAI SDKs given this server as baseURL.',
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'nc_<38 characters>' } } },
    paths: {
      '/agents': {
        get: { operationId: 'listAgents', summary: 'Your agents', ...keyed('agents:read'), responses: { '200': ok(agentsOut, 'The roster'), ...errors } },
      },
      '/agents/{agentId}/chat': {
        post: {
          operationId: 'chatWithAgent',
          summary: 'Chat with one of your agents',
          description:
            'Messages in any shape OpenAI accepts (content parts, tool calls, `tool` and `function` turns), in bodies up to API_MAX_BODY_BYTES (8 MiB by default). Its abilities (tools) run as in channels. With `stream: true`, text/event-stream: `event: activity` frames `{activity}` as its tools run, `event: delta` frames `{content}`, then `event: done` with the body below (or `event: error` with an error body).',
          ...keyed('agents:chat'),
          parameters: [pathId('agentId')],
          requestBody: jsonBody(chatInput),
          responses: { '200': ok(chatOut, 'The reply and its usage', 'activity and delta, then done'), ...errors, ...bodyErrors },
        },
      },
      '/channels/{channelId}/query': {
        post: {
          operationId: 'queryChannel',
          summary: 'Ask a whole channel of agents',
          description:
            'Every agent of the channel answers in parallel, then the lead agent (or a built-in synthesizer) composes one answer. With `stream: true`: `event: contribution` frames as each agent finishes, `event: delta` frames of the answer, then `event: done`. 409 when the channel has no agents.',
          ...keyed('channels:query'),
          parameters: [pathId('channelId')],
          requestBody: jsonBody(queryInput),
          responses: { '200': ok(queryOut, 'The composed answer and each contribution', 'contribution..., delta..., done'), '409': error('conflict: the channel has no agents'), ...errors, ...bodyErrors },
        },
      },
      '/channels/{channelId}/runs': {
        post: {
          operationId: 'startRun',
          summary: 'Give a channel of agents a goal',
          description:
            "Starts a goal run: the supervisor (the channel's lead agent, or a built-in one) plans tasks, assigns each to the best-suited agent, reviews each result (sending it back once with a reason), and sums up. Each task's work is posted in the channel. `budget` caps model calls (`steps`), `tokens` and `seconds` (defaults RUN_DEFAULT_STEPS 40, RUN_DEFAULT_TOKENS 200000, RUN_DEFAULT_SECONDS 900); whichever is reached first stops the run. Answers 201 `{run}` at once (poll GET .../runs/{runId}), or with `stream: true` text/event-stream: `event: run` frames `{run}` with each change, then `event: done` with the ended run. Closing the stream does not stop the run. 409 when the channel has no agents or a run is already going in it.",
          ...keyed('channels:query'),
          parameters: [pathId('channelId')],
          requestBody: jsonBody(startRunInput),
          responses: { '201': ok(runOut, 'The run, as it starts (status planning)', 'run..., done'), '409': error('conflict: the channel has no agents, or a run is already going'), ...errors, ...bodyErrors },
        },
      },
      '/channels/{channelId}/runs/{runId}': {
        get: {
          operationId: 'getRun',
          summary: 'A goal run, with its tasks',
          ...keyed('channels:query'),
          parameters: [pathId('channelId'), pathId('runId')],
          responses: { '200': ok(runOut, 'The run as stored now'), ...errors },
        },
      },
      '/channels/{channelId}/runs/{runId}/stop': {
        post: {
          operationId: 'stopRun',
          summary: 'Stop a goal run',
          description: 'Finished tasks keep their results; the task in progress ends failed; status `stopped` with `stopReason`. Stopping an ended run changes nothing.',
          ...keyed('channels:query'),
          parameters: [pathId('channelId'), pathId('runId')],
          responses: { '200': ok(runOut, 'The stopped run'), ...errors },
        },
      },
      '/knowledge': {
        get: {
          operationId: 'listKnowledgeBases',
          summary: 'Your knowledge bases',
          description: 'With how this deployment searches them: `full-text` (keywords, the default) or `hybrid` (keywords fused with an embeddings model).',
          ...keyed('knowledge:read'),
          responses: { '200': ok(knowledgeBasesOut, 'The knowledge bases'), ...errors },
        },
      },
      '/knowledge/{knowledgeBaseId}/search': {
        post: {
          operationId: 'searchKnowledgeBase',
          summary: 'Search the passages of a knowledge base',
          description: 'Best first. `query` takes web-search syntax: "quoted phrases", OR, -excluded words. limit 1..50, default 8.',
          ...keyed('knowledge:read'),
          parameters: [pathId('knowledgeBaseId')],
          requestBody: jsonBody(searchInput),
          responses: { '200': ok(searchOut, 'The matching passages'), ...errors, ...bodyErrors },
        },
      },
      '/knowledge/{knowledgeBaseId}/documents': {
        post: {
          operationId: 'addDocuments',
          summary: 'Add documents to a knowledge base',
          description:
            'multipart/form-data with 1 to KNOWLEDGE_MAX_FILES_PER_UPLOAD (20) `file` fields (PDF, DOCX, HTML, Markdown, plain text; each up to KNOWLEDGE_MAX_FILE_BYTES, 25 MB), or JSON `{url}` (a public web page the server fetches) or `{title, text}`. Answers 202 at once: documents are indexed in the background (poll them, or watch `knowledge:progress` in the hub). A file that cannot be parsed ends in status `error` with a reason.',
          ...keyed('knowledge:write'),
          parameters: [pathId('knowledgeBaseId')],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'array', items: { type: 'string', format: 'binary' } } }, required: ['file'] } },
              'application/json': { schema: schema(addDocumentInput, 'input') },
            },
          },
          responses: {
            '202': ok(documentsOut, 'The documents, queued for indexing'),
            ...errors,
            '413': error('payload_too_large: a file over KNOWLEDGE_MAX_FILE_BYTES, or your storage limit (KNOWLEDGE_MAX_BYTES_PER_USER) reached'),
            '415': error('unsupported_media_type: a file type the hub cannot read, or a body that is neither multipart nor JSON'),
          },
        },
      },
      '/models': {
        get: { operationId: 'listModels', summary: 'OpenAI-compatible model list: agent:<id> and channel:<id>', ...keyed(null), responses: { '200': ok(modelsOut, 'The models'), ...errors } },
      },
      '/chat/completions': {
        post: {
          operationId: 'createChatCompletion',
          summary: 'OpenAI-compatible chat completions',
          description:
            'Any message shape OpenAI accepts, in bodies up to API_MAX_BODY_BYTES (8 MiB by default). `model` is `agent:<id>` (scope agents:chat; an agent with knowledge or web search cites its sources, listed in `neurocache.citations`; the tool calls of its abilities are listed in `neurocache.activities`, and while streaming each step is sent as an `event: activity` chunk with no choices and `neurocache.activity`) or `channel:<id>` (scope channels:query; the last user message is asked, contributions ride along as `neurocache.contributions`). `stream: true` sends chat.completion.chunk frames and `data: [DONE]`; `stream_options.include_usage` adds the usage chunk.',
          ...keyed('agents:chat or channels:query'),
          requestBody: jsonBody(completionsInput),
          responses: { '200': ok(completionOut, 'An OpenAI chat.completion', 'chat.completion.chunk frames, then [DONE]'), ...errors, ...bodyErrors },
        },
      },
    },
  };
}
