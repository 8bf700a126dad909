import { json, noContent, parseBody, sessionRoute } from '@/lib/http/route';
import { deleteMessage, editMessage } from '@/lib/messages';
import { editMessageInput } from '@/lib/messages/schemas';

type Params = { channelId: string; messageId: string };

export const PATCH = sessionRoute<Params>(async ({ req, user, params }) => {
  const { content } = await parseBody(req, editMessageInput);
  return json({ message: await editMessage({ userId: user.id, ...params, content }) });
});

export const DELETE = sessionRoute<Params>(async ({ user, params }) => {
  await deleteMessage({ userId: user.id, ...params });
  return noContent();
});
