import { sessionRoute } from '@/lib/auth/route';
import { json, methods, noContent } from '@/lib/http/route';
import { removeMessage } from '@/lib/agents/conversation';
import { editMessage } from '@/lib/messages';
import { editMessageInput } from '@/lib/messages/schemas';

type Params = { channelId: string; messageId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  PATCH: sessionRoute<Params>(async ({ body, user, params }) => {
    const { content } = await body(editMessageInput);
    return json({ message: await editMessage({ userId: user.id, ...params, content }) });
  }),

  DELETE: sessionRoute<Params>(async ({ user, params }) => {
    await removeMessage({ userId: user.id, ...params });
    return noContent();
  }),
});
