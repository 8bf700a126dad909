import { json, parseBody, parseQuery, sessionRoute } from '@/lib/http/route';
import { listMessages, sendMessage } from '@/lib/messages';
import { historyResponse } from '@/lib/messages/history';
import { listMessagesQuery, sendMessageInput } from '@/lib/messages/schemas';

type Params = { channelId: string };

export const GET = sessionRoute<Params>(async ({ req, user, params }) => {
  const query = parseQuery(req, listMessagesQuery);
  return historyResponse(await listMessages({ userId: user.id, channelId: params.channelId, query }));
});

export const POST = sessionRoute<Params>(async ({ req, user, params }) => {
  const input = await parseBody(req, sendMessageInput);
  const { message, created } = await sendMessage({ user, channelId: params.channelId, ...input });
  return json({ message }, created ? 201 : 200);
});
