import { keyRoute } from '@/lib/auth/route';
import { json, methods } from '@/lib/http/route';
import { knowledgeRetrieval, listKnowledgeBases } from '@/lib/knowledge';

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: keyRoute('knowledge:read', async ({ caller }) => json({ knowledgeBases: await listKnowledgeBases({ userId: caller.user.id }), retrieval: knowledgeRetrieval() })),
});
