import { sessionRoute } from '@/lib/auth/route';
import { json, methods, noContent } from '@/lib/http/route';
import { deleteKnowledgeBase, getKnowledgeBase, updateKnowledgeBase } from '@/lib/knowledge';
import { updateKnowledgeBaseInput } from '@/lib/knowledge/schemas';

type Params = { knowledgeBaseId: string };

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = methods({
  GET: sessionRoute<Params>(async ({ user, params }) => json({ knowledgeBase: await getKnowledgeBase({ userId: user.id, knowledgeBaseId: params.knowledgeBaseId }) })),

  PATCH: sessionRoute<Params>(async ({ body, user, params }) => {
    const input = await body(updateKnowledgeBaseInput);
    return json({ knowledgeBase: await updateKnowledgeBase({ userId: user.id, knowledgeBaseId: params.knowledgeBaseId, input }) });
  }),

  DELETE: sessionRoute<Params>(async ({ user, params }) => {
    await deleteKnowledgeBase({ userId: user.id, knowledgeBaseId: params.knowledgeBaseId });
    return noContent();
  }),
});
