import { sessionRoute } from '@/lib/auth/route';
import { json, methods, parseQuery } from '@/lib/http/route';
import { searchMessages } from '@/lib/messages/search';
import { searchMessagesQuery } from '@/lib/messages/schemas';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute(async ({ req, user }) => {
    const query = parseQuery(req, searchMessagesQuery);
    return json({ results: await searchMessages({ userId: user.id, ...query }) });
  }),
});
