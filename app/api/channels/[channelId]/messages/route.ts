import { sessionRoute } from '@/lib/auth/route';
import { json, methods, parseQuery } from '@/lib/http/route';
import { postMessage } from '@/lib/agents/conversation';
import { listMessages } from '@/lib/messages';
import { aroundResponse, historyResponse, listMessagesAround } from '@/lib/messages/history';
import { aroundMessagesQuery, listMessagesQuery, sendMessageInput } from '@/lib/messages/schemas';

type Params = { channelId: string };

// On Vercel the function lives on (through after()) while the agent replies this starts stream;
// AGENT_REPLY_MAX_SECONDS (240) cuts every reply off before this.
export const maxDuration = 300;

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<Params>(async ({ req, user, params }) => {
    if (req.nextUrl.searchParams.has('around')) {
      const around = parseQuery(req, aroundMessagesQuery);
      return aroundResponse(await listMessagesAround({ userId: user.id, channelId: params.channelId, query: around }));
    }
    const query = parseQuery(req, listMessagesQuery);
    return historyResponse(await listMessages({ userId: user.id, channelId: params.channelId, query }));
  }),

  POST: sessionRoute<Params>(async ({ body, user, params }) => {
    const input = await body(sendMessageInput);
    const { message, created } = await postMessage({ user, channelId: params.channelId, ...input });
    return json({ message }, created ? 201 : 200);
  }),
});
