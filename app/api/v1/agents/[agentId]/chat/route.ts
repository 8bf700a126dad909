import { keyRoute, type KeyHandlerArgs } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { sseResponse } from '@/lib/http/sse';
import { apiAgentChat } from '@/lib/public-api';
import { collectTurn, started } from '@/lib/public-api/respond';
import { chatInput } from '@/lib/public-api/schemas';

async function chat({ req, body, params, caller }: KeyHandlerArgs<{ agentId: string }>): Promise<Response> {
  const input = await body(chatInput);
  const { events } = await apiAgentChat({ caller, agentId: params.agentId, messages: input.messages, signal: req.signal });
  if (!input.stream) {
    const { content, usage, citations, activities } = await collectTurn(events);
    return json({ message: { role: 'assistant', content }, usage, citations, activities });
  }
  const stream = await started(events);
  return sseResponse(
    (async function* () {
      for await (const event of stream) {
        if (event.type === 'delta') yield { event: 'delta', data: { content: event.text } };
        else if (event.type === 'activity') yield { event: 'activity', data: { activity: event.activity } };
        else if (event.type === 'done') {
          const { content, usage, citations, activities } = event.result;
          yield { event: 'done', data: { message: { role: 'assistant', content }, usage, citations, activities } };
        }
      }
    })(),
  );
}

// Whole conversations, as OpenAI clients send them: bodies up to API_MAX_BODY_BYTES, not the hub's 64 KiB.
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({ POST: keyRoute('agents:chat', chat, { body: 'api' }) });
