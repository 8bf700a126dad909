import { keyRoute, type KeyHandlerArgs } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { sseResponse } from '@/lib/http/sse';
import { apiAgentChat } from '@/lib/public-api';
import { collectChat, started } from '@/lib/public-api/respond';
import { chatInput } from '@/lib/public-api/schemas';

async function chat({ req, body, params, caller }: KeyHandlerArgs<{ agentId: string }>): Promise<Response> {
  const input = await body(chatInput);
  const { events, citations } = await apiAgentChat({ caller, agentId: params.agentId, messages: input.messages, signal: req.signal });
  if (!input.stream) {
    const { content, usage } = await collectChat(events);
    return json({ message: { role: 'assistant', content }, usage, citations: citations(content) });
  }
  const stream = await started(events);
  return sseResponse(
    (async function* () {
      let content = '';
      for await (const event of stream) {
        if (event.type === 'delta') {
          content += event.text;
          yield { event: 'delta', data: { content: event.text } };
        } else if (event.type === 'done') {
          yield { event: 'done', data: { message: { role: 'assistant', content }, usage: event.usage, citations: citations(content) } };
        }
      }
    })(),
  );
}

// Whole conversations, as OpenAI clients send them: bodies up to API_MAX_BODY_BYTES, not the hub's 64 KiB.
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({ POST: keyRoute('agents:chat', chat, { body: 'api' }) });
