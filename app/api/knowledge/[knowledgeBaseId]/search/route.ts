import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { searchKnowledgeBase } from '@/lib/knowledge';
import { searchInput } from '@/lib/knowledge/schemas';

type Params = { knowledgeBaseId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  POST: sessionRoute<Params>(async ({ body, user, params }) => {
    const input = await body(searchInput);
    return json({ results: await searchKnowledgeBase({ userId: user.id, knowledgeBaseId: params.knowledgeBaseId, input }) });
  }),
});
