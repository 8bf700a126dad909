import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { addReaction, parseEmoji, removeReaction } from '@/lib/messages/reactions';

type Params = { channelId: string; messageId: string; emoji: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  PUT: sessionRoute<Params>(async ({ user, params }) => {
    return json({ reactions: await addReaction({ userId: user.id, ...params, emoji: parseEmoji(params.emoji) }) });
  }),

  DELETE: sessionRoute<Params>(async ({ user, params }) => {
    return json({ reactions: await removeReaction({ userId: user.id, ...params, emoji: parseEmoji(params.emoji) }) });
  }),
});
