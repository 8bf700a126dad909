import { keyRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { searchKnowledgeBase } from '@/lib/knowledge';
import { searchInput } from '@/lib/knowledge/schemas';

type Params = { knowledgeBaseId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  POST: keyRoute<Params>('knowledge:read', async ({ body, caller, params }) => {
    const input = await body(searchInput);
    return json({ results: await searchKnowledgeBase({ userId: caller.user.id, knowledgeBaseId: params.knowledgeBaseId, input }) });
  }),
});
