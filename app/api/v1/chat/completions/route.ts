import { invalidRequest } from '@/lib/http/errors';
import { keyRoute, type KeyHandlerArgs } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { requireScope } from '@/lib/keys';
import { apiAgentChat, apiChannelQuery } from '@/lib/public-api';
import { collectTurn, completionJson, completionStream, modelFailure, started } from '@/lib/public-api/respond';
import { toChatMessages, toolResults } from '@/lib/public-api/openai-messages';
import { completionsInput } from '@/lib/public-api/schemas';
import { isBlank } from '@/lib/validation/text';

/**
 * OpenAI-compatible chat completions: `model` is `agent:<id>` (the agent answers the
 * conversation) or `channel:<id>` (the channel's agents answer its last user message together,
 * and their contributions ride along as `neurocache.contributions`). The official OpenAI SDKs work
 * with `baseURL` set to `<origin>/api/v1`. Every OpenAI message shape arrives as plain-text turns
 * (lib/public-api/openai-messages.ts), in bodies up to API_MAX_BODY_BYTES.
 */
async function complete({ req, body, caller }: KeyHandlerArgs<object>): Promise<Response> {
  const { messages, ...input } = await body(completionsInput);
  const [kind, id] = input.model.split(':') as ['agent' | 'channel', string];
  const includeUsage = Boolean(input.stream_options?.include_usage);

  if (kind === 'agent') {
    requireScope(caller, 'agents:chat');
    // With its own tools, the caller uses the agent as its model (its tool turns and images stay as sent).
    const tools = input.tools?.length ? input.tools : undefined;
    const { events } = await apiAgentChat({
      caller,
      agentId: id,
      messages,
      temperature: input.temperature ?? undefined,
      signal: req.signal,
      tools,
    });
    if (!input.stream) {
      const { content, usage, citations, activities, toolCalls } = await collectTurn(events);
      return json(completionJson(input.model, content, usage, { neurocache: { citations, activities } }, toolCalls));
    }
    const stream = await started(events);
    return completionStream(
      input.model,
      (async function* () {
        for await (const event of stream) {
          if (event.type === 'delta') yield { text: event.text };
          else if (event.type === 'activity') yield { activity: event.activity };
          else if (event.type === 'tool_call') yield { toolCall: event.call };
          else yield { usage: event.result.usage, extra: { neurocache: { citations: event.result.citations, activities: event.result.activities } } };
        }
      })(),
      includeUsage,
    );
  }

  requireScope(caller, 'channels:query');
  // The last thing a person asked: a trailing tool result is context, not the question.
  const question = toChatMessages(messages).findLast((m) => m.role === 'user' && !toolResults.has(m))?.content.trim();
  if (question === undefined || isBlank(question)) throw invalidRequest('Send a user message to ask the channel.', { messages: ['No user message.'] });
  const events = await apiChannelQuery({ caller, channelId: id, question, signal: req.signal });
  if (!input.stream) {
    try {
      for await (const event of events) {
        if (event.type === 'done') return json(completionJson(input.model, event.answer, event.usage, { neurocache: { contributions: event.contributions } }));
      }
    } catch (error) {
      modelFailure(error);
    }
    throw new Error('The channel query ended without an answer.');
  }
  const stream = await started(events);
  return completionStream(
    input.model,
    (async function* () {
      for await (const event of stream) {
        if (event.type === 'delta') yield { text: event.text };
        else if (event.type === 'done') yield { usage: event.usage, extra: { neurocache: { contributions: event.contributions } } };
      }
    })(),
    includeUsage,
  );
}

// Whole conversations, as OpenAI clients send them: bodies up to API_MAX_BODY_BYTES, not the hub's 64 KiB.
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({ POST: keyRoute(null, complete, { body: 'api' }) });
