import { sessionRoute } from '@/lib/auth/route';
import { json, methods, parseQuery } from '@/lib/http/route';
import { searchPeople } from '@/lib/messages/search';
import { searchPeopleQuery } from '@/lib/messages/schemas';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute(async ({ req, user }) => {
    const query = parseQuery(req, searchPeopleQuery);
    return json({ people: await searchPeople({ userId: user.id, ...query }) });
  }),
});
