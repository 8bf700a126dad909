import { sessionRoute } from '@/lib/auth/route';
import { json, methods, parseQuery } from '@/lib/http/route';
import { usageQuery, usageSummary } from '@/lib/usage';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute(async ({ req, user }) => {
    const { range } = parseQuery(req, usageQuery);
    return json(await usageSummary({ userId: user.id, range }));
  }),
});
