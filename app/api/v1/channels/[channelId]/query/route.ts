import { keyRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { sseResponse } from '@/lib/http/sse';
import { apiChannelQuery } from '@/lib/public-api';
import { modelFailure, started } from '@/lib/public-api/respond';
import { queryInput } from '@/lib/public-api/schemas';

/** Every agent of the channel answers, then one answer is composed from theirs. */
const query = keyRoute<{ channelId: string }>('channels:query', async ({ req, body, params, caller }) => {
  const input = await body(queryInput);
  const events = await apiChannelQuery({ caller, channelId: params.channelId, question: input.question, signal: req.signal });
  if (!input.stream) {
    try {
      for await (const event of events) if (event.type === 'done') return json({ answer: event.answer, contributions: event.contributions, usage: event.usage });
    } catch (error) {
      modelFailure(error);
    }
    throw new Error('The channel query ended without an answer.');
  }
  const stream = await started(events);
  return sseResponse(
    (async function* () {
      for await (const event of stream) {
        if (event.type === 'contribution') yield { event: 'contribution', data: event.contribution };
        else if (event.type === 'delta') yield { event: 'delta', data: { content: event.text } };
        else yield { event: 'done', data: { answer: event.answer, contributions: event.contributions, usage: event.usage } };
      }
    })(),
  );
});

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({ POST: query });
