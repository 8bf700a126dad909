import { sessionRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { createKnowledgeBase, knowledgeLimits, knowledgeRetrieval, listKnowledgeBases } from '@/lib/knowledge';
import { createKnowledgeBaseInput } from '@/lib/knowledge/schemas';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute(async ({ user }) => json({ knowledgeBases: await listKnowledgeBases({ userId: user.id }), retrieval: knowledgeRetrieval(), limits: knowledgeLimits() })),

  POST: sessionRoute(async ({ body, user }) => {
    const input = await body(createKnowledgeBaseInput);
    return json({ knowledgeBase: await createKnowledgeBase({ userId: user.id, input }) }, 201);
  }),
});
